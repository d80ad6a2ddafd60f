"""What an ingest did: counts, the reasons cables failed, grouped, and the files skipped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class IngestReport:
    ingested: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    # Every file a directory walk passed over, (path, reason), in reading order: all of
    # them (they are few), for whoever must find the one bad file among many.
    skipped_files: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, location: str, reason: str) -> None:
        self.skipped += 1
        self.skipped_files.append((location, reason))

    def fail(self, reason: str, example: str) -> None:
        self.failed += 1
        self.reasons[reason] += 1
        if len(self.examples) < 20:
            self.examples.append(example)

    @property
    def total(self) -> int:
        return self.ingested + self.updated + self.unchanged + self.failed
