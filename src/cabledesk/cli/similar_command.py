"""`cabledesk similar ID`: the cables most like one (docs/similar.md), one Archive call."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.cli.graph_commands import _principal, _reader_options


@click.command("similar")
@click.argument("reference_id")
@db_option
@_reader_options
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def similar_command(
    reference_id: str,
    db: str,
    public: bool,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
    limit: int,
    as_json: bool,
) -> None:
    """The cables most like REFERENCE_ID, with the words they share (as the reader chosen
    with --public, --redact, --ceiling, --foreign would get them)."""
    with opened(db) as archive:
        viewer = archive.viewer(_principal(public, redact, ceiling, foreign))
        found = archive.similar(reference_id, viewer=viewer, limit=limit)
    if found is None:
        raise click.ClickException(f"{reference_id}: no such cable in this archive")
    if as_json:
        click.echo(json.dumps([asdict(f) for f in found], indent=2, ensure_ascii=False))
        return
    for f in found:
        where = ", ".join(filter(None, [f.date, f.origin]))
        click.echo(f"{f.score:.3f}  {f.reference_id}  [{where}]  {f.subject or ''}")
        click.echo(f"       shared: {', '.join(f.shared_terms) or '-'}")
