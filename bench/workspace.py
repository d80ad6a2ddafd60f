"""The workspace's cost to search (docs/workspace.md): CPU time of `note:` searches for a
reader with notes on every cable of the bundled sample, and of plain searches beside them.

    taskset -c 1 .venv/bin/python bench/workspace.py [--folder /tmp/workspace-bench]

Builds the web tests' archive (the sample and one extra cable: 49 cables) in `--folder`,
adds a reader, then 0, 1 and 10 notes per cable; for each, runs `note:remark` and `iran`
20 times after a warm-up and prints the CPU time per search (time.process_time).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from cabledesk.access import Accounts  # noqa: E402
from cabledesk.facade import Archive  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/workspace-bench"))
    args = parser.parse_args()
    from web_fixtures import build_web_archive

    shutil.rmtree(args.folder, ignore_errors=True)
    args.folder.mkdir(parents=True)
    folder = build_web_archive(args.folder)
    with Archive.open(folder) as archive:
        accounts = Accounts(archive)
        accounts.add("rita", "correct horse battery", "reader")
        rita = accounts.principal("rita")
        assert rita is not None
        ids = [row[0] for row in archive.connection.execute("SELECT reference_id FROM cables")]
        written = 0
        for per_cable in (0, 1, 10):
            for reference_id in ids:
                for k in range(per_cable - (written // len(ids))):
                    archive.add_note(reference_id, f"remark {k} on {reference_id}", principal=rita)
            written = per_cable * len(ids)
            viewer = archive.viewer(rita)
            for query in ("note:remark", "iran"):
                archive.search(query, viewer=viewer)
                start = time.process_time()
                for _ in range(20):
                    result = archive.search(query, viewer=viewer)
                cpu = (time.process_time() - start) / 20 * 1000
                print(
                    f"notes={written:5d} query={query!r:14} hits={result.total:3d} "
                    f"cpu={cpu:.1f} ms/search"
                )


if __name__ == "__main__":
    main()
