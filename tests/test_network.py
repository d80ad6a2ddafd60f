"""The co-mention network (archive/entity_network.py, docs/network.md): an entity's
network and a query's, from each reader's own view, against a brute-force reading of the
mentions; the cache per class of reader against counting from the mentions; freshness
after every kind of change; the leak rules (a redacted name is never a node, withheld
paragraphs add no weight, the public counts only published cables); the exports, the
pages, the API and the command line."""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import sqlite3
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import combinations
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from access_fixtures import Clock, add_people, sign_in
from cabledesk.archive import entity_network
from cabledesk.archive.entities import Visibility
from cabledesk.archive.entity_network import CACHE, LiveIncidence, Network
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer
from cabledesk.views.network_export import write_network
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from cabledesk.web.pages import network as network_pages
from conftest import SAMPLE

EVERYTHING = Viewer()
MANAGUA = "10MANAGUA115"  # SECRET, paragraphs marked (S), (C) and (U)
PUBLISHED = [MANAGUA, "08BAGHDAD1784", "04RANGOON88", "06MANAGUA1003", "09STATE63812"]


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("network") / "archive"
    with Archive.open(folder) as archive:
        assert archive.ingest([SAMPLE], workers=1).failed == 0
        assert archive.enrich(workers=0).mentions > 500
        archive.approve(PUBLISHED)
        archive.record_edition(None, "test")
    return folder


@pytest.fixture
def folder(enriched: Path, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(enriched, target)
    return target


# --- brute force: the network read straight off the mentions ------------------------


def pairs_of(archive: Archive, viewer: Viewer) -> dict[int, set[int]]:
    """Entity id -> the row ids of the cables with a mention `viewer` may count, by the
    facade's own rule (Visibility.sql), entities a rule hides left out."""
    seen = archive._seen(viewer)
    sql, params = seen.sql("all")
    cables: dict[int, set[int]] = {}
    for cable_id, entity_id in archive.connection.execute(
        f"SELECT m.cable_id, k.entity_id {sql}", params
    ):
        cables.setdefault(entity_id, set()).add(cable_id)
    return {e: c for e, c in cables.items() if not archive._hidden(e, viewer)}


def brute_ego(cables: dict[int, set[int]], entity_id: int, limit: int) -> Any:
    own = cables.get(entity_id)
    if not own:
        return None
    shared = [(len(own & c), e) for e, c in cables.items() if e != entity_id and own & c]
    top = [e for _, e in sorted(shared, key=lambda x: (-x[0], x[1]))[:limit]]
    ids = [entity_id, *top]
    nodes = [(e, len(cables[e])) for e in ids]
    links = sorted(
        ((a, b, len(cables[a] & cables[b])) for a, b in combinations(ids, 2)
         if cables[a] & cables[b]),
        key=lambda k: (-k[2], k[0], k[1]),
    )  # fmt: skip
    return nodes, links


def brute_among(cables: dict[int, set[int]], among: set[int], limit: int) -> Any:
    within = {e: c & among for e, c in cables.items() if c & among}
    top = sorted(within, key=lambda e: (-len(within[e]), e))[:limit]
    nodes = [(e, len(within[e])) for e in top]
    links = sorted(
        ((a, b, len(within[a] & within[b])) for a, b in combinations(top, 2)
         if within[a] & within[b]),
        key=lambda k: (-k[2], k[0], k[1]),
    )  # fmt: skip
    return nodes, links


def counted(network: Network | None) -> Any:
    if network is None:
        return None
    return (
        [(n.id, n.cables) for n in network.nodes],
        [(k.source, k.target, k.cables) for k in network.links],
    )


@contextmanager
def live(archive: Archive) -> Iterator[None]:
    """Answers counted from the mentions, as while no cache is fresh."""
    archive._networks.fresh = lambda connection, seen: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        del archive._networks.fresh


def build_cache(archive: Archive, viewer: Viewer) -> None:
    archive._networks.build(archive._seen(viewer))
    assert archive._networks.fresh(archive.connection, archive._seen(viewer)) is not None


def readers(archive: Archive) -> dict[str, Viewer]:
    low = Viewer(ceiling=1, foreign=True, redact=True)  # CONFIDENTIAL, foreign
    low.compiled = archive.redactor()
    nothing = Viewer(ceiling=0, redact=True)  # UNCLASSIFIED
    nothing.compiled = archive.redactor()
    return {
        "everything": EVERYTHING,
        "public": archive.public_viewer(),
        "confidential": low,
        "unclassified": nothing,
    }


def sample_entities(cables: dict[int, set[int]], n: int = 40) -> list[int]:
    biggest = sorted(cables, key=lambda e: (-len(cables[e]), e))[:15]
    rest = sorted(set(cables) - set(biggest))
    return biggest + random.Random(7).sample(rest, min(n - len(biggest), len(rest)))


def check_reader(archive: Archive, viewer: Viewer, name: str) -> None:
    cables = pairs_of(archive, viewer)
    assert cables, name
    for entity_id in sample_entities(cables):
        for limit in (30, 3):
            expected = brute_ego(cables, entity_id, limit)
            assert counted(archive.entity_network(entity_id, viewer=viewer, limit=limit)) == (
                expected
            ), (name, entity_id, limit)
    rowids = dict(archive.connection.execute("SELECT reference_id, id FROM cables").fetchall())
    for q in ("iran", "tag:PREL", "nuclear OR embassy"):
        ids = list(archive.matching_ids(q, viewer=viewer))
        among = {rowids[i] for i in ids}
        found = archive.query_network(q, viewer=viewer, nodes=12)
        assert counted(found) == brute_among(cables, among, 12), (name, q)
        assert found.counted == found.matching == len(ids) and not found.capped


# --- what every reader gets --------------------------------------------------------


def test_every_reader_gets_the_brute_force_network_cached_or_counted(folder: Path) -> None:
    with Archive.open(folder) as archive:
        for name, viewer in readers(archive).items():
            with live(archive):
                check_reader(archive, viewer, name + " (counted)")
            build_cache(archive, viewer)
            check_reader(archive, viewer, name + " (cached)")
        # The classes differ, and are kept apart.
        sizes = {n: len(pairs_of(archive, v)) for n, v in readers(archive).items()}
        assert sizes["public"] < sizes["confidential"] < sizes["everything"]


def test_the_largest_first_walk_finds_what_counting_each_cable_finds(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sets of more than SMALL cables are counted by intersecting bitmaps, the largest
    entities first, stopping early; forced here on the sample."""
    with Archive.open(folder) as archive:
        for name, viewer in readers(archive).items():
            build_cache(archive, viewer)
            cables = pairs_of(archive, viewer)
            picked = sample_entities(cables, 25)
            small = {e: counted(archive.entity_network(e, viewer=viewer)) for e in picked}
            monkeypatch.setattr(entity_network, "SMALL", 0)
            for entity_id in picked:
                walked = counted(archive.entity_network(entity_id, viewer=viewer))
                assert walked == small[entity_id] == brute_ego(cables, entity_id, 30), name
            monkeypatch.setattr(entity_network, "SMALL", 3000)


def test_a_query_network_is_capped_and_says_so(folder: Path) -> None:
    with Archive.open(folder) as archive:
        whole = archive.query_network("tag:PREL", viewer=EVERYTHING)
        part = archive.query_network("tag:PREL", viewer=EVERYTHING, cables=5)
        assert not whole.capped and whole.matching > 5
        assert part.capped and part.counted == 5 and part.matching == whole.matching
        first = list(archive.matching_ids("tag:PREL", viewer=EVERYTHING, limit=5))
        rowids = dict(archive.connection.execute("SELECT reference_id, id FROM cables").fetchall())
        among = {rowids[i] for i in first}
        assert counted(part) == brute_among(pairs_of(archive, EVERYTHING), among, 30)


# --- leaks ---------------------------------------------------------------------------


def test_a_redacted_name_is_never_a_node(folder: Path) -> None:
    add_people(folder, Clock())
    with Archive.open(folder) as archive:
        ortega = archive.entities(viewer=EVERYTHING, name="Daniel Ortega")[0]
        page = archive.entity(ortega.id, viewer=EVERYTHING)
        assert page is not None
        neighbours = [n.id for n in archive.entity_network(ortega.id, viewer=EVERYTHING).nodes]  # type: ignore[union-attr]
        assert len(neighbours) > 5
        for reader in readers(archive).values():
            build_cache(archive, reader)  # built before the rule: stale after it
        aliases = [a for a, _ in page.aliases]
        archive.redact(Rule(kind="name", text="Daniel Ortega", variants=aliases, reason="test"))
        archive.approve(page.cables)
        archive.record_edition(None, "test")
        for name, viewer in readers(archive).items():
            if name == "everything":
                continue
            viewer.compiled = archive.redactor()
            assert archive.entity_network(ortega.id, viewer=viewer) is None, name
            for entity_id in neighbours[1:]:
                found = archive.entity_network(entity_id, viewer=viewer)
                if found is not None:
                    assert ortega.id not in {n.id for n in found.nodes}, name
                    assert not any("Ortega" in n.name for n in found.nodes), name
            for q in ("ortega", "nicaragua", "tag:PREL"):
                found = archive.query_network(q, viewer=viewer, nodes=100)
                assert ortega.id not in {n.id for n in found.nodes}, (name, q)
            check_reader(archive, viewer, name)
        # Editors see the stored record.
        theirs = archive.entity_network(neighbours[1], viewer=EVERYTHING, limit=100)
        assert theirs is not None and ortega.id in {n.id for n in theirs.nodes}
    ids = [str(i) for i in neighbours[1:4]]
    for who in ("rita", "fran", None):
        with client_of(folder, who) as client:
            assert client.get(f"/entities/{ortega.id}/network").status_code == 404, who
            assert client.get(f"/api/entities/{ortega.id}/network").status_code == 404, who
            for entity_id in ids:
                for answer in (
                    client.get(f"/entities/{entity_id}/network"),
                    *(
                        client.get(f"/api/entities/{entity_id}/network", params={"format": f})
                        for f in ("json", "graphml", "gexf", "csv")
                    ),
                    client.get("/network", params={"q": "nicaragua"}),
                    client.get("/api/network", params={"q": "ortega", "format": "csv"}),
                ):
                    assert "Ortega" not in answer.text, who
                    assert f'/entities/{ortega.id}"' not in answer.text, who


def test_withheld_paragraphs_add_no_weight(folder: Path) -> None:
    with Archive.open(folder) as archive:
        low = readers(archive)["confidential"]
        everything, theirs = pairs_of(archive, EVERYTHING), pairs_of(archive, low)
        # Some entity is named only in parts above their ceiling, and some pair's weight
        # is lower for them: the reader's own view, not everyone's filtered.
        secret_only = sorted(set(everything) - set(theirs))
        assert secret_only
        lighter = [e for e in theirs if theirs[e] != everything[e] and len(theirs[e]) > 1]
        assert lighter
        for cached in (False, True):
            if cached:
                build_cache(archive, low)
            for entity_id in secret_only[:20]:
                assert archive.entity_network(entity_id, viewer=low) is None
            for entity_id in lighter[:20]:
                found = archive.entity_network(entity_id, viewer=low, limit=100)
                assert found is not None
                assert not {n.id for n in found.nodes} & set(secret_only)
                for link in found.links:
                    assert link.cables == len(theirs[link.source] & theirs[link.target])
                    assert link.cables <= len(everything[link.source] & everything[link.target])


def test_the_public_network_counts_only_published_cables(folder: Path) -> None:
    with Archive.open(folder) as archive:
        public = archive.public_viewer()
        published = {
            row[0]
            for row in archive.connection.execute(
                f"SELECT id FROM cables WHERE reference_id IN ({','.join('?' * len(PUBLISHED))})",
                PUBLISHED,
            )
        }
        theirs = pairs_of(archive, public)
        assert set().union(*theirs.values()) <= published
        everything = pairs_of(archive, EVERYTHING)
        unpublished_only = [e for e, c in everything.items() if not c & published]
        assert unpublished_only
        build_cache(archive, public)
        for entity_id in unpublished_only[:30]:
            assert archive.entity_network(entity_id, viewer=public) is None
        for entity_id in list(theirs)[:30]:
            found = archive.entity_network(entity_id, viewer=public, limit=100)
            assert found is not None
            for node in found.nodes:
                assert node.cables == len(everything[node.id] & published)
        found = archive.query_network("tag:PREL", viewer=public, nodes=100)
        assert found.matching <= len(published)


# --- freshness ---------------------------------------------------------------------------


CHANGES = ["merge", "split", "rename", "alias", "delete", "redaction", "edition"]


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_shows_at_once(folder: Path, change: str) -> None:
    with Archive.open(folder) as archive:
        for viewer in readers(archive).values():
            build_cache(archive, viewer)
        people = archive.entities(viewer=EVERYTHING, kind="person", limit=3)
        a, b = people[0], people[1]
        if change == "merge":
            archive.merge_entities(a.id, b.id, reason="test")
        elif change == "split":
            cable = archive.entity(a.id, viewer=EVERYTHING).cables[0]  # type: ignore[union-attr]
            archive.split_entity(a.id, name="Someone Else", cables=[cable], reason="test")
        elif change == "rename":
            archive.rename_entity(b.id, "A New Name", reason="test")
        elif change == "alias":
            surface = archive.entity(a.id, viewer=EVERYTHING).aliases[0][0]  # type: ignore[union-attr]
            archive.add_alias(b.id, surface, reason="test")
        elif change == "delete":
            archive.delete_entity(a.id, reason="test")
        elif change == "redaction":
            archive.redact(Rule(kind="paragraph", cable_id=MANAGUA, paragraph=2, reason="test"))
        else:
            archive.withdraw([MANAGUA])
            archive.record_edition(None, "test")
        for name, viewer in readers(archive).items():
            viewer.compiled = archive.redactor()
            # The cache built before is of another state of the archive: not used. (An
            # edition starts the builds of the public's and everything's caches at once: one
            # may be of the new state already, which `fresh` checks by the stamp.)
            if change != "edition":
                found = archive._networks.fresh(archive.connection, archive._seen(viewer))
                assert found is None, (change, name)
            check_reader(archive, viewer, f"{change}: {name}")
        after = archive.entity_network(b.id, viewer=EVERYTHING)
        assert after is not None
        if change == "merge":
            assert a.id not in {n.id for n in after.nodes}
            merged = archive.entity_network(a.id, viewer=EVERYTHING)
            assert merged is not None and merged.center == b.id
        if change == "rename":
            assert after.nodes[0].name == "A New Name"
        if change == "delete":
            assert archive.entity_network(a.id, viewer=EVERYTHING) is None
            assert a.id not in {n.id for n in after.nodes}


def test_a_stale_read_builds_the_cache_in_the_background(folder: Path) -> None:
    with sqlite3.connect(folder / CACHE) as cache:
        cache.execute("DELETE FROM views")  # stale (an edition may have warmed it)
    with Archive.open(folder) as archive:
        seen = archive._seen(EVERYTHING)
        assert archive._networks.fresh(archive.connection, seen) is None  # starts a build
        for _ in range(200):
            if archive._networks.fresh(archive.connection, seen) is not None:
                break
            time.sleep(0.05)
        incidence = archive._networks.fresh(archive.connection, seen)
        assert incidence is not None
        assert (folder / CACHE).stat().st_mode & 0o077 == 0
        assert isinstance(
            archive._networks.incidence(archive.connection, Visibility(ceiling=0)), LiveIncidence
        )


# --- exports, pages, API, command line ---------------------------------------------------


def test_exports_read_back_in_every_format(folder: Path) -> None:
    with Archive.open(folder) as archive:
        top = archive.entities(viewer=EVERYTHING, limit=1)[0]
        network = archive.entity_network(top.id, viewer=EVERYTHING)
        assert network is not None
    weights = {(str(k.source), str(k.target)): k.cables for k in network.links}
    names = {str(n.id): n.name for n in network.nodes}
    for output in ("graphml", "gexf", "csv"):
        text = io.StringIO()
        assert write_network(network, output, text) == (len(network.nodes), len(network.links))
        if output == "csv":
            rows = list(csv.DictReader(io.StringIO(text.getvalue())))
            assert {(r["source"], r["target"]): int(r["weight"]) for r in rows} == weights
            assert all(names[r["source"]] == r["source_name"] for r in rows)
            continue
        root = ElementTree.fromstring(text.getvalue())
        ns = {"g": root.tag.split("}")[0][1:]}
        if output == "graphml":
            graph = root.find("g:graph", ns)
            assert graph is not None and graph.get("edgedefault") == "undirected"
            keys = {k.get("id"): k.get("attr.name") for k in root.findall("g:key", ns)}
            found = {}
            for edge in graph.findall("g:edge", ns):
                data = {keys[d.get("key")]: d.text for d in edge.findall("g:data", ns)}
                found[(edge.get("source"), edge.get("target"))] = int(data["weight"])  # type: ignore[arg-type]
            nodes = {n.get("id") for n in graph.findall("g:node", ns)}
        else:
            graph = root.find("g:graph", ns)
            assert graph is not None and graph.get("defaultedgetype") == "undirected"
            found = {
                (e.get("source"), e.get("target")): int(e.get("weight"))  # type: ignore[arg-type]
                for e in graph.iter(f"{{{ns['g']}}}edge")
            }
            labels = {n.get("id"): n.get("label") for n in graph.iter(f"{{{ns['g']}}}node")}
            assert labels == names
            nodes = set(labels)
        assert found == weights and nodes == set(names)


@contextmanager
def client_of(folder: Path, who: str | None = None) -> Iterator[TestClient]:
    with TestClient(
        create_app(folder, clock=Clock()), follow_redirects=False, raise_server_exceptions=True
    ) as client:
        if who is not None:
            assert sign_in(client, who).status_code == 303
        yield client


def validate(payload: Any) -> None:
    schema = {"$ref": "#/components/schemas/Network", "components": spec()["components"]}
    jsonschema.validate(payload, schema)


def test_the_pages_and_the_api(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Archive.open(folder) as archive:
        top = archive.entities(viewer=EVERYTHING, limit=1)[0]
        expected = archive.entity_network(top.id, viewer=EVERYTHING, limit=10)
        query = archive.query_network("iran", viewer=EVERYTHING, nodes=8)
    assert expected is not None
    with client_of(folder) as client:
        assert f'href="/entities/{top.id}/network"' in client.get(f"/entities/{top.id}").text
        assert 'href="/network?q=iran"' in client.get("/entities?q=iran").text
        page = client.get(f"/entities/{top.id}/network", params={"limit": 10}).text
        assert '<svg id="network-svg"' in page
        for node in expected.nodes:
            assert f'<a href="/entities/{node.id}" data-entity="{node.id}">' in page
        assert f"/api/entities/{top.id}/network?limit=10&amp;format=gexf" in page
        answer = client.get(f"/api/entities/{top.id}/network", params={"limit": 10})
        validate(answer.json())
        assert answer.json() == network_pages.network_json(expected)
        gexf = client.get(f"/api/entities/{top.id}/network", params={"format": "gexf"})
        assert gexf.headers["content-type"].startswith("application/gexf+xml")
        assert int(gexf.headers["x-rows"]) > 0
        answer = client.get("/api/network", params={"q": "iran", "nodes": 8})
        validate(answer.json())
        assert answer.json() == network_pages.network_json(query)
        page = client.get("/network", params={"q": "iran", "nodes": 8}).text
        assert '<svg id="network-svg"' in page and "network-capped" not in page
        monkeypatch.setattr(network_pages, "MAX_CABLES", 3)
        page = client.get("/network", params={"q": "iran"}).text
        assert 'id="network-capped"' in page and "only the 3 best-matching cables" in page
        assert client.get("/api/network", params={"q": "iran"}).json()["capped"] is True
        # Mistakes.
        assert client.get("/network", params={"q": "iran AND ("}).status_code == 400
        bad = client.get("/api/network", params={"q": "iran AND ("})
        assert bad.status_code == 400 and bad.json()["error"]["position"] == 10
        assert client.get("/api/network", params={"q": ""}).status_code == 400
        assert client.get("/api/network", params={"q": "x", "format": "pdf"}).status_code == 400
        assert client.get(f"/api/entities/{top.id}/network?limit=0").status_code == 400
        assert client.get("/api/entities/999999/network").status_code == 404
        assert client.get("/entities/999999/network").status_code == 404
        assert client.get("/entities/x/network").status_code == 404


def test_the_public_and_a_low_ceiling_reader_on_the_desk(folder: Path) -> None:
    add_people(folder, Clock())
    with Archive.open(folder) as archive:
        views = readers(archive)
        public, low = views["public"], views["confidential"]
        everything = pairs_of(archive, EVERYTHING)
        for who, viewer in ((None, public), ("fran", low)):
            theirs = pairs_of(archive, viewer)
            hidden = sorted(set(everything) - set(theirs))[:5]
            shown = sorted(theirs, key=lambda e: -len(theirs[e]))[:3]
            with client_of(folder, who) as client:
                for entity_id in hidden:
                    assert client.get(f"/entities/{entity_id}/network").status_code == 404
                    assert client.get(f"/api/entities/{entity_id}/network").status_code == 404
                for entity_id in shown:
                    answer = client.get(f"/api/entities/{entity_id}/network").json()
                    assert (
                        [(n["id"], n["cables"]) for n in answer["nodes"]],
                        [(k["source"], k["target"], k["cables"]) for k in answer["links"]],
                    ) == brute_ego(theirs, entity_id, 30), who
                answer = client.get("/api/network", params={"q": "tag:PREL", "nodes": 100}).json()
                assert not {n["id"] for n in answer["nodes"]} & set(hidden), who


def test_the_command_line(folder: Path, tmp_path: Path) -> None:
    with Archive.open(folder) as archive:
        top = archive.entities(viewer=EVERYTHING, limit=1)[0]
        expected = archive.entity_network(top.id, viewer=EVERYTHING, limit=5)
        low = Viewer(ceiling=1, foreign=True, redact=True)
        low.compiled = archive.redactor()
        theirs = archive.query_network("iran", viewer=low, nodes=6)
    runner = CliRunner()
    result = runner.invoke(
        cli, ["entity", "network", str(top.id), "--db", str(folder), "--limit", "5",
              "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == network_pages.network_json(expected)  # type: ignore[arg-type]
    out = tmp_path / "net.gexf"
    result = runner.invoke(
        cli, ["network", "--query", "iran", "--db", str(folder), "--nodes", "6",
              "--ceiling", "confidential", "--foreign", "--format", "gexf", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    root = ElementTree.fromstring(out.read_text())
    labels = {n.get("label") for n in root.iter() if n.tag.endswith("}node")}
    assert labels == {n.name for n in theirs.nodes}
    result = runner.invoke(cli, ["network", "--query", "iran AND (", "--db", str(folder)])
    assert result.exit_code == 2 and "position" in result.output
    result = runner.invoke(cli, ["entity", "network", "999999", "--db", str(folder)])
    assert result.exit_code == 1
