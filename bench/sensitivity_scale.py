"""Sensitivity at the release's size: train, score every cable, then time `predicted:`
searches and the predicted facet (issue 14, Speed; docs/sensitivity.md).

    PYTHONPATH=src .venv/bin/python bench/sensitivity_scale.py \
        --base /tmp/cabledesk-bench-enrich/base251287 --work /tmp/sens-scale

Copies the archive (SQLite's backup API, then the index folder), trains the models
(`Archive.train_sensitivity`), scores the pending cables (`Archive.score_sensitivity`,
as `cabledesk enrich` does at its end), and times a few `predicted:` searches with their
facets. CPU times are of this process and its worker processes (`resource`), after each
step; the copy is deleted at the end unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import time
from pathlib import Path


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def copy(base: Path, folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = sqlite3.connect(f"file:{base / 'archive.db'}?mode=ro", uri=True)
    target = sqlite3.connect(folder / "archive.db")
    source.backup(target)
    source.close()
    target.close()
    for name in os.listdir(base):
        if name != "archive.db" and not name.startswith("archive.db-") and (base / name).is_dir():
            shutil.copytree(base / name, folder / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/sens-scale"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    from cabledesk import Archive
    from cabledesk.access import LOCAL

    folder = args.work / "archive"
    copy(args.base, folder)
    result: dict[str, object] = {}
    with Archive.open(folder, create=False) as archive:
        result["cables"] = archive.store.count()
        started, wall = cpu(), time.monotonic()
        trained = archive.train_sensitivity(workers=args.workers)
        result["train_cpu_s"] = round(cpu() - started, 1)
        result["train_wall_s"] = round(time.monotonic() - wall, 1)
        result["trained"] = str(trained)[:300]
        started, wall = cpu(), time.monotonic()
        scored = archive.score_sensitivity(workers=args.workers)
        result["score_cpu_s"] = round(cpu() - started, 1)
        result["score_wall_s"] = round(time.monotonic() - wall, 1)
        result["scored"] = str(scored)[:300]
        viewer = archive.viewer(LOCAL)
        for query in ("predicted:secret", "predicted:>=confidential iran", "iran"):
            times = []
            total = 0
            for _ in range(args.rounds):
                started = time.process_time()
                found = archive.search(query, viewer=viewer, facets=True)
                times.append((time.process_time() - started) * 1000)
                total = found.total
            result[query] = {
                "total": total,
                "cpu_ms_p50": round(statistics.median(times), 1),
                "cpu_ms_max": round(max(times), 1),
            }
    print(json.dumps(result, indent=1), flush=True)
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
