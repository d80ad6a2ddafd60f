"""The public edition's search index: built here, searched in the reader's browser.

Terms are split into shards by their first two characters, so a browser fetches only the
few small files a query needs. Everything in it comes from the viewed (redacted) records,
so no withheld word can be found, nor seen in the files.

The index is built as the pages are, one cable at a time and in any order (`IndexWriter`):
postings are kept in memory up to a bound, then appended to a spool file per shard, and
each shard is put in order and written when every cable was added. Memory: the bound and
the largest shard, not the edition.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path

from cabledesk.publish.paths import inside
from cabledesk.record.model import Cable
from cabledesk.record.words import WORD

# Postings held in memory before they are appended to the shards' spool files.
_SPOOL_AT = 1_000_000


def shard_name(term: str) -> str:
    """The file of a term's shard; the browser derives the same name (search.js)."""
    return "t-" + term[:2].encode("utf-8").hex() + ".json"


def searchable_text(cable: Cable) -> str:
    parts = [cable.subject or ""]
    for paragraph in cable.paragraphs:
        parts += [paragraph.heading or "", paragraph.text]
    parts += [r.text for r in cable.references]
    return "\n".join(parts)


def document(cable: Cable) -> list[str]:
    """A cable's row of docs.json."""
    return [
        cable.reference_id or "",
        (cable.header.sent or cable.created or "")[:10],
        cable.origin or "",
        "//".join([cable.classification or "", *cable.caveats]).strip("/"),
        cable.subject or "",
    ]


class IndexWriter:
    """Writes docs.json and the term shards into `folder`; `add` each cable with its
    number (its place in docs.json), in any order, then `finish`. Each shard lists its
    terms in the order they first occur (by cable number, then within the cable) and each
    term's cables by number: the same files as adding the cables in order would give."""

    def __init__(self, folder: Path, spool: Path, spool_at: int = _SPOOL_AT) -> None:
        self.folder, self.spool, self.spool_at = folder, spool, spool_at
        folder.mkdir(parents=True, exist_ok=True)
        spool.mkdir(parents=True, exist_ok=True)
        self.held: dict[str, list[str]] = defaultdict(list)
        self.count = 0

    def add(self, number: int, cable: Cable) -> None:
        counts = Counter(w.lower() for w in WORD.findall(searchable_text(cable)))
        for position, (term, count) in enumerate(counts.items()):
            # WORD never matches a tab or a line break: the term ends each line.
            self.held[shard_name(term)].append(f"{number}\t{position}\t{count}\t{term}\n")
        self.count += len(counts)
        if self.count >= self.spool_at:
            self._spool()

    def _spool(self) -> None:
        for name, lines in self.held.items():
            with inside(self.spool, name).open("a", encoding="utf-8") as handle:
                handle.writelines(lines)
        self.held.clear()
        self.count = 0

    def finish(self, docs: list[list[str]], cable_path: str = "cable/") -> int:
        """Write docs.json (`docs`: by cable number) and every shard; returns the number
        of distinct terms. The spool folder is removed."""
        self._spool()
        inside(self.folder, "docs.json").write_text(
            json.dumps({"cable_path": cable_path, "docs": docs}, ensure_ascii=False),
            encoding="utf-8",
        )
        terms = 0
        for path in sorted(self.spool.iterdir()):
            rows: list[tuple[int, int, int, str]] = []
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    fields = line.rstrip("\n").split("\t")
                    rows.append((int(fields[0]), int(fields[1]), int(fields[2]), fields[3]))
            rows.sort()
            shard: dict[str, list[list[int]]] = {}
            for cable, _, count, term in rows:
                shard.setdefault(term, []).append([cable, count])
            del rows
            inside(self.folder, path.name).write_text(
                json.dumps(shard, ensure_ascii=False), encoding="utf-8"
            )
            terms += len(shard)
        shutil.rmtree(self.spool)
        return terms


def write_index(cables: list[Cable], folder: Path, cable_path: str = "cable/") -> int:
    """Write docs.json and the term shards of `cables` (numbered in their order); returns
    the number of distinct terms."""
    writer = IndexWriter(folder, folder.with_name(folder.name + ".spool"))
    for number, cable in enumerate(cables):
        writer.add(number, cable)
    return writer.finish([document(c) for c in cables], cable_path)
