"""How an ingest shows its progress: a live bar on a terminal, plain periodic lines otherwise.

Both take the calls of `cabledesk.archive.progress.Reporter`: a total in files (every file
one cable) or bytes (a CSV release or JSON Lines, whose cables are not known before they
are read), advanced as cables come back from the parser processes. Percentages and the
time left follow that unit; the rate is in cables a second.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from cabledesk.archive.progress import Reporter
from cabledesk.sources import Unit


def quantity(value: float, unit: Unit, like: float | None = None) -> str:
    """`1,234 files`, or bytes in decimal units: `12.3 MB` (the units that suit `like`,
    when given: a total the value is a part of)."""
    if unit == "files":
        return f"{value:,.0f} files"
    reference = value if like is None else like
    for scale, name in ((1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if reference >= scale:
            return f"{value / scale:,.1f} {name}"
    return f"{value:,.0f} bytes"


def duration(seconds: float) -> str:
    """`0:07`, `12:30`, `1:02:03`."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Lines:
    """A line when the work starts, one every `every` seconds, and one when it ends: for
    logs, pipes and CI, where a bar is noise."""

    def __init__(
        self,
        stream: TextIO | None = None,
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        label: str = "ingest",
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.every, self.clock = every, clock
        self.total: int | None = None
        self.unit: Unit = "files"
        self.done = self.cables = 0
        self.started = self.last = clock()

    def start(self, total: int | None, unit: Unit) -> None:
        self.total, self.unit = total, unit
        self.started = self.last = self.clock()
        if total is not None:
            self._write(f"{self.label}: {quantity(total, unit)} to read")

    def advance(self, amount: int, cables: int) -> None:
        self.done += amount
        self.cables += cables
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self._write(self.line(now))

    def line(self, now: float) -> str:
        """`ingest: 37.2% (112.3 MB of 301.8 MB), 93,112 cables, 1,850 cables/s,
        elapsed 0:50, ETA 1:25`."""
        elapsed = max(now - self.started, 1e-9)
        rate = self.cables / elapsed
        if not self.total:
            return (
                f"{self.label}: {self.cables:,} cables, {rate:,.0f} cables/s, "
                f"elapsed {duration(elapsed)}"
            )
        share = min(self.done / self.total, 1.0)
        left = max(self.total - self.done, 0)  # a file may grow while it is read
        eta = duration(left * elapsed / self.done) if self.done else "?"
        return (
            f"{self.label}: {share:.1%} ({quantity(self.done, self.unit)} of "
            f"{quantity(self.total, self.unit)}), {self.cables:,} cables, {rate:,.0f} cables/s, "
            f"elapsed {duration(elapsed)}, ETA {eta}"
        )

    def finish(self) -> None:
        elapsed = max(self.clock() - self.started, 1e-9)
        self._write(
            f"{self.label}: done, {self.cables:,} cables from {quantity(self.done, self.unit)} "
            f"in {duration(elapsed)} ({self.cables / elapsed:,.0f} cables/s)"
        )

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()


class _Done(ProgressColumn):
    """`112.3/301.8 MB` or `1,234/25,000 files`."""

    def __init__(self, unit: Unit) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        total = "?" if task.total is None else quantity(task.total, self.unit)
        done = quantity(task.completed, self.unit, like=task.total).split(" ")[0]
        return Text(f"{done}/{total}", style="progress.download")


class _Cables(ProgressColumn):
    """`93,112 cables 1,850 cables/s`."""

    def render(self, task: Task) -> Text:
        cables = int(task.fields.get("cables", 0))
        # Frozen once all the work is done (the index's last commit may follow).
        elapsed = (task.finished_time if task.finished else task.elapsed) or 0.0
        rate = cables / elapsed if elapsed > 0 else 0.0
        return Text(f"{cables:,} cables {rate:,.0f} cables/s", style="progress.data.speed")


class Bar:
    """A live bar on standard error: percentage, work done of the total, cables done and
    their rate, elapsed time and time left."""

    def __init__(self, console: Console | None = None, label: str = "ingest") -> None:
        self.label = label
        self.console = console if console is not None else Console(stderr=True)
        self.progress: Progress | None = None
        self.cables = 0

    def start(self, total: int | None, unit: Unit) -> None:
        self.progress = Progress(
            TextColumn(self.label),
            BarColumn(),
            TaskProgressColumn(),
            _Done(unit),
            _Cables(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.task = self.progress.add_task(self.label, total=total, cables=0)
        self.progress.start()

    def advance(self, amount: int, cables: int) -> None:
        assert self.progress is not None, "start first"
        self.cables += cables
        self.progress.update(self.task, advance=amount, cables=self.cables)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def for_terminal(label: str = "ingest") -> Reporter:
    return Bar(label=label) if sys.stderr.isatty() else Lines(label=label)
