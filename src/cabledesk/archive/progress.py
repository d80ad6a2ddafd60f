"""What a long job tells about its progress. Showing it (a bar, lines) is the command
line's business (cabledesk/cli/progress.py): this package names the calls and keeps quiet."""

from __future__ import annotations

from typing import Protocol

from cabledesk.sources import Unit


class Reporter(Protocol):
    """`start` once with the work ahead (`total` in `unit`: files, or bytes when a file
    holds many cables; None: unknown), `advance` as cables are done (`amount` of the
    unit, and how many `cables` that was; either may be 0), `finish` once at the end."""

    def start(self, total: int | None, unit: Unit) -> None: ...
    def advance(self, amount: int, cables: int) -> None: ...
    def finish(self) -> None: ...


class Silent:
    def start(self, total: int | None, unit: Unit) -> None:
        pass

    def advance(self, amount: int, cables: int) -> None:
        pass

    def finish(self) -> None:
        pass
