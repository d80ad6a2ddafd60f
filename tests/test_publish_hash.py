"""The published hash's canonical JSON (edition.canonical_json) is byte for byte the
definition in docs/publishing.md: `json.dumps(record, ensure_ascii=False, sort_keys=True,
separators=(",", ":"))` as UTF-8. edition.json lists these hashes so anyone can check a
copy of a release: the faster writer must never change one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cabledesk import api
from cabledesk.publish.edition import _hash_of, canonical_json
from cabledesk.record.codec import to_dict
from conftest import CORPUS, SAMPLE, SEED_TEXT


def defined(record: Any) -> bytes:
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


# What a record's dict can hold: strings of any character but lone surrogates, integers
# (64-bit), booleans, null, lists, objects with string keys.
_TEXT = st.text(st.characters(exclude_categories=["Cs"]))
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_TEXT, _VALUES, max_size=6))
def test_the_canonical_json_is_the_definitions_bytes(record: dict[str, Any]) -> None:
    assert canonical_json(record) == defined(record)


@pytest.mark.parametrize(
    "text",
    ["\x00\x01\x1f\x7f\x80\x9f", "\u2028\u2029", '"\\/\b\f\n\r\t', "\ufeffé😀\U0010ffff"],
)
def test_escapes_and_characters_outside_ascii_are_written_as_defined(text: str) -> None:
    record = {text: [text, {"é": text, "e": 1, "É": None}], "": text}
    assert canonical_json(record) == defined(record)


def test_what_orjson_refuses_goes_the_way_of_the_definition() -> None:
    too_large = {"n": 2**70, "b": "x"}
    assert canonical_json(too_large) == defined(too_large)
    # A lone surrogate cannot be UTF-8: the definition fails, and so does the hash.
    with pytest.raises(UnicodeEncodeError):
        defined({"t": "\ud800"})
    with pytest.raises(UnicodeEncodeError):
        canonical_json({"t": "\ud800"})


def _records() -> list[dict[str, Any]]:
    paths = sorted((SAMPLE / "cable").rglob("*.html")) + sorted((SAMPLE / "text").glob("*"))
    if CORPUS.exists():
        paths += sorted((CORPUS / "cable").rglob("*.html"))
    if SEED_TEXT.exists():
        paths.append(SEED_TEXT)
    return [to_dict(api.parse_file(Path(p))) for p in paths if Path(p).is_file()]


def test_every_real_record_hashes_as_defined() -> None:
    import hashlib

    records = _records()
    assert len(records) >= 5
    for record in records:
        assert canonical_json(record) == defined(record), record.get("reference_id")
        assert _hash_of(record) == hashlib.sha256(defined(record)).hexdigest()
