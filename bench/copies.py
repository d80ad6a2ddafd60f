"""Near-duplicates at scale (docs/near-duplicates.md, docs/performance.md "Near-duplicates").

    .venv/bin/python bench/copies.py ARCHIVE [--inject N] [--cold] [--workers W]

Work on a copy of an archive: the run writes `copies.db` beside it, and `--inject` adds
cables to it.

- `--inject N`: first ingest N made copies of random cables of the archive (seed 13),
  a third each of: the same body under a new id, the body with a sentence added, the
  body with one word in forty changed; their ids and what they copy are written to
  ARCHIVE/injected.json, and after the build the run reports how many of them the
  groups found (recall on known copies) and how many other pairs came with them.
- `--cold`: drop copies.db first, so every text is sketched again.
Then: the build of the local desk's groups (CPU of this process, wall, the parts), a
rebuild of the groups alone (the view dropped, sketches and pairs kept: what every
change of the archive costs), the read of one cable's copies, and a search with and
without collapse.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from cabledesk.access.principal import LOCAL
from cabledesk.archive import copies as copy_store
from cabledesk.facade import Archive
from cabledesk.record.codec import to_dict
from cabledesk.record.model import Paragraph


def cpu() -> float:
    return time.process_time()


def inject(archive: Archive, count: int) -> dict[str, str]:
    rng = random.Random(13)
    ids = [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]
    local = archive.viewer(LOCAL)
    made: dict[str, str] = {}
    lines = []
    for n in range(count):
        source = archive.get(rng.choice(ids), viewer=local)
        assert source is not None and source.reference_id
        body = [p.text for p in source.paragraphs]
        kind = n % 3
        if kind == 1:
            body = [*body, "Please pass this message to the Consulate as well."]
        elif kind == 2:
            words = "\n\n".join(body).split(" ")
            for i in range(0, len(words), 40):
                words[i] = "altered"
            body = " ".join(words).split("\n\n")
        new_id = f"{source.reference_id[:2]}COPYINJECT{n + 1}"
        copy = replace(
            source,
            reference_id=new_id,
            reference_id_raw=new_id,
            paragraphs=[
                Paragraph(number=i + 1, marking=None, heading=None, text=t)
                for i, t in enumerate(body)
            ],
            raw=f"{new_id}\n\n" + "\n\n".join(body),
        )
        lines.append(json.dumps(to_dict(copy)))
        made[new_id] = source.reference_id
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
    try:
        report = archive.ingest([handle.name], workers=1)
        assert report.failed == 0, report.examples
    finally:
        os.unlink(handle.name)
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--inject", type=int, default=0)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    folder = Path(args.archive)
    if args.cold:
        for suffix in ("", "-wal", "-shm"):
            path = Path(f"{folder / copy_store.CACHE}{suffix}")
            if path.exists():
                path.unlink()
    with Archive.open(folder, create=False) as archive:
        injected: dict[str, str] = {}
        if args.inject:
            started, wall = cpu(), time.monotonic()
            injected = inject(archive, args.inject)
            (folder / "injected.json").write_text(json.dumps(injected))
            print(f"injected {len(injected)} copies in {time.monotonic() - wall:.1f} s wall")
        elif (folder / "injected.json").exists():
            injected = json.loads((folder / "injected.json").read_text())
        local = archive.viewer(LOCAL)
        started, wall = cpu(), time.monotonic()
        summary = archive.copies_stats(viewer=local, workers=args.workers)
        took, walled = cpu() - started, time.monotonic() - wall
        print(f"build: {took:.2f} s CPU of this process ({walled:.2f} s wall)")
        print(json.dumps({k: v for k, v in summary.items() if k != "largest_groups"}))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(f"peak memory of this process: {usage.ru_maxrss / 1024:.0f} MB")
        if injected:
            found = sum(
                1
                for copy, source in injected.items()
                if source in {c.reference_id for c in archive.copies(copy, viewer=local) or []}
            )
            print(f"injected copies found with their source: {found} of {len(injected)}")
        # The groups alone, again (what the next read after any change of the archive does).
        archive._copies.close()
        writer = archive._copies._writer()
        writer.execute("DELETE FROM views")
        writer.close()
        started, wall = cpu(), time.monotonic()
        archive.copies_stats(viewer=local)
        print(
            f"groups rebuilt (sketches and pairs kept): {cpu() - started:.2f} s CPU "
            f"({time.monotonic() - wall:.2f} s wall)"
        )
        some = next(iter(injected), None) or str(
            archive.connection.execute("SELECT reference_id FROM cables LIMIT 1").fetchone()[0]
        )
        started = cpu()
        for _ in range(20):
            archive.copies(some, viewer=local)
        print(f"copies of one cable: {(cpu() - started) / 20 * 1000:.2f} ms CPU")
        for query in ("iran", "embassy", '"prime minister"'):
            started = cpu()
            for _ in range(5):
                archive.search(query, viewer=local)
            plain = (cpu() - started) / 5
            started = cpu()
            for _ in range(5):
                archive.search_collapsed(query, viewer=local)
            folded = (cpu() - started) / 5
            print(
                f"search {query}: {plain * 1000:.1f} ms CPU, collapsed {folded * 1000:.1f} ms CPU"
            )


if __name__ == "__main__":
    main()
