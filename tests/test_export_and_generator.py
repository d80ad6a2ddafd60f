"""Exports stream any result set; the synthetic release generator is realistic and
deterministic."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import cabledesk
from cabledesk.facade import Archive
from cabledesk.record.model import Cable
from cabledesk.redact import FULL
from cabledesk.synthetic import generate_corpus
from cabledesk.views.export import CELL_MOST, COLUMNS, write_csv, write_jsonl, write_parquet
from conftest import SAMPLE


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    archive = Archive.open(tmp_path_factory.mktemp("export") / "a")
    archive.ingest(SAMPLE, workers=1)
    return archive


def test_jsonl_export_reads_back_as_equal_records(archive: Archive, tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    with path.open("w") as handle:
        count = write_jsonl(
            archive.export("class:>=confidential", sort="date", viewer=FULL), handle
        )
    assert count == archive.search("class:>=confidential", facets=False, viewer=FULL).total
    again = [c for c in cabledesk.parse(path) if isinstance(c, Cable)]
    assert [c.reference_id for c in again] == [
        c.reference_id for c in archive.export("class:>=confidential", sort="date", viewer=FULL)
    ]
    assert again[0] == archive.get(again[0].reference_id or "", viewer=FULL)
    dates = [c.header.sent or c.created or "" for c in again]
    assert dates == sorted(dates)


def test_csv_and_parquet_exports(archive: Archive, tmp_path: Path) -> None:
    buffer = io.StringIO()
    count = write_csv(archive.export("tag:PREL", viewer=FULL), buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert count == len(rows) == archive.search("tag:PREL", facets=False, viewer=FULL).total
    assert list(rows[0]) == list(COLUMNS)
    assert all("PREL" in row["tags"].split("; ") for row in rows)
    pyarrow = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "out.parquet"
    with path.open("wb") as handle:
        assert write_parquet(archive.export("tag:PREL", viewer=FULL), handle) == count
    table = pyarrow.read_table(path)
    assert table.num_rows == count and table.column_names == list(COLUMNS)


def test_a_csv_cell_never_exceeds_what_a_spreadsheet_holds(archive: Archive) -> None:
    cable = archive.get(
        archive.export("tag:PREL", viewer=FULL).__next__().reference_id, viewer=FULL
    )
    assert cable is not None
    long_text = "".join(f"word{n} " for n in range(20_000))  # about 150,000 characters
    huge = replace(cable, text=long_text)
    buffer = io.StringIO()
    write_csv([huge, cable], buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert len(rows) == 2 and list(rows[0]) == list(COLUMNS)
    assert all(len(value) <= CELL_MOST for row in rows for value in row.values())
    assert rows[0]["text"].endswith(
        f"{len(long_text):,} characters in all; the JSON Lines export has the whole text]"
    )
    assert long_text.startswith(rows[0]["text"].split(" [cut by cabledesk")[0])
    assert rows[1]["text"] == (cable.text or "")  # a text that fits is left whole
    assert rows[0]["reference_id"] == cable.reference_id


def test_export_command_streams_to_stdout(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest(SAMPLE / "cable" / "2009", workers=1)
        expected = archive.search("year:2009", limit=1000, facets=False, viewer=FULL).total
    result = subprocess.run(
        [sys.executable, "-m", "cabledesk", "export", "year:2009", "--db", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == expected > 0
    assert json.loads(lines[0])["reference_id"].startswith("09")


def test_generator_is_deterministic_and_parses_cleanly(tmp_path: Path) -> None:
    first, second, other = io.StringIO(), io.StringIO(), io.StringIO()
    generate_corpus(first, 300, seed=7, sources=[SAMPLE])
    generate_corpus(second, 300, seed=7, sources=[SAMPLE])
    generate_corpus(other, 300, seed=8, sources=[SAMPLE])
    assert first.getvalue() == second.getvalue() != other.getvalue()
    path = tmp_path / "corpus.csv"
    path.write_text(first.getvalue())
    items = list(cabledesk.parse(path))
    cables = [i for i in items if isinstance(i, Cable)]
    assert len(cables) == len(items) == 300
    ids = [c.reference_id for c in cables]
    assert len(set(ids)) == 300
    assert {c.classification for c in cables} >= {"UNCLASSIFIED", "CONFIDENTIAL"}
    years = [int((c.created or "0")[:4]) for c in cables]
    assert years == sorted(years) and years[-1] >= 2008
    # References point at earlier generated cables, which the parser resolves.
    cited = {r.cable_id for c in cables for r in c.references}
    assert cited and cited <= set(ids)
    # Recombined, not copied: no generated paragraph text equals a sample cable's.
    sample_texts = {
        p.text for c in cabledesk.parse(SAMPLE) if isinstance(c, Cable) for p in c.paragraphs
    }
    assert not any(
        p.text in sample_texts for c in cables for p in c.paragraphs if len(p.text) > 200
    )


def test_generator_keeps_the_sources_share_of_typeset_text() -> None:
    # Curly quotes and dashes come with the cables that have them: a generated cable with
    # sentences drawn from all sources alike would nearly always have one.
    out = io.StringIO()
    generate_corpus(out, 400, seed=3, sources=[SAMPLE])
    sources = [c for c in cabledesk.parse(SAMPLE) if isinstance(c, Cable)]
    source_share = sum(not c.raw.isascii() for c in sources) / len(sources)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    share = sum(not row[7].isascii() for row in rows) / len(rows)
    assert 0 < source_share < 1
    assert abs(share - source_share) < 0.12, (share, source_share)
