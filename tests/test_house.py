"""What a new user hits first: the README's example as a script, mistyped paths, a port in
use, who withdrew a cable (issue: one clean house)."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from cabledesk.redact import FULL
from conftest import ROOT, SAMPLE


def cabledesk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cabledesk", *args], capture_output=True, text=True, timeout=timeout
    )


def test_ingest_of_a_missing_path_makes_no_archive(tmp_path: Path) -> None:
    result = cabledesk("ingest", str(tmp_path / "no-such-dir"), "--db", str(tmp_path / "a"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "a").exists()


def test_serve_on_a_port_in_use_is_one_line_and_no_banner(tmp_path: Path) -> None:
    db = tmp_path / "a"
    assert cabledesk("ingest", str(SAMPLE / "text"), "--db", str(db)).returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = cabledesk("serve", "--db", str(db), "--port", str(port), timeout=60)
    assert result.returncode == 1
    assert "web desk on" not in result.stdout
    assert "cannot listen" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_withdraw_names_the_account_in_the_audit_log(tmp_path: Path) -> None:
    db = tmp_path / "a"
    assert cabledesk("ingest", str(SAMPLE / "text"), "--db", str(db)).returncode == 0
    assert cabledesk("approve", "08BAGHDAD1784", "--db", str(db), "--account", "ed").returncode == 0
    withdrawn = cabledesk(
        "approve", "08BAGHDAD1784", "--withdraw", "--db", str(db), "--account", "ed"
    )
    assert withdrawn.returncode == 0, withdrawn.stderr
    connection = sqlite3.connect(db / "archive.db")
    rows = connection.execute(
        "SELECT account, detail FROM audit WHERE kind = 'approval' ORDER BY id"
    ).fetchall()
    connection.close()
    assert [account for account, _ in rows] == ["ed", "ed"]
    assert "withdrawn" in rows[-1][1]


def python_example() -> str:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```python\n", 1)[1].split("```", 1)[0]
    return block


def test_the_readme_python_example_runs_as_a_script(tmp_path: Path) -> None:
    # Run where the README's relative paths hold, with the archive in a fresh folder:
    # ingest starts parser processes, which must not run the script again.
    (tmp_path / "src").symlink_to(ROOT / "src")
    script = tmp_path / "example.py"
    script.write_text(python_example())
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert "LockBusy" not in result.stderr


def test_every_cabledesk_error_is_one_cabledesk_error() -> None:
    import cabledesk
    from cabledesk.access.errors import AccessError
    from cabledesk.archive.errors import ArchiveError
    from cabledesk.archive.register import RegisterError
    from cabledesk.archive.schema import SchemaError
    from cabledesk.publish.errors import PublishError
    from cabledesk.query.language import QueryError
    from cabledesk.views.export import ExportError

    for error in (
        AccessError,
        ArchiveError,
        RegisterError,
        SchemaError,
        PublishError,
        QueryError,
        ExportError,
    ):
        assert issubclass(error, cabledesk.Error), error


def shout(state: object) -> None:
    """An extension rule: the subject in capitals with a mark (tests a rule reaching ingest)."""
    cable = state.cable  # type: ignore[attr-defined]
    if cable.subject:
        cable.subject = "EXTENDED: " + cable.subject


def test_a_parser_with_a_rule_of_its_own_reaches_ingested_records(tmp_path: Path) -> None:
    from cabledesk.facade import Archive
    from cabledesk.parse import Parser

    parser = Parser()
    parser.core.after("clean_text", "shout", shout)
    for workers in (1, 2):
        with Archive.open(tmp_path / f"a{workers}") as archive:
            report = archive.ingest([SAMPLE / "text"], workers=workers, parser=parser)
            assert report.ingested > 0
            cable = archive.get("08BAGHDAD1784", viewer=FULL)
            assert cable is not None and cable.subject is not None
            assert cable.subject.startswith("EXTENDED: "), (workers, cable.subject)


def test_a_parser_with_a_rule_of_its_own_reaches_parse_and_parse_file() -> None:
    import cabledesk
    from cabledesk.parse import Parser

    parser = Parser()
    parser.core.after("clean_text", "shout", shout)
    path = SAMPLE / "text" / "08BAGHDAD1784.txt"
    assert (cabledesk.parse_file(path, parser=parser).subject or "").startswith("EXTENDED: ")
    assert not (cabledesk.parse_file(path).subject or "").startswith("EXTENDED: ")
    (cable,) = [c for c in cabledesk.parse([path], parser=parser) if isinstance(c, cabledesk.Cable)]
    assert (cable.subject or "").startswith("EXTENDED: ")
