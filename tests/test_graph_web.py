"""The citation graph's second slice (docs/graph.md): a cable's neighbourhood against a
breadth-first search written apart, the query language's `cited:`, `thread:` and
sort=cited against brute force per reader, parse errors with a caret, the pages and the
neighbourhood API for every kind of visitor (a held, unpublished cable looks exactly like
one the archive does not hold), and the drawing's layout."""

from __future__ import annotations

import csv
import io
import itertools
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from access_fixtures import Clock, add_people, sign_in
from cabledesk.access.principal import LOCAL, Principal
from cabledesk.archive import graph as graph_store
from cabledesk.facade import Archive
from cabledesk.presentation.graph_drawing import GAP, layout
from cabledesk.query import QueryError
from cabledesk.record.level import Level
from cabledesk.redact import Viewer
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from conftest import CORPUS, SAMPLE

CONFIDENTIAL_READER = Principal(name=None, role="reader", ceiling=Level.CONFIDENTIAL, foreign=False)


@dataclass
class World:
    folder: Path
    published: list[str]
    # A held cable, not published, that a published one cites (the public: "missing").
    cited_unpublished: str
    # A held cable, not published, that no published cable cites (the public: nothing).
    hidden: str


def _paths() -> list[Path]:
    return [SAMPLE, CORPUS / "cable"] if (CORPUS / "cable").exists() else [SAMPLE]


def exported(
    archive: Archive, viewer: Viewer
) -> tuple[dict[str, graph_store.Node], set[tuple[str, str]]]:
    nodes, edges = archive.graph_export(viewer=viewer)
    return {n.id: n for n in nodes}, set(edges)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("graph-web") / "archive"
    with Archive.open(folder) as archive:
        report = archive.ingest(_paths(), workers=1)
        assert report.failed == 0, report.examples
        ids = sorted(r[0] for r in archive.connection.execute("SELECT reference_id FROM cables"))
        _, edges = exported(archive, archive.viewer(LOCAL))
        held = set(ids)
        published = set(random.Random(13).sample(ids, len(ids) // 2))
        # Some published cable cites a held cable left unpublished.
        a, b = next((a, b) for a, b in sorted(edges) if b in held and a != b)
        published = (published | {a}) - {b}
        archive.approve(sorted(published))
        archive.record_edition(None, "test")
        public_nodes, _ = exported(archive, archive.public_viewer())
        hidden = next(i for i in ids if i not in published and i not in public_nodes)
    add_people(folder, Clock())
    return World(folder, sorted(published), b, hidden)


@pytest.fixture
def archive(world: World) -> Iterator[Archive]:
    with Archive.open(world.folder, create=False) as opened:
        yield opened


def viewers(archive: Archive) -> dict[str, Viewer]:
    return {
        "local": archive.viewer(LOCAL),
        "confidential reader": archive.viewer(CONFIDENTIAL_READER),
        "public": archive.public_viewer(),
    }


# --- the neighbourhood ------------------------------------------------------------------


def brute_neighbourhood(
    edges: set[tuple[str, str]], centre: str, hops: int
) -> tuple[dict[str, int], set[tuple[str, str]]]:
    near: dict[str, set[str]] = {}
    for a, b in edges:
        near.setdefault(a, set()).add(b)
        near.setdefault(b, set()).add(a)
    distance = {centre: 0}
    frontier = [centre]
    for step in range(1, hops + 1):
        reached = []
        for n in frontier:
            for m in near.get(n, ()):
                if m not in distance:
                    distance[m] = step
                    reached.append(m)
        frontier = reached
    return distance, {(a, b) for a, b in edges if a in distance and b in distance}


def test_neighbourhood_matches_a_breadth_first_search(archive: Archive) -> None:
    for who, viewer in viewers(archive).items():
        nodes, edges = exported(archive, viewer)
        hubs = sorted(nodes.values(), key=lambda n: (-n.in_degree - n.out_degree, n.id))[:8]
        assert hubs, who
        for hub in hubs:
            for hops in (1, 2, 3):
                found = archive.graph_neighbourhood(hub.id, viewer=viewer, hops=hops, cap=10_000)
                assert found is not None
                distance, among = brute_neighbourhood(edges, hub.id, hops)
                assert {n.id: d for n, d in found.nodes} == distance, (who, hub.id)
                assert set(found.edges) == among
                assert found.found == len(distance) and not found.capped
                assert found.nodes[0] == (nodes[hub.id], 0)
                # Every node carries the metrics of the whole graph.
                assert all(n == nodes[n.id] for n, _ in found.nodes)


def test_a_capped_neighbourhood_keeps_the_nearest(archive: Archive) -> None:
    viewer = archive.viewer(LOCAL)
    nodes, edges = exported(archive, viewer)
    checked = 0
    for hub in sorted(nodes.values(), key=lambda n: (-n.in_degree - n.out_degree, n.id))[:5]:
        distance, _ = brute_neighbourhood(edges, hub.id, 2)
        if len(distance) < 4:
            continue
        checked += 1
        cap = len(distance) - 2
        found = archive.graph_neighbourhood(hub.id, viewer=viewer, cap=cap)
        assert found is not None
        assert len(found.nodes) == cap and found.capped and found.found == len(distance)
        shown = [d for _, d in found.nodes]
        assert shown == sorted(shown)  # nearer first
        ring1 = sum(1 for d in distance.values() if d == 1)
        assert shown.count(1) == min(ring1, cap - 1)
        kept = {n.id for n, _ in found.nodes}
        assert set(found.edges) == {(a, b) for a, b in edges if a in kept and b in kept}
        # The rule, written apart: ring by ring, most links to the nodes chosen before,
        # then the node's number (the graph numbers held cables by id, then missing ones).
        chosen = [hub.id]
        for ring in (1, 2):
            members = [m for m, d in distance.items() if d == ring]
            before = set(chosen)
            links = {
                m: sum(1 for a, b in edges if (a == m and b in before) or (b == m and a in before))
                for m in members
            }
            members.sort(key=lambda m: (-links[m], not nodes[m].archived, m))
            chosen += members[: max(0, cap - len(chosen))]
        assert kept == set(chosen), hub.id
    assert checked >= 3
    assert archive.graph_neighbourhood("99NOWHERE1", viewer=viewer) is None


def test_the_layout_is_deterministic_and_keeps_labels_apart(archive: Archive) -> None:
    viewer = archive.viewer(LOCAL)
    nodes, _ = exported(archive, viewer)
    hub = max(nodes.values(), key=lambda n: (n.in_degree + n.out_degree, n.id))
    found = archive.graph_neighbourhood(hub.id, viewer=viewer)
    assert found is not None
    first = layout(found, lambda n: "/x/" + n.id)
    assert first == layout(found, lambda n: "/x/" + n.id)
    by_lane: dict[float, list[float]] = {}
    for placed in first.nodes:
        by_lane.setdefault(placed.y, []).append(placed.x)
        assert 0 <= placed.x <= first.width and 0 <= placed.y <= first.axis_y
    for xs in by_lane.values():
        xs.sort()
        assert all(b - a >= GAP - 0.2 for a, b in itertools.pairwise(xs))
    # Time runs left to right among dated nodes.
    dated = sorted((p.day, p.x) for p in first.nodes if p.day)
    assert [x for _, x in dated] == sorted(x for _, x in dated)
    assert len(first.lines) == len(found.edges)


# --- the query language ---------------------------------------------------------------


def in_range(count: int, low: int, high: int | None) -> bool:
    return count >= low and (high is None or count <= high)


CITED_FORMS = {
    "cited:1": (1, 1),
    "cited:>=1": (1, None),
    "cited:>=2": (2, None),
    "cited:>1": (2, None),
    "cited:<=1": (0, 1),
    "cited:<2": (0, 1),
    "cited:0": (0, 0),
    "cited:<1": (0, 0),
    "cited:1..2": (1, 2),
    "cited:<0": (1, 0),
}


def expected_cited(archive: Archive, viewer: Viewer, low: int, high: int | None) -> set[str]:
    nodes, _ = exported(archive, viewer)
    own = {i for i, n in nodes.items() if n.archived and in_range(n.in_degree, low, high)}
    if viewer.published_only or not viewer.restricted:
        return own
    # A signed-in reader never finds less than the public (the public's own counts).
    public, _ = exported(archive, archive.public_viewer())
    return own | {i for i, n in public.items() if n.archived and in_range(n.in_degree, low, high)}


def test_cited_matches_brute_force_per_reader(archive: Archive) -> None:
    for who, viewer in viewers(archive).items():
        nodes, _ = exported(archive, viewer)
        most = max(n.in_degree for n in nodes.values() if n.archived)
        # Not vacuous: some cable is cited (twice, for a reader of everything, with the
        # real corpus beside the checkout). The bundled sample alone cites none of its
        # cables twice, and none of its published cables cites another published one.
        corpus = (CORPUS / "cable").exists()
        if viewer.published_only:
            assert most >= (1 if corpus else 0), who
        else:
            assert most >= (2 if corpus else 1), who
        for query, (low, high) in CITED_FORMS.items():
            found = set(archive.matching_ids(query, viewer=viewer))
            assert found == expected_cited(archive, viewer, low, high), (who, query)
        # Combined with the rest of the language.
        iran = set(archive.matching_ids("iran", viewer=viewer))
        both = set(archive.matching_ids("iran AND cited:>=1", viewer=viewer))
        assert both == iran & expected_cited(archive, viewer, 1, None)
        without = iran - both
        if viewer.restricted and not viewer.published_only:
            # What the public's search finds counts too (its own counts).
            public = archive.public_viewer()
            without |= set(archive.matching_ids("iran -cited:>=1", viewer=public))
        assert set(archive.matching_ids("iran -cited:>=1", viewer=viewer)) == without, who


def test_the_public_counts_only_published_citations(archive: Archive, world: World) -> None:
    public = archive.public_viewer()
    everything = set(archive.matching_ids("cited:>=1", viewer=archive.viewer(LOCAL)))
    published = set(archive.matching_ids("cited:>=1", viewer=public))
    assert published <= set(world.published)
    # Counting over the published cables only: never more, and here fewer.
    assert published < everything
    assert world.cited_unpublished not in set(archive.matching_ids("cited:>=0", viewer=public))


def test_thread_query_is_the_thread(archive: Archive, world: World) -> None:
    for viewer in viewers(archive).values():
        nodes, _ = exported(archive, viewer)
        for hub in sorted(
            (n for n in nodes.values() if n.archived), key=lambda n: (-n.in_degree, n.id)
        )[:6]:
            entries = archive.graph_thread(hub.id, viewer=viewer)
            assert entries is not None
            expected = {e.node.id for e in entries}
            assert set(archive.matching_ids(f"thread:{hub.id}", viewer=viewer)) >= expected
            if not viewer.restricted or viewer.published_only:
                assert set(archive.matching_ids(f"thread:{hub.id}", viewer=viewer)) == expected
    public = archive.public_viewer()
    # Not one of the public's cables: found nothing, as for an id nobody knows.
    for name in (world.cited_unpublished, world.hidden, "99NOWHERE1"):
        assert list(archive.matching_ids(f"thread:{name}", viewer=public)) == []


def test_sort_by_citations(archive: Archive) -> None:
    for who, viewer in viewers(archive).items():
        nodes, _ = exported(archive, viewer)
        for query in ("", "iran", "cited:>=1"):
            ids = list(archive.matching_ids(query, viewer=viewer, blank_matches_all=True))
            ordered = list(
                archive.matching_ids(query, viewer=viewer, sort="cited", blank_matches_all=True)
            )
            assert sorted(ordered) == sorted(ids), (who, query)
            counts = [nodes[i].in_degree if i in nodes else 0 for i in ordered]
            cited = [(-nodes[i].in_degree, i) for i in ordered if counts[ordered.index(i)] > 0]
            assert cited == sorted(cited), (who, query)
            assert counts == sorted(counts, reverse=True), (who, query)
            # Paged search gives the same order, with the counts as scores.
            paged = []
            for offset in range(0, min(len(ids), 45), 7):
                result = archive.search(
                    query,
                    viewer=viewer,
                    sort="cited",
                    limit=7,
                    offset=offset,
                    facets=False,
                    blank_matches_all=True,
                )
                assert result.total == len(ids)
                paged += [h.reference_id for h in result.hits]
            assert paged == ordered[: len(paged)], (who, query)


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("iran cited:abc", 5, "cited: takes"),
        ("cited:5..2", 0, "the range ends before it starts"),
        ("(iran OR cited:>=x)", 9, "cited: takes"),
        ("thread:08OSLO/585", 0, "thread: takes"),
        ("thread:", 7, "thread: needs a value"),
    ],
)
def test_parse_errors_point_at_the_field(
    archive: Archive, query: str, position: int, message: str
) -> None:
    with pytest.raises(QueryError) as caught:
        archive.search(query, viewer=archive.viewer(LOCAL))
    assert caught.value.position == position
    assert message in caught.value.message
    assert str(caught.value).endswith("\n  " + " " * position + "^")


# --- pages and the API, for every kind of visitor --------------------------------------


@pytest.fixture(scope="module")
def clients(world: World) -> Iterator[dict[str, TestClient]]:
    app = create_app(world.folder)
    with TestClient(app, raise_server_exceptions=False) as anonymous:
        found = {"anonymous": anonymous}
        for name in ("ada", "eddie", "rita", "fran"):
            client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
            assert sign_in(client, name).status_code == 303
            found[name] = client
        foreign = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        foreign.headers["authorization"] = "Bearer cdt_not-a-token"
        found["refused token"] = foreign
        yield found


def _hub(archive: Archive, viewer: Viewer) -> graph_store.Node:
    nodes, _ = exported(archive, viewer)
    return max(
        (n for n in nodes.values() if n.archived), key=lambda n: (n.in_degree + n.out_degree, n.id)
    )


def _linked_ids(html: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, html))


def test_pages_for_every_kind_of_visitor(
    archive: Archive, world: World, clients: dict[str, TestClient]
) -> None:
    public = archive.public_viewer()
    hub = _hub(archive, public)
    for who, client in clients.items():
        if who == "refused token":
            # A dead token is told so, even on the reading routes.
            for path in (f"/cable/{hub.id}/graph", "/graph/most-cited"):
                assert client.get(path).status_code == 303
            continue
        page = client.get(f"/cable/{hub.id}/graph")
        assert page.status_code == 200, who
        assert '<svg class="graph"' in page.text
        thread = client.get(f"/cable/{hub.id}/thread")
        assert thread.status_code == 200 and 'id="thread"' in thread.text
        most = client.get("/graph/most-cited", params={"q": "iran"})
        assert most.status_code == 200 and 'id="most-cited"' in most.text
        bad = client.get("/graph/most-cited", params={"q": 'iran AND ("x'})
        assert bad.status_code == 400 and "query-error" in bad.text
        cable = client.get(f"/cable/{hub.id}")
        assert f'href="/cable/{hub.id}/graph"' in cable.text
    # Editors and admins see every held cable as held; the public sees the edition only.
    for who in ("ada", "eddie", "rita"):
        page = clients[who].get(f"/cable/{world.cited_unpublished}/graph")
        assert page.status_code == 200 and 'id="not-held"' not in page.text, who
        assert clients[who].get(f"/cable/{world.hidden}/graph").status_code == 200


def test_visitors_see_an_unpublished_cable_as_one_never_held(
    archive: Archive, world: World, clients: dict[str, TestClient]
) -> None:
    visitor = clients["anonymous"]
    unknown = "99NOWHERE1"
    hidden, known = (
        visitor.get(f"/cable/{world.hidden}/graph"),
        visitor.get(f"/cable/{unknown}/graph"),
    )
    assert hidden.status_code == known.status_code == 404
    assert hidden.text.replace(world.hidden, "X").replace(
        f"%2Fcable%2F{world.hidden}", "P"
    ) == known.text.replace(unknown, "X").replace(f"%2Fcable%2F{unknown}", "P")
    for path in ("neighbourhood", "thread", ""):
        answer = visitor.get(f"/api/graph/cables/{world.hidden}/{path}".rstrip("/"))
        assert answer.status_code == 404, path
    assert visitor.get(f"/cable/{world.cited_unpublished}/thread").status_code == 404
    # Cited by a published cable: a node "not in this archive", with no date or subject.
    page = visitor.get(f"/cable/{world.cited_unpublished}/graph")
    assert page.status_code == 200 and 'id="not-held"' in page.text
    held = archive.get(world.cited_unpublished, viewer=archive.viewer(LOCAL))
    assert held is not None
    if held.subject:
        assert held.subject not in page.text
    if held.header.sent:
        assert held.header.sent[:10] not in page.text
    # Every node the public is shown is the public's; none held-but-unpublished is linked
    # to a cable page.
    public_nodes, _ = exported(archive, archive.public_viewer())
    for html in (page.text, visitor.get("/graph/most-cited?archived=all").text):
        for linked in _linked_ids(html, r'href="/cable/([^"/]+)"'):
            assert linked in world.published, linked
        for drawn in _linked_ids(html, r'data-id="([^"]+)"'):
            assert drawn in public_nodes
    data = visitor.get(f"/api/graph/cables/{world.cited_unpublished}/neighbourhood").json()
    centre = data["nodes"][0]
    assert centre["archived"] is False and centre["date"] is None and centre["origin"] is None
    assert {n["id"] for n in data["nodes"] if n["archived"]} <= set(world.published)


def test_a_ceiling_draws_only_the_citations_within_it(
    archive: Archive, clients: dict[str, TestClient]
) -> None:
    fran = archive.viewer(
        Principal(name="fran", role="reader", ceiling=Level.CONFIDENTIAL, foreign=True)
    )
    _, edges = exported(archive, fran)
    hub = _hub(archive, fran)
    data = clients["fran"].get(f"/api/graph/cables/{hub.id}/neighbourhood").json()
    distance, among = brute_neighbourhood(edges, hub.id, 2)
    if len(distance) <= graph_store.NEIGHBOURHOOD_NODES:
        assert {n["id"]: n["distance"] for n in data["nodes"]} == distance
        assert {(e["source"], e["target"]) for e in data["edges"]} == among


def test_neighbourhood_api_and_exports(archive: Archive, clients: dict[str, TestClient]) -> None:
    import jsonschema

    def validate(payload: object, name: str) -> None:
        jsonschema.validate(
            payload, {"$ref": f"#/components/schemas/{name}", "components": spec()["components"]}
        )

    client = clients["ada"]
    hub = _hub(archive, archive.viewer(LOCAL))
    answer = client.get(f"/api/graph/cables/{hub.id}/neighbourhood")
    assert answer.status_code == 200
    validate(answer.json(), "Neighbourhood")
    small = client.get(f"/api/graph/cables/{hub.id}/neighbourhood", params={"limit": 2}).json()
    assert len(small["nodes"]) == 2 and small["capped"] == (small["found"] > 2)
    ids = {n["id"] for n in answer.json()["nodes"]}
    links = {(e["source"], e["target"]) for e in answer.json()["edges"]}
    for output in ("graphml", "gexf", "csv"):
        got = client.get(f"/api/graph/cables/{hub.id}/neighbourhood", params={"format": output})
        assert got.status_code == 200 and int(got.headers["x-rows"]) == len(links)
        if output == "csv":
            rows = list(csv.reader(io.StringIO(got.text)))
            assert {(a, b) for a, b in rows[1:]} == links
        else:
            root = ET.fromstring(got.content)
            assert {x.get("id") for x in root.iter() if x.tag.endswith("}node")} == ids
    thread = client.get(f"/api/graph/cables/{hub.id}/thread", params={"format": "csv"})
    entries = archive.graph_thread(hub.id, viewer=archive.viewer(LOCAL))
    assert entries is not None
    rows = list(csv.reader(io.StringIO(thread.text)))[1:]
    assert {(a, b) for a, b in rows} == {(e.node.id, c) for e in entries for c in e.cites}
    for bad in ({"hops": "4"}, {"limit": "0"}, {"format": "dot"}):
        got = client.get(f"/api/graph/cables/{hub.id}/neighbourhood", params=bad)
        assert got.status_code == 400
    assert client.get("/api/graph/cables/99NOWHERE1/neighbourhood").status_code == 404
    search = client.get("/api/search", params={"q": "cited:>=1", "sort": "cited"})
    assert search.status_code == 200
    scores = [h["score"] for h in search.json()["hits"]]
    assert scores == sorted(scores, reverse=True) and scores[0] >= 1


def test_citation_counts_follow_the_archive(tmp_path: Path) -> None:
    """Fail closed: the ranked list kept in memory is of one state of the archive; an
    edition that drops the citing cable changes what `cited:` finds and the sort."""
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest([SAMPLE], workers=1)
        public = archive.public_viewer()
        assert list(archive.matching_ids("cited:>=1", viewer=public)) == []
        ids = sorted(r[0] for r in archive.connection.execute("SELECT reference_id FROM cables"))
        archive.approve(ids)
        archive.record_edition(None, "test")
        assert "08OSLO585" in set(archive.matching_ids("cited:>=1", viewer=public))
        first = archive.search("", viewer=public, sort="cited", blank_matches_all=True, limit=3)
        assert first.hits[0].score >= 1
        archive.withdraw(["08OSLO670"])
        archive.record_edition(None, "test")
        assert "08OSLO585" not in set(archive.matching_ids("cited:>=1", viewer=public))
        assert "08OSLO585" in set(archive.matching_ids("cited:0", viewer=public))
        # The local desk still counts the stored citation.
        local = archive.viewer(LOCAL)
        assert "08OSLO585" in set(archive.matching_ids("cited:1", viewer=local))


def test_cli_search_sorts_by_citations(world: World) -> None:
    from click.testing import CliRunner

    from cabledesk.cli.main import cli

    runner = CliRunner()
    db = ["--db", str(world.folder)]
    done = runner.invoke(cli, ["search", "cited:>=1", *db, "--sort", "cited", "--output", "ids"])
    assert done.exit_code == 0, done.output
    with Archive.open(world.folder, create=False) as archive:
        expected = list(
            archive.matching_ids("cited:>=1", viewer=archive.viewer(LOCAL), sort="cited")
        )
    assert done.output.split()[: len(expected)][:20] == expected[:20]
    bad = runner.invoke(cli, ["search", "cited:>=x", *db])
    assert bad.exit_code == 2 and "^" in bad.output
