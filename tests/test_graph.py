"""The citation graph (docs/graph.md): metrics against brute force and a plain reference
PageRank, missing nodes and their estimated dates, threads, each reader's own graph (the
public's is the published edition's, a reader's ceiling, a redaction rule), the CLI, the
exports read back, and the API per kind of visitor."""

from __future__ import annotations

import csv
import io
import random
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cabledesk.access import Accounts
from cabledesk.access.principal import LOCAL, Principal
from cabledesk.archive import graph as graph_store
from cabledesk.archive import text_citations
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.record.level import Level
from cabledesk.redact import Rule, Viewer
from cabledesk.views.graph_export import write_graph
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from conftest import CORPUS, SAMPLE

CONFIDENTIAL_READER = Principal(name=None, role="reader", ceiling=Level.CONFIDENTIAL, foreign=False)


def _paths() -> list[Path]:
    return [SAMPLE, CORPUS / "cable"] if (CORPUS / "cable").exists() else [SAMPLE]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "archive"
    with Archive.open(path) as archive:
        report = archive.ingest(_paths(), workers=1)
        assert report.failed == 0, report.examples
    return path


@pytest.fixture
def archive(folder: Path) -> Iterator[Archive]:
    with Archive.open(folder, create=False) as opened:
        yield opened


# --- brute force, written apart from the module -------------------------------------------


def brute(
    archive: Archive, viewer: Viewer, ids: list[str]
) -> tuple[set[str], set[tuple[str, str]]]:
    """The cables `ids` and the citations their records, as `viewer` receives them, show
    with an id; a cable whose REF lines are withheld from the viewer counts none of them;
    the ids cited in the paragraphs as the viewer receives them (withheld ones read as
    their placeholders, redactions burned in) count too."""
    cables = set(ids)
    edges = set()
    for reference_id in ids:
        cable = archive.get(reference_id, viewer=viewer)
        assert cable is not None
        cited_ids = [
            r.cable_id
            for r in cable.references
            if r.cable_id is not None and not r.text.startswith("[reference withheld")
        ]
        citing = text_citations.citing_of(cable)
        for paragraph in cable.paragraphs:
            cited_ids.extend(text_citations.find(paragraph.text, citing))
        for cited in cited_ids:
            if cited not in cables and cited + "_a" in cables:
                cited += "_a"
            if cited != reference_id:
                edges.add((reference_id, cited))
    return cables, edges


def all_ids(archive: Archive) -> list[str]:
    return [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]


def exported(archive: Archive, viewer: Viewer, query: str | None = None) -> tuple[
    dict[str, graph_store.Node], set[tuple[str, str]]
]:  # fmt: skip
    nodes, edges = archive.graph_export(viewer=viewer, query=query)
    found = {n.id: n for n in nodes}
    return found, set(edges)


def reference_pagerank(
    nodes: list[str], edges: set[tuple[str, str]], damping: float = 0.85
) -> dict[str, float]:
    """The textbook definition, iterated a fixed, generous number of times."""
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        out[a].append(b)
    rank = {n: 1 / len(nodes) for n in nodes}
    for _ in range(400):
        # A node without out-links gives its rank to every node alike: summed once per
        # round (the same sum, not one loop over every node per such node).
        dangling = sum(rank[n] for n in nodes if not out[n])
        new = {n: (1 - damping) / len(nodes) + damping * dangling / len(nodes) for n in nodes}
        for n in nodes:
            for m in out[n]:
                new[m] += damping * rank[n] / len(out[n])
        rank = new
    return rank


def brute_components(nodes: list[str], edges: set[tuple[str, str]]) -> dict[str, frozenset[str]]:
    near: dict[str, set[str]] = {n: set() for n in nodes}
    for a, b in edges:
        near[a].add(b)
        near[b].add(a)
    found: dict[str, frozenset[str]] = {}
    for n in nodes:
        if n in found:
            continue
        seen, stack = {n}, [n]
        while stack:
            for m in near[stack.pop()]:
                if m not in seen:
                    seen.add(m)
                    stack.append(m)
        members = frozenset(seen)
        for m in members:
            found[m] = members
    return found


# --- the metrics ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 25),
    pairs=st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24)), max_size=60),
)
def test_pagerank_sums_to_one_and_matches_the_textbook(
    count: int, pairs: list[tuple[int, int]]
) -> None:
    edges = sorted({(a % count, b % count) for a, b in pairs if a % count != b % count})
    ranks, _ = graph_store.pagerank(count, edges)
    assert abs(sum(ranks) - 1) < 1e-9
    names = [str(n) for n in range(count)]
    expected = reference_pagerank(names, {(str(a), str(b)) for a, b in edges})
    for n in range(count):
        assert abs(ranks[n] - expected[str(n)]) < 1e-8


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 30),
    pairs=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=40),
)
def test_components_match_brute_force(count: int, pairs: list[tuple[int, int]]) -> None:
    edges = sorted({(a % count, b % count) for a, b in pairs})
    numbers, sizes = graph_store.components(count, edges)
    expected = brute_components(
        [str(n) for n in range(count)], {(str(a), str(b)) for a, b in edges}
    )
    for a in range(count):
        assert sizes[a] == len(expected[str(a)])
        for b in range(count):
            assert (numbers[a] == numbers[b]) == (str(b) in expected[str(a)])
    # Numbered largest first.
    by_number = {numbers[n]: sizes[n] for n in range(count)}
    assert [by_number[k] for k in sorted(by_number)] == sorted(by_number.values(), reverse=True)


def test_the_whole_graph_matches_brute_force(archive: Archive) -> None:
    viewer = archive.viewer(LOCAL)
    cables, edges = brute(archive, viewer, all_ids(archive))
    nodes, found_edges = exported(archive, viewer)
    assert found_edges == edges and edges
    missing = {b for _, b in edges} - cables
    assert set(nodes) == cables | missing
    assert {n for n in nodes if nodes[n].archived} == cables
    in_degree = Counter(b for _, b in edges)
    out_degree = Counter(a for a, _ in edges)
    for name, node in nodes.items():
        assert node.in_degree == in_degree[name]
        assert node.out_degree == out_degree[name]
    expected = reference_pagerank(sorted(nodes), edges)
    assert abs(sum(n.pagerank for n in nodes.values()) - 1) < 1e-9
    assert all(abs(nodes[n].pagerank - expected[n]) < 1e-8 for n in nodes)
    members = brute_components(sorted(nodes), edges)
    for name, node in nodes.items():
        assert node.component_size == len(members[name])
        assert all(nodes[m].component == node.component for m in members[name])
    stats = archive.graph_stats(viewer=viewer)
    assert stats["cables"] == len(cables) and stats["missing"] == len(missing)
    assert stats["edges"] == len(edges)
    assert stats["largest_component"] == max(len(m) for m in members.values())


def test_missing_nodes_carry_no_date_and_an_estimate(archive: Archive) -> None:
    viewer = archive.viewer(LOCAL)
    nodes, _edges = exported(archive, viewer)
    missing = [n for n in nodes.values() if not n.archived]
    assert missing
    for node in missing:
        assert node.date is None and node.origin is None and node.out_degree == 0
        assert node.in_degree >= 1
        assert (node.estimated_date is None) == (node.estimate == "none")
    # The estimate by hand: between the nearest lower and higher serial of the post's year.
    dated = {n.id: n.date for n in nodes.values() if n.archived and n.date}
    between = [n for n in missing if n.estimate == "between"]
    for node in between[:20]:
        year, station, serial = graph_store.parse_id(node.id) or (0, "", 0)
        same = sorted(
            (p[2], dated[i])
            for i in dated
            if (p := graph_store.parse_id(i)) and p[:2] == (year, station)
        )
        lower = max((s for s in same if s[0] < serial), default=None)
        higher = min((s for s in same if s[0] > serial), default=None)
        assert lower is not None and higher is not None
        assert min(lower[1], higher[1]) <= (node.estimated_date or "") <= max(lower[1], higher[1])


def test_estimates_interpolate_by_serial() -> None:
    serials = graph_store.Serials(
        {"08OSLO100": ("2008-03-01", None), "08OSLO200": ("2008-03-11", None),
         "08ROME5": ("2008-01-01", None)}
    )  # fmt: skip
    assert serials.estimate("08OSLO150") == ("2008-03-06", "between")
    assert serials.estimate("08OSLO50") == ("2008-03-01", "before")
    assert serials.estimate("08OSLO900") == ("2008-03-11", "after")
    assert serials.estimate("09OSLO150") == (None, "none")
    quality = serials.quality()
    assert quality["after"] == {
        "cables": 1, "median_days": 10, "p90_days": 10, "within_7_days": 0.0,
        "within_30_days": 1.0,
    }  # fmt: skip


def test_thread_is_the_citations_within_hops_and_days(archive: Archive) -> None:
    viewer = archive.viewer(LOCAL)
    nodes, edges = exported(archive, viewer)
    cited = max((n for n in nodes.values() if n.archived), key=lambda n: n.in_degree)
    for hops, days in ((1, 3650), (3, 183), (2, 30)):
        entries = archive.graph_thread(cited.id, viewer=viewer, hops=hops, days=days)
        assert entries is not None
        # Brute force: breadth first through archived cables dated within the window.
        from datetime import date

        centre = date.fromisoformat(cited.date or "")
        distance = {cited.id: 0}
        frontier = [cited.id]
        for step in range(1, hops + 1):
            nxt = []
            for n in frontier:
                for a, b in edges:
                    for m in ((b,) if a == n else ()) + ((a,) if b == n else ()):
                        node = nodes[m]
                        if m in distance or not node.archived or not node.date:
                            continue
                        if abs((date.fromisoformat(node.date) - centre).days) > days:
                            continue
                        distance[m] = step
                        nxt.append(m)
            frontier = nxt
        assert {e.node.id: e.distance for e in entries} == distance
        keys = [(e.node.date or "", e.node.id) for e in entries]
        assert keys == sorted(keys)
        for entry in entries:
            assert set(entry.cites) == {b for a, b in edges if a == entry.node.id} & set(distance)
    assert archive.graph_thread("99NOWHERE1", viewer=viewer) is None


def test_most_cited_and_a_query_counts_only_its_cables_citations(archive: Archive) -> None:
    viewer = archive.viewer(LOCAL)
    nodes, edges = exported(archive, viewer)
    rows = archive.graph_most_cited(viewer=viewer, limit=10)
    counts = [r.citations for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == max(n.in_degree for n in nodes.values())
    assert all(not r.node.archived for r in archive.graph_most_cited(viewer=viewer, archived=False))
    archived = archive.graph_most_cited(viewer=viewer, archived=True, limit=3)
    # Cables held: their subject is shown when they have one (some sample cables lack it).
    assert archived and all(r.node.archived for r in archived)
    matching = set(archive.matching_ids("iran", viewer=viewer))
    assert matching
    expected: dict[str, int] = {}
    for a, b in edges:
        if a in matching:
            expected[b] = expected.get(b, 0) + 1
    found = archive.graph_most_cited(viewer=viewer, query="iran", limit=1000)
    assert {r.node.id: r.citations for r in found} == expected
    sub_nodes, sub_edges = exported(archive, viewer, query="iran")
    assert sub_edges == {(a, b) for a, b in edges if a in matching}
    assert set(sub_nodes) == matching | {b for _, b in sub_edges}


# --- each reader's own graph ----------------------------------------------------------


def test_a_ceiling_counts_only_references_within_it(archive: Archive) -> None:
    viewer = archive.viewer(CONFIDENTIAL_READER)
    _cables, edges = brute(archive, viewer, all_ids(archive))
    _, found = exported(archive, viewer)
    assert found == edges
    _, everything = exported(archive, archive.viewer(LOCAL))
    assert found < everything  # the sample's SECRET cables cite too


def test_a_readers_summary_holds_no_figure_of_the_scan_of_every_text(archive: Archive) -> None:
    """The build of a restricted reader's graph scans and reads every version its view
    wants, paragraphs above the ceiling included (it drops them after): the count of
    versions scanned and the CPU seconds of scanning and reading them are figures of text
    the reader may not see (docs/publishing.md, "What leaves the archive": no length or
    count derived from withheld text), so only the view of everything gets them."""
    scan = {"texts_scanned", "scan_cpu_seconds", "read_cpu_seconds"}
    for principal in (CONFIDENTIAL_READER, LOCAL):
        assert "cables" in archive.graph_stats(viewer=archive.viewer(principal))
    assert not scan & set(archive.graph_stats(viewer=archive.viewer(CONFIDENTIAL_READER)))
    assert scan <= set(archive.graph_stats(viewer=archive.viewer(LOCAL)))


def test_a_rule_on_a_reference_takes_its_edge_away_from_readers(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest([SAMPLE], workers=1)
        row = archive.connection.execute(
            "SELECT c.reference_id, r.text, r.cited_id FROM refs r JOIN cables c "
            "ON c.id = r.cable_id WHERE r.cited_id IS NOT NULL AND c.class_rank = 0 "
            "ORDER BY c.reference_id LIMIT 1"
        ).fetchone()
        citing, text, cited = row
        reader = Principal(name=None, role="reader", ceiling=Level.SECRET, foreign=False)
        before = exported(archive, archive.viewer(reader))[1]
        assert (citing, cited) in before
        word = max(text.split(), key=len)
        archive.redact(Rule(kind="span", text=word, cable_id=citing, reason="test"))
        after = exported(archive, archive.viewer(reader))[1]
        assert (citing, cited) not in after and after < before
        # Editors see the stored record: the edge is theirs still.
        assert (citing, cited) in exported(archive, archive.viewer(LOCAL))[1]


def _public_world(tmp_path: Path, published: list[str]) -> Archive:
    archive = Archive.open(tmp_path / "public")
    archive.ingest([SAMPLE], workers=1)
    archive.approve(published)
    archive.record_edition(None, "test")
    return archive


def test_the_public_graph_is_the_edition_as_if_nothing_else_were_held(tmp_path: Path) -> None:
    """An archived cable the edition does not hold looks exactly like one the archive
    does not have: the public's graph equals the graph of an archive holding only the
    published cables."""
    with Archive.open(tmp_path / "all") as everything:
        everything.ingest([SAMPLE], workers=1)
        ids = sorted(all_ids(everything))
    rng = random.Random(13)
    published = sorted(rng.sample(ids, len(ids) // 2))
    # Make sure some unpublished cable is cited by a published one.
    with Archive.open(tmp_path / "probe") as probe:
        probe.ingest([SAMPLE], workers=1)
        _, edges = exported(probe, probe.viewer(LOCAL))
    cited_unpublished = [(a, b) for a, b in edges if b in ids]
    # A cable the sample holds in two files (two versions) stays out: the archive of the
    # published files alone would hold another version of it.
    twice = {p.stem for p in (SAMPLE / "text").glob("*.txt")}
    a, b = next((a, b) for a, b in cited_unpublished if a not in twice)
    published = sorted((set(published) | {a}) - {b} - twice)
    public_archive = _public_world(tmp_path, published)
    only = tmp_path / "only"
    only.mkdir()
    files = [p for p in SAMPLE.rglob("*") if p.is_file() and p.stem in published]
    with Archive.open(only / "archive") as alone:
        alone.ingest(files, workers=1)
        assert sorted(all_ids(alone)) == published
        expected_nodes, expected_edges = exported(alone, alone.viewer(LOCAL))
        expected_stats = alone.graph_stats(viewer=alone.viewer(LOCAL))
    public = public_archive.public_viewer()
    nodes, found_edges = exported(public_archive, public)
    public_stats = public_archive.graph_stats(viewer=public)
    assert found_edges == expected_edges
    assert nodes == expected_nodes
    for key in ("cables", "missing", "edges", "components", "estimate_quality"):
        assert public_stats[key] == expected_stats[key]
    assert not nodes[b].archived and nodes[b].date is None
    # A cable neither published nor cited by a published one is no node at all.
    hidden = [i for i in ids if i not in published and i not in nodes]
    assert hidden
    assert public_archive.graph_cable(hidden[0], viewer=public) is None
    assert public_archive.graph_thread(b, viewer=public) is None
    # A signed-in reader sees the whole archive, and never fewer edges than the public.
    reader = public_archive.viewer(CONFIDENTIAL_READER)
    reader_edges = exported(public_archive, reader)[1]
    assert found_edges <= reader_edges
    public_archive.close()


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_public_outputs_never_name_an_unpublished_cable_as_held(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    tmp_path = tmp_path_factory.mktemp("public")
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest([SAMPLE], workers=1)
        ids = sorted(all_ids(archive))
        published = sorted(random.Random(seed).sample(ids, random.Random(seed).randint(1, 30)))
        archive.approve(published)
        archive.record_edition(None, "test")
        public = archive.public_viewer()
        _cables, edges = brute(archive, public, published)
        nodes, found = exported(archive, public)
        assert found == edges
        assert {n for n in nodes if nodes[n].archived} == set(published)
        subjects = {s for (s,) in archive.connection.execute("SELECT subject FROM cables") if s} - {
            archive.get(i, viewer=public).subject for i in published
        }  # type: ignore[union-attr]
        dates = {n.id: n.date for n in exported(archive, archive.viewer(LOCAL))[0].values()}
        for node in nodes.values():
            if node.id not in published:
                assert not node.archived and node.date is None and node.origin is None
        rows = archive.graph_most_cited(viewer=public, limit=1000)
        for row in rows:
            assert row.node.archived == (row.node.id in published)
            assert row.subject is None or row.subject not in subjects
        text = io.StringIO()
        all_nodes, all_edges = archive.graph_export(viewer=public)
        write_graph(all_nodes, all_edges, "graphml", text)
        tree = ET.fromstring(text.getvalue())
        ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
        for element in tree.iterfind(".//g:node", ns):
            name = element.get("id") or ""
            if name not in published:
                keys = {d.get("key") for d in element.iterfind("g:data", ns)}
                assert "date" not in keys and "origin" not in keys
                assert dates.get(name) is None or dates[name] not in {
                    d.text for d in element.iterfind("g:data", ns) if d.get("key") == "date"
                }


def test_the_graph_follows_the_archive(tmp_path: Path) -> None:
    """Fail closed: a new edition, a rule or an ingest is seen at the next read."""
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest([SAMPLE], workers=1)
        public = archive.public_viewer()
        assert archive.graph_stats(viewer=public)["cables"] == 0
        ids = sorted(all_ids(archive))[:5]
        archive.approve(ids)
        archive.record_edition(None, "test")
        assert archive.graph_stats(viewer=public)["cables"] == 5


# --- exports, CLI, API --------------------------------------------------------------------


@pytest.mark.parametrize("output", ["graphml", "gexf", "csv"])
def test_exports_read_back(archive: Archive, output: str) -> None:
    viewer = archive.viewer(LOCAL)
    nodes, edges = exported(archive, viewer)
    text = io.StringIO()
    n, e = write_graph(*archive.graph_export(viewer=viewer), output, text)
    assert (n, e) == (len(nodes), len(edges))
    if output == "csv":
        rows = list(csv.reader(io.StringIO(text.getvalue())))
        assert rows[0] == ["source", "target"]
        assert {(a, b) for a, b in rows[1:]} == edges
        return
    root = ET.fromstring(text.getvalue())
    if output == "graphml":
        ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
        found = {x.get("id") for x in root.iterfind(".//g:node", ns)}
        links = {(x.get("source"), x.get("target")) for x in root.iterfind(".//g:edge", ns)}
        keys = {x.get("id"): x.get("attr.type") for x in root.iterfind("g:key", ns)}
        assert keys["pagerank"] == "double" and keys["archived"] == "boolean"
        ranks = {
            x.get("id"): float(d.text or "")
            for x in root.iterfind(".//g:node", ns)
            for d in x.iterfind("g:data", ns)
            if d.get("key") == "pagerank"
        }
        assert all(abs(ranks[k] - nodes[k].pagerank) < 1e-15 for k in nodes)
    else:
        ns = {"g": "http://gexf.net/1.3"}
        assert root.get("version") == "1.3"
        found = {x.get("id") for x in root.iterfind(".//g:nodes/g:node", ns)}
        links = {(x.get("source"), x.get("target")) for x in root.iterfind(".//g:edges/g:edge", ns)}
    assert found == set(nodes)
    assert links == edges


def test_cli_commands(folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(folder)]
    with Archive.open(folder, create=False) as archive:
        top = archive.graph_most_cited(viewer=archive.viewer(LOCAL), archived=True, limit=1)[0]
    stats = runner.invoke(cli, ["graph", "stats", *db])
    assert stats.exit_code == 0, stats.output
    assert '"edges"' in stats.output
    cable = runner.invoke(cli, ["graph", "cable", top.node.id, *db])
    assert cable.exit_code == 0 and f"cited by {top.citations}" in cable.output
    assert runner.invoke(cli, ["graph", "cable", "99NOWHERE1", *db]).exit_code == 1
    thread = runner.invoke(cli, ["graph", "thread", top.node.id, *db, "--json"])
    assert thread.exit_code == 0 and top.node.id in thread.output
    most = runner.invoke(cli, ["graph", "most-cited", *db, "--query", "iran", "--limit", "3"])
    assert most.exit_code == 0, most.output
    bad = runner.invoke(cli, ["graph", "most-cited", *db, "--query", 'iran AND ("x'])
    assert bad.exit_code == 2
    out = tmp_path / "g.gexf"
    done = runner.invoke(cli, ["graph", "export", *db, "--format", "gexf", "--out", str(out)])
    assert done.exit_code == 0, done.output
    ET.parse(out)
    public = runner.invoke(cli, ["graph", "stats", *db, "--public"])
    assert public.exit_code == 0 and '"cables": 0' in public.output


def test_api_endpoints_match_their_schemas(folder: Path) -> None:
    import jsonschema

    def validate(payload: object, name: str) -> None:
        jsonschema.validate(
            payload, {"$ref": f"#/components/schemas/{name}", "components": spec()["components"]}
        )

    with Archive.open(folder, create=False) as archive:
        top = archive.graph_most_cited(viewer=archive.viewer(LOCAL), archived=True, limit=1)[0]
    with TestClient(create_app(folder), raise_server_exceptions=False) as client:
        validate(client.get("/api/graph").json(), "GraphStats")
        answer = client.get(f"/api/graph/cables/{top.node.id}")
        assert answer.status_code == 200
        validate(answer.json(), "GraphCable")
        assert len(answer.json()["cited_by"]) == top.citations
        thread = client.get(f"/api/graph/cables/{top.node.id}/thread", params={"hops": 2})
        validate(thread.json(), "Thread")
        most = client.get("/api/graph/most-cited", params={"q": "iran", "archived": "yes"})
        validate(most.json(), "MostCited")
        assert client.get("/api/graph/most-cited", params={"archived": "maybe"}).status_code == 400
        assert client.get("/api/graph/cables/99NOWHERE1").status_code == 404
        assert client.get("/api/graph/cables/99NOWHERE1/thread").status_code == 404
        assert client.get(f"/api/graph/cables/{top.node.id}/thread?hops=99").status_code == 400
        for output in ("graphml", "gexf", "csv"):
            got = client.get("/api/graph/export", params={"format": output, "q": "iran"})
            assert got.status_code == 200
            assert int(got.headers["x-rows"]) > 0
            if output != "csv":
                ET.fromstring(got.content)
        assert client.get("/api/graph/export", params={"format": "dot"}).status_code == 400


def test_api_visitors_get_the_published_graph(tmp_path: Path) -> None:
    archive = _public_world(tmp_path, [])
    ids = sorted(all_ids(archive))
    published = ids[::3]
    archive.approve(published)
    archive.record_edition(None, "test")
    Accounts(archive).add("rita", "a long enough password", "reader")
    local_nodes = exported(archive, archive.viewer(LOCAL))[0]
    archive.close()
    with TestClient(create_app(tmp_path / "public"), raise_server_exceptions=False) as client:
        stats = client.get("/api/graph").json()
        assert stats["cables"] == len(published)
        for name, node in local_nodes.items():
            if not node.archived or name in published:
                continue
            answer = client.get(f"/api/graph/cables/{name}")
            if answer.status_code == 200:
                data = answer.json()["node"]
                assert data["archived"] is False and data["date"] is None
            else:
                assert answer.status_code == 404
            assert client.get(f"/api/graph/cables/{name}/thread").status_code == 404
        got = client.get("/api/graph/export", params={"format": "csv"})
        sources = {row[0] for row in list(csv.reader(io.StringIO(got.text)))[1:]}
        assert sources <= set(published)


# --- warm caches (docs/graph.md, "Cold caches") -----------------------------------------


def _graph_fresh(archive: Archive, viewer: Viewer) -> bool:
    from cabledesk.archive.entity_views import stamp

    key = graph_store.view_key(archive._graph_seen(viewer))
    return archive._graphs._fresh_view(stamp(archive.connection), key) is not None


def _network_fresh(archive: Archive, viewer: Viewer) -> bool:
    from cabledesk.archive.entity_views import stamp, view_key

    key = view_key(archive._seen(viewer))
    return archive._networks._reader.stamp_of(key) == stamp(archive.connection)


def test_enrich_and_editions_warm_the_graphs_and_networks(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest([SAMPLE], workers=1)
        everything = archive.viewer(LOCAL)
        assert not _graph_fresh(archive, everything)
        report = archive.enrich(workers=0)
        assert set(report.warmed) == {
            "citation graph of everything",
            "co-mention network of everything",
        }
        assert _graph_fresh(archive, everything) and _network_fresh(archive, everything)
        assert archive.warm() == {}  # nothing stale: nothing built
        ids = sorted(all_ids(archive))[:5]
        archive.approve(ids)
        archive.record_edition(None, "test")
        # The public's graph is built in the background; a read waits for that build.
        assert archive.graph_stats(viewer=archive.public_viewer())["cables"] == 5
        archive._graphs.wait()
        archive._networks.wait()
        assert _graph_fresh(archive, archive.public_viewer()) and _graph_fresh(archive, everything)
        assert archive.warm() == {}
        assert _network_fresh(archive, archive.public_viewer())
        assert _network_fresh(archive, everything)
        # A change makes every one stale; warming builds what an edition exists for.
        archive.approve(sorted(all_ids(archive))[5:7])
        archive.record_edition(None, "test")
        archive._graphs.wait()
        archive._networks.wait()
        archive.redact(Rule(kind="name", text="Smith", reason="test"))
        assert set(archive.warm()) == {
            "citation graph of everything",
            "co-mention network of everything",
            "citation graph of the public",
            "co-mention network of the public",
        }
        assert _graph_fresh(archive, archive.public_viewer())
        assert archive.graph_stats(viewer=archive.public_viewer())["cables"] == 7


def test_a_long_lived_handle_rebuilds_what_a_change_made_stale(tmp_path: Path) -> None:
    """The server's handles (warm_after_changes) start the builds a redaction made stale
    at once; a command line handle leaves them to `cabledesk warm` or the next read."""
    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest([SAMPLE], workers=1)
        archive.enrich(workers=0)
        everything = archive.viewer(LOCAL)
        assert _graph_fresh(archive, everything) and _network_fresh(archive, everything)
        archive.redact(Rule(kind="name", text="Smith", reason="test"))
        archive._graphs.wait()
        archive._networks.wait()
        assert not _graph_fresh(archive, everything)
        assert not _network_fresh(archive, everything)

        archive.warm_after_changes = True
        archive.lift(1, "test")
        archive._graphs.wait()
        archive._networks.wait()
        assert _graph_fresh(archive, everything) and _network_fresh(archive, everything)
        assert archive.warm() == {}
        archive.warm_after_changes = False
        archive.redact(Rule(kind="name", text="Smith", reason="test"))
    # `cabledesk warm` builds what the redaction made stale, once.
    runner = CliRunner()
    first = runner.invoke(cli, ["warm", "--db", str(folder)])
    assert first.exit_code == 0, first.output
    assert "citation graph of everything: built" in first.output
    assert "co-mention network of everything: built" in first.output
    second = runner.invoke(cli, ["warm", "--db", str(folder)])
    assert second.exit_code == 0 and "nothing to build" in second.output
