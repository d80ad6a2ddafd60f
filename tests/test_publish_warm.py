"""`cabledesk publish` answers once the edition is out and recorded: the desk's citation
graphs and co-mention networks the edition made stale are rebuilt by a `cabledesk warm`
started in the background (docs/graph.md, "Cold caches"), never waited for by the
command (it waited some 100 s at 50,000 cables)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cabledesk.cli import editorial_commands
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from conftest import SAMPLE


def _command_lines() -> list[str]:
    """Every process's command line (what pgrep -f reads; pgrep may not be installed)."""
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue  # ended meanwhile
    return lines


@pytest.fixture()
def approved(tmp_path: Path) -> str:
    db = str(tmp_path / "archive")
    with Archive.open(db) as archive:
        archive.ingest(SAMPLE, workers=1)
        ids = [r[0] for r in archive.connection.execute("SELECT reference_id FROM cables")]
        archive.approve(ids)
    return db


@pytest.mark.parametrize("how", [["--format", "site"], ["--format", "jsonl"]])
def test_publishing_starts_the_warm_and_does_not_build_the_graphs_itself(
    approved: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: list[str]
) -> None:
    started: list[str] = []
    monkeypatch.setattr(editorial_commands, "_warm_later", lambda db: started.append(db) or True)
    out = tmp_path / ("site" if how[1] == "site" else "edition.jsonl")
    result = CliRunner().invoke(cli, ["publish", "--db", approved, "--out", str(out), *how])
    assert result.exit_code == 0, result.output
    assert started == [approved] and "started in the background" in result.output
    # The command built none of them: they are all still to build.
    with Archive.open(approved) as archive:
        assert set(archive.warm()) == {
            "citation graph of everything",
            "co-mention network of everything",
            "citation graph of the public",
            "co-mention network of the public",
        }


def test_no_warm_starts_nothing(
    approved: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    monkeypatch.setattr(editorial_commands, "_warm_later", lambda db: started.append(db) or True)
    args = ["publish", "--db", approved, "--out", str(tmp_path / "site"), "--no-warm"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert started == [] and "background" not in result.output
    # A failed publish starts nothing either.
    again = CliRunner().invoke(cli, ["publish", "--db", approved, "--out", str(approved)])
    assert again.exit_code == 1 and started == []


def test_the_background_warm_builds_what_the_edition_made_stale(
    approved: str, tmp_path: Path
) -> None:
    args = ["publish", "--db", approved, "--out", str(tmp_path / "site")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    pattern = f"cabledesk warm --db {approved}"
    seen = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        running = any(pattern in line for line in _command_lines())
        if seen and not running:
            break
        seen = seen or running
        time.sleep(0.05)
    else:
        pytest.fail("the background warm did not start and end within 120 s")
    with Archive.open(approved) as archive:
        assert archive.warm() == {}
