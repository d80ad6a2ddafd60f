"""What an audit found: counts per check, the first offenders, and what failed most.

`AuditReport.to_dict()` is the JSON the command prints with `--json` (its shape is in
docs/parse-audit.md); `AuditReport.text()` the plain report it prints otherwise.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Offender:
    """A cable that failed a check: its id (or None), where it was read, and why."""

    id: str | None
    location: str | None
    detail: str
    partial_extract: bool = False

    @property
    def name(self) -> str:
        return self.id or self.location or "?"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "location": self.location,
            "detail": self.detail,
            "partial_extract": self.partial_extract,
        }


@dataclass(slots=True)
class CheckResult:
    """One check over the corpus. `checked` cables it applied to, `failed` of them failed;
    `items` counts what failed over the corpus (each item once a cable); `offenders` are
    the first failing cables in reading order (as many as the audit was asked to show)."""

    name: str
    checks: str
    why: str
    applies_to: str
    checked: int = 0
    failed: int = 0
    items: Counter[str] = field(default_factory=Counter)
    offenders: list[Offender] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return self.checked - self.failed

    @property
    def failed_share(self) -> float:
        return self.failed / self.checked if self.checked else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "checks": self.checks,
            "why": self.why,
            "applies_to": self.applies_to,
            "checked": self.checked,
            "passed": self.passed,
            "failed": self.failed,
            "items": [{"item": k, "count": n} for k, n in _ranked(self.items)],
            "offenders": [o.to_dict() for o in self.offenders],
        }


@dataclass(slots=True)
class Unread:
    """A file, or a cable in one, that could not be read (or was passed over)."""

    location: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"location": self.location, "message": self.message}


@dataclass(slots=True)
class ReferenceCounts:
    """The REF items of the corpus: how many cite a cable with a well-formed id, and how
    many of those cables are in the corpus itself."""

    items: int = 0
    cite_cables: int = 0
    in_corpus: int = 0

    @property
    def elsewhere(self) -> int:
        return self.cite_cables - self.in_corpus

    def to_dict(self) -> dict[str, int]:
        return {
            "items": self.items,
            "cite_cables": self.cite_cables,
            "in_corpus": self.in_corpus,
            "elsewhere": self.elsewhere,
        }


@dataclass(slots=True)
class AuditReport:
    paths: list[str]
    format: str = "auto"
    workers: int = 1
    show: int | None = 10
    cables: int = 0
    unreadable: int = 0
    unreadable_examples: list[Unread] = field(default_factory=list)
    skipped: int = 0
    skipped_examples: list[Unread] = field(default_factory=list)
    checks: dict[str, CheckResult] = field(default_factory=dict)
    references: ReferenceCounts = field(default_factory=ReferenceCounts)
    seconds: float = 0.0

    @property
    def cables_per_second(self) -> float:
        return self.cables / self.seconds if self.seconds > 0 else 0.0

    def failing(self) -> list[CheckResult]:
        return [c for c in self.checks.values() if c.failed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "paths": self.paths,
            "format": self.format,
            "cables": self.cables,
            "unreadable": {
                "count": self.unreadable,
                "examples": [u.to_dict() for u in self.unreadable_examples],
            },
            "skipped": {
                "count": self.skipped,
                "examples": [u.to_dict() for u in self.skipped_examples],
            },
            "checks": {name: result.to_dict() for name, result in self.checks.items()},
            "references": self.references.to_dict(),
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
            "cables_per_second": round(self.cables_per_second, 1),
        }

    def text(self) -> str:
        """The report as plain text: a table of the checks, then each failing check's
        most frequent items and its first offenders."""
        lines = [
            f"{self.cables:,} cables read from {_plural(len(self.paths), 'path')} in "
            f"{self.seconds:.2f} s ({self.cables_per_second:,.0f} cables/s, "
            f"{_plural(self.workers, 'worker')}); {self.unreadable:,} unreadable, "
            f"{self.skipped:,} skipped",
            "",
        ]
        width = max([len(name) for name in self.checks] + [5])
        lines.append(f"{'check':<{width}}  {'checked':>8}  {'failed':>7}  {'%':>6}  checks")
        for name, result in self.checks.items():
            share = f"{100 * result.failed_share:.1f}%" if result.checked else "-"
            lines.append(
                f"{name:<{width}}  {result.checked:>8,}  {result.failed:>7,}  {share:>6}  "
                f"{result.checks}"
            )
        refs = self.references
        lines += [
            "",
            f"references: {refs.items:,} REF items, {refs.cite_cables:,} cite a cable by a "
            f"well-formed id; {refs.in_corpus:,} of those cables are in this corpus, "
            f"{refs.elsewhere:,} elsewhere",
        ]
        for result in self.failing():
            lines += ["", f"{result.name}: {result.failed:,} of {result.checked:,} failed"]
            ranked = _ranked(result.items)
            top = ranked if self.show is None else ranked[: max(self.show, 5)]
            lines.append("  " + ", ".join(f"{item} ({n:,})" for item, n in top))
            if len(top) < len(ranked):
                lines[-1] += f", {len(ranked) - len(top):,} more"
            for offender in result.offenders:
                mark = " [partial extract]" if offender.partial_extract else ""
                lines.append(f"  {offender.name}{mark}: {offender.detail}")
            hidden = result.failed - len(result.offenders)
            if hidden > 0:
                lines.append(f"  ... {hidden:,} more (--show N, or --json)")
        for title, count, examples in (
            ("unreadable", self.unreadable, self.unreadable_examples),
            ("skipped", self.skipped, self.skipped_examples),
        ):
            if count:
                lines += ["", f"{title}: {count:,}"]
                lines += [f"  {u.location}: {u.message}" for u in examples]
                if count > len(examples):
                    lines.append(f"  ... {count - len(examples):,} more")
        return "\n".join(lines)


def _ranked(items: Counter[str]) -> list[tuple[str, int]]:
    """Most frequent first; equal counts in alphabetical order (stable output)."""
    return sorted(items.items(), key=lambda pair: (-pair[1], pair[0]))


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"
