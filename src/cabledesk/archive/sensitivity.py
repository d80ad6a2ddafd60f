"""Predicted sensitivity (docs/sensitivity.md): models trained on the archive's own labels.

Three models, each a logistic regression over hashed TF-IDF words of the text:

- the cable's level (unclassified / confidential / secret; top secret counts as secret),
- NOFORN, a separate yes/no,
- each paragraph's portion marking (same three levels).

The text a model reads never holds the labels themselves: `strip_labels` removes
classification lines and words in capitals (`SECRET`, `NOFORN`, `C O N F I D E N T I A L`),
portion markings (`(S//NF)`), Classified By lines and their reasons, declassification
lines and redaction markers (`XXXXXXXX`, which WikiLeaks put into sensitive cables). The
words are hashed (`HashingVectorizer`: no vocabulary kept in memory); the IDF weights are
counted on the training cables.

scikit-learn trains; scoring needs numpy and scipy only: a model is stored in the archive
folder as plain arrays (`sensitivity/v<N>/model.npz` and `meta.json`, no pickle), so
loading one runs no code. `featurize_batch` is a pure function of stored records: the
enrichment job runs it in worker processes or on a Dask cluster, and the products with
the model's weights are taken in this process, so every way of running gives the same
scores.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

from cabledesk.archive.blob import unpack_record
from cabledesk.errors import Error
from cabledesk.record.codec import from_dict
from cabledesk.record.level import Level
from cabledesk.record.model import Cable
from cabledesk.redact.ceiling import portion

# Bump when what a model reads changes (the stripping, the hashing): stored models of
# another version are not used to score.
FEATURES_VERSION = 3
N_FEATURES = 2**18
NGRAMS = (1, 2)
LEVELS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET")
FOLDER = "sensitivity"
BATCH = 200
# Cables the cable models and paragraphs the paragraph model are trained on at most (a
# seeded random sample beyond): training time and memory stay bounded on large archives
# (docs/sensitivity.md, "Speed").
MAX_TRAIN_CABLES = 40_000
# The logistic regressions' settings (lbfgs; docs/sensitivity.md, "Speed").
# At most 100 iterations to a tolerance of 1e-3: on the shared corpus's time split the
# same AUC as 300 to 1e-4, at a fourteenth of the CPU (measured: docs/sensitivity.md).
FIT: dict[str, Any] = {"C": 10.0, "max_iter": 100, "tol": 1e-3}
# The cable level model's (FEATURES_VERSION 3): C = 3, no class weights, chosen among 16
# configurations by cross-validation of the time split's training part only
# (bench/sensitivity_features.py; docs/sensitivity.md, "Features compared").
CABLE_FIT: dict[str, Any] = {**FIT, "C": 3.0}
MAX_TRAIN_PARAGRAPHS = 150_000


class SensitivityError(Error, RuntimeError):
    """No model can be trained or used (too few labels, no model stored)."""


# --- what a model may read ---------------------------------------------------------------

_STRIP = [
    # Portion markings anywhere: (U), (SBU), (C), (S//NF), (TS/SI/NF), (C/REL GBR).
    re.compile(r"\(\s*(?:U|SBU|C|S|TS)(?:\s*/{1,2}\s*[A-Z][A-Z ,-]*)*\s*\)"),
    # Classified By lines and their reasons, to the end of the line.
    re.compile(r"(?i)\bclassified\s+by\b[^\n]*"),
    re.compile(r"(?i)\breasons?\s*:?\s*1\.[45]\s*\(?\s*[a-h](?:\s*(?:,|and|&)?\s*[a-h]\b)*\s*\)?"),
    # Declassification and E.O. lines.
    re.compile(r"(?i)\bdecl(?:assify)?(?:\s+on)?\s*:[^\n]*"),
    re.compile(r"(?i)\bE\.\s*O\.\s*1[23]\d{3}\s*:?[^\n]*"),
    # Classification words in capitals, letter-spaced too, and handling caveats.
    re.compile(
        r"\b(?:TOP\s+SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED|UNCLAS|NOFORN|NOFORN|ORCON|"
        r"NOCONTRACT|PROPIN|RELIDO|SIPDIS|EXDIS|NODIS|LIMDIS|"
        r"S\s+E\s+C\s+R\s+E\s+T|C\s+O\s+N\s+F\s+I\s+D\s+E\s+N\s+T\s+I\s+A\s+L|"
        r"U\s+N\s+C\s+L\s+A\s+S(?:\s+S\s+I\s+F\s+I\s+E\s+D)?)\b"
    ),
    # Redaction markers.
    re.compile(r"X{4,}"),
]


# For each pattern of _STRIP, words one of which an ASCII text must hold (lowercased) for
# the pattern to match in it: a pattern whose words are all absent is not run. Exact: a
# substitution puts a space where it matched, so it cannot make one of these words; and in
# an ASCII text the (?i) patterns match ASCII letters only (in other texts they also match
# letters such as the dotless i or the long s, so every pattern runs there). The
# case-insensitive patterns cost the most and rarely match (docs/performance.md,
# "Enrichment throughput").
_NEEDS: list[tuple[str, ...] | None] = [
    ("(",),
    ("classified",),
    ("reason",),
    ("decl",),
    ("o.",),
    None,
    ("xxxx",),
]


def strip_labels(text: str) -> str:
    """`text` without what states a classification (the labels a model must not read)."""
    if not text.isascii():
        for pattern in _STRIP:
            text = pattern.sub(" ", text)
        return text
    lowered = text.lower()
    for pattern, needs in zip(_STRIP, _NEEDS, strict=True):
        if needs is None or any(word in lowered for word in needs):
            text = pattern.sub(" ", text)
    return text


def cable_text(cable: Cable) -> str:
    """What the cable model reads: the subject and the paragraphs (the whole text when
    the cable has no paragraphs), labels stripped. Never the classification, caveats,
    markings or Classified By fields."""
    parts = [cable.subject or ""]
    if cable.paragraphs:
        parts += [p.text for p in cable.paragraphs]
    else:
        parts.append(cable.text)
    return strip_labels("\n".join(parts))


# Hashed columns of the structured, non-label fields (structure_tokens).
N_STRUCTURE = 2**16
# Secretaries of State whose name closes a cable from the Department (the signer).
SECRETARIES = frozenset(
    [
        "ROGERS",
        "KISSINGER",
        "VANCE",
        "MUSKIE",
        "HAIG",
        "SHULTZ",
        "BAKER",
        "EAGLEBURGER",
        "CHRISTOPHER",
        "ALBRIGHT",
        "POWELL",
        "RICE",
        "CLINTON",
        "KERRY",
    ]
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]+")


def _bucket(n: int) -> str:
    """0, 1, 2, 3-4, 5-8, 9-16, ...: a count on a log scale."""
    return str(n) if n < 3 else f"{(n - 1).bit_length()}b"


def structure_tokens(
    cable: Cable, subject: str | None = None, parts: Sequence[str] | None = None
) -> list[str]:
    """The structured fields a model may read, as tokens of separate namespaces: TAGS,
    the origin post, precedence, each TO and INFO addressee and how many there are, year
    and decade, length of the text read (words, log scale), paragraphs and references
    (counts), the signers and whether a Secretary of State signed, the subject's words.
    Never a label: classification, caveats, handling, markings, Classified By,
    declassification, the header's security warning (CCCCC) stay out. `subject` and
    `parts`: the subject and the text read (paragraphs, or the whole text), already
    stripped of labels (featurize_cables has them), else stripped here."""
    header = cable.header
    tokens = [f"tag={t.strip().upper()}" for t in cable.tags if t.strip()]
    tokens.append(f"post={(cable.station or cable.origin or '').upper()}")
    tokens.append(f"prec={(header.precedence or '').upper()}")
    tokens += [f"to={a.name.upper()}" for a in header.to]
    tokens += [f"info={a.name.upper()}" for a in header.info]
    tokens += [f"nto={_bucket(len(header.to))}", f"ninfo={_bucket(len(header.info))}"]
    year = cable.year
    if year is not None:
        tokens += [f"year={year}", f"decade={year // 10}"]
    if subject is None:
        subject = strip_labels(cable.subject or "")
    if parts is None:
        parts = paragraph_texts(cable) if cable.paragraphs else [cable_text(cable)]
    words = sum(len(_WORD.findall(part)) for part in parts)
    if cable.paragraphs:
        words += len(_WORD.findall(subject))
    tokens.append(f"words={_bucket(words)}")
    tokens.append(f"paragraphs={_bucket(len(cable.paragraphs))}")
    tokens.append(f"refs={_bucket(len(cable.references))}")
    signers = [n.strip().upper() for n in cable.signers if n.strip()]
    tokens += [f"signer={n}" for n in signers]
    if any(n in SECRETARIES for n in signers):
        tokens.append("secretary")
    tokens += [f"subj={w.lower()}" for w in _WORD.findall(subject)]
    return tokens


def paragraph_texts(cable: Cable) -> list[str]:
    return [strip_labels(p.text) for p in cable.paragraphs]


def reads_level(cable: Cable) -> tuple[int, int]:
    """The strictest (rank, NOFORN) among the parts of a cable its scores are computed
    from: the subject and each paragraph (the cable's whole text, at its own level, when
    it has no paragraphs), each at its portion marking or else the cable's level (a
    missing level counts as TOP SECRET). A reader gets a cable's scores only when every
    one of these parts is within their view (docs/sensitivity.md, "Who gets a score")."""
    level, caveats = cable.classification, cable.caveats
    parts = []
    if cable.subject:
        parts.append(portion(cable.subject_marking, level, caveats))
    if cable.paragraphs:
        parts += [portion(p.marking, level, caveats) for p in cable.paragraphs]
    else:
        parts.append(portion(None, level, caveats))
    return max(int(r) for r, _ in parts), int(any(nf for _, nf in parts))


def level_label(classification: str | None) -> int | None:
    level = Level.known(classification)
    return None if level is None else min(int(level), 2)


def portion_label(marking: str | None) -> int | None:
    level = Level.of_portion(marking)
    return None if level is None else min(int(level), 2)


def _vectorizer() -> Any:
    """HashingVectorizer(n_features=N_FEATURES, ngram_range=NGRAMS, alternate_sign=False,
    norm=None, lowercase=True), its analyzer given as `_words_and_pairs`: the same
    features in the same order, the pairs joined without a Python loop per pair."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=N_FEATURES,
        analyzer=_words_and_pairs,
        alternate_sign=False,
        norm=None,
        dtype=_float32(),
    )


# scikit-learn's default token pattern, and its word n-grams for NGRAMS = (1, 2): the
# lowercased text's words, then each pair of neighbours joined by a space.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
assert NGRAMS == (1, 2)


def _words_and_pairs(text: str) -> list[str]:
    words = _TOKEN.findall(text.lower())
    return words + list(map(" ".join, pairwise(words)))


def _float32() -> Any:
    import numpy as np

    return np.float32


# --- the workers' part -------------------------------------------------------------------


@dataclass(slots=True)
class Features:
    """One batch read and hashed: the raw term counts of each cable and paragraph."""

    cable_ids: list[int]
    text_hashes: list[str]
    dates: list[str]
    origins: list[str]
    levels: list[int]  # -1: unlabelled
    noforn: list[int]
    cables: Any  # scipy CSR, one row a cable
    paragraph_of: list[tuple[int, int]]  # (cable id, position)
    paragraph_levels: list[int]
    paragraphs: Any  # scipy CSR, one row a paragraph
    # (rank, NOFORN) a reader must be cleared for to get each cable's scores (reads_level)
    reads: list[tuple[int, int]] = field(default_factory=list)
    # scipy CSR, one row a cable: its structure_tokens, hashed, 0/1 (FEATURES_VERSION 3)
    structure: Any = None


def featurize_batch(batch: Sequence[tuple[int, str, bytes]]) -> Features:
    """Runs on a worker: stored records in, hashed word counts and labels out."""
    cables = [from_dict(unpack_record(blob)) for _, _, blob in batch]
    return featurize_cables(
        cables, [cable_id for cable_id, _, _ in batch], [h for _, h, _ in batch]
    )


def featurize_cables(
    records: Sequence[Cable], cable_ids: Sequence[int], text_hashes: Sequence[str]
) -> Features:
    """Cables in, hashed word counts, structure tokens and labels out.

    Each paragraph is stripped and hashed once; a cable's counts are the sum of its
    subject's and its paragraphs' (its whole text's when it has none), so a bigram never
    spans two paragraphs (FEATURES_VERSION 2). Every paragraph is handed back (the cable
    model reads the paragraph model's scores of all of them, FEATURES_VERSION 3)."""
    import numpy as np
    import scipy.sparse as sp

    vectorizer = _vectorizer()
    ids: list[int] = []
    hashes, dates, origins, own, ptexts, tokens = [], [], [], [], [], []
    levels, noforn, paragraph_levels, owner = [], [], [], []  # owner: the cable's row
    paragraph_of = []
    reads = []
    for cable_id, text_hash, cable in zip(cable_ids, text_hashes, records, strict=True):
        row = len(ids)
        reads.append(reads_level(cable))
        ids.append(cable_id)
        hashes.append(text_hash)
        dates.append(cable.created or cable.header.sent or "")
        origins.append(cable.origin or cable.station or "")
        label = level_label(cable.classification)
        levels.append(-1 if label is None else label)
        noforn.append(int("NOFORN" in cable.caveats))
        subject = strip_labels(cable.subject or "")
        texts = paragraph_texts(cable)
        if cable.paragraphs:
            own.append(subject)
            tokens.append(structure_tokens(cable, subject, texts))
        else:
            own.append(cable_text(cable))
            tokens.append(structure_tokens(cable, subject, own[-1:]))
        for position, (paragraph, text) in enumerate(zip(cable.paragraphs, texts, strict=True)):
            paragraph_of.append((cable_id, position))
            marked = portion_label(paragraph.marking)
            paragraph_levels.append(-1 if marked is None else marked)
            ptexts.append(text)
            owner.append(row)
    paragraphs = vectorizer.transform(ptexts)
    summed = sp.csr_matrix(
        (np.ones(len(owner), dtype=np.float32), (owner, np.arange(len(owner)))),
        shape=(len(ids), len(owner)),
    )
    cables = (vectorizer.transform(own) + summed @ paragraphs).tocsr()
    cables.sort_indices()
    return Features(
        ids,
        hashes,
        dates,
        origins,
        levels,
        noforn,
        cables,
        paragraph_of,
        paragraph_levels,
        paragraphs,
        reads,
        _hashed_tokens(tokens),
    )


def _hashed_tokens(tokens: list[list[str]]) -> Any:
    """Rows of 0/1 over N_STRUCTURE hashed columns (FeatureHasher: no vocabulary)."""
    import numpy as np
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(
        n_features=N_STRUCTURE, input_type="string", alternate_sign=False, dtype=np.float32
    )
    x = hasher.transform(tokens).tocsr()
    x.sum_duplicates()
    x.data[:] = 1.0
    x.sort_indices()
    return x


# --- the model ---------------------------------------------------------------------------

# The cable models read three blocks side by side (FEATURES_VERSION 3; docs/sensitivity.md,
# "Features compared"): the words (TF-IDF, rows of unit length), the structure tokens
# (0/1, rows of unit length) and STACKED figures of the paragraph model's P(classified)
# over the cable's paragraphs (logits of their max, mean and share above 0.5), scaled by
# STACK_SCALE.
STACKED = 3
STACK_SCALE = 0.25
# Training cables' stacked figures come from paragraph models that did not see their
# paragraphs: the training cables are cut into this many folds (cross-fitting).
STACK_FOLDS = 5


@dataclass(slots=True)
class Model:
    """Weights as plain arrays: idf (n_features), level (3 x n, 3), noforn (1 x n, 1),
    paragraph (3 x n, 3); the cable models' weights of the structure tokens and the
    stacked figures (`level_extra` 3 x (N_STRUCTURE + STACKED), `noforn_extra` 1 x ...;
    None: zero)."""

    idf: Any
    level_coef: Any
    level_intercept: Any
    noforn_coef: Any
    noforn_intercept: Any
    paragraph_coef: Any
    paragraph_intercept: Any
    meta: dict[str, Any] = field(default_factory=dict)
    level_extra: Any = None
    noforn_extra: Any = None

    @property
    def version(self) -> int:
        return int(self.meta.get("version", 0))

    def weighted(self, counts: Any) -> Any:
        return tfidf(counts, self.idf)

    def cable_scores(
        self, counts: Any, structure: Any = None, stack: Any = None
    ) -> tuple[Any, Any]:
        """P(level) (rows of 3) and P(NOFORN) of raw cable counts, their structure rows and
        stacked figures (`stacked`; None: no such block, its weights are not used)."""
        x = self.weighted(counts)
        extra = _extra_block(structure, stack, counts.shape[0])
        z = x @ self.level_coef.T + self.level_intercept
        nf = x @ self.noforn_coef.T + self.noforn_intercept
        if self.level_extra is not None:
            z = z + extra @ self.level_extra.T
        if self.noforn_extra is not None:
            nf = nf + extra @ self.noforn_extra.T
        return softmax(z), sigmoid(nf)[:, 0]

    def paragraph_scores(self, counts: Any) -> Any:
        x = self.weighted(counts)
        return softmax(x @ self.paragraph_coef.T + self.paragraph_intercept)

    def score(self, part: Features) -> tuple[Any, Any, Any]:
        """P(level) and P(NOFORN) of each cable of `part`, P(level) of each paragraph."""
        pscores = self.paragraph_scores(part.paragraphs)
        row = {cable_id: n for n, cable_id in enumerate(part.cable_ids)}
        owner = [row[cable_id] for cable_id, _ in part.paragraph_of]
        stack = stacked(1.0 - pscores[:, 0], owner, len(part.cable_ids))
        levels, noforn = self.cable_scores(part.cables, part.structure, stack)
        return levels, noforn, pscores

    def save(self, folder: Path) -> None:
        import numpy as np

        folder.mkdir(parents=True, exist_ok=True)
        arrays = {k: getattr(self, k) for k in _ARRAYS if getattr(self, k) is not None}
        partial = folder / "model.tmp.npz"
        np.savez_compressed(partial, **arrays)
        partial.replace(folder / "model.npz")
        (folder / "meta.json").write_text(json.dumps(self.meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Model:
        import numpy as np

        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        with np.load(folder / "model.npz", allow_pickle=False) as data:
            arrays = {k: data[k] for k in _ARRAYS if k in data.files or k not in _OPTIONAL}
        return cls(**arrays, meta=meta)


_OPTIONAL = ("level_extra", "noforn_extra")
_ARRAYS = (
    "idf",
    "level_coef",
    "level_intercept",
    "noforn_coef",
    "noforn_intercept",
    "paragraph_coef",
    "paragraph_intercept",
    *_OPTIONAL,
)


def _extra_block(structure: Any, stack: Any, rows: int) -> Any:
    """The structure rows (unit length) beside the stacked figures (times STACK_SCALE):
    the cable models' second block, N_STRUCTURE + STACKED columns."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    if structure is None:
        structure = sp.csr_matrix((rows, N_STRUCTURE), dtype=np.float64)
    if stack is None:
        stack = np.zeros((rows, STACKED))
    unit = normalize(structure.astype(np.float64), norm="l2")
    return sp.hstack([unit, sp.csr_matrix(np.asarray(stack) * STACK_SCALE)]).tocsr()


def _logit(p: Any) -> Any:
    import numpy as np

    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def stacked(p_classified: Any, owner: Any, cables: int) -> Any:
    """Per cable: logits of the max, the mean and the share above 0.5 of its paragraphs'
    P(classified) (`owner`: the cable row of each paragraph); 0, 0, 0 (P = 0.5) for a
    cable without paragraphs."""
    import numpy as np

    p = np.asarray(p_classified, dtype=np.float64)
    owner = np.asarray(owner, dtype=np.int64)
    n = np.bincount(owner, minlength=cables).astype(np.float64)
    some = np.maximum(n, 1.0)
    mean = np.bincount(owner, weights=p, minlength=cables) / some
    high = np.bincount(owner, weights=(p > 0.5).astype(np.float64), minlength=cables) / some
    top = np.zeros(cables)
    np.maximum.at(top, owner, p)
    none = n == 0
    mean[none] = high[none] = top[none] = 0.5
    return np.column_stack([_logit(top), _logit(mean), _logit(high * 0.98 + 0.01)])


def tfidf(counts: Any, idf: Any) -> Any:
    """Sublinear term frequency times IDF, each row scaled to unit length."""
    import numpy as np
    from sklearn.preprocessing import normalize

    x = counts.astype("float64", copy=True).tocsr()
    x.data = 1.0 + np.log(x.data)
    x.data *= np.asarray(idf, dtype=np.float64)[x.indices]  # in place: no second matrix
    return normalize(x, norm="l2", copy=False)


def idf_of(counts: Any) -> Any:
    import numpy as np

    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float64)


def softmax(z: Any) -> Any:
    import numpy as np

    z = np.asarray(z, dtype=np.float64)
    if z.shape[1] == 1:  # not expected: every level model has three classes
        raise ValueError("a level model needs three classes")
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(z: Any) -> Any:
    import numpy as np

    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def _fit_quietly(classifier: Any, x: Any, y: Any) -> None:
    """Fit; stopping at FIT's iteration cap is deliberate, not worth a warning."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(x, y)


def _fit_levels(x: Any, y: Any, settings: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """A three-class logistic regression; a class absent from `y` gets weights that never
    win (so the arrays keep their shape). `settings`: LogisticRegression's (default FIT);
    with class_weight "balanced" the intercepts are moved back by the log of the
    classes' shares in `y`, so the probabilities stay calibrated to the archive."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    present = sorted(set(int(v) for v in y))
    if len(present) < 2:
        raise SensitivityError(f"a level model needs two levels among its labels, found {present}")
    settings = FIT if settings is None else settings
    classifier = LogisticRegression(**settings)
    _fit_quietly(classifier, x, y)
    coef = np.zeros((3, x.shape[1]), dtype=np.float64)
    intercept = np.full(3, -1e3, dtype=np.float64)
    if len(present) == 2:  # binary: sklearn keeps one row, for the higher class
        coef[present[1]] = classifier.coef_[0] / 2
        coef[present[0]] = -classifier.coef_[0] / 2
        intercept[present[1]] = classifier.intercept_[0] / 2
        intercept[present[0]] = -classifier.intercept_[0] / 2
    else:
        for row, label in enumerate(classifier.classes_):
            coef[int(label)] = classifier.coef_[row]
            intercept[int(label)] = classifier.intercept_[row]
    if settings.get("class_weight") == "balanced":
        shares = np.bincount(np.asarray(y, dtype=np.int64), minlength=3) / len(y)
        intercept[present] += np.log(shares[present])
    return coef.astype(np.float32), intercept


def _fit_binary(x: Any, y: Any) -> tuple[Any, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if len(set(int(v) for v in y)) < 2:
        constant = 20.0 if len(y) and int(y[0]) else -20.0
        return np.zeros((1, x.shape[1]), dtype=np.float32), np.array([constant])
    classifier = LogisticRegression(**FIT)
    _fit_quietly(classifier, x, y)
    return classifier.coef_.astype(np.float32), classifier.intercept_.astype(np.float64)


@dataclass(slots=True)
class Dataset:
    """Every cable of an archive, hashed, with labels."""

    cable_ids: Any
    dates: list[str]
    origins: list[str]
    levels: Any
    noforn: Any
    cables: Any
    paragraph_cable: Any  # row of the cable of each paragraph (into the arrays above)
    paragraph_levels: Any
    paragraphs: Any
    structure: Any = None  # one row a cable, N_STRUCTURE columns (None: no such block)


def _paragraph_model(data: Dataset, cables: Any, idf: Any, seed: int) -> tuple[Any, Any] | None:
    """The paragraph model fitted on the marked paragraphs of the cables at rows `cables`
    (MAX_TRAIN_PARAGRAPHS at most, a seeded sample beyond); None with fewer than two
    levels among them."""
    import numpy as np

    chosen = np.zeros(len(data.levels), dtype=bool)
    chosen[cables] = True
    prows = np.flatnonzero(chosen[data.paragraph_cable] & (data.paragraph_levels >= 0))
    if len(prows) > MAX_TRAIN_PARAGRAPHS:
        prows = np.sort(np.random.default_rng(seed).choice(prows, MAX_TRAIN_PARAGRAPHS, False))
    if not len(prows) or len(set(data.paragraph_levels[prows].tolist())) < 2:
        return None
    px = tfidf(data.paragraphs[prows], idf)
    return _fit_levels(px, data.paragraph_levels[prows])


def _stack_of(data: Dataset, cables: Any, idf: Any, weights: tuple[Any, Any] | None) -> Any:
    """The stacked figures of the cables at rows `cables`, by the paragraph model
    `weights` (None: no paragraph model, every figure 0)."""
    import numpy as np

    if weights is None:
        return np.zeros((len(cables), STACKED))
    at = np.full(len(data.levels), -1, dtype=np.int64)
    at[cables] = np.arange(len(cables))
    prows = np.flatnonzero(at[data.paragraph_cable] >= 0)
    coef, intercept = weights
    p = softmax(tfidf(data.paragraphs[prows], idf) @ coef.T + intercept)
    return stacked(1.0 - p[:, 0], at[data.paragraph_cable[prows]], len(cables))


def crossfit_stack(data: Dataset, rows: Any, idf: Any, seed: int = 0) -> Any:
    """The stacked figures of the training cables at `rows`, each from a paragraph model
    trained on the other STACK_FOLDS - 1 folds: no training cable's figures come from a
    model that saw its own paragraphs (else the cable model would learn to trust them
    more than they deserve on new cables)."""
    import numpy as np

    fold = np.random.default_rng(seed).permutation(len(rows)) % STACK_FOLDS
    out = np.zeros((len(rows), STACKED))
    for k in range(STACK_FOLDS):
        inside = fold == k
        if not inside.any():
            continue
        weights = _paragraph_model(data, rows[~inside], idf, seed)
        out[inside] = _stack_of(data, rows[inside], idf, weights)
    return out


def fit(data: Dataset, cables: Any, meta: dict[str, Any], seed: int = 0) -> Model:
    """Train the three models on the cables at rows `cables` of `data` (their labelled
    cables and marked paragraphs)."""
    import numpy as np
    import scipy.sparse as sp

    rows = np.asarray(cables, dtype=np.int64)
    rows = rows[data.levels[rows] >= 0]
    if len(rows) == 0:
        raise SensitivityError("no cable with a known classification to train on")
    every = len(rows) == len(data.levels) and bool(np.all(rows == np.arange(len(rows))))
    counts = data.cables if every else data.cables[rows]  # no copy when training on all
    idf = idf_of(counts)
    paragraph = _paragraph_model(data, rows, idf, seed)
    stack = crossfit_stack(data, rows, idf, seed)
    structure = None if data.structure is None else data.structure[rows]
    x = sp.hstack([tfidf(counts, idf), _extra_block(structure, stack, len(rows))]).tocsr()
    del counts
    level_coef, level_intercept = _fit_levels(x, data.levels[rows], CABLE_FIT)
    noforn_coef, noforn_intercept = _fit_binary(x, data.noforn[rows])
    del x
    if paragraph is not None:
        paragraph_coef, paragraph_intercept = paragraph
    else:  # no marked paragraphs: the paragraph model says what the cable model says
        paragraph_coef, paragraph_intercept = level_coef[:, :N_FEATURES], level_intercept
        meta["paragraph_model"] = "the cable model's words (too few marked paragraphs)"
    marked = np.zeros(len(data.levels), dtype=bool)
    marked[rows] = True
    trained_paragraphs = int(np.sum(marked[data.paragraph_cable] & (data.paragraph_levels >= 0)))
    meta.update(
        trained_cables=len(rows),
        trained_paragraphs=min(trained_paragraphs, MAX_TRAIN_PARAGRAPHS),
        features_version=FEATURES_VERSION,
        n_features=N_FEATURES,
        n_structure=N_STRUCTURE,
        ngrams=list(NGRAMS),
        cable_fit={k: v for k, v in CABLE_FIT.items()},
        stack_folds=STACK_FOLDS,
    )
    return Model(
        idf,
        np.ascontiguousarray(level_coef[:, :N_FEATURES]),
        level_intercept,
        np.ascontiguousarray(noforn_coef[:, :N_FEATURES]),
        noforn_intercept,
        paragraph_coef,
        paragraph_intercept,
        meta,
        np.ascontiguousarray(level_coef[:, N_FEATURES:]),
        np.ascontiguousarray(noforn_coef[:, N_FEATURES:]),
    )


# --- reading an archive ------------------------------------------------------------------


def _batches(connection: sqlite3.Connection, ids: list[int]) -> Iterator[Any]:
    from cabledesk.archive import entities

    for start in range(0, len(ids), BATCH):
        yield entities.records(connection, ids[start : start + BATCH])


def _featurized(
    connection: sqlite3.Connection, ids: list[int], workers: int | None, scheduler: Any
) -> Iterator[Features]:
    from cabledesk.archive.enrich import _mapper

    with _mapper(workers, scheduler, -(-len(ids) // BATCH)) as (mapper, ahead):
        # The job's pool maps any picklable function over any items (typed for entities).
        run = cast(Any, mapper)
        yield from run(featurize_batch, _batches(connection, ids), ahead)


def all_ids(connection: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in connection.execute("SELECT id FROM cables ORDER BY id")]


def labelled_ids(connection: sqlite3.Connection) -> list[int]:
    """The cables with a known classification (the ones a model learns from)."""
    return [
        int(r[0])
        for r in connection.execute("SELECT id, classification FROM cables ORDER BY id")
        if level_label(r[1]) is not None
    ]


def training_ids(connection: sqlite3.Connection, seed: int = 0) -> list[int]:
    """The labelled cables a model is trained on: all of them up to MAX_TRAIN_CABLES, a
    seeded uniform sample beyond (the shares of the levels stay the archive's, so the
    probabilities stay calibrated to it); only these are read and hashed."""
    import numpy as np

    ids = labelled_ids(connection)
    if len(ids) <= MAX_TRAIN_CABLES:
        return ids
    chosen = np.random.default_rng(seed).choice(len(ids), MAX_TRAIN_CABLES, replace=False)
    return [ids[i] for i in sorted(chosen.tolist())]


def read_dataset(
    connection: sqlite3.Connection,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    ids: list[int] | None = None,
) -> Dataset:
    """Every cable of `ids` (default: every cable of the archive), hashed, with labels,
    and every one of their paragraphs (the stacked figures read them all; the paragraph
    model is fitted on a sample of the marked ones, MAX_TRAIN_PARAGRAPHS)."""
    import numpy as np

    wanted = all_ids(connection) if ids is None else ids
    parts = list(_featurized(connection, wanted, workers, scheduler))
    read: list[int] = []
    dates: list[str] = []
    origins: list[str] = []
    levels: list[int] = []
    noforn: list[int] = []
    pcable: list[int] = []
    plevels: list[int] = []
    for part in parts:
        offset = len(read)
        row_of = {cable_id: offset + i for i, cable_id in enumerate(part.cable_ids)}
        read += part.cable_ids
        dates += part.dates
        origins += part.origins
        levels += part.levels
        noforn += part.noforn
        pcable += [row_of[c] for c, _ in part.paragraph_of]
        plevels += part.paragraph_levels
    cables = _stacked([p.cables for p in parts])
    structure = _stacked([p.structure for p in parts], N_STRUCTURE)
    for part in parts:
        part.cables = part.structure = None  # their rows are in `cables` now: let them go
    paragraphs = _stacked([p.paragraphs for p in parts])
    return Dataset(
        np.array(read, dtype=np.int64),
        dates,
        origins,
        np.array(levels, dtype=np.int64),
        np.array(noforn, dtype=np.int64),
        cables,
        np.array(pcable, dtype=np.int64),
        np.array(plevels, dtype=np.int64),
        paragraphs,
        structure,
    )


def _stacked(matrices: list[Any], width: int = N_FEATURES) -> Any:
    """The rows of `matrices` (CSR, float32) one under another, copied into arrays made
    once at their full size: at most one more copy of the rows in memory, none of the
    intermediate ones `scipy.sparse.vstack` may make."""
    import numpy as np
    import scipy.sparse as sp

    nnz = sum(int(m.nnz) for m in matrices)
    rows = sum(int(m.shape[0]) for m in matrices)
    data = np.empty(nnz, dtype=np.float32)
    indices = np.empty(nnz, dtype=np.int32)
    indptr = np.zeros(rows + 1, dtype=np.int64)
    at = row = 0
    for m in matrices:
        n, k = int(m.nnz), int(m.shape[0])
        data[at : at + n] = m.data
        indices[at : at + n] = m.indices
        indptr[row + 1 : row + k + 1] = m.indptr[1:] + at
        at, row = at + n, row + k
    return sp.csr_matrix((data, indices, indptr), shape=(rows, width))


# --- stored models -----------------------------------------------------------------------


def models_folder(archive_folder: Path) -> Path:
    return archive_folder / FOLDER


def stored_versions(archive_folder: Path) -> list[int]:
    found = []
    for path in models_folder(archive_folder).glob("v*"):
        if path.name[1:].isdigit() and (path / "meta.json").exists():
            found.append(int(path.name[1:]))
    return sorted(found)


def current(archive_folder: Path) -> Model | None:
    """The newest stored model this code can use, or None."""
    for version in reversed(stored_versions(archive_folder)):
        folder = models_folder(archive_folder) / f"v{version}"
        try:
            model = Model.load(folder)
        except (OSError, ValueError, KeyError):
            continue
        if model.meta.get("features_version") == FEATURES_VERSION:
            return model
    return None


def stale(archive_folder: Path) -> str | None:
    """What to tell a user whose archive holds models but none this code reads (of
    another features version): train again. None when a model is usable or none is
    stored."""
    if current(archive_folder) is not None:
        return None
    found = []
    for version in stored_versions(archive_folder):
        folder = models_folder(archive_folder) / f"v{version}"
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        found.append(f"v{version} (features version {meta.get('features_version')})")
    if not found:
        return None
    return (
        f"the stored sensitivity models ({', '.join(found)}) read other features than this "
        f"code (features version {FEATURES_VERSION}): no scores; run `cabledesk model train`"
    )


@dataclass(slots=True)
class TrainReport:
    version: int
    cables: int
    paragraphs: int
    read_seconds: float
    fit_seconds: float
    cpu_seconds: float


def train(
    connection: sqlite3.Connection,
    archive_folder: Path,
    *,
    workers: int | None = None,
    scheduler: Any = None,
) -> TrainReport:
    """Train on every labelled cable and store the result as the next version."""
    import sklearn

    started, cpu = time.perf_counter(), time.process_time()
    data = read_dataset(
        connection,
        workers=workers,
        scheduler=scheduler,
        ids=training_ids(connection),
    )
    read = time.perf_counter() - started
    version = max(stored_versions(archive_folder), default=0) + 1
    meta: dict[str, Any] = {
        "version": version,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "scikit_learn": sklearn.__version__,
        "archive_cables": int(connection.execute("SELECT count(*) FROM cables").fetchone()[0]),
        "labelled_cables": len(labelled_ids(connection)),
    }
    model = fit(data, range(len(data.cable_ids)), meta)
    model.save(models_folder(archive_folder) / f"v{version}")
    return TrainReport(
        version,
        int(meta["trained_cables"]),
        int(meta["trained_paragraphs"]),
        read,
        time.perf_counter() - started - read,
        time.process_time() - cpu,
    )


# --- scores in the archive ---------------------------------------------------------------

_TABLES = """
CREATE TABLE IF NOT EXISTS sensitivity_cables (
    cable_id INTEGER PRIMARY KEY,
    model INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    p_unclassified REAL NOT NULL,
    p_confidential REAL NOT NULL,
    p_secret REAL NOT NULL,
    p_noforn REAL NOT NULL,
    predicted INTEGER NOT NULL,
    reads_rank INTEGER,
    reads_noforn INTEGER
);
CREATE TABLE IF NOT EXISTS sensitivity_paragraphs (
    cable_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    p_unclassified REAL NOT NULL,
    p_confidential REAL NOT NULL,
    p_secret REAL NOT NULL,
    predicted INTEGER NOT NULL,
    PRIMARY KEY (cable_id, position)
);
CREATE TABLE IF NOT EXISTS sensitivity_review (
    cable_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    margin REAL NOT NULL,
    PRIMARY KEY (cable_id, position)
);
CREATE INDEX IF NOT EXISTS sensitivity_review_margin ON sensitivity_review (margin DESC);
CREATE TABLE IF NOT EXISTS sensitivity_state (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""

# The review queue's kinds (docs/sensitivity.md, "The review queue"); position -1: the
# cable as a whole.
ABOVE_MARKING = "above-marking"
UNMARKED_SECRET = "unmarked-secret"
UNCLASSIFIED_READS_SECRET = "unclassified-reads-secret"
REVIEW_KINDS = (ABOVE_MARKING, UNMARKED_SECRET, UNCLASSIFIED_READS_SECRET)


def ensure_tables(connection: sqlite3.Connection) -> None:
    connection.executescript(_TABLES)
    columns = {row[1] for row in connection.execute("PRAGMA table_info(sensitivity_cables)")}
    for name in ("reads_rank", "reads_noforn"):
        if name not in columns:  # a table made before the readers' rule: scored again
            connection.execute(f"ALTER TABLE sensitivity_cables ADD COLUMN {name} INTEGER")


def generation(connection: sqlite3.Connection) -> int:
    """A number that changes whenever scores are written (cached answers are keyed by it)."""
    try:
        row = connection.execute(
            "SELECT value FROM sensitivity_state WHERE name = 'generation'"
        ).fetchone()
    except sqlite3.OperationalError:  # no scores were ever written
        return 0
    return int(row[0]) if row else 0


def pending(connection: sqlite3.Connection, model: int) -> list[int]:
    """Cables never scored, scored by another model, or re-ingested with another text."""
    ensure_tables(connection)
    return [
        int(r[0])
        for r in connection.execute(
            "SELECT c.id FROM cables c LEFT JOIN sensitivity_cables s ON s.cable_id = c.id "
            "WHERE s.cable_id IS NULL OR s.model != ? OR s.text_hash != c.text_hash "
            "OR s.reads_rank IS NULL ORDER BY c.id",
            (model,),
        )
    ]


def review_rows(
    cable_id: int, level: int, p: Any, markings: list[tuple[int, int, Any]]
) -> list[tuple[int, int, str, float]]:
    """What of one cable goes into the editors' review queue, with its margin (how much
    more likely the model finds the level it predicts than the label it is given):

    - a marked paragraph predicted above its marking: P(predicted) - P(marked);
    - an unmarked paragraph predicted SECRET: P(secret) - max(P(unclassified),
      P(confidential));
    - an UNCLASSIFIED cable predicted SECRET: P(secret) - P(unclassified).

    `level`: the cable's label (-1 unknown), `p` its three probabilities; `markings`:
    (position, marked level or -1, three probabilities) of each paragraph."""
    rows = []
    if level == 0 and int(p.argmax()) == 2:
        rows.append((cable_id, -1, UNCLASSIFIED_READS_SECRET, float(p[2] - p[0])))
    for position, marked, q in markings:
        predicted = int(q.argmax())
        if marked >= 0 and predicted > marked:
            rows.append((cable_id, position, ABOVE_MARKING, float(q[predicted] - q[marked])))
        elif marked < 0 and predicted == 2:
            rows.append((cable_id, position, UNMARKED_SECRET, float(q[2] - max(q[0], q[1]))))
    return rows


@dataclass(slots=True)
class ScoreReport:
    model: int = 0
    cables: int = 0
    paragraphs: int = 0
    seconds: float = 0.0
    # Why nothing was scored when only models of another features version are stored.
    note: str = ""


def score(
    connection: sqlite3.Connection,
    model: Model,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    limit: int | None = None,
) -> ScoreReport:
    """Score every pending cable and its paragraphs with `model`; one transaction a batch
    (resumable, idempotent)."""
    started = time.perf_counter()
    report = ScoreReport(model=model.version)
    ids = pending(connection, model.version)
    if limit is not None:
        ids = ids[:limit]
    for part in _featurized(connection, ids, workers, scheduler):
        with connection:
            write_scores(connection, model, part)
        report.cables += len(part.cable_ids)
        report.paragraphs += len(part.paragraph_of)
    report.seconds = time.perf_counter() - started
    return report


def write_scores(connection: sqlite3.Connection, model: Model, part: Features) -> None:
    """Score one featurized batch with `model` and write its rows, in the caller's
    transaction (`score`, or the enrichment job's own for each of its batches:
    archive/enrich.py)."""
    levels, noforn, pscores = model.score(part)
    per_cable: dict[int, list[tuple[int, int, Any]]] = {c: [] for c in part.cable_ids}
    for (cable_id, position), marked, q in zip(
        part.paragraph_of, part.paragraph_levels, pscores, strict=True
    ):
        per_cable[cable_id].append((position, marked, q))
    review = [
        row
        for cable_id, level, p in zip(part.cable_ids, part.levels, levels, strict=True)
        for row in review_rows(cable_id, level, p, per_cable[cable_id])
    ]
    marks = ",".join("?" * len(part.cable_ids))
    for table in ("sensitivity_paragraphs", "sensitivity_review"):
        connection.execute(f"DELETE FROM {table} WHERE cable_id IN ({marks})", part.cable_ids)
    connection.executemany(
        "INSERT OR REPLACE INTO sensitivity_cables (cable_id, model, text_hash, "
        "p_unclassified, p_confidential, p_secret, p_noforn, predicted, reads_rank, "
        "reads_noforn) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (
                cable_id,
                model.version,
                text_hash,
                *map(float, p),
                float(nf),
                int(p.argmax()),
                rank,
                nf_part,
            )
            for cable_id, text_hash, p, nf, (rank, nf_part) in zip(
                part.cable_ids, part.text_hashes, levels, noforn, part.reads, strict=True
            )
        ],
    )
    connection.executemany(
        "INSERT INTO sensitivity_paragraphs VALUES (?,?,?,?,?,?)",
        [
            (cable_id, position, *map(float, p), int(p.argmax()))
            for (cable_id, position), p in zip(part.paragraph_of, pscores, strict=True)
        ],
    )
    connection.executemany("INSERT INTO sensitivity_review VALUES (?,?,?,?)", review)
    connection.execute(
        "INSERT INTO sensitivity_state VALUES ('generation', 1) "
        "ON CONFLICT (name) DO UPDATE SET value = value + 1"
    )


# --- honest evaluation -------------------------------------------------------------------


@dataclass(slots=True)
class Metrics:
    """Figures on held-out cables (or paragraphs)."""

    n: int
    classified_share: float
    roc_auc: float | None  # classified against unclassified, by P(classified)
    tpr_at_11_fpr: float | None
    macro_f1: float
    brier: float  # multi-class Brier score (sum over the three levels), lower is better
    reliability: list[tuple[float, float, float, int]]  # bin low, mean P, observed, n
    noforn_auc: float | None = None


@dataclass(slots=True)
class Evaluation:
    split: str
    train_cables: int
    test_cables: int
    cables: Metrics
    paragraphs: Metrics | None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def metrics(y: Any, p: Any, noforn: Any = None, p_noforn: Any = None) -> Metrics:
    import numpy as np
    from sklearn.metrics import f1_score, roc_auc_score, roc_curve

    y = np.asarray(y)
    classified = (y > 0).astype(int)
    p_classified = 1.0 - p[:, 0]
    auc = tpr = None
    if 0 < classified.sum() < len(classified):
        auc = float(roc_auc_score(classified, p_classified))
        fpr, tprs, _ = roc_curve(classified, p_classified)
        tpr = float(np.interp(0.11, fpr, tprs))
    onehot = np.eye(3)[y]
    brier = float(np.mean(np.sum((p - onehot) ** 2, axis=1)))
    f1 = float(f1_score(y, p.argmax(axis=1), labels=[0, 1, 2], average="macro", zero_division=0))
    table = []
    for low in np.arange(0.0, 1.0, 0.1):
        inside = (p_classified >= low) & (
            (p_classified < low + 0.1) if low < 0.85 else (p_classified <= 1.0)
        )
        if inside.any():
            table.append(
                (
                    round(float(low), 1),
                    float(p_classified[inside].mean()),
                    float(classified[inside].mean()),
                    int(inside.sum()),
                )
            )
    nf_auc = None
    if noforn is not None and 0 < int(np.sum(noforn)) < len(noforn):
        nf_auc = float(roc_auc_score(noforn, p_noforn))
    return Metrics(len(y), float(classified.mean()), auc, tpr, f1, brier, table, nf_auc)


def _splits(data: Dataset, split: str) -> list[tuple[Any, Any]]:
    import numpy as np

    labelled = np.flatnonzero(data.levels >= 0)
    if split == "time":
        order = labelled[np.argsort([data.dates[i] for i in labelled], kind="stable")]
        cut = int(len(order) * 0.8)
        return [(order[:cut], order[cut:])]
    if split == "posts":
        from sklearn.model_selection import GroupKFold

        groups = np.array([data.origins[i] for i in labelled])
        folds = min(5, len(set(groups.tolist())))
        if folds < 2:
            raise SensitivityError("leaving posts out needs cables from two posts at least")
        return [
            (labelled[a], labelled[b])
            for a, b in GroupKFold(n_splits=folds).split(labelled, groups=groups)
        ]
    raise SensitivityError(f"unknown split {split!r}: time or posts")


def evaluate(data: Dataset, split: str) -> Evaluation:
    """Train on one part and score the other: `time` (the earliest 80% of labelled cables
    against the latest 20%) or `posts` (five folds, no post in both parts)."""
    import numpy as np

    ys, ps, nfs, pnfs, pys, pps = [], [], [], [], [], []
    train_n = test_n = 0
    for train_rows, test_rows in _splits(data, split):
        model = fit(data, train_rows, {})
        stack = _stack_of(
            data, test_rows, model.idf, (model.paragraph_coef, model.paragraph_intercept)
        )
        structure = None if data.structure is None else data.structure[test_rows]
        levels, noforn = model.cable_scores(data.cables[test_rows], structure, stack)
        ys.append(data.levels[test_rows])
        ps.append(levels)
        nfs.append(data.noforn[test_rows])
        pnfs.append(noforn)
        chosen = np.zeros(len(data.levels), dtype=bool)
        chosen[test_rows] = True
        prows = np.flatnonzero(chosen[data.paragraph_cable] & (data.paragraph_levels >= 0))
        if len(prows):
            pys.append(data.paragraph_levels[prows])
            pps.append(model.paragraph_scores(data.paragraphs[prows]))
        train_n += len(train_rows)
        test_n += len(test_rows)
    cables = metrics(np.concatenate(ys), np.vstack(ps), np.concatenate(nfs), np.concatenate(pnfs))
    paragraphs = metrics(np.concatenate(pys), np.vstack(pps)) if pys else None
    return Evaluation(split, train_n, test_n, cables, paragraphs)


def rounded(value: float | None, places: int = 3) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{places}f}"
