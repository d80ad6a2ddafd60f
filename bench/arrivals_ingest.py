"""A whole ingest with and without the arrivals triggers (schema 12), in the turns given
(`on1,off1,on2,off2`): CPU of the process and its parser children (docs/performance.md).

    PYTHONPATH=src taskset -c 1 .venv/bin/python bench/arrivals_ingest.py c20k.csv on1,off1,on2,off2
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from cabledesk.facade import Archive


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    source, turns = sys.argv[1], sys.argv[2].split(",")
    for turn in turns:
        folder = Path(tempfile.mkdtemp()) / "archive"
        with Archive.open(folder) as archive:
            if turn.startswith("off"):
                archive.connection.executescript(
                    "DROP TRIGGER cables_arrive; DROP TRIGGER cables_new_text;"
                )
            start, wall = cpu(), time.monotonic()
            archive.ingest([source], workers=1)
            used = cpu() - start
            rows = archive.connection.execute("SELECT count(*) FROM arrivals").fetchone()[0]
        took = time.monotonic() - wall
        print(f"{turn}: cpu {used:.1f} s, wall {took:.1f} s, arrivals rows {rows}", flush=True)
        shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
