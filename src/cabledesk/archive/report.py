"""What an ingest did: counts, and the reasons cables failed, grouped."""

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

    def fail(self, reason: str, example: str) -> None:
        self.failed += 1
        self.reasons[reason] += 1
        if len(self.examples) < 20:
            self.examples.append(example)

    @property
    def total(self) -> int:
        return self.ingested + self.updated + self.unchanged + self.failed
