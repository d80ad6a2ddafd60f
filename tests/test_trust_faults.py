"""A full disk during an ingest: one clear line, nothing stored is lost (trust review #21).

The disk is a small tmpfs mounted for the test (CI and developers run as root here).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cabledesk.facade import Archive
from cabledesk.redact import FULL
from cabledesk.synthetic.corpus import write_corpus
from conftest import SAMPLE


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=14M", "tmpfs", str(mount)])
    if mounted.returncode != 0:
        pytest.fail("this test needs to mount a small tmpfs (run as root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_line_and_loses_nothing(tmp_path: Path, small_disk: Path) -> None:
    release = tmp_path / "cables.csv"
    write_corpus(release, 3000, 2, [SAMPLE])
    db = small_disk / "archive"
    command = [sys.executable, "-m", "cabledesk", "ingest", str(release), "--db", str(db)]
    full = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert full.returncode == 1
    assert "Traceback" not in full.stderr, full.stderr
    assert full.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert "full" in full.stderr
    subprocess.run(["mount", "-o", "remount,size=300M", str(small_disk)], check=True)
    with Archive.open(db) as archive:
        kept = archive.count(viewer=FULL)
        assert kept > 0
        assert archive.check() == []
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"unchanged {kept:,}" in again.stdout
    with Archive.open(db) as archive:
        assert archive.count(viewer=FULL) == 3000
        assert archive.check() == []
