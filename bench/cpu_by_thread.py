"""CPU time of a command by process and thread: where a multi-process job spends its time.

    .venv/bin/python bench/cpu_by_thread.py .venv/bin/cabledesk ingest cables.csv --db /tmp/a

Runs the command and samples /proc every half second for it and its descendants (the
parser processes of an ingest are the forkserver's children), keeping each thread's last
reading of user + system time. Linux only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import defaultdict


def descendants(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                for child in handle.read().split():
                    found += descendants(int(child))
    except OSError:
        pass
    return found


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ticks = os.sysconf("SC_CLK_TCK")
    started = time.monotonic()
    process = subprocess.Popen(sys.argv[1:])
    # (pid, tid) -> (command line, thread name, CPU seconds)
    seen: dict[tuple[int, str], tuple[str, str, float]] = {}
    while process.poll() is None:
        for pid in descendants(process.pid):
            try:
                with open(f"/proc/{pid}/cmdline") as handle:
                    command = handle.read().replace("\0", " ")[:60]
                for tid in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{tid}/stat") as handle:
                        stat = handle.read()
                    name = stat[stat.index("(") + 1 : stat.rindex(")")]
                    fields = stat[stat.rindex(")") + 2 :].split()
                    seen[(pid, tid)] = (command, name, (int(fields[11]) + int(fields[12])) / ticks)
            except (OSError, ValueError):
                continue
        time.sleep(0.5)
    wall = time.monotonic() - started
    by_process: dict[tuple[int, str], float] = defaultdict(float)
    for (pid, tid), (command, name, cpu) in sorted(seen.items(), key=lambda kv: -kv[1][2]):
        by_process[(pid, command)] += cpu
        if cpu >= 0.1:
            print(f"thread  {pid:>7} {tid:>7} {name:16s} {cpu:8.1f} s")
    for (pid, command), cpu in sorted(by_process.items(), key=lambda kv: -kv[1]):
        print(f"process {pid:>7} {cpu:8.1f} s  {command}")
    print(f"wall {wall:.1f} s, CPU {sum(by_process.values()):.1f} s")


if __name__ == "__main__":
    main()
