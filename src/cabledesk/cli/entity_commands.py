"""Entity commands: enrich, entities, entity show (each one Archive call; docs/entities.md)."""

from __future__ import annotations

import json
import sys
import time

import click

from cabledesk.access.principal import LOCAL
from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.entities import KINDS


@click.command("enrich")
@db_option
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Worker processes on this machine (0: in this process). Default: the cores, up to 2.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run on a Dask cluster: the scheduler's address, e.g. tcp://10.0.0.5:8786.",
)
def enrich_command(db: str, workers: int | None, scheduler: str | None) -> None:
    """Extract people, organisations, places and posts from every cable that needs it
    (new cables, or all of them after an extractor upgrade). Resumable and idempotent."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from cabledesk.archive.enrich import EnrichError

    console = Console(stderr=True)
    started = time.monotonic()
    with opened(db) as archive:
        bar = Progress(
            TextColumn("enriching"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=console,
            disable=not sys.stderr.isatty(),
        )
        task = bar.add_task("enrich", total=None, rate="")
        last_line = [0.0]

        def progress(done: int, total: int) -> None:
            elapsed = max(time.monotonic() - started, 1e-6)
            rate = f"{done / elapsed:,.0f} cables/s"
            bar.update(task, completed=done, total=total, rate=rate)
            if (
                total
                and not sys.stderr.isatty()
                and (time.monotonic() - last_line[0] > 5 or done == total)
            ):
                last_line[0] = time.monotonic()
                click.echo(f"enriched {done:,} of {total:,} cables ({rate})", err=True)

        try:
            with bar:
                report = archive.enrich(workers=workers, scheduler=scheduler, progress=progress)
        except EnrichError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.ClickException(
                "interrupted: every finished batch is kept; run the same command again to go on"
            ) from None
    seconds = time.monotonic() - started
    if not report.pending_before:
        click.echo(f"nothing to enrich: every cable is up to date ({report.entities:,} entities)")
        return
    click.echo(
        f"enriched {report.cables:,} cables in {seconds:.1f} s: {report.mentions:,} mentions, "
        f"{report.entities:,} entities"
    )


@click.command("entities")
@db_option
@click.option("--kind", type=click.Choice(KINDS), default=None)
@click.option(
    "--cable", "cables", multiple=True, help="Only the entities of this cable (repeatable)."
)
@click.option("--limit", type=click.IntRange(1, 100_000), default=30, show_default=True)
@click.option("--offset", type=click.IntRange(0, None), default=0)
@click.option(
    "--output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
def entities_command(
    db: str, kind: str | None, cables: tuple[str, ...], limit: int, offset: int, output: str
) -> None:
    """The most mentioned entities (Archive.entities)."""
    with opened(db) as archive:
        rows = archive.entities(
            viewer=archive.viewer(LOCAL),
            kind=kind,
            reference_ids=[c.strip().upper() for c in cables] or None,
            limit=limit,
            offset=offset,
        )
    if output == "json":
        click.echo(json.dumps([_as_dict(row) for row in rows], indent=2))
        return
    if output == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(["id", "kind", "name", "mentions", "cables"])
        writer.writerows([r.id, r.kind, r.name, r.mentions, r.cables] for r in rows)
        return
    for row in rows:
        click.echo(f"{row.id:>7}  {row.kind:<6}  {row.mentions:>7,}  {row.cables:>6,}  {row.name}")


def _as_dict(row: object) -> dict[str, object]:
    return {name: getattr(row, name) for name in ("id", "kind", "name", "mentions", "cables")}


@click.group("entity")
def entity_group() -> None:
    """One entity."""


@entity_group.command("show")
@click.argument("entity_id", type=int)
@db_option
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def entity_show_command(entity_id: int, db: str, output: str) -> None:
    """An entity: names used, months, posts, related entities, cables (Archive.entity)."""
    with opened(db) as archive:
        page = archive.entity(entity_id, viewer=archive.viewer(LOCAL))
    if page is None:
        raise click.ClickException(f"no entity {entity_id} in {db} (see `cabledesk entities`)")
    if output == "json":
        click.echo(
            json.dumps(
                {
                    **_as_dict(page.entity),
                    "aliases": page.aliases,
                    "months": page.months,
                    "posts": page.posts,
                    "related": [_as_dict(r) for r in page.related],
                    "cables": page.cables,
                },
                indent=2,
            )
        )
        return
    e = page.entity
    click.echo(
        f"{e.name} ({e.kind}, entity {e.id}): {e.mentions:,} mentions in {e.cables:,} cables"
    )
    click.echo("written as: " + ", ".join(f"{name} ({n})" for name, n in page.aliases[:20]))
    click.echo("reported by: " + ", ".join(f"{post} ({n})" for post, n in page.posts[:10]))
    click.echo("mentioned with: " + ", ".join(r.name for r in page.related[:10]))
    click.echo("cables: " + " ".join(page.cables[:20]))
