"""cabledesk: parse, archive, search and publish archives of US diplomatic cables.

The names below are imported on first use, so that `import cabledesk` (and every command
of the command line, which imports this package first) loads only what it uses: the
archive brings tantivy and SQLite, the parser its rules (docs/performance.md, startup).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cabledesk.api import parse, parse_file
    from cabledesk.facade import Archive
    from cabledesk.parse import parse_text
    from cabledesk.record import Cable, from_dict, from_json, to_dict, to_json
    from cabledesk.sources import Skipped, SourceError

__all__ = [
    "Archive",
    "Cable",
    "Error",
    "Skipped",
    "SourceError",
    "from_dict",
    "from_json",
    "parse",
    "parse_file",
    "parse_text",
    "to_dict",
    "to_json",
]
__version__ = "0.1.0"

# Imports nothing itself: cheap to load at once.
from cabledesk.errors import Error

# Each public name and the module it comes from.
_FROM = {
    "parse": "cabledesk.api",
    "parse_file": "cabledesk.api",
    "Archive": "cabledesk.facade",
    "parse_text": "cabledesk.parse",
    "Cable": "cabledesk.record",
    "from_dict": "cabledesk.record",
    "from_json": "cabledesk.record",
    "to_dict": "cabledesk.record",
    "to_json": "cabledesk.record",
    "Skipped": "cabledesk.sources",
    "SourceError": "cabledesk.sources",
}


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module 'cabledesk' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """`cabledesk.parse` is the function (`cabledesk.parse(paths)`), as it was when this
    package imported everything at once; but importing the subpackage `cabledesk.parse`
    sets that attribute to the subpackage. Refused here: the subpackage stays importable
    (`from cabledesk.parse import parse_text`), and the attribute stays the function."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "parse" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
