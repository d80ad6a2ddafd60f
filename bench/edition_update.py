"""The search index's incremental update alone (issue 16), on a kept edition.

    .venv/bin/python bench/edition_update.py --archive /tmp/pub251/archive --site /tmp/pub251/site

Takes 100 cables of the edition in `--site` (from the build cache of `--archive`, as
`bench/publish.py --keep` leaves them), spread over the slots: 30 withdrawn (their
postings taken out) and 70 changed (paragraph 1 dropped, as a paragraph redaction does),
and runs `search_index.IndexUpdate` from the site's index into a scratch folder (the site
is only read). Prints the update's CPU (this process's, and with `--helpers N` its N
helper processes': IndexUpdate.start) and wall seconds and the files written. Run it
with PYTHONPATH pointing at the tree to measure: two trees, the same edition, the same
changes; with `--keep` the files written stay in `--scratch` (and the list of files
deleted in deleted.txt), so two trees' updates can be compared with `diff -r`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import shutil
import sqlite3
import time
from pathlib import Path

from cabledesk.archive.store import unpack
from cabledesk.publish import search_index


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--archive", type=Path, required=True)
    p.add_argument("--site", type=Path, required=True)
    p.add_argument("--scratch", type=Path, default=Path("/tmp/edition-update-bench"))
    p.add_argument("--changes", type=int, default=100)
    p.add_argument("--keep", action="store_true", help="keep the files written (to compare)")
    p.add_argument("--helpers", type=int, default=0, help="helper processes (IndexUpdate.start)")
    args = p.parse_args()
    search = args.site / "search"
    meta = json.loads((search / "meta.json").read_text())
    archive = sqlite3.connect(args.archive / "archive.db")
    slots = dict(archive.execute("SELECT reference_id, slot FROM edition_slots"))
    cache = sqlite3.connect(args.archive / "edition-build" / "cache.db")
    ids = sorted(str(row[0]) for row in cache.execute("SELECT reference_id FROM records"))
    step = max(1, len(ids) // args.changes)
    chosen = ids[::step][: args.changes]
    withdrawn = chosen[: len(chosen) * 3 // 10]
    shutil.rmtree(args.scratch, ignore_errors=True)
    update = search_index.IndexUpdate(search, args.scratch, meta["average_words"])
    records = {}
    for start in range(0, len(chosen), 500):
        part = chosen[start : start + 500]
        marks = ",".join("?" * len(part))
        query = f"SELECT reference_id, record FROM records WHERE reference_id IN ({marks})"
        records.update({i: unpack(b) for i, b in cache.execute(query, part)})
    started, cpu = time.perf_counter(), time.process_time()
    for reference_id in chosen:
        cable = records[reference_id]
        update.remove(slots[reference_id], cable)
        if reference_id not in withdrawn:
            update.add(
                slots[reference_id], dataclasses.replace(cable, paragraphs=cable.paragraphs[1:])
            )
    docs: list[list[str] | None] = [None] * (max(slots.values()) + 1)
    if args.helpers:
        update.start(helpers=args.helpers)
    update.finish(docs, [slots[i] for i in chosen], "cable/")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "cables": meta["docs"],
        "changes": f"{len(withdrawn)} withdrawn, {len(chosen) - len(withdrawn)} changed",
        "cpu_s": round(time.process_time() - cpu, 1),
        "cpu_helpers_s": round(children.ru_utime + children.ru_stime, 1),
        "wall_s": round(time.perf_counter() - started, 1),
        "written": update.written,
        "deleted": len(update.deleted),
        "code": search_index.__file__,
    }
    print(json.dumps(result, indent=1))
    if args.keep:
        (args.scratch / "deleted.txt").write_text("\n".join(sorted(update.deleted)) + "\n")
    else:
        shutil.rmtree(args.scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
