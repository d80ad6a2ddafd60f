"""Read and parse PATHs with the Python source even where compiled modules are installed.

Prints `pure` (no compiled parse module was loaded) or `compiled`, then one JSON record a
line, keys sorted. tests/test_compiled.py compares it with the parser as installed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

# The packages setup.py compiles modules of.
COMPILED_PACKAGES = ("cabledesk.parse.", "cabledesk.sources.")


class PythonSourceFinder(importlib.abc.MetaPathFinder):
    """Finds the modules setup.py compiles as .py files, passing over extension modules."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(COMPILED_PACKAGES) or not path:
            return None
        leaf = fullname.rpartition(".")[2]
        for entry in path:
            source = Path(entry) / f"{leaf}.py"
            if source.exists():
                return importlib.util.spec_from_file_location(fullname, source)
        return None


def main(paths: list[str]) -> None:
    sys.meta_path.insert(0, PythonSourceFinder())
    import cabledesk
    from cabledesk.record.model import Cable

    compiled = [
        name
        for name, module in sys.modules.items()
        if name.startswith(COMPILED_PACKAGES)
        and not str(getattr(module, "__file__", "") or "").endswith(".py")
    ]
    print("compiled" if compiled else "pure")
    for item in cabledesk.parse([Path(p) for p in paths]):
        if isinstance(item, Cable):
            print(json.dumps(cabledesk.to_dict(item), sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
