"""The archive: idempotent ingest, versions, reference edges, index consistency."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import cabledesk
from cabledesk.archive import ArchiveError
from cabledesk.archive.index import Index
from cabledesk.archive.prepare import prepare
from cabledesk.archive.store import next_seq, write_cable
from cabledesk.facade import Archive
from cabledesk.redact import FULL
from conftest import CORPUS, SAMPLE, needs_corpus


@pytest.fixture(scope="module")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = Archive.open(tmp_path_factory.mktemp("archive") / "a")
    report = archive.ingest(SAMPLE, workers=1)
    assert (report.ingested, report.failed) == (48, 0)
    yield archive
    archive.close()


def test_ingest_counts_and_reingest_is_idempotent(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        first = archive.ingest(SAMPLE, workers=2)
        second = archive.ingest(SAMPLE, workers=1)
        assert (first.ingested, first.updated, first.unchanged) == (48, 0, 0)
        assert (second.ingested, second.updated, second.unchanged) == (0, 0, 48)
        assert archive.count(viewer=FULL) == 48
        assert archive.index.searcher().num_docs == 48


def test_changed_text_is_a_new_version_and_the_old_one_is_kept(tmp_path: Path) -> None:
    seed = (SAMPLE / "text" / "08BAGHDAD1784.txt").read_text()
    path = tmp_path / "cable.txt"
    path.write_text(seed)
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest(path, workers=1)
        path.write_text(seed.replace("Soleimani,s assurances", "Soleimani,s promises"))
        report = archive.ingest(path, workers=1)
        assert (report.updated, archive.count(viewer=FULL)) == (1, 1)
        cable = archive.get("08BAGHDAD1784", viewer=FULL)
        assert cable is not None and "Soleimani's promises" in cable.text
        rows = archive.connection.execute("SELECT version FROM versions").fetchall()
        assert rows == [(1,)]
        assert archive.search('"Soleimani\'s promises"', viewer=FULL).total == 1
        assert archive.search('"Soleimani\'s assurances"', viewer=FULL).total == 0


def test_a_cable_twice_in_one_batch_leaves_one_document_with_the_later_text(
    tmp_path: Path,
) -> None:
    # A first ingest adds new cables to the index without deleting (nothing to delete);
    # the same id again within a batch is an update, which must replace the first.
    seed = (SAMPLE / "text" / "08BAGHDAD1784.txt").read_text()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(seed)
    (folder / "b.txt").write_text(seed.replace("Soleimani,s assurances", "Soleimani,s promises"))
    with Archive.open(tmp_path / "a") as archive:
        report = archive.ingest(folder, workers=1)
        assert (report.ingested, report.updated, archive.count(viewer=FULL)) == (1, 1, 1)
        assert archive.index.searcher().num_docs == 1
        assert archive.search("id:08BAGHDAD1784", viewer=FULL).total == 1
        assert archive.search('"Soleimani\'s promises"', viewer=FULL).total == 1
        assert archive.search('"Soleimani\'s assurances"', viewer=FULL).total == 0


def test_an_index_holding_cables_sqlite_lost_gets_no_second_document(tmp_path: Path) -> None:
    # The database replaced (or its last batches lost in a power cut) beside an index that
    # has the cables: ingesting them again must replace their documents, not add more.
    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE / "text", workers=1)
    for path in folder.glob("archive.db*"):
        path.unlink()
    with Archive.open(folder) as archive:
        report = archive.ingest(SAMPLE / "text", workers=1)
        assert (report.ingested, archive.count(viewer=FULL)) == (1, 1)
        assert archive.index.searcher().num_docs == 1
        assert archive.search("id:08BAGHDAD1784", viewer=FULL).total == 1


def test_get_and_citing(sample_archive: Archive) -> None:
    cable = sample_archive.get("08baghdad1784", viewer=FULL)
    assert cable is not None and cable.signers == ["Butenis"]
    assert sample_archive.get("99NOWHERE1", viewer=FULL) is None
    # 09KUWAIT110 cites 09KUWAIT95, which is not in the sample: the edge is still stored.
    assert sample_archive.citing("09KUWAIT95", viewer=FULL) == ["09KUWAIT110"]
    stored = sample_archive.connection.execute(
        "SELECT count(*) FROM refs WHERE cited_id IS NOT NULL"
    ).fetchone()[0]
    expected = sum(
        1
        for item in cabledesk.parse(SAMPLE)
        if isinstance(item, cabledesk.Cable)
        for r in item.references
        if r.cable_id
    )
    assert stored == expected


def test_index_catches_up_after_a_crash_between_the_commits(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE / "cable" / "2008", workers=1)
        before = archive.count(viewer=FULL)
        # SQLite commits a cable; the process dies before the index absorbs it.
        extra = cabledesk.parse_file(SAMPLE / "text" / "08BAGHDAD1784.txt")
        with archive.connection:
            write_cable(archive.connection, prepare(extra), next_seq(archive.connection))
        assert archive.index.searcher().num_docs == before
    with Archive.open(folder) as reopened:
        assert reopened.index.searcher().num_docs == before + 1
        assert reopened.search("id:08BAGHDAD1784", viewer=FULL).total == 1


def test_reindex_rebuilds_from_sqlite(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE / "cable" / "2009", workers=1)
        count = archive.count(viewer=FULL)
    shutil.rmtree(folder / "index")
    with Archive.open(folder) as archive:
        assert archive.index.searcher().num_docs == count
        assert archive.reindex() == count
        assert archive.index.searcher().num_docs == count


def test_bad_archive_paths_give_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match=r"expected an archive; found no archive\.db"):
        Archive.open(tmp_path / "missing", create=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ArchiveError, match="expected an archive folder; found a file"):
        Archive.open(tmp_path / "file")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "archive.db").write_text("this is not a database" * 100)
    with pytest.raises(ArchiveError, match="expected a cabledesk SQLite archive"):
        Archive.open(broken)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    Archive.open(folder).close()
    connection = sqlite3.connect(folder / "archive.db")
    with connection:
        connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    connection.close()
    with pytest.raises(ArchiveError, match="newer than this cabledesk"):
        Archive.open(folder)


def test_schema_1_archive_is_migrated_on_open(tmp_path: Path) -> None:
    from cabledesk.archive.schema import MIGRATIONS

    folder = tmp_path / "a"
    folder.mkdir()
    connection = sqlite3.connect(folder / "archive.db")
    connection.executescript(
        "BEGIN;" + MIGRATIONS[0] + "INSERT INTO meta VALUES ('schema_version', '1'); COMMIT;"
    )
    connection.execute(
        "INSERT INTO cables (reference_id, caveats, signers, redactions, version, text_hash, "
        "seq, record) VALUES ('08X1', '[]', '[]', 0, 1, 'h', 1, x'00')"
    )
    connection.execute("INSERT INTO paragraphs VALUES (1, 0, 1, 'C', NULL, 'old text')")
    connection.commit()
    connection.close()
    from cabledesk.archive.schema import SCHEMA_VERSION, migrate, schema_version

    connection = sqlite3.connect(folder / "archive.db")
    assert migrate(connection) == 1
    assert schema_version(connection) == SCHEMA_VERSION
    columns = [row[1] for row in connection.execute("PRAGMA table_info(paragraphs)")]
    assert "text" not in columns
    assert connection.execute("SELECT number, marking FROM paragraphs").fetchall() == [(1, "C")]
    connection.close()


def test_schema_4_archive_keeps_every_part_row_in_clustered_tables(tmp_path: Path) -> None:
    from cabledesk.archive.schema import MIGRATIONS, SCHEMA_VERSION, migrate

    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE, workers=1)
        cited = archive.connection.execute(
            "SELECT cited_id FROM refs WHERE cited_id IS NOT NULL"
        ).fetchone()[0]
        citing = archive.citing(cited, viewer=FULL)
        assert citing
    parts = ("paragraphs", "tags", "addressees", "refs")
    connection = sqlite3.connect(folder / "archive.db")
    before = {t: sorted(connection.execute(f"SELECT * FROM {t}").fetchall()) for t in parts}
    assert all(before.values())
    # Back to the version 4 layout (rowid tables), as an archive of the last release has.
    script = ["BEGIN;"]
    for table in parts:
        create = MIGRATIONS[0].split(f"CREATE TABLE {table} (")[1].split(");")[0]
        if table == "paragraphs":
            create = create.replace("text TEXT NOT NULL,", "")
        # The REF items' kind came with schema 7 (and is filled in again by the migration).
        columns = ", ".join(
            row[1]
            for row in connection.execute(f"PRAGMA table_info({table})")
            if (table, row[1]) != ("refs", "kind")
        )
        script += [
            f"CREATE TABLE old_{table} ({create});",
            f"INSERT INTO old_{table} SELECT {columns} FROM {table};",
            f"DROP TABLE {table};",
            f"ALTER TABLE old_{table} RENAME TO {table};",
        ]
    script += [
        # Approvals of a version came with schema 6.
        "ALTER TABLE approvals DROP COLUMN text_hash;",
        # The entity tables came with schema 8.
        "DROP TABLE mentions; DROP TABLE enriched; DROP TABLE entity_keys; DROP TABLE entities;",
        # The entity register came with schema 9.
        "DROP TABLE entity_register;",
        # What resolution keeps of each key came with schema 11.
        "DROP TABLE entity_key_stats;",
        "UPDATE meta SET value = '4' WHERE key = 'schema_version';",
        "COMMIT;",
    ]
    connection.executescript("\n".join(script))
    assert "WITHOUT ROWID" not in _table_sql(connection, "tags")
    assert migrate(connection) == 4
    assert connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[
        0
    ] == str(SCHEMA_VERSION)
    for table in parts:
        assert "WITHOUT ROWID" in _table_sql(connection, table)
        assert sorted(connection.execute(f"SELECT * FROM {table}").fetchall()) == before[table]
    indexes = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    assert {"tags_tag", "addressees_name", "refs_cited"} <= indexes
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    connection.close()
    with Archive.open(folder) as archive:
        assert archive.citing(cited, viewer=FULL) == citing
        assert archive.search("tag:PREL", facets=False, viewer=FULL).total > 0


def _table_sql(connection: sqlite3.Connection, table: str) -> str:
    row = connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return str(row[0])


def test_index_version_change_rebuilds(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE / "text", workers=1)
    (folder / "index" / "version").write_text("0")
    Index(folder / "index")  # a stale index layout is dropped...
    with Archive.open(folder) as archive:  # ...and rebuilt from SQLite on open
        assert archive.search("id:08BAGHDAD1784", viewer=FULL).total == 1


@needs_corpus
def test_whole_corpus_every_cable_found_by_id_and_edges_complete(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        report = archive.ingest(CORPUS / "cable", workers=2)
        assert (report.ingested, report.failed) == (645, 0)
        assert archive.count(viewer=FULL) == archive.index.searcher().num_docs == 645
        cables = [i for i in cabledesk.parse(CORPUS / "cable") if isinstance(i, cabledesk.Cable)]
        for cable in cables:
            assert archive.search(f"id:{cable.reference_id}", facets=False, viewer=FULL).total == 1
        edges = archive.connection.execute(
            "SELECT count(*) FROM refs WHERE cited_id IS NOT NULL"
        ).fetchone()[0]
        assert edges == sum(1 for c in cables for r in c.references if r.cable_id)


def test_opening_while_another_process_writes_the_index(sample_archive: Archive) -> None:
    # An ingest holding the index writer must not stop a reader (the web desk) opening.
    writer = sample_archive.index.index.writer(heap_size=15_000_000, num_threads=1)
    try:
        with Archive.open(sample_archive.path, create=False) as reader:
            assert reader.search("maliki", viewer=FULL).total >= 1
    finally:
        del writer


def test_records_written_by_earlier_versions_are_still_read() -> None:
    import json
    import zlib

    from cabledesk.archive.blob import pack_record, unpack_record

    record = {"reference_id": "08BAGHDAD1784", "raw": "S E C R E T ü …", "tags": ["PREL"]}
    earlier = zlib.compress(json.dumps(record, ensure_ascii=False).encode(), 1)
    assert unpack_record(earlier) == record
    assert unpack_record(pack_record(record)) == record
    assert pack_record(record)[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame
