"""Shared paths and fixtures for the test suite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "cabledesk" / "data" / "sample"
EXPECTED = ROOT / "tests" / "expected"
SCHEMA = ROOT / "src" / "cabledesk" / "data" / "schema" / "record.schema.json"
# CI puts the shared material beside the checkout; the product itself never needs it.
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "wikileaks-html"
SEED_TEXT = SHARED / "corpus" / "text" / "08BAGHDAD1784.txt"

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "truth.jsonl").exists(), reason="../shared/corpus is not beside the checkout"
)


# What the compiled modules are built from (setup.py), and what they build types in from.
COMPILED_FROM = ("parse", "sources", "record", "reference")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test compiled modules older than the code they were built from: Python
    would import the stale compiled modules, and the tests would not test the code as it
    is. (All are built at once, so the newest source is compared with each of them.)"""
    package = ROOT / "src" / "cabledesk"
    compiled = list((ROOT / "src").rglob("*.so"))
    if not compiled:
        return
    newest = max(
        (source for part in COMPILED_FROM for source in (package / part).rglob("*.py")),
        key=lambda source: source.stat().st_mtime,
    )
    stale = [so for so in compiled if so.stat().st_mtime < newest.stat().st_mtime]
    if stale:
        pytest.exit(
            f"compiled modules are older than {newest.relative_to(ROOT)}: rebuild them "
            "with `make test` (or `pip install -e .`)",
            returncode=2,
        )


@cache
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))


def assert_valid(record: dict[str, Any]) -> None:
    """Fail with every schema violation of a record, not just the first."""
    errors = sorted(validator().iter_errors(record), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (the browser tests)."""
    from browser_fixtures import chromium

    with chromium() as launched:
        yield launched
