"""The library calls the command line is built on (one CLI command, one call here)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from cabledesk.parse.core import Parser, parse_source
from cabledesk.record.model import Cable
from cabledesk.sources import Skipped, SourceError, read_paths
from cabledesk.sources.item import snippet


def parse(
    paths: Iterable[str | Path] | str | Path,
    *,
    format: str = "auto",
    strict: bool = False,
    parser: Parser | None = None,
) -> Iterator[Cable | SourceError | Skipped]:
    """Parse every cable in files and directories.

    Yields a Cable per cable, a SourceError for each thing that could not be read (the rest
    goes on), and a Skipped for files a directory walk passed over. With strict=True a
    cable with warnings (paragraphs out of order, a malformed id...) becomes a SourceError.
    `parser`: a `Parser` with rules of your own (docs/architecture.md), else the default.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    for item in read_paths(paths, format):
        if isinstance(item, SourceError | Skipped):
            yield item
            continue
        try:
            cable = parse_source(item) if parser is None else parser.parse(item)
        except Exception as exc:  # a parser bug must not cost the user the other cables
            yield SourceError(
                item.location,
                "a cable the parser can read",
                f"an internal error ({exc!r}); please report it",
            )
            continue
        if item.format == "fragment" and not _recognised(cable):
            yield SourceError(item.location, FRAGMENT_EXPECTED, snippet(item.body))
            continue
        if strict and cable.warnings:
            yield SourceError(
                item.location, "a cable without oddities (--strict)", "; ".join(cable.warnings)
            )
        else:
            yield cable


FRAGMENT_EXPECTED = (
    "a cable: a metadata line, a transmission header, a classification line, "
    "TAGS, SUBJECT or numbered paragraphs"
)


def _recognised(cable: Cable) -> bool:
    """Whether a fragment had any part of a cable in it."""
    return bool(
        cable.header.dtg
        or cable.header.from_
        or cable.classification
        or cable.tags
        or cable.subject
        or cable.classified_by
        or any(p.number is not None for p in cable.paragraphs)
    )


def parse_file(path: str | Path, *, format: str = "auto", parser: Parser | None = None) -> Cable:
    """The one cable in a file; ValueError with the reader's message when there is none."""
    for item in parse(path, format=format, parser=parser):
        if isinstance(item, Cable):
            return item
        if isinstance(item, SourceError):
            raise ValueError(str(item))
    raise ValueError(f"{path}: expected a cable; found none")
