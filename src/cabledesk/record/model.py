"""The cable record: the contract every later stage and every user script relies on.

Field names and meanings are documented in docs/record.md and fixed by the JSON Schema in
data/record.schema.json. Absent facts are None (or empty lists), never invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cabledesk.record.spans import paragraph_roles

# The four classification levels a record's `classification` takes, lowest first: the one
# list every stage (parser, index, clearance ceilings, pages) orders and ranks them by.


@dataclass(slots=True)
class Addressee:
    """One TO or INFO addressee: a plain-language address and how it was routed."""

    name: str
    route: str | None = None
    precedence: str | None = None
    sequence: str | None = None
    # "header" when the routing indicator stood in the header, "routing table" when it was
    # looked up by name because the published copy dropped it.
    route_source: str | None = None


@dataclass(slots=True)
class Transmission:
    """The `DE RUEHLB #0586/01 1221217` line: who put the message on the wire."""

    station: str
    serial: str
    section: str | None = None
    filed: str | None = None


@dataclass(slots=True)
class Header:
    """The transmission header: precedence, date-time group, originator, addressees."""

    precedence: str | None = None
    dtg: str | None = None
    sent: str | None = None
    from_: str | None = None
    to: list[Addressee] = field(default_factory=list)
    info: list[Addressee] = field(default_factory=list)
    transmission: Transmission | None = None
    channel: str | None = None
    relay_routes: list[str] = field(default_factory=list)
    security_warning: str | None = None
    operating_signals: str | None = None


@dataclass(slots=True)
class Section:
    part: int
    of: int


# What a REF item cites (docs/record.md, "References and ids, second round").
REFERENCE_KINDS = ("cable", "email", "telcon", "report", "memo", "other")


@dataclass(slots=True)
class Reference:
    """One item of the REF block; cable_id is None when it does not cite a State cable
    that can be named. `kind` says what it cites: a `cable` (telegram), an `email`, a
    `telcon`, a `report`, a `memo` or `other`."""

    label: str | None
    text: str
    cable_id: str | None = None
    # Empty means not stated (records stored before kinds existed): then a reference with
    # a cable id is a cable and one without is `other`.
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            self.kind = "cable" if self.cable_id else "other"


@dataclass(slots=True)
class ClassifiedBy:
    name: str | None = None
    title: str | None = None
    reasons: list[str] = field(default_factory=list)
    text: str = ""


@dataclass(slots=True)
class Paragraph:
    number: int | None
    marking: str | None
    heading: str | None
    text: str
    # The marking as written, e.g. "(S//NF)"; `marking` is its normalised form.
    marking_raw: str | None = None


@dataclass(slots=True)
class Redactions:
    count: int = 0
    # [start, end) character offsets of each marker in `raw`.
    positions: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class Repairs:
    """How many telegraph artifacts were repaired to build `text` (never applied to `raw`)."""

    page_breaks: int = 0
    apostrophes: int = 0
    quotes: int = 0
    dashes: int = 0
    stray_sipdis: int = 0

    @property
    def total(self) -> int:
        return self.page_breaks + self.apostrophes + self.quotes + self.dashes + self.stray_sipdis


@dataclass(slots=True)
class Cable:
    """One parsed cable."""

    reference_id: str | None = None
    reference_id_raw: str | None = None
    created: str | None = None
    released: str | None = None
    origin: str | None = None
    classification: str | None = None
    caveats: list[str] = field(default_factory=list)
    source: str | None = None
    header: Header = field(default_factory=Header)
    handling: list[str] = field(default_factory=list)
    section: Section | None = None
    declassify_on: str | None = None
    declassification: str | None = None
    declassification_note: str | None = None
    tags: list[str] = field(default_factory=list)
    subject: str | None = None
    subject_marking: str | None = None
    references: list[Reference] = field(default_factory=list)
    classified_by: ClassifiedBy | None = None
    summary: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    signers: list[str] = field(default_factory=list)
    redactions: Redactions = field(default_factory=Redactions)
    passing: list[str] = field(default_factory=list)
    corrected_copy: str | None = None
    partial_extract: bool = False
    dateline: str | None = None
    station: str | None = None
    serial: str | None = None
    format: str | None = None
    location: str | None = None
    warnings: list[str] = field(default_factory=list)
    repairs: Repairs = field(default_factory=Repairs)
    raw: str = ""
    text: str = ""

    @property
    def year(self) -> int | None:
        stamp = self.created or self.header.sent
        return int(stamp[:4]) if stamp else None

    def paragraph_roles(self) -> list[str | None]:
        """For each paragraph, `summary` or `comment` when the summary or a comment is most
        of it, else None (record/spans.py): pages show each passage once."""
        return paragraph_roles([p.text for p in self.paragraphs], self.summary, self.comments)
