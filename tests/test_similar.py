"""Similar cables (docs/similar.md): the model against cosine computed apart, each reader's
own lists (a redacted name never a shared term, a held cable never listed to the public,
a hidden paragraph leaving no trace in any score), freshness, the CLI, the API per kind
of visitor and the cable page."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from cabledesk.access import Accounts
from cabledesk.access.principal import LOCAL, PUBLIC, Principal
from cabledesk.archive import similar_model
from cabledesk.archive.similar import similarity_text
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.record.level import Level
from cabledesk.redact import Rule
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from conftest import SAMPLE

CONFIDENTIAL_READER = Principal(name=None, role="reader", ceiling=Level.CONFIDENTIAL, foreign=False)

# Topics: cables of one topic share its rare words.
TOPICS = {
    "smuggling": "smugglers border crossing contraband weapons trucks customs checkpoint",
    "elections": "ballots candidates polling stations turnout commission parliament vote",
    "fisheries": "trawlers quotas fishermen tuna harbour catch licences vessels",
    "vaccines": "immunization clinics measles doses ministry health outbreak children",
}
FILLER = [
    "the",
    "delegation",
    "discussed",
    "several",
    "issues",
    "during",
    "the",
    "meeting",
    "with",
    "officials",
]


def cable_text(
    reference_id: str,
    subject: str,
    paragraphs: list[tuple[str, str]],
    classification: str = "UNCLASSIFIED",
) -> str:
    """A cable in the text layout the parser reads: (marking, text) per paragraph."""
    serial = reference_id[len("08BAGHDAD") :]
    body = "\n\n".join(
        f"{n}. ({marking}) {text}" for n, (marking, text) in enumerate(paragraphs, 1)
    )
    return (
        "From: Test\n"
        f"6/14/2008 6:50 {reference_id} Embassy Baghdad {classification}\n\n"
        "O 140650Z JUN 08 FM AMEMBASSY BAGHDAD TO SECSTATE WASHDC IMMEDIATE 7781\n"
        f"TAGS: PREL SUBJECT: {subject}\n\n"
        f"{classification} BAGHDAD {int(serial):06d}\n\n"
        f"E.O. 12958: N/A\nTAGS: PREL\nSUBJECT: {subject}\n\n{body}\n"
    )


def topic_sentence(rng: random.Random, topic: str, extra: str = "") -> str:
    words = rng.sample(TOPICS[topic].split(), 5) + rng.sample(FILLER, 4)
    rng.shuffle(words)
    return " ".join(words) + (" " + extra if extra else "") + "."


def write_world(folder: Path, secret_extra: str = "", withheld_extra: str = "") -> list[Path]:
    """Twenty CONFIDENTIAL cables, five per topic; the first cable's third paragraph is
    SECRET and its fourth is one an editor may withhold; `secret_extra` and
    `withheld_extra` add words to those two paragraphs only. A name, Zarkawi, appears in
    three smuggling cables."""
    rng = random.Random(5)
    paths = []
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(20):
        topic = list(TOPICS)[n % 4]
        reference_id = f"08BAGHDAD{100 + n}"
        paragraphs = [("C", topic_sentence(rng, topic)), ("U", topic_sentence(rng, topic))]
        if n in (0, 4, 8):
            paragraphs.append(
                ("C", "Zarkawi and Zarkawi's men: Zarkawi met the smugglers near the border again.")
            )
        if n == 1:
            paragraphs.append(("S", topic_sentence(rng, topic, secret_extra)))
            paragraphs.append(("C", topic_sentence(rng, topic, withheld_extra)))
        path = folder / f"{reference_id}.txt"
        path.write_text(
            cable_text(
                reference_id,
                f"{topic.upper()} REPORT {n}",
                paragraphs,
                "SECRET" if n == 1 else "CONFIDENTIAL",
            ),
            encoding="utf-8",
        )  # fmt: skip
        paths.append(path)
    return paths


def make_archive(path: Path, **extra: str) -> Archive:
    archive = Archive.open(path / "archive")
    report = archive.ingest(write_world(path / "cables", **extra), workers=1)
    assert report.failed == 0, report.examples
    return archive


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Archive]:
    archive = make_archive(tmp_path)
    yield archive
    archive.close()


def lists(archive: Archive, principal: Principal) -> dict[str, object]:
    viewer = archive.viewer(principal)
    ids = [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]
    return {i: archive.similar(i, viewer=viewer, limit=20) for i in sorted(ids)}


# --- the model against cosine computed apart ----------------------------------------------


def brute_cosines(texts: dict[str, str]) -> dict[tuple[str, str], float]:
    """TF-IDF cosine written from the definition in docs/similar.md, without pruning:
    weight (1 + ln tf) * ln(N / df) for the terms in 2..N/2 cables."""
    counts = {i: Counter(similar_model.terms(t)) for i, t in texts.items()}
    df: Counter[str] = Counter()
    for c in counts.values():
        df.update(c.keys())
    total = len(texts)
    vectors = {}
    for i, c in counts.items():
        v = {
            t: (1 + math.log(tf)) * math.log(total / df[t])
            for t, tf in c.items()
            if 2 <= df[t] <= total / 2
        }
        norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
        vectors[i] = {t: w / norm for t, w in v.items()}
    return {
        (a, b): sum(w * vectors[b].get(t, 0.0) for t, w in vectors[a].items())
        for a in texts
        for b in texts
        if a != b
    }


@pytest.mark.parametrize("seed", range(6))
def test_unpruned_scores_are_tfidf_cosines(seed: int) -> None:
    rng = random.Random(seed)
    vocabulary = [f"word{k}" for k in range(40)] + ["the", "xxxxxx", "ab", "1234"]
    texts = {
        f"C{n:02d}": " ".join(rng.choices(vocabulary, k=rng.randint(0, 30))) for n in range(25)
    }
    model = similar_model.build(
        ((i, similar_model.count_terms(t)) for i, t in texts.items()), terms_per_cable=0
    )
    expected = brute_cosines(texts)
    for a in texts:
        n = model.number(a)
        assert n is not None
        found = model.nearest(*model.vector(n), limit=len(texts), exclude=n)
        got = {model.ids[m]: score for m, score in found}
        for b in texts:
            if b != a:
                assert got.get(b, 0.0) == pytest.approx(expected[(a, b)], abs=1e-5)
        # Best first, ties by cable number.
        assert [(-s, m) for m, s in found] == sorted((-s, m) for m, s in found)


def test_pruning_keeps_the_strongest_terms_and_unit_vectors() -> None:
    rng = random.Random(3)
    vocabulary = [f"term{k}" for k in range(3000)]
    counted = [(f"C{n}", Counter(rng.choices(vocabulary, k=400))) for n in range(30)]
    model = similar_model.build(((i, dict(c)) for i, c in counted), terms_per_cable=16)
    for n in range(len(model.ids)):
        terms, weights = model.vector(n)
        assert 0 < len(terms) <= 16
        assert float((weights.astype("float64") ** 2).sum()) == pytest.approx(1.0, abs=1e-5)
        assert list(terms) == sorted(terms)
    # The same cables in another order: the same model.
    again = similar_model.build(((i, dict(c)) for i, c in reversed(counted)), terms_per_cable=16)
    assert again.ids == model.ids and (again.doc_weights == model.doc_weights).all()


def test_terms_skip_function_words_numbers_and_redaction_marks() -> None:
    assert similar_model.terms("The [REDACTED] met XXXXXXXXXXXX in 2008 at Al-Qaim on 5 May") == [
        "met",
        "qaim",
    ]


def test_a_model_survives_saving(tmp_path: Path) -> None:
    texts = {f"C{n}": topic_sentence(random.Random(n), list(TOPICS)[n % 4]) for n in range(12)}
    model = similar_model.build((i, similar_model.count_terms(t)) for i, t in texts.items())
    model.save(tmp_path / "m")
    loaded = similar_model.Model.load(tmp_path / "m")
    for n in range(12):
        assert loaded.nearest(*loaded.vector(n), 5, exclude=n) == model.nearest(
            *model.vector(n), 5, exclude=n
        )


# --- the archive ----------------------------------------------------------------------------


def test_similar_cables_are_of_the_same_topic_with_why(world: Archive) -> None:
    found = world.similar("08BAGHDAD104", viewer=world.viewer(LOCAL), limit=4)
    assert found is not None
    # 08BAGHDAD104 is a smuggling cable (n=4): the other four of its topic come first.
    assert {f.reference_id for f in found} == {
        "08BAGHDAD100",
        "08BAGHDAD108",
        "08BAGHDAD112",
        "08BAGHDAD116",
    }
    assert all(f.shared_terms for f in found)
    allowed = [*TOPICS["smuggling"].split(), "zarkawi", "men", "met", "near", "again"]
    assert all(t in allowed for f in found for t in f.shared_terms)
    assert found[0].score >= found[-1].score > 0
    assert world.similar("99NOWHERE1", viewer=world.viewer(LOCAL)) is None
    assert world.similar("08baghdad104", viewer=world.viewer(LOCAL)) == world.similar(
        "08BAGHDAD104", viewer=world.viewer(LOCAL)
    )


def test_a_redacted_name_is_never_a_shared_term(world: Archive) -> None:
    local = world.similar("08BAGHDAD100", viewer=world.viewer(LOCAL))
    assert local is not None
    # The test can fail: unredacted, the name is among the words shared.
    assert any("zarkawi" in f.shared_terms for f in local)
    world.redact(Rule(kind="name", text="Zarkawi", reason="test"))
    world.approve([f"08BAGHDAD{100 + n}" for n in range(20)])
    world.record_edition(None, "test")
    secret_reader = Principal(name=None, role="reader", ceiling=Level.SECRET, foreign=False)
    for principal in (PUBLIC, CONFIDENTIAL_READER, secret_reader):
        for reference_id, found in lists(world, principal).items():
            assert found is not None, reference_id
            for f in found:  # type: ignore[attr-defined]
                assert not any("zarkawi" in t for t in f.shared_terms), (principal, reference_id)
    # Editors still see it (they see the redactions unburned).
    again = world.similar("08BAGHDAD100", viewer=world.viewer(LOCAL)) or []
    assert any("zarkawi" in f.shared_terms for f in again)


def test_a_held_cable_never_appears_for_the_public(world: Archive) -> None:
    published = [f"08BAGHDAD{100 + n}" for n in range(0, 20, 3)]
    world.approve(published)
    world.record_edition(None, "test")
    public = world.viewer(PUBLIC)
    for n in range(20):
        reference_id = f"08BAGHDAD{100 + n}"
        found = world.similar(reference_id, viewer=public, limit=20)
        if reference_id not in published:
            assert found is None
            continue
        assert found is not None
        assert {f.reference_id for f in found} <= set(published)
    # The local desk finds held cables as well.
    local = world.similar("08BAGHDAD100", viewer=world.viewer(LOCAL), limit=20)
    assert local is not None and not {f.reference_id for f in local} <= set(published)


def _scores(archive: Archive, principal: Principal) -> dict[str, object]:
    return {
        i: [(f.reference_id, f.score, f.shared_terms) for f in found]
        for i, found in lists(archive, principal).items()
        if found is not None
    }


def test_a_paragraph_above_the_ceiling_leaves_no_trace(tmp_path: Path) -> None:
    """The SECRET paragraph of 08BAGHDAD101 holds words of another topic in one archive
    and not in the other: a CONFIDENTIAL reader's lists are the same in both, score for
    score; a SECRET reader's differ (so the test can fail)."""
    plain = make_archive(tmp_path / "plain")
    loaded = make_archive(
        tmp_path / "loaded", secret_extra=" ".join(TOPICS["vaccines"].split() * 3)
    )
    try:
        assert _scores(plain, CONFIDENTIAL_READER) == _scores(loaded, CONFIDENTIAL_READER)
        assert _scores(plain, LOCAL) != _scores(loaded, LOCAL)
    finally:
        plain.close()
        loaded.close()


def test_the_public_scores_ignore_a_withheld_paragraph(tmp_path: Path) -> None:
    """An editor withholds paragraph 4 of 08BAGHDAD101 and publishes everything: the
    public's scores are the same whatever that paragraph says."""
    archives = []
    for name, extra in (("plain", ""), ("loaded", " ".join(TOPICS["fisheries"].split() * 3))):
        archive = make_archive(tmp_path / name, withheld_extra=extra)
        archive.redact(Rule(kind="paragraph", cable_id="08BAGHDAD101", paragraph=4, reason="t"))
        archive.approve([f"08BAGHDAD{100 + n}" for n in range(20)])
        archive.record_edition(None, "test")
        archives.append(archive)
    try:
        plain, loaded = archives
        assert _scores(plain, PUBLIC) == _scores(loaded, PUBLIC)
        assert _scores(plain, LOCAL) != _scores(loaded, LOCAL)
    finally:
        for archive in archives:
            archive.close()


def test_each_reader_model_is_made_of_what_that_reader_receives(world: Archive) -> None:
    """The reader's model equals one built from the records `Archive.get` hands them."""
    world.approve([f"08BAGHDAD{100 + n}" for n in range(0, 20, 3)])
    world.record_edition(None, "test")
    for principal in (PUBLIC, CONFIDENTIAL_READER, LOCAL):
        viewer = world.viewer(principal)
        ids = [r[0] for r in world.connection.execute("SELECT reference_id FROM cables")]
        texts = {}
        for i in ids:
            cable = world.get(i, viewer=viewer)
            if cable is not None:
                texts[i] = similarity_text(cable)
        expected = similar_model.build((i, similar_model.count_terms(t)) for i, t in texts.items())
        got = world._similar_model(viewer)
        assert got.ids == expected.ids and got.vocabulary == expected.vocabulary
        assert (got.doc_weights == expected.doc_weights).all()


def test_the_lists_follow_the_archive(world: Archive, tmp_path: Path) -> None:
    local = world.viewer(LOCAL)
    before = world.similar("08BAGHDAD104", viewer=local)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "08BAGHDAD200.txt").write_text(
        cable_text(
            "08BAGHDAD200", "MORE SMUGGLING", [("U", TOPICS["smuggling"] + " again and again.")] * 3
        ),
        encoding="utf-8",
    )  # fmt: skip
    world.ingest([extra], workers=1)
    after = world.similar("08BAGHDAD104", viewer=world.viewer(LOCAL))
    assert before is not None and after is not None
    assert "08BAGHDAD200" not in {f.reference_id for f in before}
    assert "08BAGHDAD200" in {f.reference_id for f in after}


# --- the CLI, the API, the page -----------------------------------------------------------


def test_cli(world: Archive) -> None:
    folder = str(world.path)
    runner = CliRunner()
    result = runner.invoke(cli, ["similar", "08BAGHDAD104", "--db", folder, "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.count("shared:") == 3
    result = runner.invoke(cli, ["similar", "08BAGHDAD104", "--db", folder, "--json"])
    # Only the four other cables of its topic share a word with it.
    assert len(json.loads(result.output)) == 4
    result = runner.invoke(cli, ["similar", "08BAGHDAD104", "--db", folder, "--public"])
    assert result.exit_code != 0 and "no such cable" in result.output


def _validate(payload: object) -> None:
    jsonschema.validate(
        payload, {"$ref": "#/components/schemas/Similar", "components": spec()["components"]}
    )


def test_api_per_visitor(world: Archive) -> None:
    folder = world.path
    published = [f"08BAGHDAD{100 + n}" for n in range(0, 20, 2)]
    world.approve(published)
    world.record_edition(None, "test")
    with TestClient(create_app(folder), raise_server_exceptions=False) as open_desk:
        answer = open_desk.get("/api/cables/08BAGHDAD101/similar", params={"limit": 5})
        assert answer.status_code == 200
        _validate(answer.json())
        assert len(answer.json()["similar"]) == 5
        assert open_desk.get("/api/cables/08BAGHDAD101/similar?limit=0").status_code == 400
        assert open_desk.get("/api/cables/99NOWHERE1/similar").status_code == 404
    accounts = Accounts(world)
    accounts.add("rita", "a long enough password", "reader", ceiling="CONFIDENTIAL")
    _, secret = accounts.create_token("t", "rita")
    with TestClient(create_app(folder), raise_server_exceptions=False) as visitor:
        assert visitor.get("/api/cables/08BAGHDAD101/similar").status_code == 404
        answer = visitor.get("/api/cables/08BAGHDAD100/similar", params={"limit": 20})
        assert answer.status_code == 200
        _validate(answer.json())
        assert {s["reference_id"] for s in answer.json()["similar"]} <= set(published)
        assert (
            "/api/cables/{reference_id}/similar" in visitor.get("/api/openapi.json").json()["paths"]
        )
    with TestClient(
        create_app(folder),
        headers={"authorization": f"Bearer {secret}"},
        raise_server_exceptions=False,
    ) as reader:
        answer = reader.get("/api/cables/08BAGHDAD101/similar")
        assert answer.status_code == 200
        found = world.similar("08BAGHDAD101", viewer=world.viewer(CONFIDENTIAL_READER))
        assert found is not None
        assert [s["reference_id"] for s in answer.json()["similar"]] == [
            f.reference_id for f in found
        ]


def test_the_cable_page_lists_more_like_this(world: Archive) -> None:
    with TestClient(create_app(world.path)) as client:
        page = client.get("/cable/08BAGHDAD104")
    assert page.status_code == 200
    assert "More like this" in page.text
    found = world.similar("08BAGHDAD104", viewer=world.viewer(LOCAL))
    assert found is not None
    for f in found:
        assert f'href="/cable/{f.reference_id}"' in page.text


def test_the_sample_archive_gives_lists(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest([SAMPLE], workers=1)
        viewer = archive.viewer(LOCAL)
        ids = [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]
        found = [archive.similar(i, viewer=viewer) for i in ids]
    assert all(f is not None for f in found)
    assert sum(1 for f in found if f) >= len(ids) // 2


# --- the enrichment job -----------------------------------------------------------------


def _published_world(path: Path) -> Archive:
    archive = make_archive(path)
    archive.redact(Rule(kind="name", text="Zarkawi", reason="test"))
    archive.approve([f"08BAGHDAD{100 + n}" for n in range(0, 20, 3)])
    archive.record_edition(None, "test")
    return archive


def _arrays(model: similar_model.Model) -> tuple[object, ...]:
    return (
        model.ids,
        model.vocabulary,
        model.doc_ptr.tolist(),
        model.doc_terms.tolist(),
        model.doc_weights.tolist(),
        model.term_docs.tolist(),
    )


def test_the_enrichment_job_builds_the_same_models_locally_and_on_dask(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    lazy = _published_world(tmp_path / "lazy")
    expected = {
        "everything": _arrays(lazy._similar_model(lazy.viewer(LOCAL))),
        "public": _arrays(lazy._similar_model(lazy.viewer(PUBLIC))),
    }
    lazy.close()
    local = _published_world(tmp_path / "local")
    report = local.enrich(workers=2)
    assert len(report.similar) == 2
    keys = {"everything": "everything", "public": local._similar_key(local.viewer(PUBLIC))}
    assert set(report.similar) == set(keys.values())
    assert local._similar is not None
    for name, key in keys.items():
        assert local._similar.is_fresh(local.connection, key)
        who = LOCAL if name == "everything" else PUBLIC
        assert _arrays(local._similar_model(local.viewer(who))) == expected[name]
    # Nothing changed: nothing is built again.
    assert local.enrich(workers=2).similar == {}
    local.close()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        clustered = _published_world(tmp_path / "cluster")
        report = clustered.enrich(scheduler=client)
        assert len(report.similar) == 2
        assert _arrays(clustered._similar_model(clustered.viewer(LOCAL))) == expected["everything"]
        assert _arrays(clustered._similar_model(clustered.viewer(PUBLIC))) == expected["public"]
        clustered.close()


# --- semantic search: ~"text" -------------------------------------------------------------


def test_near_parses_and_points_at_mistakes() -> None:
    from cabledesk.query.language import And, Field, Near, QueryError, parse_query

    assert parse_query('~"arms smuggling"') == Near("arms smuggling", 0)
    tree = parse_query('year:2008 ~"arms smuggling" -tag:PREL')
    assert isinstance(tree, And) and tree.nodes[1] == Near("arms smuggling", 10)
    assert isinstance(tree.nodes[0], Field)
    for query, position, message in (
        ("~arms", 0, "~ takes a text in quotes"),
        ('iran ~"arms', 6, "unclosed quote"),
        ('iran ~""', 5, "needs some words"),
        ("iran ~", 5, "~ takes a text in quotes"),
    ):
        with pytest.raises(QueryError) as caught:
            parse_query(query)
        assert caught.value.position == position, query
        assert message in caught.value.message
        assert str(caught.value).endswith("\n  " + " " * position + "^")


def _hits(archive: Archive, query: str, principal: Principal = LOCAL) -> list[str]:
    found = archive.search(query, viewer=archive.viewer(principal), limit=100)
    return [h.reference_id for h in found.hits]


def test_near_finds_by_similarity_and_combines_with_filters(world: Archive) -> None:
    from cabledesk.archive.similar import nearest_to_text

    text = "contraband trucks at the customs checkpoint"
    hits = _hits(world, f'~"{text}"')
    model = world._similar_model(world.viewer(LOCAL))
    expected = [i for i, _ in nearest_to_text(model, text, 100)]
    assert hits == expected
    assert set(hits) == {f"08BAGHDAD{100 + n}" for n in range(0, 20, 4)}
    # With a filter: the filter's cables only, still in order of similarity.
    narrowed = _hits(world, f'~"{text}" -id:08BAGHDAD104 class:confidential')
    assert narrowed == [i for i in expected if i != "08BAGHDAD104"]
    assert _hits(world, f'~"{text}" AND elections') == []
    assert _hits(world, f'~"{text}" OR ballots')[: len(expected)] != []
    # Facets count the same match set.
    result = world.search(f'~"{text}"', viewer=world.viewer(LOCAL))
    assert result.total == len(expected)
    assert sum(n for _, n in result.facets["year"]) == len(expected)
    # Words no cable holds: nothing, not an error.
    assert _hits(world, '~"qwertyuiop asdfghjkl"') == []


def test_near_is_each_readers_own(world: Archive) -> None:
    world.redact(Rule(kind="name", text="Zarkawi", reason="test"))
    published = [f"08BAGHDAD{100 + n}" for n in range(0, 20, 3)]
    world.approve(published)
    world.record_edition(None, "test")
    # The local desk finds the name; the public and a reader find nothing by it, exactly
    # as for a name no cable holds.
    assert set(_hits(world, '~"Zarkawi"')) == {"08BAGHDAD100", "08BAGHDAD104", "08BAGHDAD108"}
    for principal in (PUBLIC, CONFIDENTIAL_READER):
        assert _hits(world, '~"Zarkawi"', principal) == []
        assert _hits(world, '~"Zarkawi"', principal) == _hits(world, '~"Qwertzuiop"', principal)
    public = _hits(world, '~"smugglers contraband weapons"', PUBLIC)
    assert public and set(public) <= set(published)


def test_a_model_can_be_prepared_in_the_background(world: Archive) -> None:
    import time

    viewer = world.viewer(CONFIDENTIAL_READER)
    assert world.similar_prepared(viewer=viewer, wait=0.0) in (False, True)
    deadline = time.monotonic() + 60
    while not world.similar_prepared(viewer=viewer, wait=1.0):
        assert time.monotonic() < deadline
    # Built by another handle: this one reads it without building.
    assert world._similar is not None
    assert world._similar.is_fresh(world.connection, world._similar_key(viewer))
    assert world.similar("08BAGHDAD104", viewer=viewer)


@pytest.mark.parametrize("terms_per_cable", [0, 8])
def test_building_by_blocks_gives_the_same_model(
    monkeypatch: pytest.MonkeyPatch, terms_per_cable: int
) -> None:
    rng = random.Random(11)
    vocabulary = [f"term{k}" for k in range(200)]
    counted = [(f"C{n:03d}", dict(Counter(rng.choices(vocabulary, k=60)))) for n in range(50)]
    whole = similar_model.build(counted, terms_per_cable=terms_per_cable)
    monkeypatch.setattr(similar_model, "BLOCK", 7)
    blocks = similar_model.build(counted, terms_per_cable=terms_per_cable)
    assert _arrays(blocks) == _arrays(whole)
    assert blocks.term_ptr.tolist() == whole.term_ptr.tolist()


def _brute_ranking(archive: Archive, text: str, filtered: str) -> list[str]:
    """Every cable the filter alone matches whose cosine with the text is above zero, by
    cosine (ties: the model's order): what `~"text" filter` must list."""
    model = archive._similar_model(archive.viewer(LOCAL))
    query_terms, query_weights = model.query_vector(text)
    scores = model.scores(query_terms, query_weights)
    ids = archive.matching_ids(filtered, viewer=archive.viewer(LOCAL))
    numbered = [(model.number(i), i) for i in ids]
    ranked = sorted(
        ((-float(scores[n]), n, i) for n, i in numbered if n is not None and scores[n] > 0),
    )
    return [i for _, _, i in ranked]


def test_near_with_a_rare_filter_ranks_every_cable_of_the_filter(
    world: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nearest cables are taken 3 at a time here (as 1,000 of 251,287 at full size),
    so that the filter's cables are not among them: the filter's cables are ranked by
    their own cosine all the same (docs/similar.md)."""
    from cabledesk.archive import similar

    text = "contraband trucks at the customs checkpoint"
    monkeypatch.setattr(similar, "NEAR_LIMIT", 3)
    nearest = _hits(world, f'~"{text}"')
    assert len(nearest) == 3
    for filtered in ("id:08BAGHDAD101 OR id:08BAGHDAD117", "-id:08BAGHDAD104 class:secret",
                     "elections", "ballots OR smugglers", "-elections"):  # fmt: skip
        expected = _brute_ranking(world, text, filtered)
        found = _hits(world, f'~"{text}" ({filtered})')
        assert found == expected, filtered
        assert found == _hits(world, f'({filtered}) AND ~"{text}"')
    # Smuggling cables beyond the nearest three: the old path found none of them.
    beyond = [f"08BAGHDAD{100 + n}" for n in range(0, 20, 4)]
    beyond = [i for i in beyond if i not in nearest]
    rare = " OR ".join(f"id:{i}" for i in beyond)
    assert len(beyond) == 2 and set(_hits(world, f'~"{text}" ({rare})')) == set(beyond)
    assert _hits(world, f'~"{text}" elections') == []  # no word in common: cosine 0


def test_near_with_a_common_filter_takes_the_nearest_first(
    world: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter matching more than NEAR_AMONG_LIMIT cables narrows the nearest ones: the
    answer is the start of the brute-force ranking (the filter's cables at least as near
    as the last of the nearest)."""
    from cabledesk.archive import similar
    from cabledesk.query import compile as compiler

    text = "contraband trucks at the customs checkpoint"
    monkeypatch.setattr(similar, "NEAR_LIMIT", 8)
    monkeypatch.setattr(compiler, "NEAR_AMONG_LIMIT", 2)
    nearest = _hits(world, f'~"{text}"')
    for filtered in ("class:confidential", "-id:08BAGHDAD104", "smugglers OR contraband"):
        expected = _brute_ranking(world, text, filtered)
        found = _hits(world, f'~"{text}" ({filtered})')
        assert found and found == expected[: len(found)], filtered
        assert set(found) <= set(nearest)
        assert found == [i for i in nearest if i in set(expected)]
