"""Full ingest of a release: wall time, peak memory of all processes, archive size.

    .venv/bin/cabledesk bench corpus --n 251287 --out corpus.csv \
        --source ../shared/corpus/wikileaks-html/cable
    .venv/bin/python bench/ingest.py corpus.csv --db /tmp/bench-archive [--workers 2]

Runs `cabledesk ingest` as a subprocess on a new archive and samples the resident memory
of it and its worker processes every 0.2 s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * 4096
            with open(f"/proc/{current}/task/{current}/children") as handle:
                pending.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    shutil.rmtree(args.db, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "cabledesk",
        "ingest",
        str(args.source),
        "--db",
        str(args.db),
        "--workers",
        str(args.workers),
    ]
    started = time.monotonic()
    process = subprocess.Popen(command)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    raw = args.source.stat().st_size
    stored = size(args.db)
    print(f"ingest: {elapsed:.0f} s, exit status {process.returncode}")
    print(f"peak memory (all processes): {peak / 2**20:,.0f} MiB")
    print(
        f"archive: {stored / 2**20:,.0f} MiB for {raw / 2**20:,.0f} MiB of input "
        f"({stored / raw:.2f}x; SQLite {size(args.db / 'archive.db') / 2**20:,.0f} MiB"
        f", index {size(args.db / 'index') / 2**20:,.0f} MiB)"
    )


if __name__ == "__main__":
    main()
