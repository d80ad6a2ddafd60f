"""`cabledesk collection ...` and `cabledesk note ...`: the workspace from the command line
(docs/workspace.md). Each command is one facade call.

The command line acts as the archive's owner (the local desk) unless `--account NAME`
says to act as that account: its role, ceiling and foreign flag then decide what is shown
and allowed, exactly as on the desk (whoever can open the archive folder owns it anyway).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from cabledesk.access.principal import LOCAL, Principal
from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.facade import Archive
from cabledesk.query import QueryError
from cabledesk.views.entity_export import FORMATS, write_rows_binary
from cabledesk.workspace.collections import WorkspaceError

F = TypeVar("F", bound=Callable[..., Any])


def account_option(function: F) -> F:
    return click.option(
        "--account",
        default=None,
        help="Act as this account (its ceiling and role); default: the archive's owner.",
    )(function)


@contextmanager
def acting(db: str, account: str | None) -> Iterator[tuple[Archive, Principal]]:
    with opened(db) as archive:
        principal = LOCAL
        if account is not None:
            from cabledesk.access import Accounts

            found = Accounts(archive).principal(account)
            if found is None:
                raise click.ClickException(f"{account}: no such enabled account")
            principal = found
        try:
            yield archive, principal
        except (WorkspaceError, QueryError) as exc:
            raise click.ClickException(str(exc)) from None


def _emit(value: Any, as_json: bool, text: Callable[[], None]) -> None:
    if as_json:
        click.echo(json.dumps(value, ensure_ascii=False, indent=2))
    else:
        text()


output_option = click.option(
    "--output", type=click.Choice(["text", "json"]), default="text", show_default=True
)


@click.group("collection")
def collection_group() -> None:
    """Collections of cables: make, fill, share, export, publish (docs/workspace.md)."""


@collection_group.command("create")
@click.argument("title")
@click.option("--description", default="", help="What the collection is about.")
@db_option
@account_option
def create_command(title: str, description: str, db: str, account: str | None) -> None:
    """Make a collection (private until shared); prints its number."""
    with acting(db, account) as (archive, principal):
        click.echo(archive.create_collection(title, description, principal=principal))


@collection_group.command("add")
@click.argument("collection_id", type=int)
@click.argument("reference_ids", nargs=-1)
@click.option("--query", "-q", default=None, help="Add every cable matching this query.")
@db_option
@account_option
def add_command(
    collection_id: int,
    reference_ids: tuple[str, ...],
    query: str | None,
    db: str,
    account: str | None,
) -> None:
    """Add cables by reference id, or every match of --query."""
    with acting(db, account) as (archive, principal):
        if query is not None:
            added = archive.add_matches_to_collection(collection_id, query, principal=principal)
        else:
            added = archive.add_to_collection(
                collection_id, list(reference_ids), principal=principal
            )
        click.echo(f"added {added} cable{'' if added == 1 else 's'}")


@collection_group.command("remove")
@click.argument("collection_id", type=int)
@click.argument("reference_id")
@db_option
@account_option
def remove_command(collection_id: int, reference_id: str, db: str, account: str | None) -> None:
    """Take a cable out of a collection."""
    with acting(db, account) as (archive, principal):
        gone = archive.remove_from_collection(collection_id, reference_id, principal=principal)
        click.echo("removed" if gone else f"{reference_id} was not in it")


@collection_group.command("move")
@click.argument("collection_id", type=int)
@click.argument("reference_id")
@click.argument("position", type=int)
@db_option
@account_option
def move_command(
    collection_id: int, reference_id: str, position: int, db: str, account: str | None
) -> None:
    """Put a cable at POSITION (1: first)."""
    with acting(db, account) as (archive, principal):
        archive.move_in_collection(
            collection_id, reference_id, max(position - 1, 0), principal=principal
        )


@collection_group.command("list")
@db_option
@account_option
@output_option
def list_command(db: str, account: str | None, output: str) -> None:
    """The collections owned by (or shared with) the one acting."""
    from cabledesk.web.workspace_api import collection_json

    with acting(db, account) as (archive, principal):
        found = archive.collections(principal=principal)

    def text() -> None:
        for c in found:
            owner = c.owner or "owner"
            click.echo(f"{c.id}\t{c.cables} cables\t{c.access}\t{owner}\t{c.title}")

    _emit([collection_json(c) for c in found], output == "json", text)


@collection_group.command("show")
@click.argument("collection_id", type=int)
@db_option
@account_option
@output_option
def show_command(collection_id: int, db: str, account: str | None, output: str) -> None:
    """A collection's cables in order, with the notes on them."""
    from cabledesk.web.workspace_api import shelf_json

    with acting(db, account) as (archive, principal):
        shelf = archive.collection(collection_id, principal=principal)

    def text() -> None:
        c = shelf.collection
        click.echo(f"{c.title} ({c.cables} cables; {c.access})")
        if c.description:
            click.echo(c.description)
        for number, entry in enumerate(shelf.entries, start=1):
            if entry.cable is None:
                click.echo(f"{number:>4}. {entry.reference_id}  [withheld]")
                continue
            cable = entry.cable
            click.echo(f"{number:>4}. {entry.reference_id}  {cable.subject or ''}")
            for n in entry.notes:
                click.echo(f"        [{n.paragraph or 'cable'}] {n.text}")

    _emit(shelf_json(shelf), output == "json", text)


@collection_group.command("share")
@click.argument("collection_id", type=int)
@click.argument("name")
@click.option(
    "--access", type=click.Choice(["view", "edit", "none"]), default="view", show_default=True
)
@db_option
@account_option
def share_command(collection_id: int, name: str, access: str, db: str, account: str | None) -> None:
    """Share with an account (view or edit), or stop sharing (none)."""
    with acting(db, account) as (archive, principal):
        archive.share_collection(
            collection_id, name, None if access == "none" else access, principal=principal
        )


@collection_group.command("publish")
@click.argument("collection_id", type=int)
@click.option("--withdraw", is_flag=True, help="Leave it out of the next edition.")
@db_option
@account_option
def publish_command(collection_id: int, withdraw: bool, db: str, account: str | None) -> None:
    """Mark a collection for the public edition (its page comes with the next edition
    built: cabledesk publish)."""
    with acting(db, account) as (archive, principal):
        archive.publish_collection(collection_id, not withdraw, principal=principal)


@collection_group.command("delete")
@click.argument("collection_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask first.")
@db_option
@account_option
def delete_command(collection_id: int, yes: bool, db: str, account: str | None) -> None:
    """Delete a collection (its owner only): its cable list and shares go with it (the
    cables stay in the archive); notes shared with it become private notes of their
    authors; a published one is left out of the next edition built."""
    with acting(db, account) as (archive, principal):
        shelf = archive.collection(collection_id, principal=principal)
        c = shelf.collection
        if not yes:
            click.confirm(
                f"Delete collection {c.id} “{c.title}” ({c.cables} cables)?", abort=True, err=True
            )
        gone = archive.delete_collection(collection_id, principal=principal)
    said = f"deleted collection {gone.id} ({gone.cables} cables, {gone.shares} shares)"
    if gone.notes_kept_private:
        said += f"; {gone.notes_kept_private} shared notes kept as private notes of their authors"
    if gone.was_published:
        said += "; the next edition built leaves its page out"
    click.echo(said)


@collection_group.command("export")
@click.argument("collection_id", type=int)
@click.option("--format", "format_", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--text", is_flag=True, help="Add each cable's text.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Default: stdout.")
@click.option("--base", default="", help="What each link starts with (a desk's address).")
@db_option
@account_option
def export_command(
    collection_id: int,
    format_: str,
    text: bool,
    out: str | None,
    base: str,
    db: str,
    account: str | None,
) -> None:
    """The collection's cables in order, with their notes (CSV, JSON Lines, Parquet)."""
    from cabledesk.web.workspace_api import export_columns, export_rows

    with acting(db, account) as (archive, principal):
        shelf = archive.collection(collection_id, principal=principal)
    columns = export_columns(text)
    rows = (
        {name: row.get(name) for name in columns}
        for row in export_rows(shelf, base + "/cable/", text)
    )
    if out is None:
        if format_ == "parquet":
            raise click.UsageError("Parquet needs --out FILE")
        write_rows_binary(rows, columns, format_, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    with open(out, "wb") as handle:
        count = write_rows_binary(rows, columns, format_, handle)
    click.echo(f"wrote {count} rows to {out}", err=True)


@click.group("note")
def note_group() -> None:
    """Notes on cables and paragraphs (docs/workspace.md)."""


@note_group.command("add")
@click.argument("reference_id")
@click.argument("text")
@click.option("--paragraph", default=None, help="The paragraph's anchor: p3, p5-2, u1.")
@click.option("--collection", "collection_id", type=int, default=None, help="Share with it.")
@db_option
@account_option
def note_add_command(
    reference_id: str,
    text: str,
    paragraph: str | None,
    collection_id: int | None,
    db: str,
    account: str | None,
) -> None:
    """Write a note; prints its number."""
    with acting(db, account) as (archive, principal):
        click.echo(
            archive.add_note(
                reference_id,
                text,
                principal=principal,
                paragraph=paragraph,
                collection_id=collection_id,
            )
        )


@note_group.command("edit")
@click.argument("note_id", type=int)
@click.argument("text")
@db_option
@account_option
def note_edit_command(note_id: int, text: str, db: str, account: str | None) -> None:
    """Replace a note's text (its author only)."""
    with acting(db, account) as (archive, principal):
        archive.edit_note(note_id, text, principal=principal)
    click.echo(f"changed note {note_id}")


@note_group.command("delete")
@click.argument("note_id", type=int)
@db_option
@account_option
def note_delete_command(note_id: int, db: str, account: str | None) -> None:
    """Delete a note (its author only)."""
    with acting(db, account) as (archive, principal):
        archive.delete_note(note_id, principal=principal)
    click.echo(f"deleted note {note_id}")


@note_group.command("list")
@click.argument("reference_id", required=False)
@db_option
@account_option
@output_option
def note_list_command(reference_id: str | None, db: str, account: str | None, output: str) -> None:
    """The notes the one acting may read (on one cable, or all)."""
    from cabledesk.web.workspace_api import note_json

    with acting(db, account) as (archive, principal):
        found = (
            archive.notes(reference_id, principal=principal)
            if reference_id
            else archive.all_notes(principal=principal)
        )

    def text() -> None:
        for n in found:
            where = f"{n.reference_id}#{n.paragraph}" if n.paragraph else n.reference_id
            shared = f"collection {n.collection_id}" if n.collection_id else "private"
            click.echo(f"{n.id}\t{where}\t{shared}\t{n.text}")

    _emit([note_json(n) for n in found], output == "json", text)
