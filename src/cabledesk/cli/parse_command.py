"""`cabledesk parse`: read cables from files and directories and print their records."""

from __future__ import annotations

import json
import sys

import click

from cabledesk.api import parse
from cabledesk.record.codec import to_dict, to_json_line
from cabledesk.record.model import Cable
from cabledesk.sources import FORMATS, Skipped, SourceError


@click.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "format_",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="Input format; auto decides from each file's content.",
)
@click.option(
    "--output",
    type=click.Choice(["json", "jsonl", "table"]),
    default="json",
    show_default=True,
    help="json: one record (or an array of them); jsonl: one record per line; table: a summary.",
)
@click.option("--strict", is_flag=True, help="Also fail cables with recoverable oddities.")
def parse_command(paths: tuple[str, ...], format_: str, output: str, strict: bool) -> None:
    """Parse the cables in PATHS (files or directories) into records."""
    cables: list[Cable] = []
    failures = 0
    as_json_array = output == "json"
    # JSON Lines go to the byte stream: encoding each line to text and back costs as much
    # as writing it (docs/performance.md, "parse to JSON Lines").
    out = sys.stdout.buffer if output == "jsonl" else None
    for item in parse(paths, format=format_, strict=strict):
        if isinstance(item, SourceError):
            failures += 1
            click.echo(f"error: {item}", err=True)
        elif isinstance(item, Skipped):
            click.echo(f"note: skipped {item.location} ({item.reason})", err=True)
        elif out is not None:
            out.write(to_json_line(item))
        else:
            cables.append(item)
    if output == "table":
        from cabledesk.cli.render import cable_table  # rich: only for the table

        cable_table(cables, failures)
    elif as_json_array and cables:
        data = to_dict(cables[0]) if len(cables) == 1 else [to_dict(c) for c in cables]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    if failures:
        raise SystemExit(1)
