"""The command line, run as a user runs it: a real subprocess, output on stdout/stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLE, assert_valid

SEED = SAMPLE / "text" / "08BAGHDAD1784.txt"


def cabledesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cabledesk", *args], capture_output=True, text=True, check=False
    )


def test_parse_prints_the_record() -> None:
    result = cabledesk("parse", str(SEED), "--output", "json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert_valid(record)
    assert record["reference_id"] == "08BAGHDAD1784"


def test_parse_walks_directories_as_json_lines() -> None:
    result = cabledesk("parse", str(SAMPLE), "--output", "jsonl")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 48
    assert len({r["reference_id"] for r in records}) == 48


def test_table_output_summarises() -> None:
    result = cabledesk("parse", str(SAMPLE), "--output", "table")
    assert result.returncode == 0
    assert "48 cables parsed, 0 failed" in result.stdout
    assert "08BAGHDAD1784" in result.stdout


def test_bad_input_is_one_line_per_problem_and_exit_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text('"1","6/14/2008 6:50","08X1"\n')
    result = cabledesk("parse", str(SEED), str(broken), str(tmp_path / "missing.txt"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: {broken}:1: expected 8 columns (id, date, refid, origin, classification, "
        "references, header, content); found 3 columns starting '1'",
        f"error: {tmp_path / 'missing.txt'}: expected a file or directory; "
        "found nothing at that path",
    ]
    # The good file was still parsed.
    assert json.loads(result.stdout)["reference_id"] == "08BAGHDAD1784"


def test_strict_fails_cables_with_oddities() -> None:
    odd = SAMPLE / "cable" / "2009" / "02" / "09HAVANA132.html"
    assert cabledesk("parse", str(odd)).returncode == 0
    result = cabledesk("parse", str(odd), "--strict")
    assert result.returncode == 1
    assert "classification line names MOSCOW 512" in result.stderr


def test_unknown_option_is_a_usage_error() -> None:
    result = cabledesk("parse", str(SEED), "--format", "pdf")
    assert result.returncode == 2
    assert "Invalid value for '--format'" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unwritable_output_path_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "corpus.csv"
    result = cabledesk("bench", "corpus", "--n", "5", "--out", str(missing))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"Error: {missing}: No such file or directory"
