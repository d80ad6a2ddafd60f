"""Reading and hashing for the sensitivity models, before and after, in alternating turns:
`python bench/sensitivity_featurize.py OLD_MODULE.py ARCHIVE` (OLD_MODULE: a copy of
src/cabledesk/archive/sensitivity.py from the commit to compare with, e.g.
`git show main:src/cabledesk/archive/sensitivity.py > /tmp/old_sensitivity.py`). Prints
CPU seconds per 1,000 cables (cables 5,000 to 7,000 of the archive); pin it with taskset."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
import time

from cabledesk.archive import entities
from cabledesk.archive import sensitivity as new


def main() -> None:
    spec = importlib.util.spec_from_file_location("old_sensitivity", sys.argv[1])
    assert spec is not None and spec.loader is not None
    old = importlib.util.module_from_spec(spec)
    sys.modules["old_sensitivity"] = old
    spec.loader.exec_module(old)
    connection = sqlite3.connect(f"{sys.argv[2]}/archive.db")
    ids = new.all_ids(connection)[5000:7000]
    batches = [entities.records(connection, ids[i : i + 200]) for i in range(0, len(ids), 200)]
    new._vectorizer()
    old.featurize_batch(batches[0][:2])
    for turn in range(3):
        for name, module in (("old", old), ("new", new)):
            started = time.process_time()
            for batch in batches:
                module.featurize_batch(batch)
            per = (time.process_time() - started) / (len(ids) / 1000)
            print(f"{turn} {name} {per:.2f} s CPU per 1,000 cables", flush=True)


if __name__ == "__main__":
    main()
