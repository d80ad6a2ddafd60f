"""Dump parsed cables as JSON Lines for the similar-cables relevance test (docs/similar.md).

Each line: id, subject, the similarity text (what Archive.similar reads: subject and
paragraphs), the ids the cable cites (REF items), and its tags.

    PYTHONPATH=src python bench/similar_dump.py /tmp/shared/corpus/wikileaks-html > real.jsonl
    PYTHONPATH=src python bench/similar_dump.py --archive ARCHIVE > generated.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys

from cabledesk.archive.similar import similarity_text
from cabledesk.record.model import Cable


def line(cable: Cable) -> str:
    return json.dumps(
        {
            "id": cable.reference_id,
            "subject": cable.subject,
            "text": similarity_text(cable),
            "cites": sorted({r.cable_id for r in cable.references if r.cable_id}),
            "tags": cable.tags,
            "origin": cable.origin,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--archive")
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    out = sys.stdout
    if args.archive:
        import sqlite3
        from pathlib import Path

        from cabledesk.archive.folder import DATABASE
        from cabledesk.archive.store import read_cable

        # Read-only: the benchmark archives are shared.
        database = (Path(args.archive) / DATABASE).resolve()
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        ids = [
            r[0]
            for r in connection.execute(
                "SELECT reference_id FROM cables ORDER BY id LIMIT ?", (args.limit or -1,)
            )
        ]
        for reference_id in ids:
            cable = read_cable(connection, reference_id)
            if cable is not None:
                out.write(line(cable) + "\n")
        return
    from cabledesk.api import parse

    for item in parse(args.paths):
        if isinstance(item, Cable):
            out.write(line(item) + "\n")


if __name__ == "__main__":
    main()
