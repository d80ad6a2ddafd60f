"""Turn paths (files and directories) into a stream of cables to parse."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from cabledesk.sources.csv_release import read_csv
from cabledesk.sources.detect import FORMATS, detect_format
from cabledesk.sources.html import read_html
from cabledesk.sources.item import Skipped, SourceError, SourceText
from cabledesk.sources.jsonl import looks_like_records, read_jsonl
from cabledesk.sources.text import read_text

SourceItem = SourceText | SourceError | Skipped
Unit = Literal["files", "bytes"]

# Files a directory walk considers; named files are read whatever their suffix.
WALKED_SUFFIXES = {".html", ".htm", ".csv", ".txt", ".jsonl", ".json", ".text"}
# Files of many cables each (a CSV release, JSON Lines), as a walk tells them: by suffix.
CONTAINER_SUFFIXES = {".csv", ".jsonl", ".json"}
_CONTAINERS = ("csv", "jsonl")
_HEAD_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Extent:
    """How much reading a set of paths is, known before reading it: a walk and a stat a
    file, no parsing. `containers` are the files of many cables each (CSV, JSON Lines)."""

    files: int = 0
    bytes: int = 0
    containers: int = 0

    @property
    def unit(self) -> Unit:
        """Files when every file is one cable; bytes as soon as one file holds many, whose
        cables are not known before the file is read."""
        return "bytes" if self.containers else "files"

    @property
    def total(self) -> int:
        return self.bytes if self.containers else self.files


def read_paths(paths: Iterable[str | Path], format: str = "auto") -> Iterator[SourceItem]:
    """Every cable in the given files and directories, in a stable order."""
    _check(format)
    for entry in _entries(paths):
        if isinstance(entry, SourceError):
            yield entry
        else:
            yield from read_file(entry[0], format, walked=entry[1])


def measure_paths(paths: Iterable[str | Path], format: str = "auto") -> Extent:
    """The files `read_paths` reads, their bytes, and how many are containers.

    A walked file is a container by its suffix (`.csv`, `.jsonl`, `.json`), a named one
    by its first bytes (as `read_file` decides), a file of a forced format by that format.
    Memory does not grow with the number of files."""
    _check(format)
    files = size = containers = 0
    for entry in _entries(paths):
        if isinstance(entry, SourceError):
            continue
        path, walked = entry
        files += 1
        size += _size(path)
        containers += _container(path, format, walked)
    return Extent(files, size, containers)


def read_paths_measured(
    paths: Iterable[str | Path], format: str = "auto", unit: Unit = "files"
) -> Iterator[tuple[SourceItem | None, int]]:
    """`read_paths`, each item with the work it completes, in `unit`: the amounts of one
    file add up to 1 (files) or to its size (bytes), so the amounts of a whole run add up
    to `measure_paths(...).total`. A container's bytes come with its cables as they are
    read; any other file's with its last item. A file that yields nothing still yields its
    work, with the item None."""
    _check(format)
    for entry in _entries(paths):
        if isinstance(entry, SourceError):
            yield entry, 0
        else:
            yield from _measured_file(entry[0], format, entry[1], unit)


def _check(format: str) -> None:
    if format not in ("auto", *FORMATS):
        raise ValueError(f"format must be auto or one of {', '.join(FORMATS)}, not {format!r}")


def _entries(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool] | SourceError]:
    """(file, whether a walk found it) for every file to read, in reading order."""
    for path in map(Path, paths):
        if path.is_dir():
            for file in _walk(path):
                yield file, True
        elif path.exists():
            yield path, False
        else:
            yield SourceError(str(path), "a file or directory", "nothing at that path")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # read_file reports it
        return 0


def _container(path: Path, format: str, walked: bool) -> bool:
    if format != "auto":
        return format in _CONTAINERS
    if walked:
        return path.suffix.lower() in CONTAINER_SUFFIXES
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return False
    return b"\x00" not in head and detect_format(head) in _CONTAINERS


def _measured_file(
    path: Path, format: str, walked: bool, unit: Unit
) -> Iterator[tuple[SourceItem | None, int]]:
    weight = 1 if unit == "files" else _size(path)
    handles: list[BinaryIO] = []
    # Each item is held until the next one shows it was not the file's last.
    held: SourceItem | None = None
    held_at = given = 0  # the work done when the held item was read; handed out so far
    for item in read_file(path, format, walked, opened=handles.append):
        if held is not None:
            yield held, held_at - given
            given = held_at
        held = item
        if unit == "bytes" and handles and not handles[-1].closed:
            held_at = max(given, min(weight, handles[-1].tell()))
    yield held, weight - given


def _walk(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            # splitext gives what Path(name).suffix does for a name not starting with a dot
            # (or `.` alone, which is no walked suffix either), without building a Path.
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in WALKED_SUFFIXES:
                yield Path(root, name)


def read_file(
    path: Path,
    format: str = "auto",
    walked: bool = False,
    opened: Callable[[BinaryIO], None] | None = None,
) -> Iterator[SourceItem]:
    """The items of one file. `opened` is given the byte stream under a container (CSV,
    JSON Lines) as it is opened: its position tells how far the reading is."""
    location = str(path)
    # One cable a file (a page, a text) is read whole at once: most of a folder of them is
    # small files, where a second open would cost as much as reading (docs/performance.md).
    whole: bytes | None = None
    try:
        data = _small_file(path)
        if data is not None:
            head = data[:_HEAD_BYTES]
            kind = detect_format(head) if format == "auto" else format
            if kind in ("html", "text") and b"\x00" not in head:
                whole = data
        else:
            with path.open("rb") as handle:
                head = handle.read(_HEAD_BYTES)
                kind = detect_format(head) if format == "auto" else format
                if kind in ("html", "text") and b"\x00" not in head:
                    whole = head + handle.read() if len(head) == _HEAD_BYTES else head
    except OSError as exc:
        yield SourceError(location, "a readable file", exc.strerror or str(exc))
        return
    if b"\x00" in head:
        yield SourceError(location, "a text file (HTML, CSV, text or JSON Lines)", "binary data")
        return
    try:
        if kind == "html":
            yield from read_html(whole if whole is not None else path.read_bytes(), location)
        elif kind == "csv":
            with _text(path, opened, newline="") as handle:
                yield from read_csv(handle, location)
        elif kind == "jsonl":
            with _text(path, opened) as handle:
                first = next((line for line in handle if line.strip()), "")
                if walked and not looks_like_records(first):
                    yield Skipped(location, "JSON Lines that are not cabledesk records")
                    return
                handle.seek(0)
                yield from read_jsonl(handle, location)
        else:
            data = whole if whole is not None else path.read_bytes()
            yield from read_text(data.decode("utf-8", errors="replace"), location)
    except OSError as exc:
        yield SourceError(location, "a readable file", exc.strerror or str(exc))
    except UnicodeError as exc:
        yield SourceError(location, "UTF-8 text", str(exc))


# A regular file up to this size is read whole by one system call.
_SMALL_FILE = 1 << 20


def _small_file(path: Path) -> bytes | None:
    """All the bytes of a regular file of at most `_SMALL_FILE` bytes (None: another file).

    A folder of cables is mostly small files: `os.read` of the whole file costs about half
    of what a buffered file object's open, read of the head and read of the rest do (its
    open asks whether the file is a terminal and where it stands; docs/performance.md).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_size > _SMALL_FILE:
            return None
        # One byte more than the size: a short read is the end of a regular file. One
        # that grew since (or shrank) is read on to its end, as a file object reads it.
        data = os.read(fd, status.st_size + 1)
        if len(data) == status.st_size:
            return data
        parts = [data]
        while data:
            data = os.read(fd, 1 << 16)
            parts.append(data)
        return b"".join(parts)
    finally:
        os.close(fd)


def _text(
    path: Path, opened: Callable[[BinaryIO], None] | None, newline: str | None = None
) -> io.TextIOWrapper[BinaryIO]:
    """The file as UTF-8 text (what `path.open` gives), its byte stream shown to `opened`."""
    stream = path.open("rb")
    if opened is not None:
        opened(stream)
    return io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=newline)
