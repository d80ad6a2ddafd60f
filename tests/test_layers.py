"""Data flows one way (docs/architecture.md): a package imports only packages of lower
layers, never one above it or a neighbour in its own layer. Every import counts: at the top
of a module, inside a function, and under `if TYPE_CHECKING:` (a type is a dependency too).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import cabledesk

PACKAGE = Path(cabledesk.__file__).parent

# Lowest first. The same table is in docs/architecture.md; a new package goes in one.
LAYERS: list[set[str]] = [
    {"errors", "record", "reference"},
    {"sources"},
    {"parse", "entities"},
    {"api", "access"},
    {"redact", "synthetic"},
    {"archive", "quality"},
    {"query"},
    {"workspace"},
    {"facade"},
    {"views", "presentation"},
    {"publish"},
    {"web"},
    {"cli"},
]
# The package's own `__init__` (names imported on first use) and `python -m cabledesk`.
ENTRY_POINTS = {"__init__", "__main__"}


def layer_of(package: str) -> int:
    for number, layer in enumerate(LAYERS):
        if package in layer:
            return number
    raise AssertionError(f"{package}: not in any layer of tests/test_layers.py")


def packages() -> set[str]:
    found = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    found |= {p.stem for p in PACKAGE.glob("*.py")}
    return found - ENTRY_POINTS


def imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every absolute cabledesk import in `source`, wherever it is."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            # `from cabledesk import X`: the module X, or the module the package takes the
            # name X from (`Archive`: cabledesk.facade); `__version__` is the package's own.
            if node.module == "cabledesk":
                found += [(node.lineno, m) for a in node.names if (m := root_name(a.name))]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, m) for line, m in found if m.startswith("cabledesk.")]


def root_name(name: str) -> str | None:
    if name in packages():
        return f"cabledesk.{name}"
    if name == "Error":
        return "cabledesk.errors"
    module: str | None = getattr(cabledesk, "_FROM", {}).get(name)
    return module


def upward_imports() -> list[str]:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        own = relative.parts[0].removesuffix(".py")
        if own in ENTRY_POINTS:
            continue
        for line, module in imports(path.read_text(encoding="utf-8")):
            target = module.split(".")[1]
            if target == own:
                continue
            if layer_of(target) >= layer_of(own):
                wrong.append(f"{relative}:{line} imports {module} (layer {layer_of(target)})")
    return wrong


def test_every_package_has_a_layer() -> None:
    for package in packages():
        layer_of(package)


def test_no_package_imports_one_above_it_or_beside_it() -> None:
    assert upward_imports() == []


def test_the_check_finds_an_upward_import(tmp_path: Path) -> None:
    # The check itself can fail: an import of the facade from the store is caught.
    source = "def f():\n    from cabledesk.facade import Archive\n"
    (found,) = imports(source)
    assert found == (2, "cabledesk.facade")
    assert layer_of("facade") > layer_of("archive")
    typed = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import cabledesk.web.app\n"
    assert imports(typed) == [(3, "cabledesk.web.app")]


@pytest.mark.parametrize("package", sorted(packages()))
def test_each_package_imports_alone(package: str) -> None:
    """A package imported first, in a fresh interpreter, imports cleanly (no cycle hides
    behind the order in which the tests happen to import things)."""
    done = subprocess.run(
        [sys.executable, "-c", f"import importlib; importlib.import_module('cabledesk.{package}')"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
