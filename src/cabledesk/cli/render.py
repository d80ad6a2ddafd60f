"""Terminal rendering (rich) of records, results, reports and counts. No logic lives here."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cabledesk.reference import reason_meaning, tag_info

if TYPE_CHECKING:
    from pathlib import Path

    from cabledesk.archive import IngestReport
    from cabledesk.query import SearchResult
    from cabledesk.record.model import Cable

console = Console()


def marking(cable: Cable) -> str:
    return "//".join([cable.classification or "?", *cable.caveats])


def cable_table(cables: list[Cable], failures: int = 0) -> None:
    table = Table(title=f"{len(cables)} cables parsed, {failures} failed")
    for column in ("reference id", "created", "origin", "classification", "¶", "refs"):
        table.add_column(column, no_wrap=column in ("reference id", "created"))
    table.add_column("subject", ratio=1, min_width=24, overflow="fold")
    for cable in cables:
        table.add_row(
            cable.reference_id or "—",
            (cable.created or cable.header.sent or "")[:10],
            cable.origin or "—",
            marking(cable),
            str(len(cable.paragraphs)),
            str(sum(1 for r in cable.references if r.cable_id)),
            cable.subject or "",
        )
    console.print(table)
    by_level = Counter(c.classification or "unknown" for c in cables)
    console.print(
        "by classification: " + ", ".join(f"{k} {v}" for k, v in sorted(by_level.items()))
    )


SKIPPED_SHOWN = 20


def render_report(report: IngestReport, skipped_list: Path | None = None) -> None:
    console.print(
        f"ingested {report.ingested:,}, updated {report.updated:,}, "
        f"unchanged {report.unchanged:,}, failed {report.failed:,}"
        + (f", skipped files {report.skipped:,}" if report.skipped else "")
    )
    for reason, count in report.reasons.most_common():
        console.print(f"  {count:,} × {reason}", highlight=False)
    for example in report.examples[:10]:
        console.print(f"    {example}", highlight=False, markup=False)
    if report.skipped_files:
        console.print(f"skipped {report.skipped:,} files (no cables in them):", highlight=False)
    for path, reason in report.skipped_files[:SKIPPED_SHOWN]:
        console.print(f"  {path}: {reason}", highlight=False, markup=False, soft_wrap=True)
    more = len(report.skipped_files) - SKIPPED_SHOWN
    if more > 0:
        where = (
            f"all of them are in {skipped_list}"
            if skipped_list is not None
            else "--skipped-list FILE writes all of them"
        )
        console.print(f"  … and {more:,} more; {where}", highlight=False, markup=False)


def render_results(result: SearchResult) -> None:
    table = Table(title=f"{result.total:,} cables match {result.query!r}", show_lines=True)
    table.add_column("reference id", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("origin")
    table.add_column("class")
    table.add_column("subject / snippet", ratio=1, overflow="fold")
    for hit in result.hits:
        body = Text(hit.subject or "", style="bold")
        body.append("\n")
        for index, part in enumerate(hit.snippet.replace("]", "[").split("[")):
            body.append(part, style="reverse" if index % 2 else "")
        table.add_row(
            hit.reference_id,
            hit.date or "",
            hit.origin or "",
            "//".join(
                [
                    hit.classification
                    or (f"{hit.predicted.level} (predicted)" if hit.predicted else "?"),
                    *hit.caveats,
                ]
            ),
            body,
        )
    console.print(table)
    for name, buckets in result.facets.items():
        shown = ", ".join(f"{value} {count:,}" for value, count in buckets[:8])
        console.print(f"[bold]{name}[/]: {shown}", highlight=False)


def render_cable(cable: Cable, present: dict[str, bool], citing: list[str]) -> None:
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    rows = [
        ("reference id", cable.reference_id or ""),
        ("created", cable.created or ""),
        ("origin", cable.origin or ""),
        ("classification", marking(cable)),
        ("precedence / DTG", f"{cable.header.precedence or ''} {cable.header.dtg or ''}".strip()),
        ("from", cable.header.from_ or ""),
        ("subject", cable.subject or ""),
    ]
    for label, value in rows:
        header.add_row(label, Text(value))
    console.print(Panel(header, title=cable.reference_id or "cable"))
    for kind, addressees in (("TO", cable.header.to), ("INFO", cable.header.info)):
        for addressee in addressees:
            console.print(f"{kind:5s}{addressee.name} {addressee.precedence or ''}", markup=False)
    for tag in cable.tags:
        info = tag_info(tag)
        console.print(f"TAG  {tag}: {info.meaning if info and info.meaning else '?'}", markup=False)
    if cable.classified_by:
        who = " ".join(filter(None, [cable.classified_by.title, cable.classified_by.name]))
        reasons = "; ".join(f"{r} {reason_meaning(r) or ''}" for r in cable.classified_by.reasons)
        console.print(f"Classified by {who}: {reasons}", markup=False)
    for reference in cable.references:
        state = ""
        if reference.cable_id:
            state = "in the archive" if present.get(reference.cable_id) else "not in the archive"
        console.print(
            f"REF {reference.label or '-'} {reference.text} → "
            f"{reference.cable_id or '(not a cable)'} {state}",
            markup=False,
        )
    for paragraph in cable.paragraphs:
        if paragraph.heading:
            console.print(Text(paragraph.heading, style="bold underline"))
        number = f"{paragraph.number}. " if paragraph.number is not None else ""
        mark = f"({paragraph.marking}) " if paragraph.marking else ""
        console.print(Text(f"{number}{mark}", style="bold") + Text(paragraph.text))
        console.print()
    if cable.signers:
        console.print(" ".join(cable.signers))
    if citing:
        console.print(f"cited by: {', '.join(citing)}", markup=False)


def render_stats(stats: dict[str, list[tuple[str, int]]]) -> None:
    for name, rows in stats.items():
        table = Table(title=f"by {name}")
        table.add_column(name)
        table.add_column("cables", justify="right")
        for value, count in rows[:40]:
            table.add_row(value, f"{count:,}")
        console.print(table)
