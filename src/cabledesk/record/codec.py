"""Records to and from plain JSON-ready dicts (the JSON Lines interchange format)."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from typing import Any

import orjson

from cabledesk.record.model import (
    Addressee,
    Cable,
    ClassifiedBy,
    Header,
    Paragraph,
    Redactions,
    Reference,
    Repairs,
    Section,
    Transmission,
)

# Python cannot name an attribute `from`; the record contract can.
_RENAMES = {"from_": "from"}
_UNRENAMES = {v: k for k, v in _RENAMES.items()}


_SCALARS = frozenset((str, int, float, bool, type(None)))
# (attribute, JSON key) pairs of each record class, filled on first sight of a class.
_NAMES: dict[type, tuple[tuple[str, str], ...]] = {}


def _plain(value: Any) -> Any:
    # Called for every part of every record on export and ingest: dispatch on the exact
    # type first, which is much cheaper than generic dataclass inspection.
    kind = type(value)
    if kind in _SCALARS:
        return value
    names = _NAMES.get(kind)
    if names is not None:
        return {key: _plain(getattr(value, name)) for name, key in names}
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        _NAMES[kind] = tuple((f.name, _RENAMES.get(f.name, f.name)) for f in fields(value))
        return _plain(value)
    return value


def to_dict(cable: Cable) -> dict[str, Any]:
    """The record as the documented JSON object."""
    result: dict[str, Any] = _plain(cable)
    return result


def _shallow(value: Any) -> dict[str, Any]:
    """One record object as a dict of its (renamed) fields, for orjson, which converts the
    values itself and calls this again for the record objects among them."""
    kind = type(value)
    names = _NAMES.get(kind)
    if names is None:
        if not is_dataclass(value) or isinstance(value, type):
            raise TypeError(f"{kind.__name__} is not part of a record")
        names = _NAMES[kind] = tuple((f.name, _RENAMES.get(f.name, f.name)) for f in fields(value))
    return {key: getattr(value, name) for name, key in names}


# For each record class, a function building `_shallow`'s dict as one dict display
# (`{"number": v.number, ...}`): the same keys, in the same order, with the same values,
# at about half the cost of the comprehension of `getattr` calls (orjson calls it some
# twenty times a cable). Made from the class's fields on first sight of the class.
_MAKERS: dict[type, Any] = {}


def _maker(kind: type) -> Any:
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple((f.name, _RENAMES.get(f.name, f.name)) for f in fields(kind))
    if not all(name.isidentifier() for name, _ in names):
        return _shallow
    items = ", ".join(f"{key!r}: value.{name}" for name, key in names)
    # Only identifiers reach here: the source is the field names, nothing from a record.
    made: Any = eval(f"lambda value: {{{items}}}", {})
    return made


def _record_dict(value: Any) -> dict[str, Any]:
    """orjson's `default`: `_shallow(value)`, by the class's own dict display."""
    make = _MAKERS.get(type(value))
    if make is None:
        kind = type(value)
        if not is_dataclass(value) or isinstance(value, type):
            raise TypeError(f"{kind.__name__} is not part of a record")
        make = _MAKERS[kind] = _maker(kind)
    result: dict[str, Any] = make(value)
    return result


_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
_LINE_OPTIONS = _ORJSON_OPTIONS | orjson.OPT_APPEND_NEWLINE


def to_json_bytes(cable: Cable) -> bytes:
    """The record as one line of compact UTF-8 JSON (the JSON Lines interchange format).
    orjson walks the record in C: `to_dict` + `json.dumps` cost more than parsing a
    cable (docs/performance.md, "parse to JSON Lines")."""
    return orjson.dumps(cable, default=_record_dict, option=_ORJSON_OPTIONS)


def to_json_line(cable: Cable) -> bytes:
    """`to_json_bytes(cable) + b"\\n"`, made by orjson without copying the line again."""
    return orjson.dumps(cable, default=_record_dict, option=_LINE_OPTIONS)


def to_json(cable: Cable, *, indent: int | None = None) -> str:
    """The record as JSON text: one compact line, or indented by `indent` spaces."""
    if indent is None:
        return to_json_bytes(cable).decode("utf-8")
    return json.dumps(to_dict(cable), ensure_ascii=False, indent=indent)


class RecordError(ValueError):
    """A JSON object that is not a cabledesk record."""


def _build(cls: type[Any], data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise RecordError(f"{where}: expected an object, found {type(data).__name__}")
    known = {f.name for f in fields(cls)}
    kwargs = {}
    for key, value in data.items():
        name = _UNRENAMES.get(key, key)
        if name in known:
            kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise RecordError(f"{where}: {exc}") from None


def from_dict(data: Any) -> Cable:
    """Rebuild a Cable from `to_dict` output; unknown keys are ignored."""
    cable: Cable = _build(Cable, data, "record")
    header: Header = _build(Header, data.get("header") or {}, "header")
    header.to = [_build(Addressee, a, "header.to") for a in header.to or []]
    header.info = [_build(Addressee, a, "header.info") for a in header.info or []]
    if header.transmission is not None:
        header.transmission = _build(Transmission, header.transmission, "header.transmission")
    cable.header = header
    if cable.section is not None:
        cable.section = _build(Section, cable.section, "section")
    cable.references = [_build(Reference, r, "references") for r in cable.references or []]
    if cable.classified_by is not None:
        cable.classified_by = _build(ClassifiedBy, cable.classified_by, "classified_by")
    cable.paragraphs = [_build(Paragraph, p, "paragraphs") for p in cable.paragraphs or []]
    redactions: Redactions = _build(Redactions, data.get("redactions") or {}, "redactions")
    redactions.positions = [(int(a), int(b)) for a, b in redactions.positions or []]
    cable.redactions = redactions
    cable.repairs = _build(Repairs, data.get("repairs") or {}, "repairs")
    return cable


def from_json(line: str) -> Cable:
    return from_dict(json.loads(line))
