"""The seventh round's candidates for the record's cost, as code mypyc can compile.

`bench/record_costs.py` imports this module as it is (Python) or, with `--compile`, built by
mypyc (opt_level 3, as setup.py builds the parser) in a temporary folder. Nothing in
cabledesk imports it: these are measurements, kept so the figures in docs/performance.md
("Seventh round") can be made again.

- `plain(cable)`: the record as nested dicts in one call (exact record classes only; any
  other object is left for orjson's `default`, as `codec.to_json_line` does), for orjson to
  write without a callback per record object.
- `build_dataclasses` / `build_plain`: the record objects a cable holds, built from this
  module's code as the record model's dataclasses, and as plain classes with their own
  `__init__` (what mypyc builds natively when compiled).
"""

from __future__ import annotations

import time
from typing import Any

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


def _addressees(items: Any) -> Any:
    if type(items) is not list:
        return items
    out: list[Any] = []
    for a in items:
        if type(a) is Addressee:
            out.append(
                {
                    "name": a.name,
                    "route": a.route,
                    "precedence": a.precedence,
                    "sequence": a.sequence,
                    "route_source": a.route_source,
                }
            )
        else:
            out.append(a)
    return out


def _header(h: Any) -> Any:
    if type(h) is not Header:
        return h
    t: Any = h.transmission
    if type(t) is Transmission:
        t = {"station": t.station, "serial": t.serial, "section": t.section, "filed": t.filed}
    return {
        "precedence": h.precedence,
        "dtg": h.dtg,
        "sent": h.sent,
        "from": h.from_,
        "to": _addressees(h.to),
        "info": _addressees(h.info),
        "transmission": t,
        "channel": h.channel,
        "relay_routes": h.relay_routes,
        "security_warning": h.security_warning,
        "operating_signals": h.operating_signals,
    }


def _references(items: Any) -> Any:
    if type(items) is not list:
        return items
    out: list[Any] = []
    for r in items:
        if type(r) is Reference:
            out.append({"label": r.label, "text": r.text, "cable_id": r.cable_id, "kind": r.kind})
        else:
            out.append(r)
    return out


def _paragraphs(items: Any) -> Any:
    if type(items) is not list:
        return items
    out: list[Any] = []
    for p in items:
        if type(p) is Paragraph:
            out.append(
                {
                    "number": p.number,
                    "marking": p.marking,
                    "heading": p.heading,
                    "text": p.text,
                    "marking_raw": p.marking_raw,
                }
            )
        else:
            out.append(p)
    return out


def plain(c: Any) -> Any:
    if type(c) is not Cable:
        return c
    section: Any = c.section
    if type(section) is Section:
        section = {"part": section.part, "of": section.of}
    by: Any = c.classified_by
    if type(by) is ClassifiedBy:
        by = {"name": by.name, "title": by.title, "reasons": by.reasons, "text": by.text}
    red: Any = c.redactions
    if type(red) is Redactions:
        red = {"count": red.count, "positions": red.positions}
    rep: Any = c.repairs
    if type(rep) is Repairs:
        rep = {
            "page_breaks": rep.page_breaks,
            "apostrophes": rep.apostrophes,
            "quotes": rep.quotes,
            "dashes": rep.dashes,
            "stray_sipdis": rep.stray_sipdis,
        }
    return {
        "reference_id": c.reference_id,
        "reference_id_raw": c.reference_id_raw,
        "created": c.created,
        "released": c.released,
        "origin": c.origin,
        "classification": c.classification,
        "caveats": c.caveats,
        "source": c.source,
        "header": _header(c.header),
        "handling": c.handling,
        "section": section,
        "declassify_on": c.declassify_on,
        "declassification": c.declassification,
        "declassification_note": c.declassification_note,
        "tags": c.tags,
        "subject": c.subject,
        "subject_marking": c.subject_marking,
        "references": _references(c.references),
        "classified_by": by,
        "summary": c.summary,
        "paragraphs": _paragraphs(c.paragraphs),
        "comments": c.comments,
        "signers": c.signers,
        "redactions": red,
        "passing": c.passing,
        "corrected_copy": c.corrected_copy,
        "partial_extract": c.partial_extract,
        "dateline": c.dateline,
        "station": c.station,
        "serial": c.serial,
        "format": c.format,
        "location": c.location,
        "warnings": c.warnings,
        "repairs": rep,
        "raw": c.raw,
        "text": c.text,
    }


# Plain classes with the record model's fields and defaults (the equality, repr and
# dataclass API a public model needs are left out: they cost nothing when building).
class PlainAddressee:
    __slots__ = ("name", "precedence", "route", "route_source", "sequence")

    def __init__(
        self,
        name: str,
        route: str | None = None,
        precedence: str | None = None,
        sequence: str | None = None,
        route_source: str | None = None,
    ) -> None:
        self.name = name
        self.route = route
        self.precedence = precedence
        self.sequence = sequence
        self.route_source = route_source


class PlainReference:
    __slots__ = ("cable_id", "kind", "label", "text")

    def __init__(
        self, label: str | None, text: str, cable_id: str | None = None, kind: str = ""
    ) -> None:
        self.label = label
        self.text = text
        self.cable_id = cable_id
        self.kind = kind or ("cable" if cable_id else "other")


class PlainParagraph:
    __slots__ = ("heading", "marking", "marking_raw", "number", "text")

    def __init__(
        self,
        number: int | None,
        marking: str | None,
        heading: str | None,
        text: str,
        marking_raw: str | None = None,
    ) -> None:
        self.number = number
        self.marking = marking
        self.heading = heading
        self.text = text
        self.marking_raw = marking_raw


class PlainCounts:
    __slots__ = ("a", "b", "c", "d", "e")

    def __init__(self) -> None:
        self.a = 0
        self.b = 0
        self.c = 0
        self.d = 0
        self.e = 0


class PlainHeader:
    __slots__ = ("info", "relay_routes", "to")

    def __init__(self) -> None:
        self.to: list[PlainAddressee] = []
        self.info: list[PlainAddressee] = []
        self.relay_routes: list[str] = []


class PlainCable:
    """Cable's 36 fields: 25 scalars left None here, its 11 lists and 3 objects made new."""

    __slots__ = (
        "caveats",
        "comments",
        "handling",
        "header",
        "paragraphs",
        "passing",
        "positions",
        "redactions",
        "references",
        "repairs",
        "signers",
        "tags",
        "warnings",
    )

    def __init__(self) -> None:
        self.caveats: list[str] = []
        self.header = PlainHeader()
        self.handling: list[str] = []
        self.tags: list[str] = []
        self.references: list[PlainReference] = []
        self.paragraphs: list[PlainParagraph] = []
        self.comments: list[str] = []
        self.signers: list[str] = []
        self.redactions = PlainCounts()
        self.positions: list[tuple[int, int]] = []
        self.passing: list[str] = []
        self.warnings: list[str] = []
        self.repairs = PlainCounts()


def build_dataclasses(cables: list[Cable]) -> float:
    """CPU seconds to build each cable's record objects again as the model's dataclasses."""
    start = time.process_time()
    for c in cables:
        made = Cable()
        for a in c.header.to:
            made.header.to.append(Addressee(a.name, a.route, a.precedence, a.sequence))
        for a in c.header.info:
            made.header.info.append(Addressee(a.name, a.route, a.precedence, a.sequence))
        for r in c.references:
            made.references.append(Reference(r.label, r.text, r.cable_id))
        for p in c.paragraphs:
            made.paragraphs.append(Paragraph(p.number, p.marking, p.heading, p.text))
    return time.process_time() - start


def build_plain(cables: list[Cable]) -> float:
    """The same objects as plain classes."""
    start = time.process_time()
    for c in cables:
        made = PlainCable()
        for a in c.header.to:
            made.header.to.append(PlainAddressee(a.name, a.route, a.precedence, a.sequence))
        for a in c.header.info:
            made.header.info.append(PlainAddressee(a.name, a.route, a.precedence, a.sequence))
        for r in c.references:
            made.references.append(PlainReference(r.label, r.text, r.cable_id))
        for p in c.paragraphs:
            made.paragraphs.append(PlainParagraph(p.number, p.marking, p.heading, p.text))
    return time.process_time() - start
