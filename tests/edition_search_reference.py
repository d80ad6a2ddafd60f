"""The reference writer of the edition's search index: `search_index.py` as it was before
its writer was vectorised (commit 2b93cd1, format 3), kept unchanged so that
`tests/test_edition_search_reference.py` can prove the new writer writes the same bytes.
Not used by cabledesk.

The public edition's search index: built here, searched in the reader's browser.

Designed for bandwidth (docs/publishing.md, "Searching the edition"): a query downloads
a few small files whatever the edition's size, from any static web server.

- `search/meta.json`: a few numbers (cables, average length, the sizes below); constant.
- `search/d/K.json`: the rows shown in a result list (id, date, origin, marking,
  subject) of cables K*16 ... K*16+15: a page of results fetches at most one small file
  per result.
- `search/t/HEX.json`: the terms, in a tree of shards by prefix. HEX is the UTF-8 of a
  prefix in hexadecimal; the tree starts at the terms' first two characters and a shard
  that would pass `LEAF_BYTES` is split by the next character (its file then holds the
  terms equal to its prefix and, in `s`, the characters its children start with), so no
  shard grows with the edition. A term is a word (lower case, `record.words.WORD`) or a
  pair of words that follow each other ("quds force"): pairs answer phrases.
- `search/b/H/L.json`: a term's postings when it has more than `INLINE` cables, in
  blocks of `BLOCK`, ordered by impact (below): the first block holds the cables where
  the term weighs most, so a common word costs one block, not the edition.

Ranking: each posting carries an impact level, BM25's term-frequency part for the cable
(k1 1.2, b 0.75, the cable's length in words over the edition's average) cut into
`LEVELS` levels; the browser adds level times the term's idf (from its number of cables)
over the words of the query. Postings are ordered by level, highest first, and by cable.
A pair's posting also lists where in the cable the pair starts (word positions), so a
phrase of three words or more is matched exactly: its pairs at consecutive positions.

Encoding (JSON, numbers only, so nothing in a posting can spell a word): a run of
postings is `[level, count, cable, gap, gap, ...]` per level (cables as gaps from the
previous in the run); for a pair each cable is followed by its number of positions and
the positions as gaps. A term's entry is `[cables, run]` when inline, else
(format 5) `[cables, 0, level, cable, postings, ...]` (each block's last posting).

Everything comes from the published (redacted) records: no withheld word is a term, a
pair, a shard's name or a count.

The index is built as the pages are, one cable at a time and in any order
(`IndexWriter`): postings are kept in memory up to a bound, then appended to a spool file
per two-character prefix; at the end each spool file is split by the next character
while it is over `BUCKET_BYTES`, then sorted and written. Memory: the bound, one bucket
and the postings of the most common single term (a few bytes per cable that holds it),
not the edition.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from cabledesk.publish.paths import inside
from cabledesk.record.model import Cable
from cabledesk.record.words import WORD

FORMAT = 5
# Postings held in memory before they are appended to the spool files.
_SPOOL_AT = 1_000_000
# A spool file is split by the next character of its terms while it is larger.
BUCKET_BYTES = 24_000_000
# A shard of the tree is split when its terms' entries pass this size.
LEAF_BYTES = 24_000
# A shard split by the next character keeps at most this much of the small groups.
NODE_BYTES = 8_000
# A term with at most this many cables keeps its postings in its shard.
INLINE = 256
# Postings of a block file, on average: a word's, and a pair's (with its positions).
BLOCK = 2_000
PAIR_BLOCK = 500
# Format 5: a block ends after a boundary cable (cable * 2654435761 mod 2**32 divisible
# by the block's size), or after BLOCK_MAX times its size postings with none.
BLOCK_MAX = 2
# Rows of a file of document metadata.
DOC_CHUNK = 16
# Impact levels, and BM25's parameters.
LEVELS = 16
K1, B = 1.2, 0.75
# A prefix of the tree is never longer (a shard at this depth holds whatever it gets).
MAX_DEPTH = 64
# Cable numbers in the spool are written with this many digits, so lines sort by number.
_DIGITS = 8


def shard_name(prefix: str) -> str:
    """The file of the shard of terms starting with `prefix`; the browser derives the
    same name (site-search.js)."""
    return prefix.encode("utf-8").hex() + ".json"


def block_path(term: str, level_of: int, last: int) -> str:
    """A block's path under b/: the term's UTF-8 in hexadecimal cut into folders of 200
    characters, then LEVEL-LAST.json (format 5: LAST the block's last cable)."""
    text = term.encode("utf-8").hex()
    folder = "/".join(text[i : i + 200] for i in range(0, len(text), 200))
    return f"{folder}/{level_of}-{last}.json"


def searchable_parts(cable: Cable) -> list[str]:
    """The texts searched, each on its own: a pair never spans two of them."""
    parts = [cable.subject or ""]
    for paragraph in cable.paragraphs:
        parts += [paragraph.heading or "", paragraph.text]
    parts += [r.text for r in cable.references]
    return parts


def searchable_text(cable: Cable) -> str:
    return "\n".join(searchable_parts(cable))


def document(cable: Cable) -> list[str]:
    """A cable's row of the document files."""
    return [
        cable.reference_id or "",
        (cable.header.sent or cable.created or "")[:10],
        cable.origin or "",
        "//".join([cable.classification or "", *cable.caveats]).strip("/"),
        cable.subject or "",
    ]


def level(tf: int, length: int, average: float) -> int:
    """The impact level (1 ... LEVELS) of a term found `tf` times in a cable of
    `length` words."""
    norm = K1 * (1 - B + B * length / average) if average else K1
    part = tf * (K1 + 1) / (tf + norm)
    return max(1, min(LEVELS, math.ceil(part / (K1 + 1) * LEVELS)))


def encode_run(postings: list[tuple[int, int, str]], pairs: bool) -> str:
    """`level,count,cable,gap,...` per level of `postings` ((-level, cable,
    positions), in that order), without the brackets."""
    out: list[str] = []
    current = 0
    previous = 0
    count_at = 0
    count = 0
    for negative, cable, payload in postings:
        if negative != current:
            if count_at:
                out[count_at] = str(count)
            current = negative
            out += [str(-negative), ""]
            count_at = len(out) - 1
            count = 0
            previous = 0
        out.append(str(cable - previous))
        previous = cable
        count += 1
        if pairs:
            out.append(payload)
    out[count_at] = str(count)
    return ",".join(out)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class IndexWriter:
    """Writes the search index into `folder`; `add` each cable with its number (its
    place in the document files), in any order, then `finish`. The files are the same
    as adding the cables in order would give."""

    def __init__(
        self, folder: Path, spool: Path, spool_at: int = _SPOOL_AT, average: float | None = None
    ) -> None:
        self.frozen = average
        self.folder, self.spool, self.spool_at = folder, spool, spool_at
        folder.mkdir(parents=True, exist_ok=True)
        spool.mkdir(parents=True, exist_ok=True)
        self.held: dict[str, list[str]] = {}
        self.count = 0
        self.words = 0  # of every cable added: the average length
        self.added = 0
        self.terms = 0
        self.average = 0.0
        self.tree_root = self.block_root = ""

    def add(self, number: int, cable: Cable) -> None:
        held = self.held
        cable_key = str(number).zfill(_DIGITS)
        every: list[str] = []
        pairs: dict[str, list[int]] = {}
        for part in searchable_parts(cable):
            words = [w.lower() for w in WORD.findall(part)]
            start = len(every)
            for i in range(len(words) - 1):
                key = words[i] + " " + words[i + 1]
                found = pairs.get(key)
                if found is None:
                    pairs[key] = [start + i]
                else:
                    found.append(start + i)
            every += words
        length = len(every)
        tail = f"\t{cable_key}\t{length}\t"
        for term, count in Counter(every).items():
            line = f"{term}{tail}{count}\n"
            bucket = held.get(term[:2])
            if bucket is None:
                held[term[:2]] = [line]
            else:
                bucket.append(line)
        for term, positions in pairs.items():
            if len(positions) == 1:
                line = f"{term}{tail}1,{positions[0]}\n"
            else:
                gaps = [b - a for a, b in itertools.pairwise(positions)]
                line = f"{term}{tail}{len(positions)},{positions[0]},{','.join(map(str, gaps))}\n"
            bucket = held.get(term[:2])
            if bucket is None:
                held[term[:2]] = [line]
            else:
                bucket.append(line)
        self.count += len(pairs) + length
        self.words += length
        self.added += 1
        if self.count >= self.spool_at:
            self._spool()

    def _spool(self) -> None:
        for prefix, lines in self.held.items():
            with inside(self.spool, shard_name(prefix)).open("a", encoding="utf-8") as handle:
                handle.writelines(lines)
        self.held.clear()
        self.count = 0

    def finish(self, docs: list[list[str] | None], cable_path: str = "cable/") -> int:
        """Write the document files (`docs`: by cable number), the term shards and
        their blocks, and meta.json; returns the number of distinct terms (words and
        pairs). The spool folder is removed."""
        self._spool()
        total = self._write_docs(docs)
        if self.frozen is not None:
            self.average = self.frozen
        else:
            self.average = self.words / self.added if self.added else 0.0
        # File names below are hexadecimal or numbers, made here: plain names.
        self.tree_root = str(inside(self.folder, "t"))
        self.block_root = str(inside(self.folder, "b"))
        os.mkdir(self.tree_root)
        os.mkdir(self.block_root)
        for path in sorted(self.spool.iterdir(), key=lambda p: bytes.fromhex(p.stem)):
            prefix = bytes.fromhex(path.stem).decode("utf-8")
            self._tree(prefix, self._bucket(prefix, path))
        meta = {
            "format": FORMAT,
            "cable_path": cable_path,
            "docs": total,
            "terms": self.terms,
            "average_words": round(self.average, 3),
            "doc_chunk": DOC_CHUNK,
            "block": BLOCK,
            "pair_block": PAIR_BLOCK,
            "levels": LEVELS,
            "k1": K1,
            "b": B,
        }
        inside(self.folder, "meta.json").write_text(_dumps(meta), encoding="utf-8")
        shutil.rmtree(self.spool)
        return self.terms

    def _write_docs(self, docs: list[list[str] | None]) -> int:
        """Rows by cable number, null where no cable holds the number."""
        folder = inside(self.folder, "d")
        folder.mkdir(exist_ok=True)
        for start in range(0, len(docs), DOC_CHUNK):
            inside(folder, f"{start // DOC_CHUNK}.json").write_text(
                _dumps(docs[start : start + DOC_CHUNK]), encoding="utf-8"
            )
        return sum(row is not None for row in docs)

    def _bucket(self, prefix: str, path: Path) -> list[tuple[str, str]]:
        """The entries of the terms starting with `prefix` (all in `path`), sorted; the
        split of a large spool file changes nothing in them."""
        if path.stat().st_size <= BUCKET_BYTES or len(prefix) >= MAX_DEPTH:
            with path.open(encoding="utf-8") as handle:
                lines = handle.read().splitlines()
            path.unlink()
            lines.sort()
            entries = list(self._entries(lines))
            del lines
            return entries
        # Too large to sort in memory: split by the next character; the terms equal to
        # the prefix go to a file of their own (one term: its postings are sorted whole).
        parts: dict[str, list[str]] = {}
        files: dict[str, Path] = {}

        def flush() -> None:
            for key, lines in parts.items():
                if key not in files:
                    files[key] = path.with_name(path.stem + "~" + key.encode().hex())
                with files[key].open("a", encoding="utf-8") as handle:
                    handle.writelines(lines)
            parts.clear()

        held = 0
        depth = len(prefix)
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                term_end = line.index("\t")
                key = line[depth] if term_end > depth else ""
                parts.setdefault(key, []).append(line)
                held += 1
                if held >= self.spool_at:
                    flush()
                    held = 0
        flush()
        path.unlink()
        exact: list[tuple[str, str]] = []
        if "" in files:
            with files[""].open(encoding="utf-8") as handle:
                lines = handle.read().splitlines()
            files[""].unlink()
            lines.sort()
            exact = list(self._entries(lines))
            del lines
        for key in sorted(k for k in files if k):
            exact += self._bucket(prefix + key, files[key])
        return exact

    def _entries(self, lines: list[str]) -> Iterator[tuple[str, str]]:
        """(term, its entry as JSON) of sorted spool lines; writes the blocks of the
        terms with more than INLINE cables."""
        average = self.average
        levels: dict[tuple[int, str], int] = {}
        term = ""
        postings: list[tuple[int, int, str]] = []
        for line in lines:
            this, cable, length, payload = line.split("\t")
            if this != term:
                if postings:
                    yield term, self._entry(term, postings)
                    postings = []
                term = this
            tf = int(payload[: payload.index(",")] if " " in this else payload)
            weight = levels.get((tf, length))
            if weight is None:
                weight = levels[tf, length] = level(tf, int(length), average)
            postings.append((-weight, int(cable), payload))
        if postings:
            yield term, self._entry(term, postings)

    def _entry(self, term: str, postings: list[tuple[int, int, str]]) -> str:
        pairs = " " in term
        self.terms += 1
        if len(postings) == 1:
            weight, cable, payload = postings[0]
            if pairs:
                return f"[1,[{-weight},1,{cable},{payload}]]"
            return f"[1,[{-weight},1,{cable}]]"
        postings.sort()
        if len(postings) <= INLINE:
            return f"[{len(postings)},[{encode_run(postings, pairs)}]]"
        size = PAIR_BLOCK if pairs else BLOCK
        # Format 5: the term's postings, in order (levels, then cables), cut after a
        # boundary cable or at BLOCK_MAX * size postings; a block named by its last posting.
        cuts: list[list[tuple[int, int, str]]] = [[]]
        for posting in postings:
            cuts[-1].append(posting)
            boundary = (posting[1] * 2654435761) % 2**32 % size == 0
            if boundary or len(cuts[-1]) == size * BLOCK_MAX:
                cuts.append([])
        listed: list[str] = []
        for block in cuts:
            if not block:
                continue
            negative, last, _ = block[-1]
            listed.append(f"{-negative},{last},{len(block)}")
            run = encode_run(block, pairs)
            path = os.path.join(self.block_root, block_path(term, -negative, last))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(f"[{run}]")
        return f"[{len(postings)},0,{','.join(listed)}]"

    def _write_shard(self, prefix: str, entries: list[tuple[str, str]], children: str) -> None:
        # A term is letters, digits and spaces: nothing in it needs escaping in JSON.
        terms = ",".join(f'"{t}":{e}' for t, e in entries)
        text = f'{{"t":{{{terms}}},"s":{_dumps(children)}}}' if children else f'{{"t":{{{terms}}}}}'
        with open(os.path.join(self.tree_root, shard_name(prefix)), "w", encoding="utf-8") as f:
            f.write(text)

    def _tree(self, prefix: str, entries: list[tuple[str, str]]) -> None:
        """Write the shards of `entries` (sorted, all starting with `prefix`): one when
        they fit in LEAF_BYTES; else the shard keeps the terms equal to `prefix` and the
        smallest groups by the next character that fit, and each other group is a
        shard of its own (recursively), named in the shard's `s`."""
        sizes = [len(t) + len(e) + 4 for t, e in entries]
        if sum(sizes) <= LEAF_BYTES or len(prefix) >= MAX_DEPTH:
            self._write_shard(prefix, entries, "")
            return
        depth = len(prefix)
        groups: list[tuple[int, str, int, int]] = []  # (size, character, start, end)
        kept_size = 0
        start = 0
        while start < len(entries) and len(entries[start][0]) == depth:
            kept_size += sizes[start]
            start += 1
        kept = list(range(0, start))
        while start < len(entries):
            character = entries[start][0][depth]
            end = start
            while end < len(entries) and entries[end][0][depth] == character:
                end += 1
            groups.append((sum(sizes[start:end]), character, start, end))
            start = end
        split: list[tuple[str, int, int]] = []
        for size, character, start, end in sorted(groups):
            if kept_size + size <= NODE_BYTES:
                kept_size += size
                kept += range(start, end)
            else:
                split.append((character, start, end))
        kept.sort()
        split.sort()
        self._write_shard(prefix, [entries[i] for i in kept], "".join(c for c, _, _ in split))
        for character, start, end in split:
            self._tree(prefix + character, entries[start:end])


def write_index(cables: list[Cable], folder: Path, cable_path: str = "cable/") -> int:
    """Write the search index of `cables` (numbered in their order); returns the number
    of distinct terms."""
    writer = IndexWriter(folder, folder.with_name(folder.name + ".spool"))
    for number, cable in enumerate(cables):
        writer.add(number, cable)
    return writer.finish([document(c) for c in cables], cable_path)
