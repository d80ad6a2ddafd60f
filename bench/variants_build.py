"""Spelling variant groups: build CPU per class of reader, then searches with variants
(groups warm) against without, alternating (docs/performance.md).

    PYTHONPATH=src taskset -c 1 .venv/bin/python bench/variants_build.py ARCHIVE iran minister
"""

from __future__ import annotations

import sys
import time

from cabledesk.access.principal import LOCAL, Principal
from cabledesk.facade import Archive
from cabledesk.record.level import Level


def main() -> None:
    archive = Archive.open(sys.argv[1], create=False)
    readers = {
        "local": archive.viewer(LOCAL),
        "confidential foreign": archive.viewer(Principal("r", "reader", Level.CONFIDENTIAL, True)),
    }
    for name, viewer in readers.items():
        start = time.process_time()
        groups = archive.variant_groups(viewer=viewer)
        used = time.process_time() - start
        print(f"{name}: {len(groups)} groups, build {used:.2f} s CPU", flush=True)
    viewer = readers["local"]
    for query in sys.argv[2:]:
        for variants in (False, True, False, True):
            start = time.process_time()
            for _ in range(5):
                found = archive.search(query, viewer=viewer, variants=variants, limit=20)
            each = (time.process_time() - start) / 5 * 1000
            print(
                f"  {query!r} variants={variants}: {each:.1f} ms CPU a search, "
                f"{found.total} hits, also {found.also_searched}",
                flush=True,
            )


if __name__ == "__main__":
    main()
