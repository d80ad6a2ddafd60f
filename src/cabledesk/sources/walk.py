"""Turn paths (files and directories) into a stream of cables to parse."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from cabledesk.sources.csv_release import read_csv
from cabledesk.sources.detect import FORMATS, detect_format
from cabledesk.sources.html import read_html
from cabledesk.sources.item import Skipped, SourceError, SourceText
from cabledesk.sources.jsonl import looks_like_records, read_jsonl
from cabledesk.sources.text import read_text

SourceItem = SourceText | SourceError | Skipped

# Files a directory walk considers; named files are read whatever their suffix.
WALKED_SUFFIXES = {".html", ".htm", ".csv", ".txt", ".jsonl", ".json", ".text"}
_HEAD_BYTES = 4096


def read_paths(paths: Iterable[str | Path], format: str = "auto") -> Iterator[SourceItem]:
    """Every cable in the given files and directories, in a stable order."""
    if format not in ("auto", *FORMATS):
        raise ValueError(f"format must be auto or one of {', '.join(FORMATS)}, not {format!r}")
    for path in map(Path, paths):
        if path.is_dir():
            for file in _walk(path):
                yield from read_file(file, format, walked=True)
        elif path.exists():
            yield from read_file(path, format)
        else:
            yield SourceError(str(path), "a file or directory", "nothing at that path")


def _walk(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in WALKED_SUFFIXES:
                yield Path(root, name)


def read_file(path: Path, format: str = "auto", walked: bool = False) -> Iterator[SourceItem]:
    location = str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as exc:
        yield SourceError(location, "a readable file", exc.strerror or str(exc))
        return
    if b"\x00" in head:
        yield SourceError(location, "a text file (HTML, CSV, text or JSON Lines)", "binary data")
        return
    kind = detect_format(head) if format == "auto" else format
    try:
        if kind == "html":
            yield from read_html(path.read_bytes(), location)
        elif kind == "csv":
            with path.open(encoding="utf-8", errors="replace", newline="") as handle:
                yield from read_csv(handle, location)
        elif kind == "jsonl":
            with path.open(encoding="utf-8", errors="replace") as handle:
                first = next((line for line in handle if line.strip()), "")
                if walked and not looks_like_records(first):
                    yield Skipped(location, "JSON Lines that are not cabledesk records")
                    return
                handle.seek(0)
                yield from read_jsonl(handle, location)
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
            yield from read_text(text, location)
    except OSError as exc:
        yield SourceError(location, "a readable file", exc.strerror or str(exc))
    except UnicodeError as exc:
        yield SourceError(location, "UTF-8 text", str(exc))
