"""Progress of long jobs: a live bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Reporter(Protocol):
    def start(self, total: int | None) -> None: ...
    def advance(self, count: int) -> None: ...
    def finish(self) -> None: ...


class Silent:
    def start(self, total: int | None) -> None:
        pass

    def advance(self, count: int) -> None:
        pass

    def finish(self) -> None:
        pass


class Lines:
    """One line every `every` seconds: for logs and pipes, where a bar is noise."""

    def __init__(self, stream: TextIO = sys.stderr, every: float = 5.0) -> None:
        self.stream, self.every = stream, every
        self.done = 0
        self.started = self.last = time.monotonic()

    def start(self, total: int | None) -> None:
        self.started = self.last = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            self.stream.write(f"{self.done:,} cables, {rate:,.0f} cables/s\n")
            self.stream.flush()

    def finish(self) -> None:
        pass


class Bar:
    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            transient=False,
        )
        self.task = self.progress.add_task("ingest", total=None, rate="")
        self.started = time.monotonic()
        self.done = 0

    def start(self, total: int | None) -> None:
        self.progress.start()
        self.progress.update(self.task, total=total)

    def advance(self, count: int) -> None:
        self.done += count
        rate = self.done / max(time.monotonic() - self.started, 1e-9)
        self.progress.update(self.task, advance=count, rate=f"{rate:,.0f} cables/s")

    def finish(self) -> None:
        self.progress.stop()


def for_terminal() -> Reporter:
    return Bar() if sys.stderr.isatty() else Lines()
