"""`cabledesk parse --output jsonl` and `to_json` write the documented record: the same
object `to_dict` gives (the `from` key, non-ASCII text as written), one line a cable."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cabledesk.api import parse
from cabledesk.cli.main import cli
from cabledesk.record.codec import from_json, to_dict, to_json, to_json_bytes
from cabledesk.record.model import Cable
from conftest import SAMPLE


def sample_cables() -> list[Cable]:
    return [c for c in parse([SAMPLE]) if isinstance(c, Cable)]


def test_to_json_is_to_dict_as_json() -> None:
    cables = sample_cables()
    assert len(cables) >= 10
    for cable in cables:
        line = to_json(cable)
        assert "\n" not in line
        assert json.loads(line) == to_dict(cable)
        assert to_json_bytes(cable) == line.encode("utf-8")
        assert from_json(line) == cable
    header = json.loads(to_json(cables[0]))["header"]
    assert "from" in header and "from_" not in header


def test_non_ascii_text_is_written_as_text() -> None:
    cable = sample_cables()[0]
    cable.subject = "Réunion à Genève"
    assert "Réunion à Genève" in to_json(cable)
    assert json.loads(to_json(cable, indent=2))["subject"] == "Réunion à Genève"


def test_parse_jsonl_lines_read_back_as_the_records(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["parse", str(SAMPLE), "--output", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line]
    expected = {c.reference_id: c for c in sample_cables()}
    assert len(lines) == len(expected)
    for line in lines:
        cable = from_json(line)
        assert cable == expected[cable.reference_id]
