"""`cabledesk parse DIR --output jsonl` end to end, on one core: cables/s.

    .venv/bin/python bench/parse_command.py [--n 5000] [--rounds 5] [--keep DIR]

Writes a generated release of N cables (`cabledesk bench corpus`, seed 7, learned from
../shared/corpus when it is beside the checkout, else the bundled sample, or `--source`;
about 7 KB a cable, the release's average) as a
folder of one newspaper-style text file per cable, and as one `cables.csv`, then runs the
installed command on each as people do: a fresh process that walks, reads, parses and
writes JSON Lines to a file. The process is pinned to one core (`taskset -c 0` where it
exists, or the core `--core` names), so the figure is one core's. Each round's time
includes starting Python and importing cabledesk (about 0.12 s): the figure is what a
user waits for. Each round also reports the command's CPU time (user and system): where
other processes share the core, that stays the run's own cost while wall time grows.

Then, in this process, the same folder in phases (walk + read; + parse; + JSON), to show
where the time goes (CPU time of this process).
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cabledesk
from cabledesk.api import parse
from cabledesk.parse import parse_source
from cabledesk.parse.rules import paragraphs
from cabledesk.record.codec import to_json_bytes
from cabledesk.sources import SourceText, read_paths
from cabledesk.sources.csv_release import read_csv
from cabledesk.synthetic import generate_corpus

# bench/parse.py, beside this script (on sys.path when either runs): one way to print a
# cable as a newspaper did, for both benchmarks.
from parse import as_newspaper_text

ROOT = Path(__file__).resolve().parents[1]
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "wikileaks-html" / "cable"
SAMPLE = ROOT / "src" / "cabledesk" / "data" / "sample"
COMMAND = Path(sys.executable).with_name("cabledesk")


def write_inputs(folder: Path, n: int, source: Path) -> tuple[Path, Path, int]:
    release = io.StringIO()
    generate_corpus(release, n, seed=7, sources=[source])
    csv_path = folder / "cables.csv"
    csv_path.write_text(release.getvalue(), encoding="utf-8")
    texts = folder / "texts"
    size = 0
    for number, item in enumerate(read_csv(io.StringIO(release.getvalue()), "<release>")):
        assert isinstance(item, SourceText), item
        text = as_newspaper_text(item)
        size += len(text.encode("utf-8"))
        # 100 files a folder, as a dump is usually split.
        path = texts / f"{number // 100:04d}" / f"{item.metadata.reference_id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return texts, csv_path, size


CORE = "0"


def one_core() -> list[str]:
    return ["taskset", "-c", CORE] if shutil.which("taskset") else []


def time_command(path: Path, out: Path, rounds: int) -> list[tuple[float, float]]:
    """(wall seconds, CPU seconds of the command) of each round. The CPU time (user and
    system, from the kernel's accounts of the child) is what the run cost the core: on a
    machine other processes share, wall time also counts the time they held it."""
    times = []
    for _ in range(rounds):
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with out.open("wb") as handle:
            subprocess.run(
                [*one_core(), str(COMMAND), "parse", str(path), "--output", "jsonl"],
                stdout=handle,
                check=True,
            )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime
        times.append((wall, cpu))
    return times


def phases(texts: Path, rounds: int) -> dict[str, float]:
    """Best CPU seconds of each phase over the rounds, in this process."""
    best: dict[str, float] = {}

    def clock(name: str, run: object) -> None:
        # CPU time of this process: what the phase cost, whatever else holds the core.
        start = time.process_time()
        run()  # type: ignore[operator]
        elapsed = time.process_time() - start
        best[name] = min(best.get(name, elapsed), elapsed)

    for _ in range(rounds):
        clock("walk + read", lambda: sum(1 for _ in read_paths([texts])))
        clock(
            "walk + read + parse",
            lambda: sum(1 for s in read_paths([texts]) if parse_source(s)),  # type: ignore[arg-type]
        )
        clock(
            "walk + read + parse + JSON",
            lambda: sum(len(to_json_bytes(c)) for c in parse([texts])),  # type: ignore[arg-type]
        )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--source", type=Path, default=SHARED_CORPUS if SHARED_CORPUS.exists() else SAMPLE
    )
    parser.add_argument("--keep", type=Path, default=None, help="write the inputs here")
    parser.add_argument("--core", default="0", help="the core to pin the command to")
    args = parser.parse_args()
    global CORE
    CORE = args.core
    compiled = not (paragraphs.__file__ or "").endswith(".py")
    print(f"parser: {'compiled (mypyc)' if compiled else 'Python source (not compiled)'}")
    # The command is the venv's script, whose editable install points at one checkout: it
    # runs another tree's code (a worktree's) only through PYTHONPATH, which it inherits.
    # Say which code each side runs, and refuse to compare two different trees.
    here = Path(cabledesk.__file__).parent
    child = subprocess.run(
        [str(COMMAND.with_name("python")), "-c", "import cabledesk; print(cabledesk.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"code: {here} (this process), {Path(child).parent} (the command)")
    if Path(child).parent.resolve() != here.resolve():
        raise SystemExit("the command would run other code than this process: set PYTHONPATH")
    print(f"one core: {' '.join(one_core()) if one_core() else 'not pinned (no taskset)'}")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cabledesk-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        texts, csv_path, size = write_inputs(folder, args.n, args.source)
        print(f"{args.n:,} cables, {size / args.n / 1024:.1f} KB a cable as text")
        out = folder / "out.jsonl"
        for label, path in (("DIR of text files", texts), ("cables.csv", csv_path)):
            times = time_command(path, out, args.rounds)
            lines = sum(1 for _ in out.open("rb"))
            assert lines == args.n, (label, lines)
            walls = [wall for wall, _ in times]
            cpus = [cpu for _, cpu in times]
            median = statistics.median(walls)
            print(
                f"cabledesk parse {label} --output jsonl: median {args.n / median:,.0f}"
                f" cables/s, best {args.n / min(walls):,.0f} cables/s ({args.rounds} rounds,"
                f" {median:.2f} s); by CPU time: median"
                f" {args.n / statistics.median(cpus):,.0f}, best {args.n / min(cpus):,.0f}"
                " cables/s"
            )
        for name, seconds in phases(texts, args.rounds).items():
            print(
                f"  in process, {name}: best {args.n / seconds:,.0f} cables/s"
                f" ({seconds:.2f} s of CPU)"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
