"""The parser as built (compiled with mypyc by setup.py) gives the records its Python source
gives, on the bundled sample and the whole shared corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cabledesk
from cabledesk.parse.rules import paragraphs
from cabledesk.record.model import Cable
from conftest import CORPUS, ROOT, SAMPLE

TOOL = ROOT / "tests" / "tools" / "pure_parse.py"


def test_the_parser_is_compiled_unless_built_pure() -> None:
    # setup.py compiles the parse modules; a build without a C compiler falls back to the
    # Python files silently, which this says out loud.
    if os.environ.get("CABLEDESK_PURE") == "1":
        assert paragraphs.__file__ and paragraphs.__file__.endswith(".py")
    else:
        assert paragraphs.__file__ and not paragraphs.__file__.endswith(".py"), (
            "the parser is not compiled: reinstall with a C compiler at hand (make), "
            "or set CABLEDESK_PURE=1 to build and test the pure Python parser"
        )


def test_compiled_and_python_parsers_give_equal_records() -> None:
    paths: list[Path] = [SAMPLE]
    if (CORPUS / "cable").exists():
        paths.append(CORPUS / "cable")
    result = subprocess.run(
        [sys.executable, str(TOOL), *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    kind, *pure = result.stdout.splitlines()
    assert kind == "pure"
    here = [
        json.dumps(cabledesk.to_dict(item), sort_keys=True)
        for item in cabledesk.parse(paths)
        if isinstance(item, Cable)
    ]
    assert len(here) >= 48 + (645 if len(paths) > 1 else 0)
    assert len(pure) == len(here)
    differing = [i for i, (a, b) in enumerate(zip(pure, here, strict=True)) if a != b]
    assert not differing, f"{len(differing)} records differ, the first: {here[differing[0]][:300]}"
