"""Ingest progress (issue 17): a total known before the work starts (files, or bytes of a
CSV), advanced cable by cable as the parser processes hand them back; a bar on a terminal,
lines with %, rate and ETA otherwise; every skipped file named."""

from __future__ import annotations

import ast
import io
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rich.console import Console

from cabledesk.cli.progress import Bar, Lines
from cabledesk.facade import Archive
from cabledesk.sources import Unit
from cabledesk.synthetic.corpus import write_corpus
from conftest import ROOT, SAMPLE

# The bundled sample: 47 WikiLeaks pages and one newspaper text (README.md is not walked).
SAMPLE_FILES = 48


@dataclass
class Recorder:
    """A Reporter that keeps every call."""

    calls: list[tuple[str, object, object]] = field(default_factory=list)

    def start(self, total: int | None, unit: Unit) -> None:
        self.calls.append(("start", total, unit))

    def advance(self, amount: int, cables: int) -> None:
        self.calls.append(("advance", amount, cables))

    def finish(self) -> None:
        self.calls.append(("finish", None, None))

    def started(self) -> tuple[object, object]:
        starts = [(total, unit) for name, total, unit in self.calls if name == "start"]
        assert len(starts) == 1 and self.calls[0][0] == "start"
        return starts[0]

    def advances(self) -> list[tuple[int, int]]:
        assert [name for name, _, _ in self.calls].count("finish") == 1
        assert self.calls[-1][0] == "finish"
        return [(a, c) for name, a, c in self.calls if name == "advance"]  # type: ignore[misc]


def ingest(tmp_path: Path, paths: list[Path], workers: int) -> tuple[Recorder, int]:
    recorder = Recorder()
    with Archive.open(tmp_path / "archive", create=True) as archive:
        report = archive.ingest(paths, workers=workers, progress=recorder)
    assert report.failed == 0, report.examples
    return recorder, report.ingested


def sample_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    shutil.copytree(SAMPLE, folder)
    return folder


@pytest.mark.parametrize("workers", [1, 2])
def test_files_total_is_the_cable_files_advanced_one_cable_at_a_time(
    tmp_path: Path, workers: int
) -> None:
    recorder, ingested = ingest(tmp_path, [SAMPLE], workers)
    assert ingested == SAMPLE_FILES
    assert recorder.started() == (SAMPLE_FILES, "files")
    advances = recorder.advances()
    assert sum(amount for amount, _ in advances) == SAMPLE_FILES
    assert sum(cables for _, cables in advances) == SAMPLE_FILES
    # One call a cable as it comes back from the parser, each one file: no steps of 500.
    assert [(a, c) for a, c in advances if c] == [(1, 1)] * SAMPLE_FILES


@pytest.mark.parametrize("workers", [1, 2])
def test_csv_total_is_its_bytes_advanced_as_it_is_read(tmp_path: Path, workers: int) -> None:
    release = tmp_path / "cables.csv"
    write_corpus(release, 300, 1, [SAMPLE])
    size = release.stat().st_size
    recorder, ingested = ingest(tmp_path, [release], workers)
    assert ingested == 300
    assert recorder.started() == (size, "bytes")
    advances = recorder.advances()
    assert sum(amount for amount, _ in advances) == size
    assert sum(cables for _, cables in advances) == 300
    # The bytes come with the cables as the file is read, not all at the end: half the
    # cables done is about half the file (the reader takes 8 KiB at a time).
    done = 0
    for number, (amount, _) in enumerate((a for a in advances if a[1]), start=1):
        done += amount
        if number == 150:
            assert 0.35 * size < done < 0.65 * size
    assert max(amount for amount, _ in advances) < size / 10


def test_a_mix_is_counted_in_bytes_skipped_and_unreadable_files_included(
    tmp_path: Path,
) -> None:
    folder = sample_copy(tmp_path)
    (folder / "cable" / "broken.html").write_bytes(b"\x00binary")  # unreadable: failed
    (folder / "text" / "zz.json").write_text('{"not": "a record"}\n')  # skipped, read last
    release = tmp_path / "cables.csv"
    write_corpus(release, 40, 2, [SAMPLE])
    walked = [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".md"]
    size = sum(p.stat().st_size for p in [release, *walked])
    recorder = Recorder()
    with Archive.open(tmp_path / "archive", create=True) as archive:
        report = archive.ingest([release, folder], workers=2, progress=recorder)
    assert (report.ingested, report.failed, report.skipped) == (SAMPLE_FILES + 40, 1, 1)
    assert recorder.started() == (size, "bytes")
    advances = recorder.advances()
    assert sum(amount for amount, _ in advances) == size
    assert sum(cables for _, cables in advances) == SAMPLE_FILES + 40


def test_lines_show_percentage_rate_eta_and_a_final_count() -> None:
    now = [100.0]
    stream = io.StringIO()
    lines = Lines(stream, every=5.0, clock=lambda: now[0])
    lines.start(1000, "files")
    now[0] = 101.0
    lines.advance(10, 12)  # too soon for a line: no flood
    now[0] = 106.0
    lines.advance(240, 288)
    now[0] = 124.0
    lines.advance(750, 900)
    lines.finish()
    assert stream.getvalue().splitlines() == [
        "ingest: 1,000 files to read",
        "ingest: 25.0% (250 files of 1,000 files), 300 cables, 50 cables/s, elapsed 0:06, ETA 0:18",
        "ingest: 100.0% (1,000 files of 1,000 files), 1,200 cables, 50 cables/s, "
        "elapsed 0:24, ETA 0:00",
        "ingest: done, 1,200 cables from 1,000 files in 0:24 (50 cables/s)",
    ]


def test_lines_in_bytes() -> None:
    now = [0.0]
    stream = io.StringIO()
    lines = Lines(stream, every=5.0, clock=lambda: now[0])
    lines.start(300_000_000, "bytes")
    now[0] = 10.0
    lines.advance(100_000_000, 20_000)
    assert stream.getvalue().splitlines()[-1] == (
        "ingest: 33.3% (100.0 MB of 300.0 MB), 20,000 cables, 2,000 cables/s, "
        "elapsed 0:10, ETA 0:20"
    )


def test_bar_shows_percentage_amount_cables_rate_elapsed_and_eta() -> None:
    out = io.StringIO()
    bar = Bar(Console(file=out, force_terminal=True, width=200, color_system=None))
    bar.start(3_000_000, "bytes")
    bar.advance(1_500_000, 100)
    bar.finish()
    final = [line for line in out.getvalue().replace("\r", "\n").splitlines() if "ingest" in line][
        -1
    ]
    assert "ingest" in final and "50%" in final and "1.5/3.0 MB" in final
    assert "100 cables" in final and "cables/s" in final and "ETA" in final
    assert "0:00:00" in final  # the elapsed time


def test_the_archive_package_shows_nothing_itself() -> None:
    """The display is the CLI's: no module of cabledesk.archive imports rich, and
    importing the library loads none of it."""
    archive = ROOT / "src" / "cabledesk" / "archive"
    for path in archive.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            assert not any(n == "rich" or n.startswith("rich.") for n in names), path
    code = "import sys, cabledesk.facade; print(any(m.startswith('rich') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def cabledesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cabledesk", *args], capture_output=True, text=True, check=False
    )


def test_cli_names_each_skipped_file_and_still_ingests(tmp_path: Path) -> None:
    folder = sample_copy(tmp_path)
    (folder / "notes.json").write_text('{"title": "not a cable"}\n')
    (folder / "cable" / "2008" / "inventory.jsonl").write_text('{"path": "x"}\n')
    listed = tmp_path / "skipped.tsv"
    result = cabledesk(
        "ingest", str(folder), "--db", str(tmp_path / "db"), "--skipped-list", str(listed)
    )
    assert result.returncode == 0, result.stderr
    assert "ingested 48," in result.stdout and "skipped files 2" in result.stdout
    reason = "JSON Lines that are not cabledesk records"
    assert f"  {folder / 'notes.json'}: {reason}" in result.stdout
    assert f"  {folder / 'cable' / '2008' / 'inventory.jsonl'}: {reason}" in result.stdout
    assert sorted(listed.read_text().splitlines()) == sorted(
        [
            f"{folder / 'cable' / '2008' / 'inventory.jsonl'}\t{reason}",
            f"{folder / 'notes.json'}\t{reason}",
        ]
    )
    # Not on a terminal: plain lines on standard error, the total first, the count last.
    assert result.stderr.splitlines()[0].startswith("ingest: ") and "to read" in result.stderr
    assert "ingest: done, 48 cables from " in result.stderr.splitlines()[-1]


def test_cli_names_the_first_twenty_skipped_files_and_counts_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "text" / "08BAGHDAD1784.txt", folder)
    for number in range(25):
        (folder / f"other{number:02d}.json").write_text('{"a": 1}\n')
    result = cabledesk("ingest", str(folder), "--db", str(tmp_path / "db"))
    assert result.returncode == 0, result.stderr
    assert "ingested 1," in result.stdout and "skipped files 25" in result.stdout
    named = [line for line in result.stdout.splitlines() if "other" in line]
    assert named == [
        f"  {folder / f'other{n:02d}.json'}: JSON Lines that are not cabledesk records"
        for n in range(20)
    ]
    assert "… and 5 more; --skipped-list FILE writes all of them" in result.stdout
