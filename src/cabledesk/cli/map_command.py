"""`cabledesk map [QUERY]`: the matching cables per origin, each post placed at its city
(the desk's map of origins, docs/web.md): a table, JSON, or the map itself as SVG."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click

from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.cli.graph_commands import _principal, _reader_options
from cabledesk.query import QueryError


@click.command("map")
@click.argument("query", default="")
@db_option
@_reader_options
@click.option(
    "--output", type=click.Choice(["table", "json", "svg"]), default="table", show_default=True
)
def map_command(
    query: str, db: str, public: bool, redact: bool, ceiling: str | None, foreign: bool, output: str
) -> None:
    """Cables per origin for QUERY ("" or nothing: every cable), each post with its city and
    place; `--output svg` writes the map (no network, the outline drawn in)."""
    from cabledesk.presentation import world_map

    principal = _principal(public, redact, ceiling, foreign)
    with opened(db) as archive:
        try:
            counts = archive.origin_counts(
                query, viewer=archive.viewer(principal), blank_matches_all=True
            )
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
    drawn = world_map.build(counts)
    if output == "json":
        data = {
            "query": query,
            "total": drawn.total,
            "posts": [
                {k: v for k, v in asdict(m).items() if k not in ("x", "y", "r")}
                for m in drawn.marks
            ],
            "unplaced": [{"origin": o, "count": n} for o, n in drawn.unplaced],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif output == "svg":
        sys.stdout.write(world_map.standalone_svg(drawn))
    else:
        for m in drawn.marks:
            sys.stdout.write(
                f"{m.count:>8,}  {m.origin}  ({m.city}, {m.country}; {m.lat:.2f}, {m.lon:.2f})\n"
            )
        for origin, count in drawn.unplaced:
            sys.stdout.write(f"{count:>8,}  {origin}  (not on the map)\n")
