"""A command imports what it uses and nothing else (issue 17: every command took 0.4-0.8 s
before doing anything, importing password hashing, the web server, the full-text index
and the terminal renderer it never used). These check which modules a command loads, not
how long it takes (docs/performance.md has the timings)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from conftest import SAMPLE

ONE_CABLE = SAMPLE / "text" / "08BAGHDAD1784.txt"
# Each a package only some commands need.
HEAVY = ("argon2", "starlette", "uvicorn", "tantivy", "jinja2", "rich", "pyarrow")
# cabledesk's own stages that parsing a file does not touch.
UNUSED_BY_PARSE = (
    "cabledesk.archive",
    "cabledesk.access",
    "cabledesk.presentation",
    "cabledesk.web",
    "cabledesk.publish",
)


def imported_by(*args: str, code: str | None = None) -> tuple[set[str], str]:
    """Every module a `python -m cabledesk ARGS` run (or `python -c CODE`) imports, from
    -X importtime, and its standard output."""
    run = ["-c", code] if code is not None else ["-m", "cabledesk", *args]
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *run], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    modules = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", result.stderr, re.M))
    # The measurement itself works: what every run imports is there.
    assert "encodings" in modules
    return modules, result.stdout


def loaded(modules: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == r or m.startswith(r + ".") for r in roots))


def test_parse_imports_neither_heavy_packages_nor_other_stages() -> None:
    modules, out = imported_by("parse", str(ONE_CABLE))
    assert '"reference_id": "08BAGHDAD1784"' in out
    assert "cabledesk.parse.core" in modules and "click" in modules
    assert loaded(modules, HEAVY) == []
    assert loaded(modules, UNUSED_BY_PARSE) == []
    assert "sqlite3" not in modules


def test_parse_of_text_files_does_without_lxml() -> None:
    # lxml reads WikiLeaks pages only: imported with the first page (fifth round of issue 11).
    modules, out = imported_by("parse", str(ONE_CABLE), "--output", "jsonl")
    assert '"reference_id":"08BAGHDAD1784"' in out
    assert loaded(modules, ("lxml",)) == []
    page = next(iter(sorted((SAMPLE / "cable").rglob("*.html"))))
    modules, out = imported_by("parse", str(page), "--output", "jsonl")
    assert '"reference_id":' in out
    assert "lxml.html" in modules


def test_parse_as_a_table_loads_rich_and_still_no_server_or_index() -> None:
    modules, out = imported_by("parse", str(ONE_CABLE), "--output", "table")
    assert "08BAGHDAD1784" in out
    assert "rich" in modules
    assert loaded(modules, tuple(h for h in HEAVY if h != "rich")) == []
    assert loaded(modules, UNUSED_BY_PARSE) == []


def test_import_cabledesk_loads_no_stage() -> None:
    modules, _ = imported_by(code="import cabledesk")
    assert loaded(modules, HEAVY) == []
    stages = ("cabledesk.api", "cabledesk.parse", "cabledesk.sources", "cabledesk.record")
    assert loaded(modules, (*UNUSED_BY_PARSE, *stages)) == []


def test_help_and_version_load_no_heavy_package_but_the_renderer() -> None:
    modules, out = imported_by("--version")
    assert "0.1.0" in out
    assert loaded(modules, HEAVY) == [] and loaded(modules, UNUSED_BY_PARSE) == []
    modules, out = imported_by("--help")
    assert "parse" in out and "serve" in out
    assert loaded(modules, ("argon2", "starlette", "uvicorn", "jinja2")) == []


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("startup") / "a"
    result = subprocess.run(
        [sys.executable, "-m", "cabledesk", "ingest", str(SAMPLE / "text"), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return db


@pytest.mark.parametrize(
    "args",
    [
        ["search", "iran"],
        ["stats"],
        ["show", "08BAGHDAD1784"],
        ["audit", "--limit", "1"],
        ["redact", "list"],
        ["approve", "--list"],
    ],
)
def test_archive_commands_load_no_password_hashing_or_web_server(
    archive: Path, args: list[str]
) -> None:
    modules, _ = imported_by(*args, "--db", str(archive))
    assert "tantivy" in modules  # they do open the archive
    assert loaded(modules, ("argon2", "starlette", "uvicorn", "jinja2", "pyarrow", "numpy")) == []
    assert loaded(modules, ("cabledesk.presentation", "cabledesk.web", "cabledesk.publish")) == []


def test_every_command_is_found_by_its_name() -> None:
    from cabledesk.cli.main import COMMANDS, cli

    context = click.Context(cli)
    assert cli.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None and command.name == name
    assert cli.get_command(context, "no-such-command") is None


def test_the_lazy_package_names_are_the_library_calls() -> None:
    # In a fresh process: importing the parser's subpackage (`cabledesk.parse`) before
    # asking for the function of that name must not replace the function.
    code = """
import cabledesk, cabledesk.parse.core, cabledesk.api, cabledesk.archive
from cabledesk import Archive, Cable, parse, parse_file, parse_text, to_dict, SourceError
from cabledesk.access import ACCOUNT_ROLES, Accounts, audit
import cabledesk.access.audit
assert cabledesk.parse is cabledesk.api.parse is parse and callable(parse)
assert parse_text is cabledesk.parse_text and Archive.__name__ == "Archive"
assert audit is cabledesk.access.audit and Accounts.__name__ == "Accounts"
assert set(cabledesk.__all__) <= set(dir(cabledesk))
try:
    cabledesk.no_such_name
except AttributeError:
    pass
else:
    raise AssertionError("no AttributeError")
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
