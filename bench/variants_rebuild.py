"""The local desk's variant groups: the first build, a warm look-up, and the rebuild after
one more cable is ingested (capitalisation verdicts kept). Give a COPY of an archive: it
ingests into it (docs/performance.md).

    cp -r my-archive /tmp/copy
    PYTHONPATH=src taskset -c 1 .venv/bin/python bench/variants_rebuild.py /tmp/copy
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cabledesk.access.principal import LOCAL
from cabledesk.facade import Archive

ONE_CABLE = Path(__file__).parent.parent / "src/cabledesk/data/sample/text/08BAGHDAD1784.txt"


def timed(what: str, archive: Archive) -> None:
    start = time.process_time()
    groups = archive.variant_groups(viewer=archive.viewer(LOCAL))
    print(f"{what}: {len(groups)} groups, {time.process_time() - start:.3f} s CPU", flush=True)


def main() -> None:
    archive = Archive.open(sys.argv[1], create=False)
    timed("first build", archive)
    timed("warm", archive)
    archive.ingest([ONE_CABLE], workers=1)
    timed("after an ingest", archive)


if __name__ == "__main__":
    main()
