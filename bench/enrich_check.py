"""What `cabledesk enrich` produces, dumped and hashed, so that two versions of the code can
be compared on the same archive (docs/performance.md, "Entities (issue 12)").

    PYTHONPATH=src .venv/bin/python bench/enrich_check.py --n 10000 --out /tmp/after.json
    # the same with the other checkout's code, then:
    .venv/bin/python bench/enrich_check.py --compare /tmp/before.json /tmp/after.json

Runs the job in this process (`Archive.enrich`, worker processes) on a copy of
WORK/baseN (bench/enrich.py prepare) and hashes, part by part: the mentions, `enriched`,
the entities, `entity_keys`, every cable's change number, each index document as it was
last added during the job (parsed, so two ways of writing the same JSON are equal), the
documents the index holds at the end (ids and stored fields), and the summary cache
(entity-views.db); and the layers built after the entities: the similar-cables models
(ids, vocabulary, vectors and stamp of each view), the citation graph cache
(graph-views.db: nodes, edges, the paragraphs' cited ids, each view's stamp and summary
without its CPU timings), the co-mention network cache (network-views.db) and the
sensitivity scores (the tables sensitivity_*). Any difference in any part is printed by
`--compare`. A trained sensitivity model in WORK/baseN (`cabledesk model train`) makes the
job score every cable.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]


class RecordingWriter:
    """A tantivy IndexWriter that remembers the last document added for each id."""

    def __init__(self, writer: Any, seen: dict[str, dict[str, Any]], index: str) -> None:
        self._writer = writer
        self._seen = seen
        self._index = index

    def add_json(self, text: str) -> None:
        document = orjson.loads(text)
        self._seen[f"{self._index}:{document['id']}"] = document
        self._writer.add_json(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


def digest(rows: Any) -> str:
    hasher = hashlib.sha256()
    count = 0
    for row in rows:
        if isinstance(row, tuple):
            row = [v.hex() if isinstance(v, bytes) else v for v in row]
        hasher.update(orjson.dumps(row, option=orjson.OPT_SORT_KEYS))
        count += 1
    return f"{count}:{hasher.hexdigest()[:20]}"


def dump(folder: Path, documents: dict[str, dict[str, Any]] | None) -> dict[str, str]:
    connection = sqlite3.connect(folder / "archive.db")
    out: dict[str, str] = {}
    for name, sql in {
        "mentions": "SELECT * FROM mentions ORDER BY cable_id, position",
        "enriched": "SELECT * FROM enriched ORDER BY cable_id",
        "entities": "SELECT * FROM entities ORDER BY id",
        "entity_keys": "SELECT * FROM entity_keys ORDER BY key",
        "cable_seq": "SELECT id, seq FROM cables ORDER BY id",
        "meta": "SELECT * FROM meta WHERE key != 'seq' ORDER BY key",
        "indexes": "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name",
    }.items():
        out[name] = digest(connection.execute(sql))
    if documents is not None:
        out["index_documents_added"] = digest((key, documents[key]) for key in sorted(documents))
        out["index_documents_added_no_seq"] = digest(
            (key, {k: v for k, v in documents[key].items() if k != "seq"})
            for key in sorted(documents)
        )
    connection.close()
    import tantivy

    for name in ("index", "edition-index"):
        index = tantivy.Index.open(str(folder / name))
        index.reload()
        searcher = index.searcher()
        hits = searcher.search(tantivy.Query.all_query(), limit=max(1, searcher.num_docs)).hits
        stored = sorted(
            orjson.dumps(searcher.doc(address).to_dict(), option=orjson.OPT_SORT_KEYS).decode()
            for _, address in hits
        )
        out[f"{name}_stored"] = digest(stored)
    views = folder / "entity-views.db"
    if views.exists():
        cache = sqlite3.connect(views)
        for table in ("counts", "months", "posts", "spellings"):
            out[f"views_{table}"] = digest(cache.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3"))
        cache.close()
    out.update(layers(folder))
    return out


def layers(folder: Path) -> dict[str, str]:
    """The similar models, the graph and network caches and the sensitivity scores."""
    import numpy as np

    out: dict[str, str] = {}
    for model in sorted((folder / "similar-views").glob("[0-9a-f]*")):
        name = f"similar_{(model / 'key').read_text()[:40]}"
        with np.load(model / "vectors.npz") as arrays:
            hasher = hashlib.sha256()
            for array_name in sorted(arrays.files):
                hasher.update(array_name.encode())
                hasher.update(arrays[array_name].tobytes())
        out[name] = hasher.hexdigest()[:20] + ":" + digest(
            [(model / "ids.txt").read_text(), (model / "vocabulary.txt").read_text(),
             (model / "stamp").read_text()]
        )  # fmt: skip
    graph = folder / "graph-views.db"
    if graph.exists():
        cache = sqlite3.connect(graph)
        for table in ("nodes", "edges", "texts", "text_cites"):
            out[f"graph_{table}"] = digest(cache.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3"))
        views = []
        for view, stamp, summary in cache.execute("SELECT * FROM views ORDER BY view"):
            kept = {
                k: v
                for k, v in json.loads(summary).items()
                if not k.endswith("_seconds") and k != "texts_scanned"
            }
            views.append((view, stamp, kept))
        out["graph_views"] = digest(views)
        cache.close()
    network = folder / "network-views.db"
    if network.exists():
        cache = sqlite3.connect(network)
        for table in ("views", "entity_cables", "cable_entities"):
            out[f"network_{table}"] = digest(cache.execute(f"SELECT * FROM {table} ORDER BY 1, 2"))
        cache.close()
    connection = sqlite3.connect(folder / "archive.db")
    tables = {
        r[0]
        for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sensitivity%'"
        )
    }
    for table in sorted(tables - {"sensitivity_state"}):
        out[table] = digest(connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2"))
    connection.close()
    return out


def run(n: int, workers: int, work: Path, src: Path, keep: bool = False) -> dict[str, Any]:
    sys.path.insert(0, str(src))
    import cabledesk
    from cabledesk.archive import index as index_module

    base = work / f"base{n}"
    folder = work / f"check{n}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(base, folder)
    documents: dict[str, dict[str, Any]] = {}
    original = index_module.Index.writer

    def writer(self: Any, wait: float = 0.0) -> Any:
        return RecordingWriter(original(self, wait), documents, self.directory.name)

    index_module.Index.writer = writer  # type: ignore[method-assign]
    started = time.perf_counter()
    with cabledesk.Archive.open(folder) as archive:
        report = archive.enrich(workers=workers)
    seconds = time.perf_counter() - started
    index_module.Index.writer = original  # type: ignore[method-assign]
    result = {
        "code": str(Path(cabledesk.__file__).resolve().parents[1]),
        "n": n,
        "report": [report.cables, report.mentions, report.entities],
        "scored": report.sensitivity.cables if report.sensitivity is not None else None,
        "seconds": round(seconds, 1),
        **dump(folder, documents),
    }
    if keep:
        folder.rename(work / f"checked{n}")
    else:
        shutil.rmtree(folder)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cabledesk-bench-enrich"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the code to run")
    parser.add_argument("--compare", nargs=2, type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the archive as WORK/checkedN")
    parser.add_argument(
        "--dump", type=Path, help="dump a kept folder (without the documents added during its run)"
    )
    args = parser.parse_args()
    if args.dump:
        sys.path.insert(0, str(args.src))
        result = {"code": str(args.src), "n": args.n, **dump(args.dump, None)}
        print(json.dumps(result, indent=1))
        if args.out:
            args.out.write_text(json.dumps(result, indent=1))
        return
    if args.compare:
        a, b = (json.loads(p.read_text()) for p in args.compare)
        skip = {"code", "seconds"}
        for key in sorted(a.keys() ^ b.keys()):
            print(f"only in one: {key}")
        differ = [k for k in sorted(a.keys() & b.keys()) if k not in skip and a[k] != b[k]]
        for key in differ:
            print(f"DIFFERENT {key}: {a.get(key)} != {b.get(key)}")
        same = sorted(k for k in a.keys() & b.keys() if k not in skip and a[k] == b[k])
        print(f"identical: {', '.join(same)}")
        sys.exit(1 if differ else 0)
    result = run(args.n, args.workers, args.work, args.src, args.keep)
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
