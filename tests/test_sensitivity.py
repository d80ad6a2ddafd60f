"""Predicted sensitivity (issue 14): what the models may read, training and storing,
honest evaluation on data whose labels are learnable and on data whose are not, and the
scores of `cabledesk enrich` on every path (in process, worker processes, a LocalCluster)."""

from __future__ import annotations

import copy
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

import cabledesk
from cabledesk.archive import sensitivity as s
from cabledesk.archive.blob import pack_record
from cabledesk.record.codec import to_dict
from cabledesk.record.model import Cable, ClassifiedBy, Paragraph

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "cabledesk" / "data" / "sample"


def a_cable(classification: str | None, caveats: list[str], marking: str | None) -> Cable:
    return Cable(
        reference_id="08BAGHDAD1784",
        classification=classification,
        caveats=caveats,
        subject="IRAQ: MINISTER ON OIL LAW",
        classified_by=ClassifiedBy("Ryan Crocker", "Ambassador", ["1.4(b)", "1.4(d)"], "x"),
        paragraphs=[
            Paragraph(1, marking, None, "The minister discussed the oil law with us."),
            Paragraph(2, marking, None, "He asked for patience (S//NF) on the vote."),
        ],
    )


def test_the_labels_are_stripped_from_what_a_model_reads() -> None:
    text = (
        "C O N F I D E N T I A L SECTION 01 OF 02 BAGHDAD 001784\n"
        "NOFORN\nSIPDIS\nE.O. 12958: DECL: 05/20/2018\n"
        "Classified By: Ambassador Ryan Crocker for reasons 1.4 (b) and (d)\n"
        "1. (S//NF) The minister met XXXXXXXXXXXX. (C) He said SECRET things (U)."
    )
    stripped = s.strip_labels(text)
    for leaked in ("CONFIDENTIAL", "C O N F", "NOFORN", "SIPDIS", "DECL", "12958", "Classified",
                   "Crocker", "1.4", "(S//NF)", "(C)", "(U)", "XXXX", "SECRET"):  # fmt: skip
        assert leaked not in stripped, leaked
    # The words of the text stay.
    assert "minister met" in stripped and "He said" in stripped and "things" in stripped


def test_the_same_text_reads_the_same_whatever_its_labels() -> None:
    plain = a_cable("UNCLASSIFIED", [], "U")
    secret = a_cable("SECRET", ["NOFORN"], "S/NF")
    assert s.cable_text(plain) == s.cable_text(secret)
    assert s.paragraph_texts(plain) == s.paragraph_texts(secret)
    rows = [(1, "h", pack_record(to_dict(plain))), (2, "h", pack_record(to_dict(secret)))]
    features = s.featurize_batch(rows)
    assert (features.cables[0] != features.cables[1]).nnz == 0
    assert features.levels == [0, 2] and features.noforn == [0, 1]
    assert features.paragraph_levels == [0, 0, 2, 2]


def _dataset(learnable: bool, n: int = 400, seed: int = 1) -> s.Dataset:
    """Cables whose level follows their words (learnable) or is drawn at random."""
    rng = random.Random(seed)
    words = {0: ["visa", "trade", "culture", "fair"], 1: ["minister", "talks"],
             2: ["militia", "weapons", "informant"]}  # fmt: skip
    common = ["the", "embassy", "said", "meeting", "week", "officials", "noted"]
    rows = []
    for i in range(n):
        level = rng.choice([0, 0, 1, 2])
        drawn = level if learnable else rng.choice([0, 1, 2])
        body = " ".join(rng.choices(common, k=20) + rng.choices(words[drawn], k=3))
        marking = {0: "U", 1: "C", 2: "S"}[level]
        cable = a_cable(["UNCLASSIFIED", "CONFIDENTIAL", "SECRET"][level], [], marking)
        cable.created = f"{2000 + i * 10 // n}-01-{1 + i % 28:02d}"
        cable.origin = f"Post {i % 7}"
        cable.subject = "REPORT"
        cable.paragraphs = [Paragraph(1, marking, None, body)]
        rows.append((i + 1, "h", pack_record(to_dict(cable))))
    features = s.featurize_batch(rows)
    import numpy as np

    return s.Dataset(
        np.array(features.cable_ids),
        features.dates,
        features.origins,
        np.array(features.levels),
        np.array(features.noforn),
        features.cables,
        np.array([c - 1 for c, _ in features.paragraph_of]),
        np.array(features.paragraph_levels),
        features.paragraphs,
    )


@pytest.mark.parametrize("split", ["time", "posts"])
def test_evaluation_finds_learnable_labels_and_not_random_ones(split: str) -> None:
    good = s.evaluate(_dataset(True), split)
    assert good.cables.roc_auc is not None and good.cables.roc_auc > 0.95
    assert good.cables.tpr_at_11_fpr is not None and good.cables.tpr_at_11_fpr > 0.8
    assert good.cables.macro_f1 > 0.8
    assert good.paragraphs is not None and good.paragraphs.roc_auc is not None
    assert good.paragraphs.roc_auc > 0.95
    random_labels = s.evaluate(_dataset(False), split)
    assert random_labels.cables.roc_auc is not None and random_labels.cables.roc_auc < 0.7
    assert random_labels.cables.brier > good.cables.brier
    if split == "time":
        assert (good.train_cables, good.test_cables) == (320, 80)
    else:
        assert good.train_cables == 4 * good.test_cables  # five folds, each cable tested once


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sensitivity") / "archive"
    with cabledesk.Archive.open(folder) as archive:
        archive.ingest([SAMPLE])
        archive.train_sensitivity(workers=0)
    return folder


def copy_of(folder: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(folder, target)
    return target


def scores(folder: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(folder / "archive.db") as connection:
        return (
            connection.execute("SELECT * FROM sensitivity_cables ORDER BY cable_id").fetchall()
            + connection.execute(
                "SELECT * FROM sensitivity_paragraphs ORDER BY cable_id, position"
            ).fetchall()
        )


def test_a_model_is_stored_versioned_and_loads_without_pickle(ingested: Path) -> None:
    assert s.stored_versions(ingested) == [1]
    model = s.current(ingested)
    assert model is not None and model.version == 1
    assert model.meta["trained_cables"] > 30
    assert model.meta["features_version"] == s.FEATURES_VERSION
    assert model.level_coef.shape == (3, s.N_FEATURES)


def test_enrich_scores_every_cable_the_same_on_every_path(ingested: Path, tmp_path: Path) -> None:
    local = copy_of(ingested, tmp_path, "local")
    pool = copy_of(ingested, tmp_path, "pool")
    with cabledesk.Archive.open(local) as archive:
        report = archive.enrich(workers=0).sensitivity
        assert report is not None and report.cables > 40 and report.model == 1
        # Idempotent: nothing pending the second time.
        again = archive.enrich(workers=0).sensitivity
        assert again is not None and again.cables == 0
    with cabledesk.Archive.open(pool) as archive:
        archive.enrich(workers=2)
    assert scores(local) == scores(pool)
    assert len(scores(local)) > 40
    for row in scores(local):
        probabilities = row[3:6] if len(row) >= 8 else row[2:5]
        assert abs(sum(probabilities) - 1.0) < 1e-9  # type: ignore[arg-type]


def test_enrich_on_a_local_cluster_gives_the_same_scores(ingested: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    local = copy_of(ingested, tmp_path, "local")
    cluster_copy = copy_of(ingested, tmp_path, "cluster")
    with cabledesk.Archive.open(local) as archive:
        archive.score_sensitivity(workers=0)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        cabledesk.Archive.open(cluster_copy) as archive,
    ):
        report = archive.score_sensitivity(scheduler=client)
        assert report is not None and report.cables > 40
    assert scores(local) == scores(cluster_copy)


def test_a_changed_text_is_scored_again(ingested: Path, tmp_path: Path) -> None:
    folder = copy_of(ingested, tmp_path, "changed")
    with cabledesk.Archive.open(folder) as archive:
        archive.score_sensitivity(workers=0)
        connection = archive.connection
        with connection:
            connection.execute("UPDATE cables SET text_hash = 'other' WHERE id = 1")
        assert s.pending(connection, 1) == [1]
        report = archive.score_sensitivity(workers=0)
        assert report is not None and report.cables == 1


def test_the_cli_trains_and_evaluates(ingested: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cabledesk.cli.main import cli

    folder = copy_of(ingested, tmp_path, "cli")
    result = CliRunner().invoke(cli, ["model", "train", "--db", str(folder), "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "model v2" in result.output
    assert s.stored_versions(folder) == [1, 2]
    result = CliRunner().invoke(
        cli, ["model", "evaluate", "--db", str(folder), "--split", "time", "--workers", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "split time" in result.output and "AUC=" in result.output


def test_no_model_means_no_scores_and_a_clear_training_error(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    with cabledesk.Archive.open(folder) as archive:
        assert archive.score_sensitivity() is None
        with pytest.raises(s.SensitivityError):
            archive.train_sensitivity(workers=0)


def test_each_label_field_alone_changes_nothing_a_model_reads() -> None:
    # cable_text reads no label field: changing each one alone leaves it as it was.
    base = a_cable("CONFIDENTIAL", [], "C")
    for change in (
        lambda c: setattr(c, "classification", "SECRET"),
        lambda c: setattr(c, "caveats", ["NOFORN"]),
        lambda c: setattr(c, "classified_by", None),
        lambda c: setattr(c, "subject_marking", "S/NF"),
        lambda c: [setattr(p, "marking", "S") for p in c.paragraphs],
        lambda c: [setattr(p, "marking_raw", "(S)") for p in c.paragraphs],
    ):
        other = copy.deepcopy(base)
        change(other)
        assert s.cable_text(other) == s.cable_text(base)


def test_the_structure_tokens_read_no_label() -> None:
    # Every label field changed at once, and the header's warning: the same tokens.
    base = a_cable("CONFIDENTIAL", [], "C")
    base.tags = ["PREL", "IZ"]
    base.signers = ["RICE"]
    base.station = "BAGHDAD"
    base.created = "2008-05-20"
    other = copy.deepcopy(base)
    other.classification = "SECRET"
    other.caveats = ["NOFORN"]
    other.handling = ["EXDIS", "SIPDIS"]
    other.classified_by = None
    other.subject_marking = "S/NF"
    other.declassify_on = "2018-05-20"
    other.header.security_warning = "CCCCC"
    for p in other.paragraphs:
        p.marking, p.marking_raw = "S//NF", "(S//NF)"
    tokens = s.structure_tokens(base)
    assert tokens == s.structure_tokens(other)
    for wanted in ("tag=PREL", "tag=IZ", "post=BAGHDAD", "year=2008", "signer=RICE",
                   "secretary", "subj=minister", "paragraphs=2"):  # fmt: skip
        assert wanted in tokens, wanted
    words = set(" ".join(tokens).upper().replace("=", " ").split())  # SECRETARY is a word
    for leaked in ("CONFIDENTIAL", "SECRET", "NOFORN", "EXDIS", "SIPDIS", "CCCCC", "CROCKER"):
        assert leaked not in words, leaked
    rows = [(1, "h", pack_record(to_dict(base))), (2, "h", pack_record(to_dict(other)))]
    features = s.featurize_batch(rows)
    assert (features.structure[0] != features.structure[1]).nnz == 0
    assert set(features.structure.data.tolist()) == {1.0}


def test_the_stacked_figures_are_the_paragraphs_max_mean_and_share() -> None:
    import numpy as np

    p = np.array([0.2, 0.9, 0.6, 0.3])
    owner = [0, 0, 0, 2]  # cable 1 has no paragraph
    got = s.stacked(p, owner, 3)
    logit = lambda q: np.log(q / (1 - q))  # noqa: E731
    assert np.allclose(got[0], [logit(0.9), logit(17 / 30), logit(2 / 3 * 0.98 + 0.01)])
    assert np.allclose(got[1], [0, 0, 0])  # P = 0.5: nothing known
    assert np.allclose(got[2], [logit(0.3), logit(0.3), logit(0.01)])


def test_the_cable_model_reads_the_paragraph_model_cross_fitted() -> None:
    # A training cable's stacked figures come from a paragraph model that did not see
    # its paragraphs: a cable whose paragraph says a word no other cable says gets
    # nothing from it (figures as for an unseen word), while the model fitted on all
    # of them reads it.
    import numpy as np

    data = _dataset(True, n=200)
    rows = np.arange(len(data.levels))
    idf = s.idf_of(data.cables)
    crossed = s.crossfit_stack(data, rows, idf)
    whole = s._stack_of(data, rows, idf, s._paragraph_model(data, rows, idf, 0))
    assert crossed.shape == whole.shape == (200, s.STACKED)
    # In-sample figures separate the levels better than cross-fitted ones (no overfit
    # is passed on) yet cross-fitted ones still follow the learnable words.
    classified = data.levels > 0
    assert crossed[classified, 1].mean() > crossed[~classified, 1].mean()
    assert not np.allclose(crossed, whole)


def test_a_model_of_an_older_features_version_asks_to_train_again(
    ingested: Path, tmp_path: Path
) -> None:
    import json

    folder = copy_of(ingested, tmp_path, "old")
    meta_path = s.models_folder(folder) / "v1" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["features_version"] = s.FEATURES_VERSION - 1
    meta_path.write_text(json.dumps(meta))
    assert s.current(folder) is None
    note = s.stale(folder)
    assert note is not None and "model train" in note and "v1" in note
    with cabledesk.Archive.open(folder) as archive:
        report = archive.score_sensitivity(workers=0)
        assert report is not None and report.cables == 0 and report.note == note
    assert s.stale(ingested) is None


# Texts where the shortcuts of `strip_labels` and `_vectorizer` could differ from the plain
# way: non-ASCII letters that (?i) patterns match (dotless i, long s, Kelvin sign), labels
# at the edges, words joined by markings, single words, nothing.
_TRICKY = [
    "",
    "a",
    "x y",
    "CLASSıFIED BY: someone\nDECLASSıFY: 2010",
    "claſſified by me\nreaſon 1.4 (b)",
    "E.O. 12958: DECL: 1/1/10\nrest",
    "Classified by Amb. X, Reasons 1.4 (b) and (d)\n(C) SECRET XXXXXXXX text",
    "(S//NF) E. O. 13526 : x (TS/SI/NF) words(C)joined",
    "ÉCOLE élève ß straße İstanbul \u212aELVIN 日本 語の テキスト a_b c__d 12 3",
    "UNCLAS SIPDIS S E C R E T C O N F I D E N T I A L noforn xxxxx XXXX",
]


def _strip_every_pattern(text: str) -> str:
    for pattern in s._STRIP:
        text = pattern.sub(" ", text)
    return text


@pytest.mark.parametrize("text", _TRICKY)
def test_stripping_skips_only_patterns_that_cannot_match(text: str) -> None:
    assert s.strip_labels(text) == _strip_every_pattern(text)
    assert s.strip_labels(text.upper()) == _strip_every_pattern(text.upper())
    assert s.strip_labels(text.lower()) == _strip_every_pattern(text.lower())


def test_the_words_are_hashed_as_sklearns_default_analyzer_does() -> None:
    import numpy as np
    from sklearn.feature_extraction.text import HashingVectorizer

    plain = HashingVectorizer(
        n_features=s.N_FEATURES,
        ngram_range=s.NGRAMS,
        alternate_sign=False,
        norm=None,
        lowercase=True,
        dtype=np.float32,
    )
    texts = [*_TRICKY, "the same words the same words", "One. Two, three-four five's"]
    ours, theirs = s._vectorizer().transform(texts), plain.transform(texts)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)
    assert ours.nnz > 20
