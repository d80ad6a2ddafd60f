"""`cabledesk user`, `cabledesk token`, `cabledesk audit`: each command one Accounts/audit call.

Changes made here are audited with no account (the command line is the archive's owner).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

# Light modules (the options' choices); Accounts (argon2) and rich only where used.
from cabledesk.access import audit
from cabledesk.access.errors import AccessError
from cabledesk.access.principal import ACCOUNT_ROLES, CEILINGS
from cabledesk.cli.archive_commands import db_option, opened

if TYPE_CHECKING:
    from cabledesk.access import Accounts


@contextmanager
def accounts(db: str) -> Iterator[Accounts]:
    from cabledesk.access import Accounts

    with opened(db) as archive:
        try:
            yield Accounts(archive)
        except AccessError as exc:
            raise click.ClickException(str(exc)) from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        # One line; scripts pipe it in so it never shows in a process list or history.
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt="Password again"))


password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)
role_choice = click.Choice(ACCOUNT_ROLES)


@click.group("user")
def user_group() -> None:
    """Accounts: once one exists, the web desk needs signing in (docs/access.md)."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=role_choice, default="reader", show_default=True)
@click.option(
    "--ceiling",
    type=click.Choice(CEILINGS, case_sensitive=False),
    default=None,
    help="Highest classification the account may read (default: TOP SECRET for admin "
    "and editor, SECRET for reader).",
)
@click.option("--foreign", is_flag=True, help="Withhold NOFORN text from this account.")
@password_stdin
@db_option
def user_add(
    name: str, role: str, ceiling: str | None, foreign: bool, password_stdin: bool, db: str
) -> None:
    """Add an account NAME (the password is asked for twice, hidden)."""
    with accounts(db) as store:
        store.check_new_name(name)
        account = store.add(name, _password(password_stdin), role, ceiling, foreign)
    click.echo(f"added {account.name}: {account.role}, ceiling {account.ceiling}")


@user_group.command("list")
@db_option
def user_list(db: str) -> None:
    """Every account with its role, ceiling and state."""
    with accounts(db) as store:
        rows = store.list()
    from rich.table import Table

    from cabledesk.cli.render import console

    table = Table(title=f"{len(rows)} accounts")
    for column in ("name", "role", "ceiling", "foreign", "state", "created"):
        table.add_column(column)
    for a in rows:
        locked = f"locked until {a.locked_until}" if a.locked_until else "active"
        state = "disabled" if a.disabled else locked
        table.add_row(a.name, a.role, a.ceiling.label, "yes" if a.foreign else "", state, a.created)
    console.print(table)


@user_group.command("passwd")
@click.argument("name")
@password_stdin
@db_option
def user_passwd(name: str, password_stdin: bool, db: str) -> None:
    """Set a new password for NAME (ends its sessions, lifts a lockout)."""
    with accounts(db) as store:
        store.get(name)
        store.passwd(name, _password(password_stdin))
    click.echo(f"changed the password of {name}")


@user_group.command("disable")
@click.argument("name")
@db_option
def user_disable(name: str, db: str) -> None:
    """Stop NAME signing in; its sessions and tokens stop working at once."""
    with accounts(db) as store:
        store.disable(name)
    click.echo(f"disabled {name}")


@user_group.command("enable")
@click.argument("name")
@db_option
def user_enable(name: str, db: str) -> None:
    """Let NAME sign in again (also lifts a lockout)."""
    with accounts(db) as store:
        store.enable(name)
    click.echo(f"enabled {name}")


@click.group("token")
def token_group() -> None:
    """API tokens: `Authorization: Bearer TOKEN` on requests to the web desk."""


@token_group.command("create")
@click.argument("name")
@click.option("--account", "account", required=True, help="The account the token acts for.")
@click.option("--role", type=role_choice, default=None, help="Narrower than the account's.")
@db_option
def token_create(name: str, account: str, role: str | None, db: str) -> None:
    """Create a token NAME; it is printed this once (only its hash is kept)."""
    with accounts(db) as store:
        token, secret = store.create_token(name, account, role)
    click.echo(f"token {token.id} ({token.name}) for {token.account}, role {token.role}:", err=True)
    click.echo(secret)
    click.echo("keep it now: it cannot be shown again", err=True)


@token_group.command("list")
@db_option
def token_list(db: str) -> None:
    """Every token: id, name, account, role, created, revoked (never the secret)."""
    with accounts(db) as store:
        rows = store.tokens()
    from rich.table import Table

    from cabledesk.cli.render import console

    table = Table(title=f"{len(rows)} tokens")
    for column in ("id", "name", "account", "role", "created", "revoked"):
        table.add_column(column)
    for t in rows:
        table.add_row(str(t.id), t.name, t.account, t.role, t.created, t.revoked or "")
    console.print(table)


@token_group.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
@db_option
def token_revoke(token_id: int, db: str) -> None:
    """Revoke token ID at once."""
    with accounts(db) as store:
        store.revoke_token(token_id)
    click.echo(f"revoked token {token_id}")


@click.command("audit")
@click.option("--user", default=None, help="Only this account's events.")
@click.option("--since", default=None, help="From this day or time on (2026-11-01).")
@click.option("--kind", type=click.Choice(audit.KINDS), default=None)
@click.option("--limit", type=click.IntRange(1, None), default=None, help="Newest N only.")
@click.option("--output", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
@db_option
def audit_command(
    user: str | None, since: str | None, kind: str | None, limit: int | None, output: str, db: str
) -> None:
    """The audit log, newest first: sign-ins, views, searches, exports, account changes."""
    start = _since(since) if since else None
    with opened(db) as archive:
        events = audit.read(archive, user=user, kind=kind, since=start, limit=limit)
    if output == "jsonl":
        for e in events:
            row = {"id": e.id, "time": e.time, "account": e.account, "kind": e.kind,
                   "detail": e.detail, "client": e.client}  # fmt: skip
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    from cabledesk.cli.render import console

    table = Table(title=f"{len(events)} events")
    for column in ("time", "account", "kind", "detail", "client"):
        table.add_column(column, overflow="fold")
    for e in events:
        detail = json.dumps(e.detail, ensure_ascii=False)
        table.add_row(e.time, e.account or "(local)", e.kind, detail, e.client or "")
    console.print(table)


def _since(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"expected a date or time like 2026-11-01 or 2026-11-01T09:30; found {text!r}",
            param_hint="--since",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
