"""Which features pay for the sensitivity models (issue 14; docs/sensitivity.md, "Features
compared"): nested evaluation on an archive's own labels.

    PYTHONPATH=src taskset -c 1 .venv/bin/python bench/sensitivity_features.py \
        --db /tmp/sens-corpus --only time --out /tmp/sens2_g
    PYTHONPATH=src .venv/bin/python bench/sensitivity_features.py --db x --out x \
        --merge /tmp/sens2_g-time.npz

(`--only` takes time, posts0 ... posts4; each outer split writes OUT-SPLIT.npz, and
`--merge` reports the nested figure and each configuration's over the files given.)

For each outer split (the time split: earliest 80% train, latest 20% test; and leaving
posts out: five GroupKFold folds by origin), every configuration of the grid is scored by
a stratified 3-fold cross-validation **of the outer training part only** (pooled
out-of-fold ROC AUC of classified against unclassified); the best one is refitted on the
whole training part and scored on the test part. So the reported figure is that of the
whole procedure (selection included), and no test cable ever informs a choice. Each
configuration's outer figure is printed too, for information only (choosing by it would
be tuning on the test part).

Blocks a configuration joins (each TF-IDF or binary block scaled to unit length, then
side by side):

- `words`: the model's words (`sensitivity.featurize_batch`: unigrams and bigrams of the
  subject and paragraphs, labels stripped);
- `struct`: non-label fields as hashed tokens (`sensitivity.structure_tokens`);
- `chars`: character 3- to 5-grams within words of the stripped text;
- `stack`: the paragraph model's P(classified) over the cable's paragraphs (max, mean,
  share above 0.5, as logits), cross-fitted: a training cable's figures come from a
  paragraph model that did not see its own paragraphs.

Options: C, and class weights `balanced` with the intercepts moved back by the log of the
training part's class shares (so probabilities stay calibrated to the archive).
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from cabledesk.archive import entities
from cabledesk.archive import sensitivity as s
from cabledesk.archive.blob import unpack_record
from cabledesk.record.codec import from_dict

INNER = 3  # inner folds (CPU: 2 cores shared)


@dataclass
class Corpus:
    y: Any
    noforn: Any
    dates: list[str]
    origins: list[str]
    words: Any  # raw counts
    struct: Any  # binary
    chars: Any  # raw counts
    paragraphs: Any
    paragraph_cable: Any
    paragraph_levels: Any


def load(db: str) -> Corpus:
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.feature_extraction.text import HashingVectorizer

    connection = sqlite3.connect(db + "/archive.db")
    ids = s.labelled_ids(connection)
    rows = entities.records(connection, ids)
    features = s.featurize_batch(rows)
    cables = [from_dict(unpack_record(r[2])) for r in rows]
    hasher = FeatureHasher(n_features=s.N_STRUCTURE, input_type="string", alternate_sign=False)
    struct = hasher.transform([s.structure_tokens(c) for c in cables]).tocsr()
    struct.data[:] = 1.0
    chars = HashingVectorizer(
        n_features=2**18, analyzer="char_wb", ngram_range=(3, 5), alternate_sign=False, norm=None
    ).transform([s.cable_text(c) for c in cables])
    row_of = {c: i for i, c in enumerate(features.cable_ids)}
    return Corpus(
        np.array(features.levels),
        np.array(features.noforn),
        features.dates,
        features.origins,
        features.cables,
        struct,
        chars.tocsr(),
        features.paragraphs,
        np.array([row_of[c] for c, _ in features.paragraph_of]),
        np.array(features.paragraph_levels),
    )


def unit(x: Any) -> Any:
    from sklearn.preprocessing import normalize

    return normalize(x.astype(np.float64), norm="l2")


def logit(p: Any) -> Any:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def paragraph_figures(data: Corpus, train: Any, target: Any) -> Any:
    """Per cable of `target`: logit of max, mean and share>0.5 of P(classified) of its
    paragraphs, from a paragraph model trained on the marked paragraphs of `train`."""
    idf = s.idf_of(data.words[train])
    intrain = np.zeros(len(data.y), dtype=bool)
    intrain[train] = True
    prows = np.flatnonzero(intrain[data.paragraph_cable] & (data.paragraph_levels >= 0))
    out = np.zeros((len(target), 3))
    if len(set(data.paragraph_levels[prows].tolist())) < 2:
        return out
    coef, intercept = s._fit_levels(
        s.tfidf(data.paragraphs[prows], idf), data.paragraph_levels[prows]
    )
    intarget = np.full(len(data.y), -1)
    intarget[target] = np.arange(len(target))
    trows = np.flatnonzero(intarget[data.paragraph_cable] >= 0)
    if not len(trows):
        return out
    p = s.softmax(s.tfidf(data.paragraphs[trows], idf) @ coef.T + intercept)
    pc = 1.0 - p[:, 0]
    owner = intarget[data.paragraph_cable[trows]]
    n = np.bincount(owner, minlength=len(target))
    mean = np.bincount(owner, weights=pc, minlength=len(target)) / np.maximum(n, 1)
    high = np.bincount(owner, weights=(pc > 0.5).astype(float), minlength=len(target)) / np.maximum(
        n, 1
    )
    mx = np.zeros(len(target))
    np.maximum.at(mx, owner, pc)
    none = n == 0
    mean[none], high[none], mx[none] = 0.5, 0.5, 0.5
    return np.column_stack([logit(mx), logit(mean), logit(high * 0.98 + 0.01)])


def crossfit_stack(data: Corpus, train: Any, seed: int = 0) -> Any:
    from sklearn.model_selection import KFold

    out = np.zeros((len(train), 3))
    for a, b in KFold(5, shuffle=True, random_state=seed).split(train):
        out[b] = paragraph_figures(data, train[a], train[b])
    return out


def design(data: Corpus, blocks: tuple[str, ...], train: Any, rows: Any, stack: Any) -> Any:
    parts = []
    if "words" in blocks:
        idf = s.idf_of(data.words[train])
        parts.append(s.tfidf(data.words[rows], idf))
    if "struct" in blocks:
        parts.append(unit(data.struct[rows]))
    if "chars" in blocks:
        idf = s.idf_of(data.chars[train])
        parts.append(s.tfidf(data.chars[rows], idf))
    if "stack" in blocks:
        parts.append(sp.csr_matrix(stack / 4.0))
    return sp.hstack(parts).tocsr()


def fit_predict(x: Any, y: Any, xt: Any, c: float, weighted: bool) -> Any:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(
        C=c, max_iter=100, tol=1e-3, class_weight="balanced" if weighted else None
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(x, y)
    z = xt @ classifier.coef_.T + classifier.intercept_
    if weighted:  # back to the training part's shares
        shares = np.bincount(y, minlength=3)[classifier.classes_] / len(y)
        z = z + np.log(shares)
    full = np.full((xt.shape[0], 3), -1e3)
    full[:, classifier.classes_] = z
    return s.softmax(full)


def auc(y: Any, p: Any) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score((y > 0).astype(int), 1.0 - p[:, 0]))


def run_config(
    data: Corpus, config: dict[str, Any], train: Any, test: Any, stack_train: Any, stack_test: Any
) -> Any:
    x = design(data, config["blocks"], train, train, stack_train)
    xt = design(data, config["blocks"], train, test, stack_test)
    return fit_predict(x, data.y[train], xt, config["C"], config["weighted"])


def inner_score(data: Corpus, config: dict[str, Any], train: Any, stack_train: Any) -> float:
    from sklearn.model_selection import StratifiedKFold

    p = np.zeros((len(train), 3))
    folds = StratifiedKFold(INNER, shuffle=True, random_state=0)
    for a, b in folds.split(train, (data.y[train] > 0).astype(int)):
        p[b] = run_config(data, config, train[a], train[b], stack_train[a], stack_train[b])
    return auc(data.y[train], p)


def grid() -> list[dict[str, Any]]:
    block_sets = [
        ("words",),
        ("words", "struct"),
        ("words", "stack"),
        ("words", "struct", "stack"),
    ]
    return [
        {"blocks": b, "C": c, "weighted": w}
        for b, c, w in itertools.product(block_sets, (3.0, 30.0), (False, True))
    ]


def splits(data: Corpus) -> list[tuple[str, Any, Any]]:
    from sklearn.model_selection import GroupKFold

    n = len(data.y)
    order = np.argsort(data.dates, kind="stable")
    cut = int(n * 0.8)
    out = [("time", np.sort(order[:cut]), np.sort(order[cut:]))]
    groups = np.array(data.origins)
    for k, (a, b) in enumerate(GroupKFold(5).split(np.arange(n), groups=groups)):
        out.append((f"posts{k}", a, b))
    return out


def name(config: dict[str, Any]) -> str:
    return (
        "+".join(config["blocks"]) + f" C={config['C']:g}" + (" bal" if config["weighted"] else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--only", help="outer splits to run, e.g. time,posts0 (default: all)")
    parser.add_argument("--out", required=True, help="a .npz per outer split is written here")
    parser.add_argument("--merge", nargs="*", help="only merge these .npz files and report")
    args = parser.parse_args()
    if args.merge is not None:
        merge(args.merge)
        return
    started = time.process_time()
    data = load(args.db)
    configs = grid()
    print(f"{len(data.y)} labelled cables, {len(configs)} configurations", flush=True)
    for label, train, test in splits(data):
        if args.only and label not in args.only.split(","):
            continue
        stack_train = crossfit_stack(data, train)
        stack_test = paragraph_figures(data, train, test)
        inner = [inner_score(data, c, train, stack_train) for c in configs]
        best = int(np.argmax(inner))
        ps = np.stack([run_config(data, c, train, test, stack_train, stack_test) for c in configs])
        print(
            f"{label}: chose {name(configs[best])} (inner AUC {inner[best]:.3f}); "
            f"baseline inner {inner[[name(c) for c in configs].index('words C=3')]:.3f}; "
            f"CPU so far {time.process_time() - started:.0f} s",
            flush=True,
        )
        np.savez(
            f"{args.out}-{label}.npz",
            y=data.y[test],
            p=ps,
            inner=np.array(inner),
            best=best,
            names=np.array([name(c) for c in configs]),
        )


def merge(files: list[str]) -> None:
    report: dict[str, Any] = {}
    for kind in ("time", "posts"):
        parts = [np.load(f) for f in sorted(files) if ("-time" in f) == (kind == "time")]
        if not parts:
            continue
        names = [str(n) for n in parts[0]["names"]]
        y = np.concatenate([q["y"] for q in parts])
        chosen = np.vstack([q["p"][int(q["best"])] for q in parts])
        m = s.metrics(y, chosen)
        print(
            f"{kind} NESTED (chosen per outer split by inner CV: "
            f"{[names[int(q['best'])] for q in parts]}): AUC {m.roc_auc:.3f} "
            f"TPR@11 {m.tpr_at_11_fpr:.3f} F1 {m.macro_f1:.3f} Brier {m.brier:.3f} n={m.n}"
        )
        report[kind] = asdict(m)
        for k, cname in enumerate(names):
            m = s.metrics(y, np.vstack([q["p"][k] for q in parts]))
            inner = np.mean([q["inner"][k] for q in parts])
            print(
                f"  {cname:36s} inner {inner:.3f}  test AUC {m.roc_auc:.3f} "
                f"TPR {m.tpr_at_11_fpr:.3f} F1 {m.macro_f1:.3f} Brier {m.brier:.3f}"
            )


if __name__ == "__main__":
    main()
