"""Rewrite tests/expected/*.json from the current parser.

The expected records are checked by hand against the cable text. Run this only after a
deliberate parser change, then read `git diff tests/expected` line by line: every change
must be one you meant.

    python tests/tools/regenerate_expected.py
"""

from __future__ import annotations

import json
from pathlib import Path

import cabledesk

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "src" / "cabledesk" / "data" / "sample"
EXPECTED = ROOT / "tests" / "expected"


def main() -> None:
    for target in sorted(EXPECTED.glob("*.json")):
        source = json.loads(target.read_text())["location"]
        cable = cabledesk.parse_file(SAMPLE / source)
        record = cabledesk.to_dict(cable)
        record["location"] = source
        target.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
