"""`cabledesk coverage`: per post and year, what the archive holds of the traffic, and the
cables its cables cite but it does not hold (docs/coverage.md). One Archive call each."""

from __future__ import annotations

import csv
import json
import sys

import click

from cabledesk.archive.coverage import DEFAULT_METHOD, METHODS, SORTS
from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.cli.graph_commands import _principal, _reader_options

COLUMNS = (
    "post",
    "year",
    "held",
    "cited_missing",
    "highest_serial",
    "method",
    "estimate",
    "low",
    "high",
    "share_held",
)
MISSING_COLUMNS = ("id", "post", "year", "serial", "citations", "estimated_date", "estimate")


def _number(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@click.command("coverage")
@db_option
@_reader_options
@click.option("--post", default=None, help="Only this post (e.g. BAGHDAD).")
@click.option("--year", type=int, default=None, help="Only this year (four digits).")
@click.option("--sort", type=click.Choice(SORTS), default="post", show_default=True)
@click.option("--method", type=click.Choice(METHODS), default=DEFAULT_METHOD, show_default=True)
@click.option("--missing", "list_missing", is_flag=True, help="List the cited but absent cables.")
@click.option("--min-citations", type=click.IntRange(1), default=1, show_default=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many rows.")
@click.option("--citing", is_flag=True, help="With --missing: the citing cables too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
def coverage_command(
    db: str,
    public: bool,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
    post: str | None,
    year: int | None,
    sort: str,
    method: str,
    list_missing: bool,
    min_citations: int,
    limit: int | None,
    citing: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """How much of each post's traffic the archive holds, per year: serials held, cited
    but absent, the highest seen, the estimated cables sent (95% interval), the share
    held. With --missing: every cited but absent id, its citations and estimated date."""
    if as_json and as_csv:
        raise click.UsageError("--json or --csv, not both")
    with opened(db) as archive:
        viewer = archive.viewer(_principal(public, redact, ceiling, foreign))
        if list_missing:
            found = archive.missing(
                viewer=viewer, post=post, year=year, min_citations=min_citations, limit=limit
            )
            rows: list[dict[str, object]] = []
            for m in found:
                row: dict[str, object] = {c: getattr(m, c) for c in MISSING_COLUMNS}
                if citing:
                    row["citing"] = archive.missing_citing(m.id, viewer=viewer)
                rows.append(row)
            columns: tuple[str, ...] = MISSING_COLUMNS + (("citing",) if citing else ())
        else:
            table = archive.coverage(
                viewer=viewer,
                post=post,
                year=year,
                sort=sort,
                method=method,  # type: ignore[arg-type]
            )
            rows = [r.as_dict() for r in (table if limit is None else table[:limit])]
            columns = COLUMNS
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [
                    " ".join(v) if isinstance(v, list) else ("" if v is None else v)
                    for v in (row[c] for c in columns)
                ]
            )
        return
    shown = list(columns)
    lines = [[c.replace("_", " ") for c in shown]]
    for row in rows:
        cells = []
        for c in shown:
            value = row[c]
            if c == "share_held" and isinstance(value, float):
                cells.append(f"{value:.1%}")
            elif isinstance(value, list):
                cells.append(" ".join(value))
            elif c in ("year", "serial"):
                cells.append(str(value))
            else:
                cells.append(_number(value))
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(shown))]
    for line in lines:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    if not list_missing:
        click.echo(f"({len(rows)} rows; estimate: {method}, 95% interval; docs/coverage.md)")
