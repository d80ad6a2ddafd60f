"""Saved searches, alerts and batch search (issue 15; docs/workspace.md): what counts as
new (an ingest, not a redaction, an edition or an enrichment), counts in the owner's own
view (ceiling, NOFORN, redactions), marks that the desk and the cron job move apart,
owners kept apart, the command line, and a batch's table against brute force."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from cabledesk.access import Accounts
from cabledesk.access.errors import AccessError
from cabledesk.access.principal import LOCAL, PUBLIC, Principal
from cabledesk.archive.schema import MIGRATIONS, SCHEMA_VERSION, schema_version
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.query import QueryError
from cabledesk.redact.model import Rule
from cabledesk.workspace import batch
from cabledesk.workspace.saved_searches import SavedSearchError
from conftest import SAMPLE
from workspace_fixtures import add_accounts, crafted, ingest_records

PEOPLE = {
    "rita": ("reader", "SECRET", False),
    "fran": ("reader", "CONFIDENTIAL", True),
    "dora": ("reader", None, False),
}


def principal(archive: Archive, name: str) -> Principal:
    found = Accounts(archive).principal(name)
    assert found is not None
    return found


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    opened = Archive.open(tmp_path / "archive")
    ingest_records(
        opened,
        tmp_path / "in",
        [
            crafted("09TESTPOST1", [("U", "An old cable about Hizballah and the border.")]),
            crafted("09TESTPOST2", [("U", "An old cable about fisheries.")]),
        ],
    )
    add_accounts(opened, PEOPLE)
    return opened


def test_news_are_the_matching_cables_ingested_after_saving(
    archive: Archive, tmp_path: Path
) -> None:
    kept = archive.save_search(LOCAL, "party of god", "hizballah", "-date")
    assert [n.count for n in archive.saved_searches(LOCAL)] == [0]
    ingest_records(
        archive,
        tmp_path / "in",
        [
            crafted("10TESTPOST3", [("U", "A new cable: Hizballah again.")], sent="2010-01-02"),
            crafted("10TESTPOST4", [("U", "A new cable about fisheries.")]),
            crafted("10TESTPOST5", [("U", "Hizballah, a third time.")], sent="2010-03-04"),
        ],
    )
    news = archive.saved_search(LOCAL, kept.id)
    assert news.ids == ["10TESTPOST5", "10TESTPOST3"]  # newest first
    # The cron job has its own mark: --peek lists without moving it, a run moves it.
    assert [n.ids for n in archive.alerts(LOCAL, mark=False)] == [news.ids]
    assert [n.ids for n in archive.alerts(LOCAL)] == [news.ids]
    assert [n.ids for n in archive.alerts(LOCAL)] == [[]]
    # ... and the desk's mark is not the cron job's.
    assert archive.saved_search(LOCAL, kept.id).count == 2
    archive.mark_seen(LOCAL, kept.id, news.upto)
    assert archive.saved_search(LOCAL, kept.id).count == 0


def test_marking_seen_keeps_what_arrived_after_the_page_was_shown(
    archive: Archive, tmp_path: Path
) -> None:
    kept = archive.save_search(LOCAL, "hz", "hizballah")
    ingest_records(archive, tmp_path / "in", [crafted("10TESTPOST3", [("U", "Hizballah.")])])
    shown = archive.saved_search(LOCAL, kept.id)
    ingest_records(archive, tmp_path / "in", [crafted("10TESTPOST4", [("U", "Hizballah!")])])
    archive.mark_seen(LOCAL, kept.id, shown.upto)
    assert archive.saved_search(LOCAL, kept.id).ids == ["10TESTPOST4"]


def test_redactions_and_new_texts(archive: Archive, tmp_path: Path) -> None:
    """A redaction moves the touched cables' change number (the index absorbs them
    again): they must not come back as news. A new text of a cable held is news."""
    kept = archive.save_search(LOCAL, "border", "border")
    archive.redact(Rule(kind="name", text="Hizballah", reason="test"))
    touched = archive.connection.execute(
        "SELECT seq FROM cables WHERE reference_id = '09TESTPOST1'"
    ).fetchone()[0]
    assert touched > kept.visited_seq  # the cable was touched after saving...
    assert archive.saved_search(LOCAL, kept.id).count == 0  # ... and is not news
    ingest_records(
        archive,
        tmp_path / "in",
        [crafted("09TESTPOST1", [("U", "An old cable, corrected: the border again.")])],
    )
    assert archive.saved_search(LOCAL, kept.id).ids == ["09TESTPOST1"]


def test_counts_come_from_the_owners_view(archive: Archive, tmp_path: Path) -> None:
    """A word only in SECRET text is news for a SECRET reader, never for a CONFIDENTIAL
    one; a name an editor redacts is news for nobody but the desk that sees the stored
    text."""
    owners = {name: principal(archive, name) for name in ("rita", "fran")} | {"": LOCAL}
    for who in owners.values():
        archive.save_search(who, "watch", "zorblaxian")
        archive.save_search(who, "named", "quixotl")
    archive.redact(Rule(kind="name", text="Quixotl", reason="a source"))
    ingest_records(
        archive,
        tmp_path / "in",
        [
            crafted(
                "10TESTPOST6",
                [("U", "Open words."), ("S", "Zorblaxian matters, said Quixotl.")],
            ),
            crafted("10TESTPOST7", [("C", "Quixotl spoke openly.")], classification="CONFIDENTIAL"),
        ],
    )
    counts = {
        name: {n.search.name: sorted(n.ids) for n in archive.saved_searches(who)}
        for name, who in owners.items()
    }
    assert counts["rita"] == {"watch": ["10TESTPOST6"], "named": []}
    assert counts["fran"] == {"watch": [], "named": []}
    assert counts[""] == {
        "watch": ["10TESTPOST6"],
        "named": ["10TESTPOST6", "10TESTPOST7"],
    }
    for name, who in owners.items():
        # The same answer as searching now, kept to the cables ingested since.
        viewer = archive.viewer(who)
        for news in archive.alerts(who, mark=False):
            everything = set(archive.matching_ids(news.search.query, viewer=viewer))
            assert set(news.ids) == everything & {"10TESTPOST6", "10TESTPOST7"}, name


def test_saved_searches_belong_to_their_owner(archive: Archive) -> None:
    rita, fran = principal(archive, "rita"), principal(archive, "fran")
    kept = archive.save_search(rita, "mine", "border")
    assert archive.saved_searches(fran) == []
    for attempt in (
        lambda: archive.saved_search(fran, kept.id),
        lambda: archive.mark_seen(fran, kept.id, 10**6),
        lambda: archive.delete_saved_search(fran, kept.id),
    ):
        with pytest.raises(SavedSearchError):
            attempt()
    with pytest.raises(AccessError):
        archive.save_search(PUBLIC, "visitor", "border")
    with pytest.raises(QueryError):
        archive.save_search(rita, "broken", "border AND")
    with pytest.raises(SavedSearchError):
        archive.save_search(rita, "   ", "border")
    # The same name again replaces the search.
    again = archive.save_search(rita, "mine", "fisheries", "date")
    assert again.id == kept.id
    assert [(s.search.query, s.search.sort) for s in archive.saved_searches(rita)] == [
        ("fisheries", "date")
    ]


def test_cabledesk_alerts_for_a_cron_job(archive: Archive, tmp_path: Path) -> None:
    folder = archive.path
    archive.save_search(principal(archive, "rita"), "hz", "hizballah")
    archive.save_search(principal(archive, "dora"), "hz", "hizballah")
    archive.save_search(LOCAL, "everything", "")
    ingest_records(archive, tmp_path / "in", [crafted("10TESTPOST8", [("U", "Hizballah.")])])
    Accounts(archive).disable("dora")
    archive.close()
    runner = CliRunner()
    peek = runner.invoke(
        cli, ["alerts", "--all", "--peek", "--output", "json", "--db", str(folder)]
    )
    assert peek.exit_code == 0, peek.output
    report = {entry["account"]: entry for entry in json.loads(peek.output)}
    assert report["dora"] == {"account": "dora", "skipped": "the account is disabled"}
    assert report["rita"]["searches"][0]["ids"] == ["10TESTPOST8"]
    assert report["rita"]["searches"][0]["cables"][0]["subject"] == "A MADE-UP SUBJECT"
    assert report[None]["searches"][0]["new"] == 1
    text = runner.invoke(cli, ["alerts", "--account", "rita", "--db", str(folder)])
    assert text.exit_code == 0, text.output
    assert "rita · hz [hizballah]: 1 new cable\n  10TESTPOST8" in text.output
    again = runner.invoke(cli, ["alerts", "--account", "rita", "--db", str(folder)])
    assert "0 new cables" in again.output
    dead = runner.invoke(cli, ["alerts", "--account", "dora", "--db", str(folder)])
    assert dead.exit_code != 0 and "no enabled account" in dead.output
    both = runner.invoke(cli, ["alerts", "--all", "--account", "rita", "--db", str(folder)])
    assert both.exit_code == 2
    added = runner.invoke(cli, ["saved", "add", "fish", "fisheries", "--db", str(folder)])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["saved", "list", "--db", str(folder)])
    assert "fish  [fisheries]  0 new" in listed.output


# The schema version whose migration made `arrivals` (and saved searches): an archive
# from before it is one at the version below, whatever migrations came after.
_ARRIVALS = (
    next(i for i, m in enumerate(MIGRATIONS) if "CREATE TABLE IF NOT EXISTS arrivals" in m) + 1
)


def test_an_archive_from_before_gains_the_arrivals(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        ingest_records(archive, tmp_path / "in", [crafted("09TESTPOST1", [("U", "Words.")])])
        archive.connection.executescript(
            "BEGIN; DROP TRIGGER cables_arrive; DROP TRIGGER cables_new_text; "
            "DROP TABLE arrivals; DROP TABLE saved_searches; "
            f"UPDATE meta SET value = '{_ARRIVALS - 1}' WHERE key = 'schema_version'; "
            "COMMIT;"
        )
    with Archive.open(tmp_path / "a") as archive:
        assert schema_version(archive.connection) == SCHEMA_VERSION
        rows = archive.connection.execute(
            "SELECT a.seq = c.seq FROM arrivals a JOIN cables c ON c.id = a.cable_id"
        ).fetchall()
        assert rows == [(1,)]


def test_the_trigger_ignores_an_update_that_keeps_the_text(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        ingest_records(archive, tmp_path / "in", [crafted("09TESTPOST1", [("U", "Words.")])])
        connection: sqlite3.Connection = archive.connection
        before = connection.execute("SELECT seq FROM arrivals").fetchall()
        with connection:
            connection.execute("UPDATE cables SET seq = seq + 5, text_hash = text_hash")
        assert connection.execute("SELECT seq FROM arrivals").fetchall() == before


# Batch search ----------------------------------------------------------------------------


def test_reading_a_list() -> None:
    lines = batch.read_lines("iran\n\n# a comment\nmaliki AND\n  syria  \n")
    assert [(line.number, line.query) for line in lines] == [
        (1, "iran"),
        (4, "maliki AND"),
        (5, "syria"),
    ]
    names = batch.read_lines("Nouri al-Maliki\n!!!\n", names=True)
    assert names[0].query == '"Nouri al Maliki"'
    assert names[1].error == "a name needs letters or digits"
    table = 'name,notes\n"Karzai, Hamid",x\n"two\nlines",y\nMaliki,z\n'
    by_name = batch.read_lines(table, column="name")
    assert [(line.number, line.text) for line in by_name] == [
        (2, "Karzai, Hamid"),
        (4, "two\nlines"),
        (5, "Maliki"),
    ]
    assert [line.text for line in batch.read_lines(table, column="2")] == ["x", "y", "z"]
    with pytest.raises(batch.BatchError, match="no column 'nom'"):
        batch.read_lines(table, column="nom")
    with pytest.raises(batch.BatchError, match="no query"):
        batch.read_lines("\n# nothing\n")
    with pytest.raises(batch.BatchError, match="at most 2"):
        batch.read_lines("a\nb\nc\n", most=2)


def test_batch_search_against_brute_force(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest([SAMPLE], workers=1)
        ingest_records(
            archive,
            tmp_path / "in",
            [crafted("10TESTPOST6", [("U", "Open words."), ("S", "Zorblaxian matters.")])],
        )
        add_accounts(archive, PEOPLE)
        queries = "iran\nmaliki AND\nyear:2009 tag:PREL\nzorblaxian\n(\nclass:secret\n"
        for who in (LOCAL, principal(archive, "fran")):
            viewer = archive.viewer(who)
            rows = archive.batch_search(batch.read_lines(queries), viewer=viewer, max_ids=3)
            assert [r.line for r in rows] == [1, 2, 3, 4, 5, 6]
            for row in rows:
                if row.line in (2, 5):
                    assert row.error and "at position" in row.error and row.count == 0
                    continue
                assert row.error is None
                every = list(archive.matching_ids(row.query, viewer=viewer, sort="-date"))
                assert row.count == len(every)
                assert set(row.ids) <= set(every) and len(row.ids) == min(3, len(every))
                assert row.truncated == (len(every) > 3)
            zorblaxian = rows[3]
            assert zorblaxian.count == (1 if who is LOCAL else 0)


def test_cabledesk_batch_search(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest([SAMPLE], workers=1)
        iran = len(list(archive.matching_ids("iran", viewer=archive.viewer(LOCAL))))
    listed = tmp_path / "list.csv"
    listed.write_text('who,why\nIran,x\n"maliki AND",y\n', encoding="utf-8")
    runner = CliRunner()
    answer = runner.invoke(
        cli,
        ["batch-search", str(listed), "--column", "who", "--db", str(tmp_path / "a")],
    )
    assert answer.exit_code == 0, answer.output
    lines = answer.stdout.splitlines()
    assert lines[0] == "line,query,count,ids,error"
    assert lines[1].startswith(f"2,Iran,{iran},")
    assert lines[2] == "3,maliki AND,0,,the query ends where a term was expected at position 11"
    assert "line 3: the query ends where a term was expected" in answer.stderr
