"""Plain searches (no `note:`) for a signed-in reader: CPU time per search, to compare a
checkout with the workspace against one without it (docs/performance.md, "The workspace").

    PYTHONPATH=src taskset -c 1 .venv/bin/python bench/workspace_ab.py ARCHIVE

ARCHIVE needs an account `rita`. Runs five searches (words, a field, a phrase, a
classification range with NOT, everything) 30 times each after a warm-up.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cabledesk.access import Accounts
from cabledesk.facade import Archive


def main() -> None:
    folder = Path(sys.argv[1])
    with Archive.open(folder) as archive:
        rita = Accounts(archive).principal("rita")
        assert rita is not None
        viewer = archive.viewer(rita)
        queries = ["iran", "origin:baghdad", '"nuclear reactor"', "class:>=secret -iraq", ""]
        for query in queries:
            archive.search(query, viewer=viewer, blank_matches_all=True)
        start = time.process_time()
        for _ in range(30):
            for query in queries:
                archive.search(query, viewer=viewer, blank_matches_all=True)
        cpu = (time.process_time() - start) / (30 * len(queries)) * 1000
        print(f"{cpu:.2f} ms/search")


if __name__ == "__main__":
    main()
