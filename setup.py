"""Builds cabledesk. Everything is in pyproject.toml except the compiled modules.

The parse rules, and the readers that run once per cable before them, are plain, fully
typed Python. mypyc (part of mypy) compiles them into C extension modules, which parse
about 1.25x faster (docs/performance.md); the Python files stay the source, and Python
imports a compiled module in place of its file. Set CABLEDESK_PURE=1 to build without
them; where no C compiler is at hand the build goes on with the Python modules (the
extensions are optional), which give the same records.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from setuptools import setup

PARSE = Path("src/cabledesk/parse")
SOURCES = Path("src/cabledesk/sources")
ENTITIES = Path("src/cabledesk/entities")
COMPILED = [
    *sorted(str(path) for path in (PARSE / "rules").glob("*.py") if path.name != "__init__.py"),
    str(PARSE / "ids.py"),
    str(PARSE / "patterns.py"),
    str(PARSE / "state.py"),
    # The readers that run once per cable before the parser (text, CSV rows, dates).
    str(SOURCES / "text.py"),
    str(SOURCES / "csv_release.py"),
    str(SOURCES / "dates.py"),
    # The entity extractor: it reads every cable once more in the enrichment job.
    str(ENTITIES / "extract.py"),
    str(ENTITIES / "names.py"),
    str(ENTITIES / "resolve.py"),
    str(ENTITIES / "cable.py"),
]


def extensions() -> list[Any]:
    if os.environ.get("CABLEDESK_PURE") == "1":
        return []
    from mypyc.build import mypycify

    # The build environment has none of cabledesk's dependencies: their types are unknown
    # there, which compiling does not need (`make typecheck` checks the whole project).
    flags = ["--config-file=", "--ignore-missing-imports"]
    modules = mypycify([*flags, *COMPILED], opt_level="3", group_name="cabledesk_parse")
    for module in modules:
        module.optional = True
    return modules


setup(ext_modules=extensions())
