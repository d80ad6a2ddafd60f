"""Terminal tables (rich) for command output."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from cabledesk.record.model import Cable


def cable_table(cables: list[Cable], failures: int = 0) -> None:
    console = Console()
    table = Table(title=f"{len(cables)} cables parsed, {failures} failed")
    for column in ("reference id", "created", "origin", "classification", "¶", "refs"):
        table.add_column(column, no_wrap=column in ("reference id", "created"))
    table.add_column("subject", ratio=1, min_width=24, overflow="fold")
    for cable in cables:
        marking = "//".join([cable.classification or "?", *cable.caveats])
        table.add_row(
            cable.reference_id or "—",
            (cable.created or cable.header.sent or "")[:10],
            cable.origin or "—",
            marking,
            str(len(cable.paragraphs)),
            str(sum(1 for r in cable.references if r.cable_id)),
            cable.subject or "",
        )
    console.print(table)
    by_level = Counter(c.classification or "unknown" for c in cables)
    console.print(
        "by classification: " + ", ".join(f"{k} {v}" for k, v in sorted(by_level.items()))
    )
