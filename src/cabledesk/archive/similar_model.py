"""The similar-cables model (docs/similar.md): TF-IDF vectors over the words a reader
sees, pruned to each cable's strongest terms, and an inverted index over them.

Pure functions of (id, text) pairs: nothing here knows a reader. The caller decides
which texts go in (archive/similar.py builds one model per class of reader from that
reader's own view), so the document frequencies, the vectors, the scores and the shared
terms are all made of text that reader may see.

Exact cosine over the pruned vectors: the score of a candidate is the dot product of two
unit vectors, accumulated term by term from the postings of the query cable's terms
(`numpy.bincount`), so a query costs the length of a few dozen postings, not the archive.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cabledesk.record.words import WORD

# The strongest terms kept per cable (by TF-IDF weight); docs/similar.md measures why.
TERMS_PER_CABLE = 64
# A term in more than this share of the cables says nothing about any pair of them.
MAX_DF = 0.5
# Each shared term shown as a reason (the ones that add most to the score).
REASONS = 5

# English function words, and what redaction and withholding leave in a text.
_STOPWORDS = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves may might must shall upon per via
    redacted withheld
"""
STOPWORDS = frozenset(_STOPWORDS.split())


def terms(text: str) -> list[str]:
    """The terms of a text: its words (record.words, the one definition of a word),
    lower-cased, at least three characters, not only digits, not a run of X (the
    archive's own redaction mark), not a function word."""
    found = []
    for word in WORD.findall(text):
        word = word.lower()
        if len(word) < 3 or word in STOPWORDS or word.isdigit() or not word.strip("x"):
            continue
        found.append(word)
    return found


@dataclass
class Model:
    """Vectors of N cables over a vocabulary of T terms.

    `doc_ptr` (N+1), `doc_terms`, `doc_weights`: each cable's terms and weights (CSR,
    unit length); `term_ptr` (T+1), `term_docs`, `term_weights`: the same by term (the
    postings)."""

    ids: list[str]
    vocabulary: list[str]
    doc_ptr: np.ndarray
    doc_terms: np.ndarray
    doc_weights: np.ndarray
    term_ptr: np.ndarray
    term_docs: np.ndarray
    term_weights: np.ndarray

    def __post_init__(self) -> None:
        self._number = {cable_id: n for n, cable_id in enumerate(self.ids)}

    def number(self, cable_id: str) -> int | None:
        return self._number.get(cable_id)

    def vector(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = int(self.doc_ptr[n]), int(self.doc_ptr[n + 1])
        return self.doc_terms[start:end], self.doc_weights[start:end]

    def query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A free text as a unit vector over this model's vocabulary (unknown words add
        nothing); idf is read back from the model's own postings."""
        counts = Counter(terms(text))
        index = {t: i for i, t in enumerate(self.vocabulary)} if counts else {}
        pairs = []
        total = len(self.ids)
        for term, tf in counts.items():
            t = index.get(term)
            if t is None:
                continue
            df = int(self.term_ptr[t + 1] - self.term_ptr[t])
            pairs.append((t, (1.0 + math.log(tf)) * math.log(total / max(df, 1))))
        return _unit(pairs)

    def scores(self, query_terms: np.ndarray, query_weights: np.ndarray) -> np.ndarray:
        """Cosine of the query vector with every cable (float32, N)."""
        starts, ends = self.term_ptr[query_terms], self.term_ptr[query_terms + 1]
        if len(starts) == 0:
            return np.zeros(len(self.ids), dtype=np.float32)
        spans = [np.arange(s, e) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
        where = np.concatenate(spans)
        lengths = (ends - starts).astype(np.int64)
        weights = self.term_weights[where] * np.repeat(query_weights, lengths)
        return np.bincount(self.term_docs[where], weights=weights, minlength=len(self.ids))

    def nearest(
        self,
        query_terms: np.ndarray,
        query_weights: np.ndarray,
        limit: int,
        exclude: int | None = None,
        allowed: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """The `limit` cables of highest cosine above zero, best first (ties: lower
        number first); `exclude` a cable number; `allowed`: a boolean mask of candidates."""
        if limit <= 0:
            return []
        scores = self.scores(query_terms, query_weights)
        if exclude is not None:
            scores[exclude] = 0.0
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        positive = np.flatnonzero(scores > 0)
        if len(positive) > limit:
            top = positive[np.argpartition(-scores[positive], limit - 1)[:limit]]
            # argpartition cuts ties arbitrarily: take every cable scoring at least the
            # cut, then order (score desc, number) and keep `limit`.
            cut = scores[top].min()
            positive = np.flatnonzero(scores >= cut)
        order = sorted(positive.tolist(), key=lambda n: (-float(scores[n]), n))[:limit]
        return [(n, float(scores[n])) for n in order]

    def shared(self, a: int, b: int, limit: int = REASONS) -> list[tuple[str, float]]:
        """The terms cables a and b share, by what each adds to their score."""
        query_terms, query_weights = self.vector(a)
        return self.shared_with(query_terms, query_weights, b, limit)

    def shared_with(
        self, query_terms: np.ndarray, query_weights: np.ndarray, b: int, limit: int = REASONS
    ) -> list[tuple[str, float]]:
        tb, wb = self.vector(b)
        common, ia, ib = np.intersect1d(query_terms, tb, assume_unique=True, return_indices=True)
        parts = query_weights[ia] * wb[ib]
        order = sorted(range(len(common)), key=lambda i: (-float(parts[i]), int(common[i])))
        return [(self.vocabulary[int(common[i])], float(parts[i])) for i in order[:limit]]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(
            folder / "vectors.npz",
            doc_ptr=self.doc_ptr,
            doc_terms=self.doc_terms,
            doc_weights=self.doc_weights,
            term_ptr=self.term_ptr,
            term_docs=self.term_docs,
            term_weights=self.term_weights,
        )
        (folder / "ids.txt").write_text("\n".join(self.ids), encoding="utf-8")
        (folder / "vocabulary.txt").write_text("\n".join(self.vocabulary), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Model:
        with np.load(folder / "vectors.npz") as arrays:
            loaded = {name: arrays[name] for name in arrays.files}
        ids = (folder / "ids.txt").read_text(encoding="utf-8")
        vocabulary = (folder / "vocabulary.txt").read_text(encoding="utf-8")
        return cls(
            ids.split("\n") if ids else [],
            vocabulary.split("\n") if vocabulary else [],
            **loaded,
        )


def _unit(pairs: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(t, w) for t, w in pairs if w > 0]
    pairs.sort()
    norm = math.sqrt(sum(w * w for _, w in pairs)) or 1.0
    return (
        np.array([t for t, _ in pairs], dtype=np.int32),
        np.array([w / norm for _, w in pairs], dtype=np.float32),
    )


def count_terms(text: str) -> dict[str, int]:
    """A cable's term counts (what the enrichment job's workers compute)."""
    return dict(Counter(terms(text)))


# Cables weighed and pruned at a time when a model is built: the arrays of a block of
# unpruned terms stay small (building all at once took 6 GB at the release's size).
BLOCK = 8192


def build(
    counted: Iterable[tuple[str, dict[str, int]]],
    terms_per_cable: int = TERMS_PER_CABLE,
    max_df: float = MAX_DF,
) -> Model:
    """The model of these cables: (id, term counts) in any order; cables ordered by id,
    terms by spelling, so that the same cables give the same model whatever order they
    came in. Each cable's counts are held as two small arrays from the moment it comes
    in, and cables are weighed and pruned a block at a time."""
    builder = Builder()
    for cable_id, counts in counted:
        builder.add(cable_id, counts)
    return builder.model(terms_per_cable, max_df)


class Builder:
    """A model's cables as they come in (`add`, any order), built by `model`: `build`
    feeds one from an iterable, the enrichment job from its workers' results as each
    batch comes back (archive/enrich.py)."""

    def __init__(self) -> None:
        self.number: dict[str, int] = {}
        self.spelled: list[str] = []
        self.ids: list[str] = []
        self.chunks: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, cable_id: str, counts: dict[str, int]) -> None:
        number, spelled = self.number, self.spelled
        self.ids.append(cable_id)
        found = []
        for term in counts:
            n = number.get(term)
            if n is None:
                n = number[term] = len(spelled)
                spelled.append(term)
            found.append(n)
        self.chunks.append(
            (
                np.array(found, dtype=np.int32),
                np.fromiter(counts.values(), dtype=np.float32, count=len(counts)),
            )
        )

    def model(self, terms_per_cable: int = TERMS_PER_CABLE, max_df: float = MAX_DF) -> Model:
        """The model of the cables added (once: their counts are let go as it is built)."""
        ids, chunks, spelled = self.ids, self.chunks, self.spelled
        self.ids, self.chunks, self.spelled, self.number = [], [], [], {}
        return _built(ids, chunks, spelled, terms_per_cable, max_df)


def _built(
    ids: list[str],
    chunks: list[tuple[np.ndarray, np.ndarray]],
    spelled: list[str],
    terms_per_cable: int,
    max_df: float,
) -> Model:
    total = len(ids)
    order = sorted(range(total), key=ids.__getitem__)
    ids = [ids[i] for i in order]
    chunks = [chunks[i] for i in order]
    empty = np.zeros(0, dtype=np.int32)

    def block(start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(cable number, term, count) of every term of cables start..start+BLOCK."""
        part = chunks[start : start + BLOCK]
        sizes = np.array([len(t) for t, _ in part], dtype=np.int64)
        docs = np.repeat(np.arange(start, start + len(part), dtype=np.int32), sizes)
        raw = np.concatenate([t for t, _ in part]) if part else empty
        tf = np.concatenate([c for _, c in part]) if part else empty.astype(np.float32)
        return docs, raw, tf

    # The vocabulary: terms in at least two cables and at most max_df of them, by spelling.
    df = np.zeros(len(spelled), dtype=np.int64)
    for start in range(0, total, BLOCK):
        df += np.bincount(block(start)[1], minlength=len(spelled))
    kept = [t for t in range(len(spelled)) if 2 <= df[t] <= max_df * total]
    kept.sort(key=spelled.__getitem__)
    vocabulary = [spelled[t] for t in kept]
    where = np.array(kept, dtype=np.int64)
    renumber = np.full(len(spelled), -1, dtype=np.int32)
    renumber[where] = np.arange(len(kept), dtype=np.int32)
    idf = np.log(total / np.maximum(df[where], 1)).astype(np.float64)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, total, BLOCK):
        docs, raw, tf = block(start)
        chunks[start : start + BLOCK] = [(empty, empty.astype(np.float32))] * len(
            chunks[start : start + BLOCK]
        )  # counted: let them go
        terms_of = renumber[raw]
        inside = terms_of >= 0
        docs, terms_of, tf = docs[inside], terms_of[inside], tf[inside]
        weights = (1.0 + np.log(tf.astype(np.float64))) * idf[terms_of]
        # Each cable's strongest terms (ties: the lower term number), then unit length.
        if terms_per_cable:
            strongest = np.lexsort((terms_of, -weights, docs))
            docs, terms_of, weights = docs[strongest], terms_of[strongest], weights[strongest]
            numbers = np.arange(start, min(start + BLOCK, total))
            starts = np.searchsorted(docs, numbers, side="left")
            rank = np.arange(len(docs)) - starts[docs - start]
            keep = rank < terms_per_cable
            docs, terms_of, weights = docs[keep], terms_of[keep], weights[keep]
        norms = np.sqrt(np.bincount(docs - start, weights=weights * weights, minlength=BLOCK))
        weights = weights / np.where(norms > 0, norms, 1.0)[docs - start]
        by_cable = np.lexsort((terms_of, docs))
        parts.append((docs[by_cable], terms_of[by_cable], weights[by_cable].astype(np.float32)))
    d_docs = np.concatenate([p[0] for p in parts]) if parts else empty
    d_terms = np.concatenate([p[1] for p in parts]) if parts else empty
    d_weights = np.concatenate([p[2] for p in parts]) if parts else empty.astype(np.float32)
    del parts
    d_ptr = np.zeros(total + 1, dtype=np.int64)
    np.cumsum(np.bincount(d_docs, minlength=total), out=d_ptr[1:])
    # The postings: the same entries ordered by term, then by cable.
    by_term = np.lexsort((d_docs, d_terms))
    t_ptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum(np.bincount(d_terms, minlength=len(vocabulary)), out=t_ptr[1:])
    return Model(
        ids,
        vocabulary,
        d_ptr,
        d_terms.astype(np.int32),
        d_weights,
        t_ptr,
        d_docs[by_term].astype(np.int32),
        d_weights[by_term],
    )
