"""The sensitivity features' worker part, timed and checked (docs/performance.md,
"Enrichment throughput: the sensitivity features without sklearn's per-pair loop").

    PYTHONPATH=src .venv/bin/python bench/featurize_speed.py same --db ARCHIVE
    PYTHONPATH=src taskset -c 1 .venv/bin/python bench/featurize_speed.py time --db ARCHIVE

`same` reads every cable of ARCHIVE and checks that `strip_labels` gives what running
every pattern of `_STRIP` gives, on each cable's subject, text and paragraphs, and that
`_vectorizer()` hashes the stripped texts into the same matrix (columns, counts, dtypes)
as scikit-learn's HashingVectorizer with its default analyzer and the model's settings.
`time` prints the CPU time of `featurize_cables` and of `enrich.enrich_batch` (every
layer) per cable, on the first --n cables in batches of 200, after one warm-up batch; run
it with PYTHONPATH pointing at each tree to compare, in turns.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from pathlib import Path


def rows(db: Path, n: int | None) -> list[tuple[int, str, bytes, str]]:
    connection = sqlite3.connect(f"file:{db / 'archive.db'}?mode=ro", uri=True)
    sql = "SELECT id, text_hash, record, reference_id FROM cables ORDER BY id"
    if n is not None:
        sql += f" LIMIT {int(n)}"
    return connection.execute(sql).fetchall()


def same(db: Path) -> None:
    import numpy as np
    from sklearn.feature_extraction.text import HashingVectorizer

    from cabledesk.archive import sensitivity as s
    from cabledesk.archive.blob import unpack_record
    from cabledesk.record.codec import from_dict

    plain = HashingVectorizer(
        n_features=s.N_FEATURES,
        ngram_range=s.NGRAMS,
        alternate_sign=False,
        norm=None,
        lowercase=True,
        dtype=np.float32,
    )
    ours = s._vectorizer()

    def every_pattern(text: str) -> str:
        for pattern in s._STRIP:
            text = pattern.sub(" ", text)
        return text

    cables = texts = 0
    for _, _, blob, _ in rows(db, None):
        cable = from_dict(unpack_record(blob))
        for text in [cable.subject or "", cable.text, *(p.text for p in cable.paragraphs)]:
            assert s.strip_labels(text) == every_pattern(text), text[:200]
        read = [s.strip_labels(cable.subject or ""), s.cable_text(cable)]
        read += s.paragraph_texts(cable)
        a, b = ours.transform(read), plain.transform(read)
        assert a.dtype == b.dtype and a.shape == b.shape
        assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
        assert np.array_equal(a.data, b.data)
        cables += 1
        texts += len(read)
    print(f"identical: stripping and hashed matrices of {cables:,} cables ({texts:,} texts)")


def timed(db: Path, n: int) -> None:
    import cabledesk
    from cabledesk.archive import sensitivity as s
    from cabledesk.archive.blob import unpack_record
    from cabledesk.archive.enrich import Task, enrich_batch
    from cabledesk.record.codec import from_dict

    read = rows(db, n)
    cables = [from_dict(unpack_record(blob)) for _, _, blob, _ in read]
    ids = [r[0] for r in read]
    hashes = [r[1] for r in read]
    batches = range(0, len(read), 200)
    s.featurize_cables(cables[:200], ids[:200], hashes[:200])
    started = time.process_time()
    for i in batches:
        s.featurize_cables(cables[i : i + 200], ids[i : i + 200], hashes[i : i + 200])
    featurize = (time.process_time() - started) / len(read) * 1000
    tasks = [
        Task(read[i : i + 200], True, True, frozenset(r[0] for r in read[i : i + 200]))
        for i in batches
    ]
    enrich_batch(tasks[0])
    started = time.process_time()
    for task in tasks:
        enrich_batch(task)
    whole = (time.process_time() - started) / len(read) * 1000
    code = Path(cabledesk.__file__).resolve().parents[1]
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"{code}: featurize_cables {featurize:.3f} ms a cable, enrich_batch {whole:.3f} "
          f"(load {load})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["same", "time"])
    parser.add_argument("--db", type=Path, required=True, help="an archive folder")
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    if args.what == "same":
        same(args.db)
    else:
        timed(args.db, args.n)


if __name__ == "__main__":
    main()
