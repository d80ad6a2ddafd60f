"""Near-duplicates (docs/near-duplicates.md): the sketches and LSH against brute-force
Jaccard on random texts, an archive with copies made on purpose (an exact copy under
another id, a re-send with a line added, a text held inside a longer one), each reader's
own groups (the public's are the edition's; a held copy never shows; a ceiling and a rule
take a cable out), collapse in search (web page and API), the CLI, the API per visitor
and its schemas."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from cabledesk.access import Accounts
from cabledesk.access.principal import LOCAL, Principal
from cabledesk.archive import copies as copy_store
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.record.codec import to_dict
from cabledesk.record.level import Level
from cabledesk.record.model import Cable, Paragraph
from cabledesk.redact import Rule
from cabledesk.web import create_app
from cabledesk.web.openapi import spec
from conftest import CORPUS, SAMPLE, needs_corpus

CONFIDENTIAL_READER = Principal(name=None, role="reader", ceiling=Level.CONFIDENTIAL, foreign=False)
SECRET_READER = Principal(name=None, role="reader", ceiling=Level.SECRET, foreign=False)

# --- brute force, written apart from the module --------------------------------------------


def brute_shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[^\W_]+", text.lower())
    if len(words) < 5:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def brute_pairs(texts: dict[str, str]) -> set[tuple[str, str]]:
    """Every pair a copy by the documented rule: Jaccard >= 0.7, or the shorter (of at
    least 100 shingles) 90% inside the longer; both of at least 20 shingles."""
    sets = {k: brute_shingles(t) for k, t in texts.items()}
    found = set()
    for a, b in itertools.combinations(sorted(sets), 2):
        x, y = sets[a], sets[b]
        if len(x) < 20 or len(y) < 20:
            continue
        common = len(x & y)
        jaccard = common / len(x | y)
        contained = common / min(len(x), len(y))
        if jaccard >= 0.7 or (contained >= 0.9 and min(len(x), len(y)) >= 100):
            found.add((a, b))
    return found


def lsh_pairs(texts: dict[str, str]) -> set[tuple[str, str]]:
    """The module's way: sketches, bands, the cheap filter, the exact check."""
    keys = {k: (k, "h") for k in texts}
    sets = {keys[k]: copy_store.shingles(t) for k, t in texts.items()}
    sketches = {
        key: copy_store.sketch(s) for key, s in sets.items() if len(s) >= copy_store.MIN_SHINGLES
    }
    candidates, _ = copy_store.candidates(sketches)
    found = set()
    for a, b in candidates:
        worth = copy_store.likely(sketches[a], sketches[b], len(sets[a]), len(sets[b]))
        if worth and copy_store.kept(sets[a], sets[b]) is not None:
            found.add((a[0], b[0]))
    return found


def brute_jaccard(texts: dict[str, str], a: str, b: str) -> float:
    x, y = brute_shingles(texts[a]), brute_shingles(texts[b])
    return len(x & y) / len(x | y)


def random_texts(seed: int) -> dict[str, str]:
    """Random texts over a small vocabulary, and copies of some: exact, with a few words
    changed or added, cut short, or inside a longer text."""
    rng = random.Random(seed)
    vocabulary = [f"w{n}" for n in range(400)]
    texts: dict[str, str] = {}
    for n in range(40):
        texts[f"t{n}"] = " ".join(rng.choices(vocabulary, k=rng.randint(10, 400)))
    for n in range(40):
        words = texts[f"t{rng.randrange(40)}"].split()
        kind = rng.choice(("exact", "changed", "added", "cut", "inside"))
        if kind == "changed":
            for _ in range(rng.randint(1, 6)):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
        elif kind == "added":
            words += rng.choices(vocabulary, k=rng.randint(1, 60))
        elif kind == "cut":
            words = words[: max(1, int(len(words) * rng.uniform(0.5, 1.0)))]
        elif kind == "inside":
            words = rng.choices(vocabulary, k=rng.randint(5, 80)) + words
        texts[f"c{n}"] = " ".join(words)
    return texts


def test_lsh_finds_the_pairs_brute_force_finds() -> None:
    """Every pair found is a pair by brute force (each is checked exactly); every copy
    (Jaccard >= 0.7) is found; a text inside a longer one with a low Jaccard similarity is
    found only when LSH makes the two candidates (the share is measured here, and in
    docs/near-duplicates.md)."""
    copies = contained = contained_found = 0
    for seed in range(12):
        texts = random_texts(seed)
        expected = brute_pairs(texts)
        found = lsh_pairs(texts)
        assert found <= expected
        for a, b in expected:
            if brute_jaccard(texts, a, b) >= 0.7:
                copies += 1
                assert (a, b) in found, (seed, a, b)
            else:
                contained += 1
                contained_found += (a, b) in found
    assert copies > 100 and contained > 20
    assert contained_found / contained > 0.6


def test_the_sketch_estimates_jaccard() -> None:
    rng = random.Random(3)
    errors = []
    for _ in range(200):
        base = {rng.getrandbits(64) for _ in range(rng.randint(50, 2000))}
        share = rng.uniform(0.2, 1.0)
        other = {x for x in base if rng.random() < share} | {
            rng.getrandbits(64) for _ in range(rng.randint(0, 300))
        }
        exact = len(base & other) / len(base | other)
        errors.append(
            abs(copy_store.estimate(copy_store.sketch(base), copy_store.sketch(other)) - exact)
        )
    errors.sort()
    # 128 bins: a standard error of at most sqrt(0.25 / 128) = 0.044.
    assert errors[len(errors) // 2] < 0.04
    assert errors[-1] < 0.2
    assert copy_store.sketch(set()) == b""
    same = copy_store.sketch({1, 2, 3})
    assert copy_store.estimate(same, copy_store.sketch({3, 2, 1})) == 1.0


def test_shingles_are_the_same_in_every_process(tmp_path: Path) -> None:
    """Sketches are stored: a shingle's hash must not depend on the process's hash seed."""
    import subprocess
    import sys

    text = "The Ambassador met the Foreign Minister on Tuesday to discuss the border."
    code = f"from cabledesk.archive.copies import shingles; print(sorted(shingles({text!r})))"
    answers = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(copy_store.__file__).parents[2])},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "random")
    }
    assert len(answers) == 1


def test_collapse_folds_each_cable_under_its_first_copy() -> None:
    kept, folded = copy_store.collapse(
        ["a", "b", "c", "d", "e"], {"a": (1, 3), "c": (1, 3), "d": (2, 2), "e": (2, 2)}
    )
    assert kept == ["a", "b", "d"]
    assert folded == {"a": ["c"], "d": ["e"]}


# --- an archive with copies ------------------------------------------------------------------


def _record(cable: Cable, reference_id: str, paragraphs: list[str], **changes: object) -> str:
    made = replace(
        cable,
        reference_id=reference_id,
        reference_id_raw=reference_id,
        paragraphs=[
            Paragraph(number=n + 1, marking=None, heading=None, text=t)
            for n, t in enumerate(paragraphs)
        ],
        raw=f"{reference_id}\n\n" + "\n\n".join(paragraphs),
        **changes,
    )
    return json.dumps(to_dict(made))


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The sample's longest unclassified cable X and: COPY (its text under another id),
    RESENT (its text and a line more), HOLDER (another cable's text with X's inside),
    SECRET_COPY (its text, classified SECRET), NAMED (its text; a rule will burn a word of
    it). Returns {role: id} and the folder under "folder"."""
    base = tmp_path_factory.mktemp("copies")
    with Archive.open(base / "sample") as sample:
        sample.ingest([SAMPLE], workers=1)
        cables = [
            sample.get(i, viewer=sample.viewer(LOCAL))
            for (i,) in sample.connection.execute("SELECT reference_id FROM cables")
        ]
    plain = [c for c in cables if c is not None and c.classification == "UNCLASSIFIED"]
    plain.sort(key=lambda c: -sum(len(p.text) for p in c.paragraphs))
    x, other = plain[0], plain[1]
    body = [p.text for p in x.paragraphs]
    assert len(copy_store.shingles("\n".join(body))) >= 200
    roles = {
        "x": "09XCABLE100",
        "copy": "09XCOPY200",
        "resent": "09XRESENT300",
        "holder": "09XHOLDER400",
        "secret_copy": "09XSECRET500",
        "named": "09XNAMED600",
        "other": "09XOTHER700",
    }
    lines = [
        _record(x, roles["x"], body),
        _record(x, roles["copy"], body),
        _record(x, roles["resent"], [*body, "Please pass this message to the Consulate as well."]),
        _record(x, roles["holder"], [p.text for p in other.paragraphs] + body),
        _record(x, roles["secret_copy"], body, classification="SECRET"),
        _record(x, roles["named"], [*body, "Zebulon Quartermaine attended the meeting too."]),
        _record(other, roles["other"], [p.text for p in other.paragraphs]),
    ]
    source = base / "made.jsonl"
    source.write_text("\n".join(lines) + "\n")
    folder = base / "archive"
    with Archive.open(folder) as archive:
        report = archive.ingest([source], workers=1)
        assert report.failed == 0, report.examples
    return roles | {"folder": str(folder)}


@pytest.fixture
def archive(made: dict[str, str]) -> Iterator[Archive]:
    with Archive.open(made["folder"], create=False) as opened:
        yield opened


def _ids(copies: list[copy_store.Copy] | None) -> set[str]:
    assert copies is not None
    return {c.reference_id for c in copies}


def bodies(archive: Archive, viewer_principal: Principal = LOCAL) -> dict[str, str]:
    viewer = archive.viewer(viewer_principal)
    found = {}
    for (i,) in archive.connection.execute("SELECT reference_id FROM cables"):
        cable = archive.get(i, viewer=viewer)
        assert cable is not None
        found[i] = "\n".join(p.text for p in cable.paragraphs)
    return found


def brute_groups(pairs: set[tuple[str, str]]) -> dict[str, set[str]]:
    near: dict[str, set[str]] = {}
    for a, b in pairs:
        near.setdefault(a, set()).add(b)
        near.setdefault(b, set()).add(a)
    groups = {}
    for start in near:
        seen, stack = {start}, [start]
        while stack:
            for m in near[stack.pop()] - seen:
                seen.add(m)
                stack.append(m)
        groups[start] = seen - {start}
    return groups


def test_the_archive_groups_match_brute_force(archive: Archive, made: dict[str, str]) -> None:
    """Groups are the components of the copy pairs (Jaccard >= 0.7); a text inside
    another is listed as such and joins no group (HOLDER holds both X and OTHER: X's
    group stays X's copies)."""
    local = archive.viewer(LOCAL)
    texts = bodies(archive)
    pairs = brute_pairs(texts)
    copy_pairs = {p for p in pairs if brute_jaccard(texts, *p) >= 0.7}
    groups = brute_groups(copy_pairs)
    x = made["x"]
    assert groups[x] == {made[r] for r in ("copy", "resent", "secret_copy", "named")}
    assert made["other"] not in groups
    for reference_id in texts:
        found = archive.copies(reference_id, viewer=local)
        assert found is not None
        assert {c.reference_id for c in found if c.relation == "copy"} == groups.get(
            reference_id, set()
        )
        inside = {b if a == reference_id else a for a, b in pairs - copy_pairs
                  if reference_id in (a, b)}  # fmt: skip
        assert {c.reference_id for c in found if c.relation != "copy"} == inside
    found = {c.reference_id: c for c in archive.copies(x, viewer=local) or []}
    assert found[made["copy"]].jaccard == 1.0
    holder = found[made["holder"]]
    assert holder.relation == "contains" and holder.containment == 1.0
    assert holder.jaccard is not None and holder.jaccard < 0.7
    back = {c.reference_id: c for c in archive.copies(made["holder"], viewer=local) or []}
    assert back[x].relation == "inside" and back[made["other"]].relation == "inside"
    stats = archive.copies_stats(viewer=local)
    assert stats["groups"] == 1 and stats["cables_in_groups"] == 5
    assert archive.copies("99NOWHERE1", viewer=local) is None


def test_a_ceiling_takes_a_cable_out_of_a_readers_groups(
    archive: Archive, made: dict[str, str]
) -> None:
    """A CONFIDENTIAL reader receives the SECRET copy with its paragraphs withheld: it is
    no one's copy for them, and its own page lists none."""
    reader = archive.viewer(CONFIDENTIAL_READER)
    seen = _ids(archive.copies(made["x"], viewer=reader))
    assert made["secret_copy"] not in seen and made["copy"] in seen
    assert archive.copies(made["secret_copy"], viewer=reader) == []
    secret = archive.viewer(SECRET_READER)
    assert made["secret_copy"] in _ids(archive.copies(made["x"], viewer=secret))


def test_a_rule_burning_a_word_of_a_body_takes_the_cable_out(
    tmp_path: Path, made: dict[str, str]
) -> None:
    import shutil

    folder = tmp_path / "a"
    shutil.copytree(made["folder"], folder)
    with Archive.open(folder, create=False) as archive:
        archive.redact(Rule(kind="name", text="Zebulon Quartermaine", reason="test"))
        reader = archive.viewer(SECRET_READER)
        assert made["named"] not in _ids(archive.copies(made["x"], viewer=reader))
        assert archive.copies(made["named"], viewer=reader) == []
        # Editors see the stored text: the copy is theirs still.
        assert made["named"] in _ids(archive.copies(made["x"], viewer=archive.viewer(LOCAL)))
        # A rule naming a cable (a span rule) takes that cable out for readers too.
        archive.redact(Rule(kind="span", text="Consulate", cable_id=made["resent"], reason="t"))
        reader = archive.viewer(SECRET_READER)  # a viewer holds the rules it was made with
        assert made["resent"] not in _ids(archive.copies(made["x"], viewer=reader))


def _publish(folder: Path, ids: list[str]) -> None:
    with Archive.open(folder, create=False) as archive:
        archive.approve(ids)
        archive.record_edition(None, "test")


def test_a_held_copy_never_shows_to_the_public(tmp_path: Path, made: dict[str, str]) -> None:
    """The public's groups are the edition's: X published alone has no copy for them,
    whatever the archive holds; its held copies are no cables at all (404, like an id
    nobody knows); publishing a copy makes the pair appear."""
    import shutil

    folder = tmp_path / "a"
    shutil.copytree(made["folder"], folder)
    _publish(folder, [made["x"], made["other"]])
    with Archive.open(folder, create=False) as archive:
        public = archive.public_viewer()
        assert archive.copies(made["x"], viewer=public) == []
        assert archive.copies(made["copy"], viewer=public) is None
        assert archive.copies_stats(viewer=public)["groups"] == 0
        result, folded, counts = archive.search_collapsed("", viewer=public, blank_matches_all=True)
        assert counts == {} and folded == {}
        assert {h.reference_id for h in result.hits} == {made["x"], made["other"]}
        # A signed-in reader sees the archive's copies.
        assert made["copy"] in _ids(archive.copies(made["x"], viewer=archive.viewer(SECRET_READER)))
        Accounts(archive).add("rita", "a long enough password", "reader")
    with TestClient(create_app(folder), raise_server_exceptions=False) as client:
        page = client.get(f"/cable/{made['x']}")
        assert page.status_code == 200 and "similar cop" not in page.text
        assert made["copy"] not in page.text
        answer = client.get(f"/api/cables/{made['x']}/copies")
        assert answer.json() == {"reference_id": made["x"], "copies": []}
        held = client.get(f"/api/cables/{made['copy']}/copies")
        nowhere = client.get("/api/cables/09XNOWHERE1/copies")
        assert held.status_code == nowhere.status_code == 404
        assert held.json()["error"]["message"].replace(made["copy"], "ID") == nowhere.json()[
            "error"
        ]["message"].replace("09XNOWHERE1", "ID")
        found = client.get("/api/search", params={"q": "", "collapse": "true"}).json()
        assert all(h["copies"] == 0 and h["folded"] == [] for h in found["hits"])
        stats = client.get("/api/copies").json()
        assert stats["groups"] == 0 and stats["largest_groups"] == []
        assert "similar cop" not in client.get("/search", params={"q": ""}).text
    _publish(folder, [made["x"], made["other"], made["copy"]])
    with Archive.open(folder, create=False) as archive:
        public = archive.public_viewer()
        assert _ids(archive.copies(made["x"], viewer=public)) == {made["copy"]}


def test_search_collapses_copies_into_one_hit(archive: Archive, made: dict[str, str]) -> None:
    local = archive.viewer(LOCAL)
    query = ""  # every cable
    plain = archive.search(query, viewer=local, limit=20, blank_matches_all=True)
    result, folded, counts = archive.search_collapsed(
        query, viewer=local, limit=20, blank_matches_all=not query
    )
    assert result.total == plain.total  # cables are counted, not groups
    assert result.facets == plain.facets
    shown = [h.reference_id for h in result.hits]
    group = {made[r] for r in ("x", "copy", "resent", "secret_copy", "named")}
    in_group = [i for i in shown if i in group]
    assert len(in_group) == 1
    leader = in_group[0]
    matched = {h.reference_id for h in plain.hits} & group
    assert set(folded[leader]) == matched - {leader}
    assert counts[leader] == 4  # the copies; HOLDER is not one
    # Pages hold groups: a page of 1 after the leader's page never shows a folded copy.
    pages = []
    for offset in range(len(shown)):
        page, _, _ = archive.search_collapsed(
            query, viewer=local, limit=1, offset=offset, blank_matches_all=not query
        )
        pages.extend(h.reference_id for h in page.hits)
    assert pages == shown


def test_the_cache_follows_the_archive(tmp_path: Path, made: dict[str, str]) -> None:
    """Fail closed: an ingest is seen at the next read (its new texts sketched then)."""
    import shutil

    folder = tmp_path / "a"
    shutil.copytree(made["folder"], folder)
    with Archive.open(folder, create=False) as archive:
        local = archive.viewer(LOCAL)

        def copies_of_other() -> set[str]:
            found = archive.copies(made["other"], viewer=local) or []
            return {c.reference_id for c in found if c.relation == "copy"}

        assert copies_of_other() == set()
        other = archive.get(made["other"], viewer=local)
        assert other is not None
        line = _record(other, "09XLATER800", [p.text for p in other.paragraphs])
        source = tmp_path / "later.jsonl"
        source.write_text(line + "\n")
        archive.ingest([source], workers=1)
        assert copies_of_other() == {"09XLATER800"}
        assert archive.copies_stats(viewer=local)["sketched_now"] == 1


def test_web_pages_fold_and_list_copies(made: dict[str, str]) -> None:
    with TestClient(create_app(Path(made["folder"])), raise_server_exceptions=False) as client:
        page = client.get(f"/cable/{made['x']}")
        assert page.status_code == 200
        assert "5 similar copies" in page.text  # 4 copies, 1 cable holding its text
        for role in ("copy", "resent", "holder", "secret_copy", "named"):
            assert made[role] in page.text
        assert "holds this cable" in page.text
        folded = client.get("/search", params={"q": ""})
        assert folded.status_code == 200
        assert "4 similar copies" in folded.text
        assert "show every copy" in folded.text
        every = client.get("/search", params={"q": "", "collapse": "0"})
        assert "similar cop" not in every.text
        for role in ("copy", "resent"):
            assert made[role] in every.text


def test_api_matches_its_schemas_for_every_visitor(tmp_path: Path, made: dict[str, str]) -> None:
    import shutil

    import jsonschema

    def validate(payload: object, name: str) -> None:
        jsonschema.validate(
            payload, {"$ref": f"#/components/schemas/{name}", "components": spec()["components"]}
        )

    folder = tmp_path / "a"
    shutil.copytree(made["folder"], folder)
    paths = spec()["paths"]
    assert "/api/copies" in paths and "/api/cables/{reference_id}/copies" in paths
    # Without accounts: the local desk, everything.
    with TestClient(create_app(folder), raise_server_exceptions=False) as client:
        answer = client.get(f"/api/cables/{made['x']}/copies")
        validate(answer.json(), "Copies")
        assert len(answer.json()["copies"]) == 5
        stats = client.get("/api/copies", params={"largest": 3})
        validate(stats.json(), "CopiesStats")
        assert stats.json()["groups"] == 1
        assert client.get("/api/copies", params={"largest": "many"}).status_code == 400
        found = client.get("/api/search", params={"q": "", "collapse": "true"})
        validate(found.json(), "SearchResult")
        assert sum(1 for h in found.json()["hits"] if h["copies"] == 4) == 1
        assert client.get("/api/search", params={"q": "", "collapse": "maybe"}).status_code == 400
        plain = client.get("/api/search", params={"q": ""}).json()
        assert "copies" not in plain["hits"][0]  # collapse is asked for
    _publish(folder, [made["x"], made["copy"], made["other"]])
    with Archive.open(folder, create=False) as archive:
        accounts = Accounts(archive)
        accounts.add("rita", "a long enough password", "reader", ceiling="CONFIDENTIAL")
        _, secret = accounts.create_token("t", "rita")
    with TestClient(create_app(folder), raise_server_exceptions=False) as client:
        # A visitor: the edition's groups only.
        visitor = client.get(f"/api/cables/{made['x']}/copies").json()
        assert _ids_json(visitor) == {made["copy"]}
        assert client.get("/api/copies").json()["groups"] == 1
        assert client.get(f"/api/cables/{made['resent']}/copies").status_code == 404
        # A reader's token: the archive within the ceiling (no SECRET copy).
        headers = {"Authorization": f"Bearer {secret}"}
        reader = client.get(f"/api/cables/{made['x']}/copies", headers=headers).json()
        assert _ids_json(reader) == {made[r] for r in ("copy", "resent", "holder", "named")}
        relations = {c["reference_id"]: c["relation"] for c in reader["copies"]}
        assert relations[made["holder"]] == "contains"
        # A refused token: 401, never the public's answer.
        refused = client.get("/api/copies", headers={"Authorization": "Bearer nonsense"})
        assert refused.status_code == 401


def _ids_json(answer: dict[str, object]) -> set[str]:
    copies = answer["copies"]
    assert isinstance(copies, list)
    return {c["reference_id"] for c in copies}


def test_cli(made: dict[str, str]) -> None:
    runner = CliRunner()
    db = ["--db", made["folder"]]
    shown = runner.invoke(cli, ["copies", made["x"], *db])
    assert shown.exit_code == 0, shown.output
    assert "5 similar copies" in shown.output and made["copy"] in shown.output
    as_json = runner.invoke(cli, ["copies", made["x"], "--json", *db])
    assert {c["reference_id"] for c in json.loads(as_json.output)} >= {made["copy"]}
    stats = runner.invoke(cli, ["copies", "--stats", "--json", *db])
    assert json.loads(stats.output)["groups"] == 1
    report = runner.invoke(cli, ["copies", "--stats", *db])
    assert "groups 1" in report.output
    reader = runner.invoke(cli, ["copies", made["x"], "--ceiling", "CONFIDENTIAL", *db])
    assert made["secret_copy"] not in reader.output
    missing = runner.invoke(cli, ["copies", "99NOWHERE1", *db])
    assert missing.exit_code != 0
    assert runner.invoke(cli, ["copies", *db]).exit_code == 2


# --- the hand-checked sample ------------------------------------------------------------------

CHECKED = Path(__file__).parent / "data" / "near_duplicates_checked.jsonl"


@needs_corpus
def test_the_hand_checked_pairs_are_decided_as_checked(tmp_path: Path) -> None:
    """Each pair read by hand (tests/data/near_duplicates_checked.jsonl): the detector
    still decides it as it did when it was checked, and the verdict agrees with it."""
    rows = [json.loads(line) for line in CHECKED.read_text().splitlines() if line.strip()]
    ids = {i for row in rows for i in (row["a"], row["b"])}
    files = [p for p in (CORPUS / "cable").rglob("*.html") if p.stem in ids]
    assert {p.stem for p in files} == ids
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest(files, workers=1)
        local = archive.viewer(LOCAL)
        for row in rows:
            found = {c.reference_id: c for c in archive.copies(row["a"], viewer=local) or []}
            is_copy = row["b"] in found and found[row["b"]].relation == "copy"
            assert is_copy == (row["detector"] == "copy"), row
            assert (row["verdict"] == "copy") == is_copy, row
            if is_copy:
                assert found[row["b"]].jaccard == pytest.approx(row["jaccard"], abs=1e-3)


def test_worker_processes_sketch_as_this_process_does() -> None:
    """The sketches of a large ingest are made in worker processes (another hash seed,
    another interpreter): they must be the very bytes this process makes."""
    texts = random_texts(5)
    batch = [(key, "h", 0, False, text) for key, text in sorted(texts.items())]
    here = copy_store.sketch_batch(batch)
    with copy_store._sketcher(10_000, 2) as mapper:
        there = [
            row
            for rows in mapper(copy_store.sketch_batch, iter([batch[:40], batch[40:]]))
            for row in rows
        ]
    assert there == here


def test_the_report_holds_nothing_of_texts_the_reader_does_not_see(
    tmp_path: Path, made: dict[str, str]
) -> None:
    """The report (`copies_stats`, `/api/copies`) of the public and of a CONFIDENTIAL
    reader is the same whether or not the archive holds a further SECRET, unpublished copy:
    no count of the archive's texts or pairs, no CPU time of finding them (fail closed:
    both come from texts the reader may not see; docs/publishing.md, "What leaves the
    archive")."""
    import shutil

    folder = tmp_path / "a"
    shutil.copytree(made["folder"], folder)
    _publish(folder, [made["x"], made["copy"], made["other"]])
    with Archive.open(folder, create=False) as archive:  # accounts: the web's visitor is public
        Accounts(archive).add("rita", "a long enough password", "reader", ceiling="CONFIDENTIAL")

    def reports() -> tuple[dict[str, object], dict[str, object], object]:
        with Archive.open(folder, create=False) as archive:
            public = archive.copies_stats(viewer=archive.public_viewer())
            reader = archive.copies_stats(viewer=archive.viewer(CONFIDENTIAL_READER))
        with TestClient(create_app(folder), raise_server_exceptions=False) as client:
            return public, reader, client.get("/api/copies").json()

    before = reports()
    with Archive.open(folder, create=False) as archive:
        other = archive.get(made["other"], viewer=archive.viewer(LOCAL))
        assert other is not None
        line = _record(
            other, "09XHIDDEN900", [p.text for p in other.paragraphs], classification="SECRET"
        )
        source = tmp_path / "hidden.jsonl"
        source.write_text(line + "\n")
        assert archive.ingest([source], workers=1).failed == 0
        # The local desk counts it (it sees everything).
        local = archive.copies_stats(viewer=archive.viewer(LOCAL))
        assert local["texts"] == archive.count(viewer=archive.viewer(LOCAL))
        assert local["copy_pairs"] == 11  # X and its four copies: 10; OTHER and its: 1
    after = reports()
    assert after == before
    public, reader, visitor = after
    assert visitor == {key: public.get(key) for key in visitor}
    assert public["pairs"] == public["copy_pairs"] == 1 and public["groups"] == 1
    assert reader["copy_pairs"] == 6  # X, COPY, RESENT, NAMED: every two of them
