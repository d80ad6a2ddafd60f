"""Coverage (docs/coverage.md): the estimators against their definitions and on generated
sequences where the truth is known, the table and the missing cables against brute force,
the 90-day rule of the estimated dates, each reader's own figures (the public's are the
published edition's: a held, unpublished cable raises nothing), the CLI, the API, the pages."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cabledesk.access import Accounts
from cabledesk.access.principal import LOCAL
from cabledesk.archive import coverage as coverage_store
from cabledesk.archive.graph import Serials
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from conftest import SAMPLE

ID = re.compile(r"(\d{2})([A-Z]+)(\d{1,7})(?:_[a-z])?")


def _choose(n: int, k: int) -> int:
    return math.comb(n, k)


# --- the estimators -----------------------------------------------------------------------


@pytest.mark.parametrize(("k", "m"), [(1, 1), (1, 50), (2, 40), (5, 5), (7, 300), (30, 2000)])
def test_umvu_interval_is_the_exact_inversion(k: int, m: int) -> None:
    """The ends are where the observed maximum sits at the 2.5% tail, exactly (integer
    binomials, not the code's logarithms)."""
    e = coverage_store.umvu(k, m)
    assert e.point == pytest.approx(m + m / k - 1)
    assert e.low is not None and e.high is not None and m <= e.low <= e.point <= e.high

    def at_most(n: int) -> float:  # P(M <= m | N = n)
        return _choose(m, k) / _choose(n, k)

    assert at_most(e.high) >= 0.025 > at_most(e.high + 1)
    if m > k:

        def at_least(n: int) -> float:  # P(M >= m | N = n)
            return 1 - _choose(m - 1, k) / _choose(n, k)

        assert at_least(e.low) >= 0.025
        assert e.low == m or at_least(e.low - 1) < 0.025


@pytest.mark.parametrize(("k", "m"), [(2, 40), (3, 10), (10, 500), (40, 4000)])
def test_bayes_quantiles_match_the_posterior_summed_by_hand(k: int, m: int) -> None:
    """The flat-prior posterior P(N = n) ∝ 1 / C(n, k), summed far out by brute force."""
    e = coverage_store.bayes(k, m)
    top = m * 400
    weights = [1 / _choose(n, k) for n in range(m, top)]
    total = sum(weights)
    # The tail beyond `top` is below 1e-3 of the mass for these k (it is ~ (m/top)^(k-1)).
    cumulative = 0.0
    quantiles: dict[float, int] = {}
    for n, w in zip(range(m, top), weights, strict=True):
        cumulative += w / total
        for q in (0.025, 0.5, 0.975):
            if q not in quantiles and cumulative >= q - 1e-9:
                quantiles[q] = n
    assert e.low is not None and e.high is not None and e.point is not None
    assert e.low == pytest.approx(quantiles[0.025], abs=1)
    assert e.point == pytest.approx(quantiles[0.5], abs=1)
    if k > 2:
        assert e.high == pytest.approx(quantiles[0.975], rel=0.01)
    assert coverage_store.bayes(1, m).point is None


@given(k=st.integers(1, 400), extra=st.integers(0, 200_000))
def test_intervals_hold_their_point_and_grow_with_the_maximum(k: int, extra: int) -> None:
    m = k + extra
    for method in coverage_store.METHODS:
        e = coverage_store.estimate(k, m, method)
        if e.point is None:
            assert method == "bayes" and k == 1
            continue
        assert e.low is not None and e.high is not None
        assert m <= e.low <= e.point
        # UMVU's point is not a whole number: it may pass the exact (whole) interval's
        # top by a fraction (k=79, m=80: 80.01 against [80, 80]).
        assert e.point <= e.high + (1 if method == "umvu" else 0)
        wider = coverage_store.estimate(k, m + 1, method)
        assert wider.point is not None and wider.point >= e.point
        assert wider.high is not None and wider.high >= e.high


@pytest.mark.parametrize("method", coverage_store.METHODS)
@pytest.mark.parametrize("rate", [0.01, 0.05, 0.2, 0.5])
def test_estimates_on_generated_sequences_where_the_truth_is_known(
    method: coverage_store.Method, rate: float
) -> None:
    """A known number of cables, a uniform sample held: the 95% interval holds the truth
    about 95% of the time and the median error is small (bench/coverage_estimators.py has
    the full table)."""
    rng = random.Random(f"coverage-{method}-{rate}")
    hits, errors = [], []
    for _ in range(300):
        total = rng.randint(200, 20_000)
        held = rng.sample(range(1, total + 1), max(2, round(total * rate)))
        e = coverage_store.estimate(len(held), max(held), method)
        assert e.point is not None and e.low is not None and e.high is not None
        hits.append(e.low <= total <= e.high)
        errors.append(abs(e.point - total) / total)
    assert 0.9 <= sum(hits) / len(hits) <= 1.0
    assert statistics.median(errors) < {0.01: 0.012, 0.05: 0.0025, 0.2: 0.0006, 0.5: 0.00015}[rate]


def test_a_naive_interval_would_fail_the_check() -> None:
    """The check above can fail: the interval from the maximum to one gap above it
    ([m, m + m/k], the UMVU point as its top) holds the truth far less often."""
    rng = random.Random(5)
    hits = []
    for _ in range(300):
        total = rng.randint(200, 20_000)
        held = rng.sample(range(1, total + 1), round(total * 0.05))
        k, m = len(held), max(held)
        hits.append(m <= total <= m + m / k)
    assert sum(hits) / len(hits) < 0.8


def test_dates_interpolate_but_not_across_long_gaps() -> None:
    serials = Serials(
        {
            "09KABUL10": ("2009-01-01", None),
            "09KABUL20": ("2009-01-11", None),
            "09KABUL30": ("2009-06-01", None),
        }
    )
    assert serials.estimate("09KABUL15", max_gap=90) == ("2009-01-06", "between")
    assert serials.estimate("09KABUL25", max_gap=90) == (None, "gap")
    # The graph's own estimate (no limit) is unchanged.
    assert serials.estimate("09KABUL25")[1] == "between"
    assert serials.estimate("09KABUL40", max_gap=90) == ("2009-06-01", "after")
    assert serials.estimate("09KABUL5", max_gap=90) == ("2009-01-01", "before")


# --- the archive's figures against brute force --------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("coverage") / "archive"
    with Archive.open(path) as archive:
        report = archive.ingest([SAMPLE], workers=1)
        assert report.failed == 0
    return path


@pytest.fixture
def archive(folder: Path) -> Iterator[Archive]:
    with Archive.open(folder, create=False) as opened:
        yield opened


def _year(two: str) -> int:
    return 1900 + int(two) if int(two) >= 66 else 2000 + int(two)


def brute(archive: Archive, viewer: object, ids: list[str]) -> tuple[dict, dict]:
    """{(post, year): held serials}, {(post, year): cited serials not held}, from the
    records `viewer` receives."""
    held: dict[tuple[str, int], set[int]] = {}
    cited: dict[tuple[str, int], set[int]] = {}
    for reference_id in ids:
        found = ID.fullmatch(reference_id)
        if found:
            held.setdefault((found[2], _year(found[1])), set()).add(int(found[3]))
    for reference_id in ids:
        cable = archive.get(reference_id, viewer=viewer)  # type: ignore[arg-type]
        assert cable is not None
        for reference in cable.references:
            name = reference.cable_id
            if not name or reference.text.startswith("[reference withheld"):
                continue
            found = ID.fullmatch(name)
            if found is None:
                continue
            key = (found[2], _year(found[1]))
            if int(found[3]) not in held.get(key, set()):
                cited.setdefault(key, set()).add(int(found[3]))
    return held, cited


def all_ids(archive: Archive) -> list[str]:
    return [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]


def test_table_and_missing_match_brute_force(archive: Archive) -> None:
    local = archive.viewer(LOCAL)
    held, cited = brute(archive, local, all_ids(archive))
    rows = archive.coverage(viewer=local)
    assert {(r.post, r.year) for r in rows} == set(held) | set(cited)
    for r in rows:
        have, lack = held.get((r.post, r.year), set()), cited.get((r.post, r.year), set())
        assert (r.held, r.cited_missing) == (len(have), len(lack))
        assert r.highest == max(have | lack)
        k = len(have | lack)
        assert r.umvu == coverage_store.umvu(k, r.highest)
        assert r.bayes == coverage_store.bayes(k, r.highest)
        assert r.used == ("umvu" if k == 1 else "bayes")
        assert r.share_held == pytest.approx(len(have) / r.chosen.point)  # type: ignore[operator]
    missing = archive.missing(viewer=local)
    expected = {f"{post}" for (post, _), s in cited.items() for _ in s}
    assert {m.post for m in missing} == expected
    assert len(missing) == sum(len(s) for s in cited.values())
    # Most cited first, each with the cables citing it.
    assert [m.citations for m in missing] == sorted((m.citations for m in missing), reverse=True)
    for m in missing[:20]:
        citing = archive.missing_citing(m.id, viewer=local)
        assert len(citing) == m.citations
        for c in citing:
            assert m.id in {r.cable_id for r in archive.get(c, viewer=local).references}  # type: ignore[union-attr]


def test_filters_and_sorts(archive: Archive) -> None:
    local = archive.viewer(LOCAL)
    rows = archive.coverage(viewer=local)
    post = rows[0].post
    assert all(r.post == post for r in archive.coverage(viewer=local, post=post.lower()))
    best = archive.coverage(viewer=local, sort="best")
    shares = [r.share_held for r in best if r.share_held is not None]
    assert shares == sorted(shares, reverse=True)
    worst = archive.coverage(viewer=local, sort="worst")
    assert [r.share_held for r in worst if r.share_held is not None] == sorted(shares)
    assert all(m.citations >= 2 for m in archive.missing(viewer=local, min_citations=2))
    with pytest.raises(ValueError):
        archive.coverage(viewer=local, sort="nonsense")


# --- each reader's own figures ------------------------------------------------------------


def _published_world(tmp_path: Path) -> tuple[Archive, list[str], str]:
    """The sample, half of it published, with a held cable cited by a published one left
    unpublished (returned: archive, published ids, that cable)."""
    archive = Archive.open(tmp_path / "public")
    archive.ingest([SAMPLE], workers=1)
    ids = sorted(all_ids(archive))
    local = archive.viewer(LOCAL)
    pairs = [
        (c.reference_id, r.cable_id)
        for c in (archive.get(i, viewer=local) for i in ids)
        if c is not None
        for r in c.references
        if r.cable_id in ids
    ]
    twice = {p.stem for p in (SAMPLE / "text").glob("*.txt")}
    citing, hidden = next((a, b) for a, b in pairs if a not in twice and b not in twice)
    published = sorted(
        (set(random.Random(3).sample(ids, len(ids) // 2)) | {citing}) - {hidden} - twice
    )
    archive.approve(published)
    archive.record_edition(None, "test")
    return archive, published, hidden


def test_the_public_figures_are_the_edition_as_if_nothing_else_were_held(tmp_path: Path) -> None:
    """Fail closed: the public's table equals that of an archive holding only the
    published cables; an unpublished cable cited by a published one is cited-missing
    for the public, and raises neither its held count nor its estimates."""
    archive, published, hidden = _published_world(tmp_path)
    only = tmp_path / "only"
    files = [p for p in SAMPLE.rglob("*") if p.is_file() and p.stem in published]
    with Archive.open(only) as alone:
        alone.ingest(files, workers=1)
        expected = alone.coverage(viewer=alone.viewer(LOCAL))
        expected_missing = alone.missing(viewer=alone.viewer(LOCAL))
    public = archive.public_viewer()
    assert archive.coverage(viewer=public) == expected
    assert archive.missing(viewer=public) == expected_missing
    assert hidden in {m.id for m in archive.missing(viewer=public)}
    assert hidden not in {m.id for m in archive.missing(viewer=archive.viewer(LOCAL))}
    post = ID.fullmatch(hidden)[2]  # type: ignore[index]
    serial = int(ID.fullmatch(hidden)[3])  # type: ignore[index]
    for t in archive.coverage_timeline(post, viewer=public):
        assert serial not in t.held
    archive.close()


def test_api_and_pages_give_visitors_the_published_figures(tmp_path: Path) -> None:
    archive, published, hidden = _published_world(tmp_path)
    public_rows = [r.as_dict() for r in archive.coverage(viewer=archive.public_viewer())]
    local_rows = [r.as_dict() for r in archive.coverage(viewer=archive.viewer(LOCAL))]
    assert public_rows != local_rows
    Accounts(archive).add("rita", "a long enough password", "reader")
    archive.close()
    post = ID.fullmatch(hidden)[2]  # type: ignore[index]
    unpublished = set(all_ids(Archive.open(tmp_path / "public", create=False))) - set(published)
    with TestClient(create_app(tmp_path / "public"), raise_server_exceptions=False) as client:
        assert client.get("/api/coverage").json()["rows"] == public_rows
        body = client.get(f"/api/coverage/posts/{post}").json()
        serial = int(ID.fullmatch(hidden)[3])  # type: ignore[index]
        assert all(serial not in y["held"] for y in body["years"])
        missing = client.get("/api/coverage/missing", params={"limit": 1000}).json()["cables"]
        assert hidden in {m["id"] for m in missing}
        for m in missing:
            assert set(m["citing"]) <= set(published)
        for page in ("/coverage", "/coverage/missing", f"/coverage/posts/{post}"):
            html = client.get(page).text
            for name in unpublished - {hidden}:
                # An unpublished cable appears at most as a cited, missing id.
                assert f'href="/cable/{name}"' not in html
        table = client.get("/coverage").text
        assert f'data-post="{post}"' in table
        # A held, unpublished cable is not counted held for the public.
        assert (
            client.get("/api/coverage", params={"format": "csv"}).text.count("\n")
            == len(public_rows) + 1
        )


def test_cli_outputs(folder: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(cli, ["coverage", "--db", str(folder), "--sort", "worst"])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split()[:3] == ["post", "year", "held"]
    as_json = runner.invoke(cli, ["coverage", "--db", str(folder), "--json"])
    rows = json.loads(as_json.output)
    with Archive.open(folder, create=False) as archive:
        assert rows == [r.as_dict() for r in archive.coverage(viewer=archive.viewer(LOCAL))]
    as_csv = runner.invoke(
        cli, ["coverage", "--db", str(folder), "--csv", "--post", rows[0]["post"]]
    )
    parsed = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert {r["post"] for r in parsed} == {rows[0]["post"]}
    missing = runner.invoke(
        cli, ["coverage", "--db", str(folder), "--missing", "--json", "--citing"]
    )
    found = json.loads(missing.output)
    assert found and all(len(m["citing"]) == m["citations"] for m in found)
    public = runner.invoke(cli, ["coverage", "--db", str(folder), "--public", "--json"])
    assert json.loads(public.output) == []


def test_api_answers_match_their_schemas(folder: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = spec()
    schemas = document["components"]["schemas"]
    with TestClient(create_app(folder)) as client:
        for path, schema, url in (
            ("/api/coverage", "Coverage", "/api/coverage?sort=best"),
            ("/api/coverage/missing", "MissingCables", "/api/coverage/missing?limit=5"),
            ("/api/coverage/posts/{post}", "PostSerials", "/api/coverage/posts/STATE"),
        ):
            assert path in document["paths"]
            answer = client.get(url)
            assert answer.status_code == 200
            jsonschema.validate(
                answer.json(), {**schemas[schema], "components": {"schemas": schemas}}
            )
        assert client.get("/api/coverage?year=12").status_code == 400
        assert client.get("/api/coverage/posts/NOSUCHPOST").status_code == 404


def test_pages_sort_filter_chart_and_export_links(folder: Path) -> None:
    with TestClient(create_app(folder)) as client:
        page = client.get("/coverage?sort=worst")
        assert page.status_code == 200
        assert '<svg id="coverage-chart"' in page.text
        assert 'href="/api/coverage?sort=worst"' in page.text
        assert "format=csv" in page.text
        posts = re.findall(r'<tr data-post="(\w+)" data-year="(\d+)">', page.text)
        assert posts
        missing = client.get("/coverage/missing?min_citations=2")
        assert missing.status_code == 200 and "/api/coverage/missing" in missing.text
        timeline = client.get(f"/coverage/posts/{posts[0][0]}")
        assert '<svg id="serial-timeline"' in timeline.text and "format=csv" in timeline.text
        bad = client.get("/coverage?year=abc")
        assert bad.status_code == 200 and "year: expected" in bad.text


def test_a_ceiling_counts_only_the_references_within_it(archive: Archive) -> None:
    """A CONFIDENTIAL reader's cited-missing serials are those of the REF lines they
    receive (a SECRET cable's references neither name a missing cable to them nor move
    an estimate)."""
    from cabledesk.access.principal import Principal
    from cabledesk.record.level import Level

    reader = archive.viewer(
        Principal(name=None, role="reader", ceiling=Level.CONFIDENTIAL, foreign=True)
    )
    held, cited = brute(archive, reader, all_ids(archive))
    rows = archive.coverage(viewer=reader)
    assert {(r.post, r.year): r.cited_missing for r in rows} == {
        key: len(cited.get(key, set())) for key in set(held) | set(cited)
    }
    local_missing = {m.id for m in archive.missing(viewer=archive.viewer(LOCAL))}
    reader_missing = {m.id for m in archive.missing(viewer=reader)}
    assert reader_missing < local_missing
