"""Entity commands: enrich, entities, mentions, entity show, and the editors' entity
decisions (entity merge, split, rename, retype, delete, alias, undo, history); each one
Archive call (docs/entities.md)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from cabledesk.access.principal import LOCAL, Principal
from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.cli.editorial_commands import account_option
from cabledesk.entities import KINDS
from cabledesk.record.level import LEVELS, Level

if TYPE_CHECKING:
    from cabledesk.archive.entity_register import Decision
    from cabledesk.facade import Archive


@click.command("warm")
@db_option
def warm_command(db: str) -> None:
    """Build the citation graphs and co-mention networks of everything and of the public
    now, unless they are of the archive as it stands (`enrich` ends with this; run it
    after redactions or editors' decisions made from the command line, so that the
    desk's next reader does not wait for them)."""
    with opened(db) as archive:
        built = archive.warm()
    for what, took in built.items():
        click.echo(f"{what}: built in {took:.1f} s of CPU")
    if not built:
        click.echo("nothing to build: every cache is of the archive as it stands")


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
    for view, took in report.similar.items():
        click.echo(f"similar cables: the model of {view} built in {took:.1f} s")
    if report.sensitivity is not None and report.sensitivity.cables:
        click.echo(
            f"sensitivity: {report.sensitivity.cables:,} cables scored with model "
            f"v{report.sensitivity.model} in {report.sensitivity.seconds:.1f} s"
        )
    if report.sensitivity is not None and report.sensitivity.note:
        click.echo(f"sensitivity: {report.sensitivity.note}", err=True)
    for what, took in report.warmed.items():
        click.echo(f"{what}: built in {took:.1f} s of CPU")
    if not report.pending_before:
        click.echo(f"nothing to enrich: every cable is up to date ({report.entities:,} entities)")
        return
    click.echo(
        f"enriched {report.cables:,} cables in {seconds:.1f} s: {report.mentions:,} mentions, "
        f"{report.entities:,} entities"
    )
    if report.failed:
        shown = report.failed[:_FAILURES_SHOWN]
        lines = [f"  {reference}: {error}" for reference, error in shown]
        if len(report.failed) > len(shown):
            lines.append(f"  ... and {len(report.failed) - len(shown):,} more")
        raise click.ClickException(
            f"the extractor failed on {len(report.failed):,} "
            f"cable{'s' if len(report.failed) != 1 else ''}; every other cable is "
            "enriched, these stay pending (the next run tries them again; please report "
            "them with the cable):\n" + "\n".join(lines)
        )


# How many failed cables `cabledesk enrich` names (their count is always given).
_FAILURES_SHOWN = 20


def _viewer_options(command: Callable[..., None]) -> Callable[..., None]:
    """--redact, --ceiling, --foreign: answer as a signed-in reader would be answered."""
    command = click.option(
        "--foreign", is_flag=True, help="Without NOFORN parts (implies --redact)."
    )(command)
    command = click.option(
        "--ceiling",
        type=click.Choice(LEVELS, case_sensitive=False),
        default=None,
        help="Count only parts up to this level (implies --redact).",
    )(command)
    return click.option(
        "--redact", is_flag=True, help="As a reader, with the redactions in force."
    )(command)


def _principal(redact: bool, ceiling: str | None, foreign: bool) -> Principal:
    if not (redact or ceiling or foreign):
        return LOCAL
    level = Level.of(ceiling) if ceiling else Level.TOP_SECRET
    return Principal(name=None, role="reader", ceiling=level, foreign=foreign)


def _write(
    rows: Iterable[dict[str, Any]], columns: tuple[str, ...], output: str, out: Path | None
) -> int:
    from cabledesk.views.entity_export import write_rows

    if output == "parquet":
        if out is None:
            raise click.UsageError("--output parquet needs --out FILE")
        with out.open("wb") as handle:
            return write_rows(rows, columns, output, handle)
    if out is None:
        return write_rows(rows, columns, output, sys.stdout)
    with out.open("w", encoding="utf-8", newline="") as handle:
        return write_rows(rows, columns, output, handle)


_OUT = click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output; Parquet needs a file).",
)


@click.command("entities")
@db_option
@click.option("--kind", type=click.Choice(KINDS), default=None)
@click.option(
    "--cable", "cables", multiple=True, help="Only the entities of this cable (repeatable)."
)
@click.option(
    "--query",
    default=None,
    metavar="Q",
    help="Every entity of the cables matching Q (blank: every cable), for export.",
)
@click.option("--name", default=None, help="Only entities whose name contains this.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=30, show_default=True)
@click.option("--offset", type=click.IntRange(0, None), default=0)
@click.option(
    "--output",
    type=click.Choice(["table", "json", "csv", "jsonl", "parquet"]),
    default="table",
    show_default=True,
)
@_OUT
@_viewer_options
def entities_command(
    db: str,
    kind: str | None,
    cables: tuple[str, ...],
    query: str | None,
    name: str | None,
    limit: int,
    offset: int,
    output: str,
    out: Path | None,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
) -> None:
    """The most mentioned entities (Archive.entities); with --query, every entity of the
    matching cables (Archive.export_entities), for CSV, JSON Lines or Parquet."""
    from cabledesk.query import QueryError
    from cabledesk.views.entity_export import ENTITY_COLUMNS, ExportError, entity_rows

    if query is not None and cables:
        raise click.UsageError("--query and --cable: give one or the other")
    with opened(db) as archive:
        viewer = archive.viewer(_principal(redact, ceiling, foreign))
        try:
            if query is not None:
                rows = archive.export_entities(
                    query, viewer=viewer, kind=kind, name=name, blank_matches_all=True
                )
            else:
                rows = archive.entities(
                    viewer=viewer,
                    kind=kind,
                    reference_ids=[c.strip().upper() for c in cables] or None,
                    limit=limit,
                    offset=offset,
                    name=name,
                )
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
    if output == "json":
        click.echo(json.dumps([_as_dict(row) for row in rows], indent=2))
        return
    if output in ("csv", "jsonl", "parquet"):
        try:
            count = _write(entity_rows(rows), ENTITY_COLUMNS, output, out)
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
        if out is not None or output == "parquet":
            click.echo(f"exported {count:,} entities", err=True)
        return
    for row in rows:
        click.echo(f"{row.id:>7}  {row.kind:<6}  {row.mentions:>7,}  {row.cables:>6,}  {row.name}")


@click.command("mentions")
@db_option
@click.option(
    "--query", default="", metavar="Q", help="The cables matching Q (default: every cable)."
)
@click.option("--kind", type=click.Choice(KINDS), default=None)
@click.option("--name", default=None, help="Only mentions of entities whose name contains this.")
@click.option(
    "--output", type=click.Choice(["csv", "jsonl", "parquet"]), default="csv", show_default=True
)
@_OUT
@_viewer_options
def mentions_command(
    db: str,
    query: str,
    kind: str | None,
    name: str | None,
    output: str,
    out: Path | None,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
) -> None:
    """Every mention in the cables matching Q (Archive.export_mentions): cable, entity,
    surface and where it stands (offsets into the text this reader receives)."""
    from cabledesk.query import QueryError
    from cabledesk.views.entity_export import MENTION_COLUMNS, ExportError, mention_rows, only

    if output == "parquet" and out is None:
        raise click.UsageError("--output parquet needs --out FILE")
    with opened(db) as archive:
        viewer = archive.viewer(_principal(redact, ceiling, foreign))
        try:
            mentions = archive.export_mentions(query, viewer=viewer, blank_matches_all=True)
            count = _write(mention_rows(only(mentions, kind, name)), MENTION_COLUMNS, output, out)
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"exported {count:,} mentions", err=True)


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


# --- curation: the entity register (docs/entities.md, "Curation: the entity register") ---
# ENTITY is an id (`cabledesk entities`), a key (`person:nouri al-maliki`) or a name.

_reason_option = click.option(
    "--reason", required=True, help="Why (it is kept in the entity register and the audit log)."
)


def _decided(db: str, decide: Callable[[Archive], Decision]) -> None:
    from cabledesk.archive.entity_register import EntityRegisterError

    with opened(db) as archive:
        try:
            decision = decide(archive)
        except EntityRegisterError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"entity decision {decision.version}: {describe(decision)}")


def describe(decision: Decision) -> str:
    """One line for a decision, as the register holds it (keys, not ids)."""
    return decision.describe()


@entity_group.command("merge")
@click.argument("entity")
@click.argument("into")
@db_option
@_reason_option
@account_option
def entity_merge_command(entity: str, into: str, db: str, reason: str, account: str) -> None:
    """Merge ENTITY into INTO: one entity from then on, under INTO's id (ENTITY's id
    answers with it)."""
    _decided(db, lambda a: a.merge_entities(entity, into, reason=reason, account=account))


@entity_group.command("split")
@click.argument("entity")
@click.option("--name", required=True, help="The entity the mentions go to (new, or existing).")
@click.option("--cable", "cables", multiple=True, help="Mentions in this cable (repeatable).")
@click.option("--surface", "surfaces", multiple=True, help="Mentions written so (repeatable).")
@click.option("--kind", type=click.Choice(KINDS), default=None, help="Default: ENTITY's kind.")
@db_option
@_reason_option
@account_option
def entity_split_command(
    entity: str,
    name: str,
    cables: tuple[str, ...],
    surfaces: tuple[str, ...],
    kind: str | None,
    db: str,
    reason: str,
    account: str,
) -> None:
    """Move ENTITY's mentions in --cable cables and/or written as --surface to the entity
    --name (both given: the mentions that match both)."""
    _decided(
        db,
        lambda a: a.split_entity(
            entity,
            name=name,
            cables=cables,
            surfaces=surfaces,
            kind=kind,
            reason=reason,
            account=account,
        ),
    )


@entity_group.command("rename")
@click.argument("entity")
@click.argument("name")
@db_option
@_reason_option
@account_option
def entity_rename_command(entity: str, name: str, db: str, reason: str, account: str) -> None:
    """Show ENTITY as NAME."""
    _decided(db, lambda a: a.rename_entity(entity, name, reason=reason, account=account))


@entity_group.command("retype")
@click.argument("entity")
@click.argument("kind", type=click.Choice(KINDS))
@db_option
@_reason_option
@account_option
def entity_retype_command(entity: str, kind: str, db: str, reason: str, account: str) -> None:
    """Make ENTITY a person, org, place or post."""
    _decided(db, lambda a: a.retype_entity(entity, kind, reason=reason, account=account))


@entity_group.command("delete")
@click.argument("entity")
@db_option
@_reason_option
@account_option
def entity_delete_command(entity: str, db: str, reason: str, account: str) -> None:
    """ENTITY is not an entity: its mentions count nowhere, for anyone (`entity undo`
    brings it back)."""
    _decided(db, lambda a: a.delete_entity(entity, reason=reason, account=account))


@entity_group.command("alias")
@click.argument("entity")
@click.argument("surface")
@click.option("--remove", is_flag=True, help="Lift the alias SURFACE an editor gave ENTITY.")
@db_option
@_reason_option
@account_option
def entity_alias_command(
    entity: str, surface: str, remove: bool, db: str, reason: str, account: str
) -> None:
    """Every mention written SURFACE joins ENTITY, wherever the extractor put it (or, with
    --remove, goes back where its own key puts it)."""
    if remove:
        _decided(db, lambda a: a.remove_alias(entity, surface, reason=reason, account=account))
    else:
        _decided(db, lambda a: a.add_alias(entity, surface, reason=reason, account=account))


@entity_group.command("undo")
@click.argument("version", type=int)
@db_option
@_reason_option
@account_option
def entity_undo_command(version: int, db: str, reason: str, account: str) -> None:
    """Lift entity decision VERSION (a new register row; undo the undo to restore it)."""
    _decided(db, lambda a: a.undo_entity_decision(version, reason=reason, account=account))


@entity_group.command("history")
@db_option
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def entity_history_command(db: str, output: str) -> None:
    """Every entity decision, oldest first: who, when, why, and whether it is in force."""
    from cabledesk.archive.entity_register import Decision as Row

    with opened(db) as archive:
        rows = archive.entity_history(viewer=archive.viewer(LOCAL))
    for row in rows:
        if output == "json":
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            continue
        keys = cast(list[str], row["keys"])
        decision = Row(
            version=cast(int, row["version"]),
            at=str(row["at"]),
            account=cast(str | None, row["account"]),
            action=str(row["action"]),
            keys=tuple(keys),
            payload=cast(dict[str, Any], row["payload"]),
            reason=str(row["reason"]),
        )
        state = "" if row["in_force"] else "  [lifted]"
        click.echo(
            f"{decision.version:>5}  {decision.at}  {decision.account or '-'}  "
            f"{describe(decision)}  ({decision.reason}){state}"
        )


def _add_network() -> None:
    # `cabledesk entity network ID` lives with `cabledesk network` (network_commands.py).
    from cabledesk.cli.network_commands import entity_network_command

    entity_group.add_command(entity_network_command)


_add_network()
