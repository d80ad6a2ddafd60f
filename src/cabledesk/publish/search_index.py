"""The public edition's search index: built here, searched in the reader's browser.

Terms are split into shards by their first two characters, so a browser fetches only the
few small files a query needs. Everything in it comes from the viewed (redacted) records,
so no withheld word can be found, nor seen in the files.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from cabledesk.publish.paths import inside
from cabledesk.record.model import Cable
from cabledesk.record.words import WORD


def shard_name(term: str) -> str:
    """The file of a term's shard; the browser derives the same name (search.js)."""
    return "t-" + term[:2].encode("utf-8").hex() + ".json"


def searchable_text(cable: Cable) -> str:
    parts = [cable.subject or ""]
    for paragraph in cable.paragraphs:
        parts += [paragraph.heading or "", paragraph.text]
    parts += [r.text for r in cable.references]
    return "\n".join(parts)


def write_index(cables: list[Cable], folder: Path, cable_path: str = "cable/") -> int:
    """Write docs.json and the term shards; returns the number of distinct terms."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    shards: dict[str, dict[str, list[list[int]]]] = defaultdict(dict)
    for number, cable in enumerate(cables):
        docs.append(
            [
                cable.reference_id,
                (cable.header.sent or cable.created or "")[:10],
                cable.origin or "",
                "//".join([cable.classification or "", *cable.caveats]).strip("/"),
                cable.subject or "",
            ]
        )
        counts = Counter(w.lower() for w in WORD.findall(searchable_text(cable)))
        for term, count in counts.items():
            shards[shard_name(term)].setdefault(term, []).append([number, count])
    inside(folder, "docs.json").write_text(
        json.dumps({"cable_path": cable_path, "docs": docs}, ensure_ascii=False),
        encoding="utf-8",
    )
    for name, terms in shards.items():
        inside(folder, name).write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    return sum(len(terms) for terms in shards.values())
