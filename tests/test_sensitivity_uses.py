"""Predicted sensitivity in use (issue 14): the `predicted:` filter and facet checked by
brute force against the stored scores, the predicted level where a classification is
missing, who is granted which scores (fail closed), the editors' review queue (library,
CLI, API) and the leak tests: nothing a reader gets from the scores depends on a paragraph
withheld from them or a word redacted for them."""

from __future__ import annotations

import copy
import itertools
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import cabledesk
from cabledesk.access import Accounts
from cabledesk.access.errors import AccessError
from cabledesk.access.principal import Principal
from cabledesk.archive import sensitivity as s
from cabledesk.archive.blob import pack_record
from cabledesk.facade import Archive
from cabledesk.query import QueryError
from cabledesk.record.level import Level
from cabledesk.record.model import Cable, Paragraph
from cabledesk.redact import FULL, Rule, Viewer
from cabledesk.web import create_app
from cabledesk.workspace import batch
from conftest import SAMPLE

UNMARKED = ("09TESTPOST7", "09TESTPOST8")
LEVEL_OF = {"unclassified": 0, "confidential": 1, "secret": 2}


def unmarked_records() -> list[dict[str, object]]:
    """Two sample cables again under new ids, with their classification (and caveats)
    missing: one SECRET//NOFORN cable, one UNCLASSIFIED one."""
    out = []
    for path, new_id in zip(
        (
            SAMPLE / "text" / "08BAGHDAD1784.txt",
            SAMPLE / "cable" / "2009" / "02" / "09BANGKOK385.html",
        ),
        UNMARKED,
        strict=True,
    ):
        record = cabledesk.to_dict(cabledesk.parse_file(path))
        record["reference_id"] = record["reference_id_raw"] = new_id
        record["classification"] = None
        record["caveats"] = []
        out.append(record)
    return out


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sensitivity-uses")
    extra = folder / "unmarked.jsonl"
    extra.write_text("\n".join(json.dumps(r) for r in unmarked_records()) + "\n", "utf-8")
    with Archive.open(folder / "archive") as archive:
        archive.ingest([SAMPLE, extra], workers=1)
        archive.train_sensitivity(workers=0)
        report = archive.score_sensitivity(workers=0)
        assert report is not None and report.cables == 50
    return folder / "archive"


def copy_of(folder: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(folder, target)
    return target


def stored(folder: Path) -> dict[str, tuple[int, float]]:
    """{id: (predicted level, P(NOFORN))} straight from the table."""
    with sqlite3.connect(folder / "archive.db") as connection:
        rows = connection.execute(
            "SELECT c.reference_id, s.predicted, s.p_noforn FROM sensitivity_cables s "
            "JOIN cables c ON c.id = s.cable_id"
        ).fetchall()
    return {str(i): (int(p), float(nf)) for i, p, nf in rows}


def reads_the_same(archive: Archive, reference_id: str, viewer: Viewer) -> bool:
    """The oracle of "granted", written apart from the product's rule: what the model
    reads of the cable as this reader receives it is what it read of the stored cable."""
    seen = archive.get(reference_id, viewer=viewer)
    full = archive.get(reference_id, viewer=FULL)
    assert full is not None
    return (
        seen is not None
        and s.cable_text(seen) == s.cable_text(full)
        and [p.text for p in seen.paragraphs] == [p.text for p in full.paragraphs]
    )


def ids(archive: Archive, query: str, viewer: Viewer) -> set[str]:
    return set(archive.matching_ids(query, viewer=viewer, blank_matches_all=True))


def readers(archive: Archive) -> list[tuple[str, Viewer]]:
    def reader(ceiling: Level, foreign: bool = False) -> Viewer:
        return Viewer(ceiling=ceiling, foreign=foreign, redact=True, compiled=archive.redactor())

    return [
        ("everything", FULL),
        ("confidential", reader(Level.CONFIDENTIAL)),
        ("unclassified", reader(Level.UNCLASSIFIED)),
        ("secret foreign", reader(Level.SECRET, foreign=True)),
        ("top secret reader", reader(Level.TOP_SECRET)),
    ]


# --- the filter and the facet, by brute force -------------------------------------------


QUERIES = [
    ("predicted:secret", lambda p, nf: p == 2),
    ("predicted:confidential", lambda p, nf: p == 1),
    ("predicted:unclassified", lambda p, nf: p == 0),
    ("predicted:>=confidential", lambda p, nf: p >= 1),
    ("predicted:classified", lambda p, nf: p >= 1),
    ("predicted:<secret", lambda p, nf: p < 2),
    ("predicted:>secret", lambda p, nf: False),
    ("predicted:<=unclas", lambda p, nf: p == 0),
    ("predicted:noforn", lambda p, nf: nf >= 0.5),
]


def test_the_filter_matches_exactly_the_stored_predictions(scored: Path) -> None:
    table = stored(scored)
    assert {p for p, _ in table.values()} >= {0, 2}  # the check below is not vacuous
    with Archive.open(scored) as archive:
        everything = ids(archive, "", FULL)
        for query, wanted in QUERIES:
            expected = {i for i, (p, nf) in table.items() if wanted(p, nf)}
            assert ids(archive, query, FULL) == expected, query
            # Combined with the rest of the language, and negated.
            assert ids(archive, f"NOT {query}", FULL) == everything - expected, query
            for other in ("class:secret", "iraq", "year:2009..2010"):
                both = ids(archive, other, FULL) & expected
                assert ids(archive, f"{other} {query}", FULL) == both, (query, other)
                either = ids(archive, other, FULL) | expected
                assert ids(archive, f"{other} OR {query}", FULL) == either, (query, other)


def test_the_filter_finds_the_same_cables_in_every_view_of_a_search(scored: Path) -> None:
    """`predicted:` in the map, the timeline, a batch search and a saved search's news
    finds what the search finds (the facade gives every view the same lookups)."""
    with Archive.open(scored) as archive:
        for query, _ in QUERIES:
            expected = ids(archive, query, FULL)
            found = archive.origin_counts(query, viewer=FULL)
            assert sum(n for _, n in found) == len(expected), query
            assert sum(m.total for m in archive.timeline(query, viewer=FULL)) == len(expected)
            (row,) = archive.batch_search(batch.read_lines(query), viewer=FULL, variants=False)
            assert (row.error, row.count) == (None, len(expected)), query
            news, _ = archive._new_matches(query, FULL, 0)
            assert set(news) == expected, query


def test_the_facet_counts_the_matches_of_each_level(scored: Path) -> None:
    table = stored(scored)
    with Archive.open(scored) as archive:
        for query in ("", "iraq", "class:secret", "NOT tag:PREL"):
            result = archive.search(query, viewer=FULL, blank_matches_all=True, limit=1)
            matched = ids(archive, query, FULL)
            expected = {
                "SECRET": sum(1 for i in matched if table[i][0] == 2),
                "CONFIDENTIAL": sum(1 for i in matched if table[i][0] == 1),
                "UNCLASSIFIED": sum(1 for i in matched if table[i][0] == 0),
                "NOFORN": sum(1 for i in matched if table[i][1] >= 0.5),
            }
            assert dict(result.facets["predicted"]) == {k: v for k, v in expected.items() if v}
            # Each bucket refines to a query that finds exactly that many.
            for bucket, count in result.facets["predicted"]:
                refined = (
                    f"({query}) predicted:{bucket.lower()}"
                    if query
                    else f"predicted:{bucket.lower()}"
                )
                assert len(ids(archive, refined, FULL)) == count


def test_a_malformed_predicted_value_points_at_itself(scored: Path) -> None:
    with Archive.open(scored) as archive:
        for bad in ("predicted:top_secret", "predicted:maybe", "predicted:>=noforn"):
            with pytest.raises(QueryError) as caught:
                archive.search(f"iraq {bad}", viewer=FULL)
            assert caught.value.position == 5


def test_the_predicted_level_is_shown_where_the_classification_is_missing(scored: Path) -> None:
    table = stored(scored)
    with Archive.open(scored) as archive:
        result = archive.search("", viewer=FULL, blank_matches_all=True, limit=100)
        shown = {h.reference_id: h.predicted for h in result.hits if h.predicted}
        assert set(shown) == set(UNMARKED)
        for hit in result.hits:
            assert (hit.predicted is not None) == (hit.classification is None)
        for reference_id in UNMARKED:
            prediction = archive.predicted(reference_id, viewer=FULL)
            assert prediction is not None and prediction.predicted
            assert s.LEVELS.index(prediction.level) == table[reference_id][0]
            assert shown[reference_id] == prediction
            total = prediction.p_unclassified + prediction.p_confidential + prediction.p_secret
            assert abs(total - 1) < 1e-3
        # A cable with no classification counts as TOP SECRET to the clearance rule: a
        # reader below it reads nothing of it, and gets no prediction of it.
        # The cable record then scores only the paragraphs they are shown (scope
        # "visible"), never the stored score of the whole text; search hits, filters and
        # facets give them nothing of it.
        below = Viewer(ceiling=Level.SECRET, redact=True, compiled=archive.redactor())
        for reference_id in UNMARKED:
            own = archive.predicted(reference_id, viewer=below)
            assert own is None or own.scope == "visible"
            whole = archive.predicted(reference_id, viewer=FULL)
            assert whole is not None and whole.scope == "whole"
        hits = archive.search("", viewer=below, blank_matches_all=True, limit=100).hits
        assert not any(h.predicted for h in hits)


def shown_paragraphs_only(cable: Cable, ceiling: Level) -> Cable:
    """The oracle of a reader's visible text, written apart from the product: the stored
    cable with only the paragraphs whose marking (else the cable's level; none: TOP
    SECRET) is within `ceiling`, unmarked, and no subject when its own is above it."""

    def rank(marking: str | None) -> int:
        level = Level.of_portion(marking) if marking else None
        if level is None:
            level = Level.known(cable.classification)
        return int(Level.TOP_SECRET) if level is None else int(level)

    return Cable(
        reference_id=cable.reference_id, created=cable.created, origin=cable.origin,
        header=cable.header, tags=cable.tags, references=cable.references,
        signers=cable.signers, station=cable.station,
        subject=cable.subject if rank(cable.subject_marking) <= ceiling else None,
        paragraphs=[Paragraph(p.number, None, None, p.text) for p in cable.paragraphs
                    if rank(p.marking) <= ceiling],
    )  # fmt: skip


def test_a_reader_below_the_ceiling_gets_the_score_of_what_they_are_shown(
    scored: Path, mixed: tuple[str, list[int]]
) -> None:
    import numpy as np

    reference_id, _ = mixed
    with Archive.open(scored) as archive:
        reader = Viewer(ceiling=Level.CONFIDENTIAL, redact=True, compiled=archive.redactor())
        assert reference_id not in archive._granted_to(reader).ids
        own = archive.predicted(reference_id, viewer=reader)
        assert own is not None and own.scope == "visible" and own.predicted
        full = archive.get(reference_id, viewer=FULL)
        assert full is not None
        oracle = shown_paragraphs_only(full, Level.CONFIDENTIAL)
        assert 0 < len(oracle.paragraphs) < len(full.paragraphs)
        model = s.current(scored)
        assert model is not None
        p, nf, _ = model.score(s.featurize_cables([oracle], [0], [""]))
        got = [own.p_unclassified, own.p_confidential, own.p_secret]
        assert np.allclose(got, p[0], atol=1e-4) and abs(own.p_noforn - nf[0]) < 1e-4
        whole = archive.predicted(reference_id, viewer=FULL)
        assert whole is not None and whole.scope == "whole"
        assert [whole.p_unclassified, whole.p_confidential, whole.p_secret] != got


# --- who is granted which scores ---------------------------------------------------------


def test_each_reader_gets_the_scores_of_exactly_the_cables_they_read_whole(
    scored: Path,
) -> None:
    table = stored(scored)
    with Archive.open(scored) as archive:
        for name, viewer in readers(archive):
            findable = ids(archive, "", viewer)
            oracle = {i for i in findable if reads_the_same(archive, i, viewer)}
            granted = set(archive._granted_to(viewer).ids) & findable
            # No rule is in force: the product's rule and the oracle agree exactly.
            assert granted == oracle, name
            for query, wanted in QUERIES:
                expected = {i for i in oracle if wanted(*table[i])}
                assert ids(archive, query, viewer) == expected, (name, query)
        # Not vacuous: readers below the top see fewer scores, but some.
        confidential = readers(archive)[1][1]
        assert 0 < len(archive._granted_to(confidential).ids) < len(table)


def test_the_public_gets_scores_of_published_versions_only(scored: Path, tmp_path: Path) -> None:
    folder = copy_of(scored, tmp_path, "public")
    with Archive.open(folder) as archive:
        published = ["08BAGHDAD1784", "09BANGKOK385", UNMARKED[1]]
        archive.approve(published)
        archive.record_edition(None, "test")
        public = archive.public_viewer()
        assert ids(archive, "", public) == set(published)
        assert set(archive._granted_to(public).ids) == {
            i for i in published if reads_the_same(archive, i, public)
        }
        # A newer text of a published cable (awaiting approval): its scores are of text
        # the public does not read, so the public gets none of them.
        with archive.connection as connection:
            connection.execute(
                "UPDATE cables SET text_hash = 'newer' WHERE reference_id = '09BANGKOK385'"
            )
        archive.score_sensitivity(workers=0)
        assert "09BANGKOK385" not in archive._granted_to(public).ids
        assert "09BANGKOK385" in archive._granted_to(FULL).ids


def test_a_redaction_withdraws_the_scores_of_every_cable_it_touches(
    scored: Path, tmp_path: Path
) -> None:
    folder = copy_of(scored, tmp_path, "redacted")
    with Archive.open(folder) as archive:
        reader = Viewer(ceiling=Level.TOP_SECRET, redact=True, compiled=archive.redactor())
        before = set(archive._granted_to(reader).ids)
        assert "08BAGHDAD1784" in before
        archive.redact(Rule(kind="name", text="Maliki", reason="test"), account="ed")
        reader = Viewer(ceiling=Level.TOP_SECRET, redact=True, compiled=archive.redactor())
        after = set(archive._granted_to(reader).ids)
        touched = {i for i in before if not reads_the_same(archive, i, reader)}
        assert "08BAGHDAD1784" in touched
        assert not (after & touched)
        # Editors still get every score.
        assert "08BAGHDAD1784" in archive._granted_to(FULL).ids


# --- leaks ----------------------------------------------------------------------------


def _replace_texts(folder: Path, reference_id: str, change: object) -> None:
    """Change a stored cable's record in place (as a new text would) and score again."""
    with Archive.open(folder) as archive:
        connection = archive.connection
        row = connection.execute(
            "SELECT record FROM cables WHERE reference_id = ?", (reference_id,)
        ).fetchone()
        from cabledesk.archive.blob import unpack_record

        record = unpack_record(row[0])
        changed = copy.deepcopy(record)
        change(changed)  # type: ignore[operator]
        assert changed != record
        with connection:
            connection.execute(
                "UPDATE cables SET record = ?, text_hash = text_hash || 'x' WHERE reference_id = ?",
                (pack_record(changed), reference_id),
            )
        report = archive.score_sensitivity(workers=0)
        assert report is not None and report.cables == 1


def what_a_reader_gets(folder: Path, viewer_of: object) -> dict[str, object]:
    """Everything the scores give one reader: each query's matches, in order, each facet
    count, and the predicted levels shown."""
    with Archive.open(folder) as archive:
        viewer = viewer_of(archive)  # type: ignore[operator]
        out: dict[str, object] = {}
        for query, _ in QUERIES:
            for base in ("", "iraq"):
                q = f"{base} {query}".strip()
                out[q] = list(archive.matching_ids(q, viewer=viewer, sort="date"))
        for base in ("", "iraq", "class:confidential"):
            result = archive.search(base, viewer=viewer, blank_matches_all=True, limit=100)
            out[f"facet {base}"] = result.facets["predicted"]
            out[f"shown {base}"] = {h.reference_id: h.predicted for h in result.hits}
        # The cable record's prediction (scored on the fly from what the reader is shown
        # when they are not granted the stored one).
        out["records"] = {
            i: archive.predicted(i, viewer=viewer)
            for i in sorted(archive.matching_ids("", viewer=viewer, blank_matches_all=True))
        }
        return out


def plant_model(folder: Path, word: str, cables: int = 50) -> None:
    """Store, as the newest model, one that reads a single word: a cable or paragraph
    holding `word` is predicted SECRET and NOFORN, any other UNCLASSIFIED; and score every
    cable with it. What the leak tests change then moves the answers editors get for sure,
    so that an answer a reader gets staying the same means something."""
    import numpy as np

    column = int(s._vectorizer().transform([word.lower()]).indices[0])
    coef = np.zeros((3, s.N_FEATURES), dtype=np.float32)
    coef[2, column] = 1000.0
    intercept = np.array([1.0, 0.0, 0.0])
    noforn = np.zeros((1, s.N_FEATURES), dtype=np.float32)
    noforn[0, column] = 1000.0
    version = max(s.stored_versions(folder), default=0) + 1
    model = s.Model(
        np.ones(s.N_FEATURES), coef, intercept, noforn, np.array([-1.0]), coef, intercept,
        {"version": version, "features_version": s.FEATURES_VERSION},
    )  # fmt: skip
    model.save(s.models_folder(folder) / f"v{version}")
    with Archive.open(folder) as archive:
        report = archive.score_sensitivity(workers=0)
        assert report is not None and report.cables == cables


@pytest.fixture(scope="module")
def mixed(scored: Path) -> tuple[str, list[int]]:
    """A cable at or below CONFIDENTIAL with paragraphs above it (or NOFORN) beside others
    a CONFIDENTIAL reader may see: its id and the positions of those they may not."""
    with Archive.open(scored) as archive:
        reader = Viewer(ceiling=Level.CONFIDENTIAL, redact=True, compiled=archive.redactor())
        for reference_id in sorted(ids(archive, "", reader)):
            cable = archive.get(reference_id, viewer=FULL)
            assert cable is not None
            seen = archive.get(reference_id, viewer=reader)
            assert seen is not None
            above = [
                i
                for i, (p, q) in enumerate(zip(cable.paragraphs, seen.paragraphs, strict=True))
                if p.text != q.text
            ]
            if above and len(above) < len(cable.paragraphs):
                return reference_id, above
    pytest.skip("no cable with paragraphs above CONFIDENTIAL beside others")


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    words=st.lists(st.sampled_from(["militia", "weapons", "visa", "trade", "zebra"]),
                   min_size=1, max_size=12),
    which=st.integers(min_value=0, max_value=50),
)  # fmt: skip
def test_no_answer_depends_on_a_withheld_paragraph(
    scored: Path, mixed: tuple[str, list[int]], tmp_path_factory: pytest.TempPathFactory,
    words: list[str], which: int,
) -> None:  # fmt: skip
    """Two archives that differ only in a paragraph withheld from a CONFIDENTIAL reader
    (one says `zebra`, the word the planted model reads as SECRET) give that reader the
    same answers: matches and their order, facet counts, predicted levels shown."""
    reference_id, above = mixed
    position = above[which % len(above)]
    base = tmp_path_factory.mktemp("leak")
    first = copy_of(scored, base, "first")
    plant_model(first, "zebra")
    second = copy_of(first, base, "second")

    def change(record: dict[str, object]) -> None:
        paragraphs = record["paragraphs"]
        assert isinstance(paragraphs, list)
        paragraphs[position]["text"] = " ".join([*words, "zebra"])

    def confidential(archive: Archive) -> Viewer:
        return Viewer(ceiling=Level.CONFIDENTIAL, redact=True, compiled=archive.redactor())

    _replace_texts(second, reference_id, change)
    assert what_a_reader_gets(first, confidential) == what_a_reader_gets(second, confidential)
    # Not vacuous: editors' answers moved (the cable now reads SECRET).
    assert what_a_reader_gets(first, lambda a: FULL) != what_a_reader_gets(second, lambda a: FULL)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(other=st.sampled_from(["Karzai", "Talabani", "Sadr", "Hakim"]))
def test_no_answer_depends_on_a_redacted_word(
    scored: Path, tmp_path_factory: pytest.TempPathFactory, other: str
) -> None:
    """Two archives that differ only in a redacted name (Maliki in one, another name
    also redacted in the other; the planted model reads Maliki as SECRET) give a reader
    who gets the redactions the same answers."""
    base = tmp_path_factory.mktemp("redacted")
    first = copy_of(scored, base, "first")
    plant_model(first, "maliki")
    with Archive.open(first) as archive:
        for name in ("Maliki", other):
            archive.redact(Rule(kind="name", text=name, reason="test"), account="ed")
    second = copy_of(first, base, "second")

    def swap(record: dict[str, object]) -> None:
        paragraphs = record["paragraphs"]
        assert isinstance(paragraphs, list)
        for p in paragraphs:
            p["text"] = p["text"].replace("Maliki", other)
        record["subject"] = str(record["subject"]).replace("MALIKI", other.upper())

    _replace_texts(second, "08BAGHDAD1784", swap)

    def reader(archive: Archive) -> Viewer:
        return archive.viewer(
            Principal(name="r", role="reader", ceiling=Level.TOP_SECRET, foreign=False, via="token")
        )

    assert what_a_reader_gets(first, reader) == what_a_reader_gets(second, reader)
    assert what_a_reader_gets(first, lambda a: FULL) != what_a_reader_gets(second, lambda a: FULL)


# --- the review queue -----------------------------------------------------------------


def brute_review(folder: Path) -> list[tuple[str, int, str, float]]:
    """The queue recomputed from the stored probabilities and the records' labels."""
    rows = []
    with Archive.open(folder) as archive:
        connection = archive.connection
        cables = connection.execute(
            "SELECT c.id, c.reference_id, c.classification, s.p_unclassified, "
            "s.p_confidential, s.p_secret FROM cables c JOIN sensitivity_cables s "
            "ON s.cable_id = c.id"
        ).fetchall()
        for cable_id, reference_id, classification, *p in cables:
            if classification == "UNCLASSIFIED" and max(range(3), key=lambda k: p[k]) == 2:
                rows.append((reference_id, -1, s.UNCLASSIFIED_READS_SECRET, p[2] - p[0]))
            cable = archive.get(reference_id, viewer=FULL)
            assert cable is not None
            for position, q0, q1, q2 in connection.execute(
                "SELECT position, p_unclassified, p_confidential, p_secret "
                "FROM sensitivity_paragraphs WHERE cable_id = ?",
                (cable_id,),
            ):
                q = (q0, q1, q2)
                predicted = max(range(3), key=lambda k: q[k])
                marked = s.portion_label(cable.paragraphs[position].marking)
                if marked is None and predicted == 2:
                    rows.append((reference_id, position, s.UNMARKED_SECRET, q2 - max(q0, q1)))
                elif marked is not None and predicted > marked:
                    rows.append((reference_id, position, s.ABOVE_MARKING, q[predicted] - q[marked]))
    # The same float operations on the same stored numbers as the product: ties are
    # exact ties (rounding first would order two margins 1e-5 apart by id instead).
    return sorted(rows, key=lambda r: (-r[3], r[0], r[1]))


@pytest.fixture(scope="module")
def mislabelled(scored: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scored archive with labels moved so that every kind of item is in the queue:
    some SECRET cables relabelled UNCLASSIFIED, some paragraphs marked lower or unmarked
    (the scores stay those of the model trained on the true labels)."""
    folder = copy_of(scored, tmp_path_factory.mktemp("review"), "archive")
    with Archive.open(folder) as archive:
        connection = archive.connection
        secret = sorted(ids(archive, "class:secret", FULL))[:6]
        with connection:
            for n, reference_id in enumerate(secret):
                row = connection.execute(
                    "SELECT record FROM cables WHERE reference_id = ?", (reference_id,)
                ).fetchone()
                from cabledesk.archive.blob import unpack_record

                record = unpack_record(row[0])
                if n % 2 == 0:
                    record["classification"] = "UNCLASSIFIED"
                for p in record["paragraphs"]:
                    p["marking"] = "U" if n % 3 else None
                connection.execute(
                    "UPDATE cables SET record = ?, classification = ? WHERE reference_id = ?",
                    (pack_record(record), record["classification"], reference_id),
                )
            connection.execute("UPDATE sensitivity_cables SET reads_rank = NULL")
        archive.score_sensitivity(workers=0)
    return folder


def test_the_review_queue_is_every_item_ranked_by_margin(mislabelled: Path) -> None:
    expected = brute_review(mislabelled)
    kinds = {kind for _, _, kind, _ in expected}
    assert kinds == set(s.REVIEW_KINDS)  # every kind is there: the check is not vacuous
    with Archive.open(mislabelled) as archive:
        page = archive.review(viewer=FULL, limit=10_000)
        assert page.total == len(expected)
        got = [(i.reference_id, -1 if i.position is None else i.position, i.kind, i.margin)
               for i in page.items]  # fmt: skip
        assert [g[:3] for g in got] == [e[:3] for e in expected]
        for g, e in zip(got, expected, strict=True):
            assert abs(g[3] - e[3]) < 1e-3 and g[3] > 0
        margins = [i.margin for i in page.items]
        assert margins == sorted(margins, reverse=True)
        # Paged: the pages put together are the whole queue.
        paged = []
        for offset in range(0, page.total, 7):
            paged += archive.review(viewer=FULL, limit=7, offset=offset).items
        assert paged == page.items
        for kind in s.REVIEW_KINDS:
            only = archive.review(viewer=FULL, kind=kind, limit=10_000)
            assert [i for i in page.items if i.kind == kind] == only.items
        # Before an edition: the cables approved for it only.
        chosen = sorted({i.reference_id for i in page.items})[:2]
        archive.approve(chosen)
        approved = archive.review(viewer=FULL, approved=True, limit=10_000)
        assert approved.items == [i for i in page.items if i.reference_id in chosen]
        # Editors only; an editor below the top only gets cables they read whole.
        for viewer in (
            archive.public_viewer(),
            Viewer(ceiling=Level.TOP_SECRET, redact=True, compiled=archive.redactor()),
        ):
            with pytest.raises(AccessError):
                archive.review(viewer=viewer)
        low = Viewer(ceiling=Level.CONFIDENTIAL)
        for item in archive.review(viewer=low, limit=10_000).items:
            assert reads_the_same(archive, item.reference_id, low)


def test_the_cli_lists_the_queue(mislabelled: Path) -> None:
    from click.testing import CliRunner

    from cabledesk.cli.main import cli

    result = CliRunner().invoke(cli, ["model", "review", "--db", str(mislabelled), "--json",
                                      "--limit", "5"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    with Archive.open(mislabelled) as archive:
        page = archive.review(viewer=FULL, limit=5)
    assert data["total"] == page.total and [i["reference_id"] for i in data["items"]] == [
        i.reference_id for i in page.items
    ]
    result = CliRunner().invoke(cli, ["model", "review", "--db", str(mislabelled)])
    assert result.exit_code == 0 and "items to review" in result.output


# --- the desk and the API ----------------------------------------------------------------


@pytest.fixture(scope="module")
def desk(mislabelled: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tokens = {}
    with Archive.open(mislabelled) as archive:
        archive.redact(Rule(kind="name", text="Talabani", reason="test"), account="ed")
        accounts = Accounts(archive)
        for name, role, ceiling in (("ed", "editor", "TOP SECRET"),
                                    ("rita", "reader", "CONFIDENTIAL")):  # fmt: skip
            accounts.add(name, "a long enough password 1", role=role, ceiling=ceiling)
            tokens[name] = accounts.create_token(f"{name}-token", name)[1]
    with TestClient(create_app(mislabelled), raise_server_exceptions=True) as client:
        yield client, tokens


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_api_gives_the_queue_to_editors_only(desk: tuple[TestClient, dict[str, str]]) -> None:
    from test_web import validate

    client, tokens = desk
    answer = client.get("/api/sensitivity/review", params={"limit": 5}, headers=_auth(tokens["ed"]))
    assert answer.status_code == 200
    validate(answer.json(), "Review")
    assert answer.json()["total"] > 0 and len(answer.json()["items"]) == 5
    assert client.get("/api/sensitivity/review").status_code == 401
    assert client.get("/api/sensitivity/review", headers=_auth(tokens["rita"])).status_code == 403
    bad = client.get("/api/sensitivity/review", params={"kind": "x"}, headers=_auth(tokens["ed"]))
    assert bad.status_code == 400


def test_the_api_marks_a_predicted_level_and_grants_it_as_the_rule_says(
    desk: tuple[TestClient, dict[str, str]],
) -> None:
    from test_web import validate

    client, tokens = desk
    editor = client.get(f"/api/cables/{UNMARKED[1]}", headers=_auth(tokens["ed"])).json()
    validate(editor, "Cable")
    assert editor["predicted"]["predicted"] is True and editor["predicted"]["level"] in s.LEVELS
    known = client.get("/api/cables/08BAGHDAD1784", headers=_auth(tokens["ed"])).json()
    assert known["predicted"] is None  # its classification is known
    found = client.get("/api/search", params={"q": ""}, headers=_auth(tokens["ed"])).json()
    validate(found, "SearchResult")
    assert "predicted" in found["facets"]
    # The CONFIDENTIAL reader: no score of a cable with no classification (TOP SECRET to
    # the clearance rule), and facet counts only of cables they read whole.
    reader = client.get(
        "/api/search", params={"q": "", "limit": 100}, headers=_auth(tokens["rita"])
    )
    assert reader.status_code == 200
    assert not any(h["predicted"] for h in reader.json()["hits"])
    counted = sum(c["count"] for c in reader.json()["facets"].get("predicted", [])
                  if c["value"] != "NOFORN")  # fmt: skip
    assert counted < sum(c["count"] for c in found["facets"]["predicted"] if c["value"] != "NOFORN")


# --- the redaction candidate finder, ranked ------------------------------------------


def test_candidates_in_more_sensitive_looking_paragraphs_come_first(scored: Path) -> None:
    from cabledesk.redact.candidates import find_candidates

    with Archive.open(scored) as archive:
        for ceiling in (Level.TOP_SECRET, Level.CONFIDENTIAL):
            editor = Viewer(ceiling=ceiling)
            found = []
            for reference_id in sorted(ids(archive, "", editor)):
                cable = archive.get(reference_id, viewer=editor)
                assert cable is not None
                found += find_candidates(cable, ["Maliki", "Karzai"], editor)
            ranked = archive.rank_candidates(found, viewer=editor)
            assert sorted(map(repr, (c for c, _ in ranked))) == sorted(map(repr, found))
            with sqlite3.connect(scored / "archive.db") as connection:
                paragraph = {
                    (str(i), int(pos)): (float(pc) + 2 * float(ps)) / 2
                    for i, pos, pc, ps in connection.execute(
                        "SELECT c.reference_id, p.position, p.p_confidential, p.p_secret "
                        "FROM sensitivity_paragraphs p JOIN cables c ON c.id = p.cable_id"
                    )
                }
                whole = {
                    str(i): (float(pc) + 2 * float(ps)) / 2
                    for i, pc, ps in connection.execute(
                        "SELECT c.reference_id, s.p_confidential, s.p_secret "
                        "FROM sensitivity_cables s JOIN cables c ON c.id = s.cable_id"
                    )
                }
            for c, score in ranked:
                if c.index is not None:
                    assert score is not None
                    assert abs(score - paragraph[(c.reference_id, c.index)]) < 1e-9
                elif reads_the_same(archive, c.reference_id, editor):
                    assert score is not None and abs(score - whole[c.reference_id]) < 1e-9
                else:  # the cable's score reads text withheld from this editor
                    assert score is None
            keys = [(s is None, -(s or 0.0)) for _, s in ranked]
            assert keys == sorted(keys)
            assert len({s for _, s in ranked}) > 3  # not vacuous: the scores differ
            # Ties keep the finder's order.
            position = {repr(c): n for n, c in enumerate(found)}
            for (a, sa), (b, sb) in itertools.pairwise(ranked):
                if sa == sb:
                    assert position[repr(a)] < position[repr(b)]


def test_the_desk_shows_a_predicted_level_marked_as_such(scored: Path, tmp_path: Path) -> None:
    folder = copy_of(scored, tmp_path, "desk")
    with TestClient(create_app(folder)) as client:  # no accounts: the local desk
        page = client.get(f"/cable/{UNMARKED[1]}")
        assert page.status_code == 200
        assert 'class="predicted" data-predicted="' in page.text and "predicted: " in page.text
        known = client.get("/cable/08BAGHDAD1784")
        assert known.status_code == 200 and "data-predicted" not in known.text
        assert "Predicted level" in client.get("/search", params={"q": ""}).text
        unmarked = client.get("/search", params={"q": f"id:{UNMARKED[1]}"}).text
        assert 'class="badge predicted"' in unmarked
        marked = client.get("/search", params={"q": "id:08BAGHDAD1784"}).text
        assert "08BAGHDAD1784" in marked and 'class="badge predicted"' not in marked
