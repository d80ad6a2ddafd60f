"""`cabledesk copies`: near-duplicates (docs/near-duplicates.md), one Archive call each:
a cable's copies (`Archive.copies`) or the report of every group (`Archive.copies_stats`)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict

import click

from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.cli.graph_commands import _principal, _reader_options


def _percent(value: float | None) -> str:
    return "joined through another copy" if value is None else f"{value:.0%}"


@click.command("copies")
@click.argument("reference_id", required=False)
@click.option(
    "--stats",
    "show_stats",
    is_flag=True,
    help="The report: groups, their sizes, the largest.",
)
@click.option("--largest", default=10, show_default=True, help="Groups listed by --stats.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes that sketch new texts (default: up to 2; 1: in this process).",
)
@db_option
@_reader_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def copies_command(
    reference_id: str | None,
    show_stats: bool,
    largest: int,
    workers: int | None,
    db: str,
    public: bool,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
    as_json: bool,
) -> None:
    """The near-duplicates of REFERENCE_ID (the same text under another id, a re-send, a
    copy, a text held inside it), or with --stats the report of every group. The first
    call after a change finds the pairs again (an ingest's new texts are sketched then)."""
    if (reference_id is None) == (not show_stats):
        raise click.UsageError("give a REFERENCE_ID or --stats (not both)")
    with opened(db) as archive:
        viewer = archive.viewer(_principal(public, redact, ceiling, foreign))
        if show_stats:
            last = [0.0]

            def progress(done: int, total: int) -> None:
                now = time.monotonic()
                if (now - last[0] >= 5 and sys.stderr.isatty()) or done == total:
                    last[0] = now
                    click.echo(f"copies: sketched {done:,} of {total:,} texts", err=True)

            found = archive.copies_stats(
                viewer=viewer, progress=progress, largest=largest, workers=workers
            )
            if as_json:
                click.echo(json.dumps(found, indent=2))
                return
            _report(found)
            return
        assert reference_id is not None
        copies = archive.copies(reference_id, viewer=viewer)
    if copies is None:
        raise click.ClickException(f"{reference_id}: no such cable")
    if as_json:
        click.echo(json.dumps([asdict(c) for c in copies], indent=2))
        return
    if not copies:
        click.echo(f"{reference_id}: no near-duplicates")
        return
    click.echo(f"{reference_id}: {len(copies)} similar {'copy' if len(copies) == 1 else 'copies'}")
    for copy in copies:
        line = f"  {copy.reference_id}  {copy.relation}, Jaccard {_percent(copy.jaccard)}"
        if copy.relation != "copy":
            line += f", contained {_percent(copy.containment)}"
        click.echo(line)


def _report(found: dict[str, object]) -> None:
    if found.get("texts") is not None:  # the archive-wide figures: the local desk's only
        click.echo(
            f"texts {found.get('texts', 0):,} (sketched {found.get('sketched', 0):,}); "
            f"candidate pairs {found.get('candidates', 0):,}, "
            f"checked {found.get('checked', 0):,}, "
            f"kept {found.get('pairs', 0):,} (copies {found.get('copy_pairs', 0):,}, "
            f"contained {found.get('contained_pairs', 0):,})"
        )
    else:
        click.echo(
            f"pairs between the texts you see {found.get('pairs', 0):,} "
            f"(copies {found.get('copy_pairs', 0):,}, "
            f"contained {found.get('contained_pairs', 0):,})"
        )
    click.echo(
        f"groups {found.get('groups', 0):,}, cables in groups "
        f"{found.get('cables_in_groups', 0):,}, largest {found.get('largest', 0)}; "
        f"texts inside others {found.get('contained_seen', 0):,}"
    )
    sizes = found.get("sizes") or {}
    if isinstance(sizes, dict) and sizes:
        click.echo("sizes: " + ", ".join(f"{n} cables: {c:,}" for n, c in sizes.items()))
    groups = found.get("largest_groups") or []
    if isinstance(groups, list):
        for members in groups:
            click.echo("  " + " ".join(members))
