"""`cabledesk publish` (a static site) at the size of a release (issue 16;
docs/performance.md, "The public edition at scale").

    .venv/bin/python bench/publish.py --base /tmp/cabledesk-bench-enrich/base50000 --n 5000
    .venv/bin/python bench/publish.py --base /tmp/cabledesk-bench-enrich/base251287

Copies the archive `--base` (an ingested generated release: `bench/enrich.py prepare`)
into `--work`, approves its first N cables (all by default), and runs `cabledesk publish
--format site` in a child process pinned with `--cpu` (taskset), as an editor would. It
reports the child's CPU seconds and peak resident memory (wait4's rusage), the wall time
of the whole run and of the site's build (the progress lines' end: before the edition is
recorded), the site's size and files, the largest HTML page and the largest file, and the
search index's size, files and largest shard (bench/edition_search.py measures queries in
Chromium over the site: `--site OUT/site` with `--keep`). The copy is deleted at the end
unless `--keep`.

Then, unless `--changes 0`, the next edition after that many changes (issue 16,
incremental editions): two fifths of them cables approved that were not, three tenths
withdrawn, three tenths redacted (a paragraph rule each, which re-views that cable);
`cabledesk publish` again into the same folder (incremental), with the same figures.
With `--strace`, a third edition after as many changes again, under `strace -f -c` counting
the calls that create, move and delete files and folders (the commit in place, issue 16):
its CPU figures are the tracer's, not to be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def largest(files: list[Path]) -> tuple[str, int]:
    if not files:
        return "", 0
    path = max(files, key=lambda p: p.stat().st_size)
    return path.name, path.stat().st_size


# Approve 2/5 of N new cables, withdraw 3/10, mark a paragraph rule on 3/10 of the rest.
CHANGE = """
import sys, cabledesk
from cabledesk.redact.model import Rule
n = int(sys.argv[2])
with cabledesk.Archive.open(sys.argv[1]) as a:
    c = a.connection
    approved = [r[0] for r in c.execute("SELECT reference_id FROM approvals ORDER BY reference_id")]
    new = [r[0] for r in c.execute(
        "SELECT reference_id FROM cables WHERE reference_id NOT IN "
        "(SELECT reference_id FROM approvals) ORDER BY id LIMIT ?", (n * 4 // 10,))]
    step = max(1, len(approved) // n)
    out = approved[::step][: n * 3 // 10]
    kept = [i for i in approved[step // 2 :: step] if i not in set(out)][: n - len(new) - len(out)]
    a.approve(new, account="bench")
    a.withdraw(out, account="bench")
    for i in kept:
        a.redact(Rule(kind="paragraph", cable_id=i, paragraph=1, reason="bench"), account="bench")
    print(f"{len(new)} added, {len(out)} withdrawn, {len(kept)} redacted")
"""


Usage = tuple[float, float, int]


def phases(errors: str) -> list[str]:
    """The build's split by phase (`cabledesk publish --timings`: lines "phase NAME: ...")."""
    return [line[len("phase ") :] for line in errors.splitlines() if line.startswith("phase ")]


def run(command: list[str], env: dict[str, str], work: Path) -> tuple[float, Usage, str, str]:
    """Run the publish; (wall s, (CPU s of the process, CPU s of its worker processes,
    peak RSS KB of the process), stdout, stderr)."""
    started = time.monotonic()
    with (work / "out.txt").open("w+b") as out, (work / "err.txt").open("w+b") as err:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        # wait4: the publish's own CPU time and peak resident memory (its worker
        # processes, forked and waited for by it, are in its children's rusage: reported
        # by the publish itself on stderr, "workers: N s CPU").
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        output, errors = out.read().decode(), err.read().decode()
    if status:
        sys.exit(f"publish failed ({status}): {errors[-2000:]}")
    workers = re.search(r"workers: ([0-9.]+) s CPU", output + errors)
    # wait4's rusage of a process includes that of the children it waited for.
    cpu = usage.ru_utime + usage.ru_stime
    worker_cpu = float(workers.group(1)) if workers else 0.0
    return wall, (cpu - worker_cpu, worker_cpu, usage.ru_maxrss), output, errors


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--base", type=Path, required=True, help="an ingested archive (copied)")
    p.add_argument("--n", type=int, default=None, help="cables to approve (default: all)")
    p.add_argument("--work", type=Path, default=Path("/tmp/cabledesk-bench-publish"))
    p.add_argument("--cpu", default="1", help="taskset CPU list for the publish ('' for none)")
    p.add_argument("--page-size", type=int, default=None)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--changes", type=int, default=100, help="changes before a 2nd edition")
    p.add_argument("--strace", action="store_true", help="a 3rd edition under strace -c")
    args = p.parse_args()

    archive = args.work / "archive"
    site = args.work / "site"
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    shutil.copytree(args.base, archive)
    connection = sqlite3.connect(archive / "archive.db")
    with connection:
        limit = -1 if args.n is None else args.n
        connection.execute("DELETE FROM approvals")
    connection.close()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        x for x in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if x
    )
    approve = (
        "import sys, cabledesk\n"
        "with cabledesk.Archive.open(sys.argv[1]) as a:\n"
        "    ids = [r[0] for r in a.connection.execute("
        "'SELECT reference_id FROM cables ORDER BY id LIMIT ?', (int(sys.argv[2]),))]\n"
        "    a.approve(ids, account='bench')\n"
        "    print(len(ids))\n"
    )
    approved = subprocess.run(
        [sys.executable, "-c", approve, str(archive), str(limit)],
        check=True, env=env, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    command = [sys.executable, "-m", "cabledesk", "publish", "--db", str(archive)]
    # The background `cabledesk warm` publish starts would share the machine with what
    # is measured next (the next edition): not started here.
    command += ["--out", str(site), "--account", "bench", "--timings", "--no-warm"]
    if args.page_size:
        command += ["--page-size", str(args.page_size)]
    if args.cpu:
        command = ["taskset", "-c", args.cpu, *command]
    before = load()
    wall, usage, output, errors = run(command, env, args.work)
    files = [f for f in site.rglob("*") if f.is_file()]
    pages = [f for f in files if f.suffix == ".html"]
    search = [f for f in files if "search" in f.relative_to(site).parts[:1]]
    shards = [f for f in search if f.parent.name == "t"]
    done = re.search(r"publish: done, .* in (\d+(?::\d+)+)", errors)
    result = {
        "cables": int(approved),
        "wall_s": round(wall, 1),
        "build_wall": done.group(1) if done else None,
        "cpu_s": round(usage[0], 1),
        "cpu_workers_s": round(usage[1], 1),
        "peak_rss_mb": round(usage[2] / 1024),
        "site_mb": round(sum(f.stat().st_size for f in files) / 1e6, 1),
        "files": len(files),
        "pages": len(pages),
        "largest_page": largest(pages),
        "largest_file": largest(files),
        "search_mb": round(sum(f.stat().st_size for f in search) / 1e6, 1),
        "search_files": len(search),
        "largest_shard": largest(shards),
        "largest_search_file": largest(search),
        "edition_json_mb": round((site / "edition.json").stat().st_size / 1e6, 2),
        "load": f"{before} -> {load()}",
        "output": output.strip(),
        "phases": phases(errors),
    }
    print(json.dumps(result, indent=1), flush=True)
    if args.changes:
        changed = subprocess.run(
            [sys.executable, "-c", CHANGE, str(archive), str(args.changes)],
            check=True, env=env, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        before = load()
        wall, usage, output, errors = run(command, env, args.work)
        again = {
            "changes": changed,
            "wall_s": round(wall, 1),
            "cpu_s": round(usage[0], 1),
            "cpu_workers_s": round(usage[1], 1),
            "peak_rss_mb": round(usage[2] / 1024),
            "load": f"{before} -> {load()}",
            "output": output.strip(),
            "phases": phases(errors),
        }
        print(json.dumps({"incremental": again}, indent=1), flush=True)
    if args.changes and args.strace:
        changed = subprocess.run(
            [sys.executable, "-c", CHANGE, str(archive), str(args.changes)],
            check=True, env=env, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        calls = "rename,renameat,renameat2,unlink,unlinkat,link,linkat,rmdir,mkdir,mkdirat"
        traced = args.work / "strace.txt"
        strace = ["strace", "-f", "-c", "-e", f"trace={calls}", "-o", str(traced)]
        wall, usage, output, errors = run([*strace, *command], env, args.work)
        counts = {}
        for line in traced.read_text().splitlines():
            fields = line.split()
            if fields and fields[-1] in calls.split(","):
                counts[fields[-1]] = int(fields[3] if len(fields) >= 5 else fields[-2])
        traced_run = {
            "changes": changed,
            "wall_s": round(wall, 1),
            "syscalls": counts,
            "output": output.strip(),
            "phases": phases(errors),
        }
        print(json.dumps({"incremental, traced": traced_run}, indent=1), flush=True)
    if not args.keep:
        shutil.rmtree(args.work)


if __name__ == "__main__":
    main()
