"""What a reader hands to the parser: one cable as its container delivered it."""

from __future__ import annotations

from dataclasses import dataclass, field

from cabledesk.record.model import Cable


@dataclass(slots=True)
class Metadata:
    """Facts the container states outside the cable text (WikiLeaks table, CSV columns)."""

    reference_id: str | None = None
    created: str | None = None
    released: str | None = None
    classification: str | None = None
    origin: str | None = None
    source: str | None = None
    cited_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SourceText:
    """One cable before parsing.

    `header` is the transmission header when the container keeps it apart (HTML, CSV);
    otherwise None and the parser looks for one at the top of `body`. `raw` is the
    verbatim text the record keeps.
    """

    format: str
    location: str
    body: str
    raw: str
    header: str | None = None
    metadata: Metadata = field(default_factory=Metadata)
    partial_extract: bool = False
    # JSON Lines carry finished records: the parser passes them through unchanged.
    record: Cable | None = None


@dataclass(slots=True)
class SourceError:
    """A cable or file that could not be read: where, what was expected, what was found."""

    location: str
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.location}: expected {self.expected}; found {self.found}"


@dataclass(slots=True)
class Skipped:
    """A file passed over during a directory walk, with the reason."""

    location: str
    reason: str


def snippet(text: str, limit: int = 60) -> str:
    """A short, single-line quotation of input for error messages."""
    text = " ".join(text.split())
    if not text:
        return "nothing"
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
