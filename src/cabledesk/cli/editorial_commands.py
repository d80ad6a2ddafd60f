"""Editorial commands: redactions, approvals, editions (each one library call)."""

from __future__ import annotations

import getpass
import json
import subprocess
import sys
from itertools import islice
from pathlib import Path

import click

from cabledesk.access.principal import LOCAL, Principal
from cabledesk.archive.register import RegisterError
from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.query import QueryError
from cabledesk.record.level import LEVELS, Level
from cabledesk.redact import Rule
from cabledesk.redact.entity_candidates import EntityProposals

account_option = click.option(
    "--account",
    default=lambda: getpass.getuser(),
    show_default="your login name",
    help="Who is recorded as making the change.",
)


@click.group("redact")
def redact_group() -> None:
    """Mark, list and lift redactions; find candidates for them."""


@redact_group.command("add")
@click.argument("text", required=False, default="")
@db_option
@click.option("--reason", required=True, help="Why (who it protects); it is logged.")
@click.option("--variant", "variants", multiple=True, help="Another spelling (repeatable).")
@click.option("--cable", "cable_id", help="Only in this cable (a span); without: everywhere.")
@click.option("--paragraph", type=int, help="Withhold this paragraph of --cable whole.")
@click.option(
    "--entity",
    "entity_id",
    type=int,
    help="Redact entity N everywhere: its name and every spelling of it (the rule "
    "`redact candidates` proposes), plus any --variant.",
)
@account_option
def redact_add(
    text: str,
    db: str,
    reason: str,
    variants: tuple[str, ...],
    cable_id: str | None,
    paragraph: int | None,
    entity_id: int | None,
    account: str,
) -> None:
    """Redact TEXT (a name, everywhere; or a passage of --cable), or --paragraph N of --cable,
    or --entity N (every spelling of that entity, everywhere)."""
    if entity_id is not None:
        if text or cable_id or paragraph is not None:
            raise click.UsageError("--entity takes no TEXT, --cable or --paragraph")
        _redact_entity(db, entity_id, reason, variants, account)
        return
    if paragraph is not None and not cable_id:
        raise click.UsageError("--paragraph needs --cable ID")
    kind = "paragraph" if paragraph is not None else "span" if cable_id else "name"
    rule = Rule(
        kind=kind,
        text=text,
        variants=list(variants),
        cable_id=cable_id,
        paragraph=paragraph,
        reason=reason,
    )
    with opened(db) as archive:
        try:
            stored = archive.redact(rule, account=account)
        except RegisterError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"redaction {stored.id}: {stored.describe()}")


def _redact_entity(
    db: str, entity_id: int, reason: str, variants: tuple[str, ...], account: str
) -> None:
    with opened(db) as archive:
        try:
            rule = archive.entity_rule(entity_id, viewer=archive.viewer(LOCAL))
            rule.variants += [v for v in variants if v not in rule.variants]
            rule.reason = reason
            stored = archive.redact(rule, account=account)
        except RegisterError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"redaction {stored.id}: {stored.describe()}")


@redact_group.command("list")
@db_option
@click.option("--all", "include_lifted", is_flag=True, help="Lifted redactions too.")
def redact_list(db: str, include_lifted: bool) -> None:
    """The redaction register."""
    with opened(db) as archive:
        for rule in archive.register(viewer=archive.viewer(LOCAL), include_lifted=include_lifted):
            state = f"lifted {rule.lifted_at} by {rule.lifted_by}" if not rule.active else "active"
            click.echo(
                f"{rule.id:>5}  {rule.kind:9s} {rule.describe()}  [{state}; {rule.reason}; "
                f"{rule.created_by} {rule.created_at}]"
            )


@redact_group.command("lift")
@click.argument("rule_id", type=int)
@db_option
@click.option("--reason", required=True, help="Why it may be shown now; it is logged.")
@account_option
def redact_lift(rule_id: int, db: str, reason: str, account: str) -> None:
    """Lift redaction RULE_ID (the register keeps it, marked lifted)."""
    with opened(db) as archive:
        try:
            rule = archive.lift(rule_id, reason=reason, account=account)
        except RegisterError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"lifted redaction {rule.id}: {rule.describe()}")


@redact_group.command("history")
@db_option
def redact_history(db: str) -> None:
    """Every change to the register, oldest first (one JSON object a line)."""
    with opened(db) as archive:
        for entry in archive.register_history(viewer=archive.viewer(LOCAL)):
            sys.stdout.write(json.dumps(entry, ensure_ascii=False) + "\n")


@redact_group.command("candidates")
@click.argument("query")
@db_option
@click.option(
    "--names",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of names to look for, one a line.",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option(
    "--ceiling",
    type=click.Choice(LEVELS, case_sensitive=False),
    default=None,
    help="Hold the finder to this editor's ceiling: nothing above it is read or shown.",
)
@click.option("--foreign", is_flag=True, help="For a foreign editor: no NOFORN text.")
def redact_candidates(
    query: str, db: str, names: Path | None, limit: int, ceiling: str | None, foreign: bool
) -> None:
    """Propose redactions in the cables matching QUERY (it never redacts by itself)."""
    from cabledesk.redact.candidates import find_candidates

    listed = [n.strip() for n in names.read_text().splitlines() if n.strip()] if names else []
    with opened(db) as archive:
        # An editor's viewer: redactions not burned in, the ceiling and NOFORN held.
        level = Level.of(ceiling) if ceiling else Level.TOP_SECRET
        editor = Principal(name=None, role="editor", ceiling=level, foreign=foreign)
        viewer = archive.viewer(editor)
        try:
            ids = list(islice(archive.matching_ids(query, viewer=viewer), limit))
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
        _print_entity_candidates(archive.entity_candidates(ids, viewer=viewer))
        found = []
        for reference_id in ids:
            cable = archive.get(reference_id, viewer=viewer)
            assert cable is not None
            found += find_candidates(cable, listed, viewer)
        # In more sensitive-looking paragraphs first (docs/sensitivity.md).
        for c, score in archive.rank_candidates(found, viewer=viewer):
            where = f" {c.position}" if c.position else ""
            reads = f", reads {score:.2f}" if score is not None else ""
            click.echo(f"{c.reference_id}{where}  {c.text!r}  ({c.why}{reads})\n    {c.context}")


def _print_entity_candidates(found: EntityProposals) -> None:
    """People near a source-protection marker, one entity each, with the command that
    redacts every spelling of it; the name-based proposals follow."""
    for c in found.candidates:
        shown = ", ".join(c.cable_ids[:10]) + (" ..." if len(c.cable_ids) > 10 else "")
        variants = ", ".join(repr(v) for v in c.variants) or "none"
        click.echo(
            f"entity {c.entity_id}  {c.name!r} ({c.kind}): named in {c.cables:,} "
            f"cable{'' if c.cables == 1 else 's'} ({shown}); variants: {variants}"
        )
        if c.too_short:
            left = ", ".join(repr(s) for s in c.too_short)
            click.echo(f"    too short to redact everywhere (mark them per cable): {left}")
        for s in c.sightings:
            where = f" {s.position}" if s.position else ""
            click.echo(f"    {s.reference_id}{where}  {s.surface!r} {s.closeness} {s.marker}")
            click.echo(f"        {s.passage}")
        click.echo(f"    redact it: cabledesk redact add --entity {c.entity_id} --reason REASON")
    if found.not_enriched:
        click.echo(
            f"{len(found.not_enriched):,} of {found.read:,} cables are not enriched: no "
            "entity proposals from them (`cabledesk enrich` extracts them); name proposals "
            "below.",
            err=True,
        )
    if found.already_redacted:
        click.echo(
            f"{found.already_redacted:,} more near a marker: every spelling already redacted.",
            err=True,
        )


@click.command("approve")
@click.argument("reference_ids", nargs=-1)
@db_option
@click.option("--query", help="Approve every cable matching this query instead.")
@click.option("--withdraw", is_flag=True, help="Take the cables out of the next edition.")
@click.option(
    "--list", "show", is_flag=True, help="List the approved cables (and which changed since)."
)
@account_option
def approve_command(
    reference_ids: tuple[str, ...],
    db: str,
    query: str | None,
    withdraw: bool,
    show: bool,
    account: str,
) -> None:
    """Approve cables for the next public edition (or --withdraw, or --list them)."""
    with opened(db) as archive:
        if show:
            for approval in archive.approved(viewer=archive.viewer(LOCAL)):
                waits = (
                    "  changed since approved: approve it again to publish the new text"
                    if approval.needs_approval
                    else ""
                )
                click.echo(approval.reference_id + waits)
            return
        ids = list(reference_ids)
        if query:
            try:
                # Ids only: approving reads no record and exports nothing.
                ids += list(archive.matching_ids(query, viewer=archive.viewer(LOCAL)))
            except QueryError as exc:
                raise click.UsageError(str(exc)) from None
        if not ids:
            raise click.UsageError("give reference ids or --query")
        try:
            if withdraw:
                click.echo(f"withdrew {archive.withdraw(ids, account=account):,} cables")
            else:
                click.echo(f"approved {archive.approve(ids, account=account):,} more cables")
        except RegisterError as exc:
            raise click.ClickException(str(exc)) from None


@click.command("publish")
@db_option
@click.option("--out", type=click.Path(path_type=Path), help="Folder (site) or file (data).")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["site", "jsonl", "csv"]),
    default="site",
    show_default=True,
)
@click.option("--diff", "previous", type=int, help="Show what changed since edition N.")
@click.option(
    "--page-size",
    type=click.IntRange(min=1),
    default=None,
    help="Rows of each list and browse page of a site (default 200).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Build the whole site again, even when the folder holds the previous edition.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Processes rendering pages beside the search index's (default: 1 on 2+ cores).",
)
@click.option(
    "--timings",
    is_flag=True,
    help="Tell on stderr where a site's build spent its time (CPU, wall, memory by phase).",
)
@click.option(
    "--warm/--no-warm",
    default=True,
    show_default=True,
    help="Once the edition is recorded, rebuild the desk's citation graphs and co-mention "
    "networks in a `cabledesk warm` started in the background (not waited for).",
)
@account_option
def publish_command(
    db: str,
    out: Path | None,
    format_: str,
    previous: int | None,
    page_size: int | None,
    full: bool,
    workers: int | None,
    timings: bool,
    warm: bool,
    account: str,
) -> None:
    """Build the public edition of the approved cables (redactions burned in)."""
    # The site's templates (jinja2) and the edition's index: only when publishing.
    from cabledesk.publish import build_site, diff_editions
    from cabledesk.publish.data import write_data
    from cabledesk.publish.site import PublishError

    with opened(db) as archive:
        try:
            if previous is not None:
                change = diff_editions(archive, previous)
                click.echo(f"edition {change.before} → {change.after}")
                for label, ids in (
                    ("added", change.added),
                    ("removed", change.removed),
                    ("changed text", change.changed),
                ):
                    click.echo(f"  {label}: {', '.join(ids) if ids else 'none'}")
                for entry in change.register:
                    click.echo(
                        f"  register v{entry['version']}: {entry['action']} {entry['kind']} "
                        f"{entry['text'] or ''} {entry['cable_id'] or ''} ({entry['reason']})"
                    )
                return
            if out is None:
                raise click.UsageError("--out is needed to build an edition")
            if format_ == "site":
                from cabledesk.cli.progress import for_terminal
                from cabledesk.publish.site import PAGE_SIZE

                report = build_site(
                    archive,
                    out,
                    account=account,
                    page_size=page_size or PAGE_SIZE,
                    progress=for_terminal("publish"),
                    full=full,
                    workers=workers,
                    timings=(lambda phase: click.echo(f"phase {phase.line()}", err=True))
                    if timings
                    else None,
                    warm=False,
                )
                how = (
                    f"incremental: {report.read:,} cables read, {report.rendered:,} pages "
                    f"written, the others kept; committed in place: {report.moved:,} files "
                    f"moved in, {report.deleted:,} deleted"
                    if report.incremental
                    else "full build"
                )
                if report.workers_cpu:
                    how += f"; workers: {report.workers_cpu:.1f} s CPU"
                click.echo(
                    f"edition {report.edition}: {report.cables:,} cables, {report.pages:,} "
                    f"pages, {report.terms:,} search terms in {report.out}/ ({how})"
                )
            else:
                count = write_data(archive, out, format_, account=account, warm=False)
                click.echo(f"wrote {count:,} cables to {out}")
        except (PublishError, RegisterError) as exc:
            raise click.ClickException(str(exc)) from None
    if warm and _warm_later(db):
        click.echo(
            "the desk's citation graphs and networks: `cabledesk warm` started in the background"
        )


def _warm_later(db: str) -> bool:
    """Start `cabledesk warm --db DB` detached, at a low CPU priority: a new edition
    makes the desk's graphs and networks stale, and this command answers without waiting
    for them (waiting took some 100 s at 50,000 cables). False when it cannot start."""
    script = 'nice -n 10 "$0" -m cabledesk warm --db "$1" </dev/null >/dev/null 2>&1 &'
    try:
        subprocess.run(
            ["sh", "-c", script, sys.executable, db],
            check=True,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return True
