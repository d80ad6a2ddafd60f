"""What a reader hands to the parser: one cable as its container delivered it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled for every cable an ingest sends to a parser process: a plain tuple of
        # the fields is several times cheaper than the generic protocol for slots.
        return (
            Metadata,
            (
                self.reference_id,
                self.created,
                self.released,
                self.classification,
                self.origin,
                self.source,
                self.cited_ids,
            ),
        )


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

    def __reduce__(self) -> tuple[Any, ...]:
        # An ingest sends every cable to a parser process. `raw` is nearly always the body
        # (HTML, text) or the header and the body joined (CSV): then it is rebuilt there
        # instead of crossing the pipe a second time. Compared by length and slices: no copy.
        raw: str | int = self.raw
        if raw == self.body:
            raw = 0
        elif (
            self.header is not None
            and len(self.raw) == len(self.header) + 2 + len(self.body)
            and self.raw.startswith(self.header)
            and self.raw.endswith(self.body)
            and self.raw.startswith("\n\n", len(self.header))
        ):
            raw = 1
        fields = (self.format, self.location, self.body, raw, self.header, self.metadata)
        return (_rebuild_source, (*fields, self.partial_extract, self.record))


def _rebuild_source(
    format: str,
    location: str,
    body: str,
    raw: str | int,
    header: str | None,
    metadata: Metadata,
    partial_extract: bool,
    record: Cable | None,
) -> SourceText:
    if raw == 0:
        raw = body
    elif raw == 1:
        raw = f"{header}\n\n{body}"
    assert isinstance(raw, str)
    return SourceText(format, location, body, raw, header, metadata, partial_extract, record)


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
