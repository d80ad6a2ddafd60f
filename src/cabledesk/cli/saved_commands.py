"""Saved searches, alerts and batch search on the command line (docs/workspace.md):
`cabledesk saved add|list|remove`, `cabledesk alerts` (a daily cron job) and
`cabledesk batch-search FILE`.

The command line owns the archive folder (docs/access.md): it keeps the local desk's
saved searches (the owner of an archive without accounts) and may act for any account
with `--account NAME`, seeing what that account may see (its ceiling, NOFORN, the
redactions burned in), never more.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cabledesk.access.principal import LOCAL, Principal
from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.facade import Archive
from cabledesk.query import SORTS, QueryError
from cabledesk.workspace import batch
from cabledesk.workspace.saved_searches import LOCAL_OWNER, News, SavedSearchError

account_option = click.option(
    "--account",
    default=None,
    help="Act for this account (its view of the archive); default: the local desk.",
)


def _principal(archive: Archive, account: str | None) -> Principal:
    # Imported here: Accounts brings password hashing, which `cabledesk --help` must not
    # load (tests/test_startup.py).
    from cabledesk.access import Accounts

    if account is None or account == LOCAL_OWNER:
        return LOCAL
    found = Accounts(archive).principal(account)
    if found is None:
        raise click.ClickException(
            f"{account}: no enabled account of that name (cabledesk user list shows them)"
        )
    return found


@click.group("saved")
def saved_group() -> None:
    """Saved searches: a query (with its filters) and a sort under a name."""


@saved_group.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--sort", type=click.Choice(SORTS), default="rank", show_default=True)
@account_option
@db_option
def saved_add(name: str, query: str, sort: str, account: str | None, db: str) -> None:
    """Save QUERY under NAME (saving under a name in use replaces that search); its news
    starts now."""
    with opened(db) as archive:
        try:
            found = archive.save_search(_principal(archive, account), name, query, sort)
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"saved {found.id}: {found.name}")


@saved_group.command("list")
@account_option
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def saved_list(account: str | None, output: str, db: str) -> None:
    """The saved searches, each with its matches new since the desk's last visit."""
    with opened(db) as archive:
        found = archive.saved_searches(_principal(archive, account))
    if output == "json":
        data = [_news_json(news, with_cables=None) for news in found]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    for news in found:
        state = f"error: {news.error}" if news.error else f"{news.count:,} new"
        click.echo(f"{news.search.id:>4}  {news.search.name}  [{news.search.query}]  {state}")


@saved_group.command("edit")
@click.argument("search_id", type=int)
@click.option("--name", default=None, help="A new name.")
@click.option("--query", default=None, help="A new query (its news starts again now).")
@click.option("--sort", type=click.Choice(SORTS), default=None, help="A new sort.")
@account_option
@db_option
def saved_edit(
    search_id: int,
    name: str | None,
    query: str | None,
    sort: str | None,
    account: str | None,
    db: str,
) -> None:
    """Rename a saved search or change its query or sort (what is not given is kept)."""
    if name is None and query is None and sort is None:
        raise click.UsageError("give --name, --query or --sort")
    with opened(db) as archive:
        try:
            found = archive.change_saved_search(
                _principal(archive, account), search_id, name=name, query=query, sort=sort
            )
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
        except SavedSearchError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"changed {found.id}: {found.name} [{found.query}] sorted by {found.sort}")


def _remove(search_id: int, account: str | None, db: str) -> None:
    with opened(db) as archive:
        try:
            archive.delete_saved_search(_principal(archive, account), search_id)
        except SavedSearchError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"removed {search_id}")


@saved_group.command("remove")
@click.argument("search_id", type=int)
@account_option
@db_option
def saved_remove(search_id: int, account: str | None, db: str) -> None:
    """Delete a saved search."""
    _remove(search_id, account, db)


@saved_group.command("delete")
@click.argument("search_id", type=int)
@account_option
@db_option
def saved_delete(search_id: int, account: str | None, db: str) -> None:
    """Delete a saved search (the same as `saved remove`)."""
    _remove(search_id, account, db)


def _news_json(news: News, with_cables: list[dict[str, object]] | None) -> dict[str, object]:
    found: dict[str, object] = {
        "id": news.search.id,
        "name": news.search.name,
        "query": news.search.query,
        "sort": news.search.sort,
        "new": news.count,
        "ids": news.ids,
        "error": news.error,
    }
    if with_cables is not None:
        found["cables"] = with_cables
    return found


@click.command("alerts")
@account_option
@click.option("--all", "everyone", is_flag=True, help="Every owner's saved searches.")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--peek", is_flag=True, help="List the news without marking it seen.")
@db_option
def alerts_command(account: str | None, everyone: bool, output: str, peek: bool, db: str) -> None:
    """For each saved search, the cables ingested since the last run that it matches (in
    its owner's view), then marked seen unless --peek: for a daily cron job. A disabled
    account's searches are skipped."""
    if everyone and account is not None:
        raise click.UsageError("--all or --account, not both")
    from cabledesk.access import Accounts

    report: list[dict[str, object]] = []
    with opened(db) as archive:
        owners = archive.saved_search_owners() if everyone else [account or LOCAL_OWNER]
        accounts = Accounts(archive)
        for owner in owners:
            principal = LOCAL if owner == LOCAL_OWNER else accounts.principal(owner)
            if principal is None:
                if not everyone:
                    _principal(archive, owner)  # the message
                report.append({"account": owner, "skipped": "the account is disabled"})
                continue
            viewer = archive.viewer(principal)
            searches: list[dict[str, object]] = []
            for news in archive.alerts(principal, mark=not peek):
                cables: list[dict[str, object]] = []
                for reference_id in news.ids:
                    cable = archive.get(reference_id, viewer=viewer)
                    if cable is not None:
                        date = cable.header.sent or cable.created
                        cables.append(
                            {
                                "reference_id": reference_id,
                                "date": date[:10] if date else None,
                                "subject": cable.subject,
                            }
                        )
                searches.append(_news_json(news, cables))
            report.append({"account": owner or None, "searches": searches})
    if output == "json":
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    for entry in report:
        who = entry["account"] or "the local desk"
        if "skipped" in entry:
            click.echo(f"{who}: skipped ({entry['skipped']})")
            continue
        listed = entry["searches"]
        assert isinstance(listed, list)
        for search in listed:
            assert isinstance(search, dict)
            if search["error"]:
                click.echo(f"{who} · {search['name']}: cannot run: {search['error']}")
                continue
            count = search["new"]
            click.echo(
                f"{who} · {search['name']} [{search['query']}]: "
                f"{count:,} new cable{'' if count == 1 else 's'}"
            )
            shown = search["cables"]
            assert isinstance(shown, list)
            for cable in shown:
                assert isinstance(cable, dict)
                click.echo(
                    f"  {cable['reference_id']}  {cable['date'] or 'undated'}  "
                    f"{cable['subject'] or '(no subject)'}"
                )


@click.command("batch-search")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--column",
    default=None,
    help="Read this CSV column (its header's name, or a number from 1) instead of lines.",
)
@click.option("--names", is_flag=True, help="Each line is a name, searched as a phrase.")
@click.option(
    "--max-ids",
    type=click.IntRange(0, None),
    default=batch.MAX_IDS,
    show_default=True,
    help="Matching ids listed per query (0: every one); the count is always whole.",
)
@click.option("--output", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@account_option
@db_option
def batch_search_command(
    path: str,
    column: str | None,
    names: bool,
    max_ids: int,
    output: str,
    account: str | None,
    db: str,
) -> None:
    """Run every query of PATH (one per line, or a CSV column; `-`: standard input) and
    write a table: line, query, count, the matching ids (newest first), and an error for
    a line that cannot be searched (the others go on)."""
    if path == "-":
        text = sys.stdin.read()
    else:
        text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    try:
        lines = batch.read_lines(text, column=column, names=names)
    except batch.BatchError as exc:
        raise click.ClickException(str(exc)) from None
    with opened(db) as archive:
        viewer = archive.viewer(_principal(archive, account))
        rows = archive.batch_search(lines, viewer=viewer, max_ids=max_ids or None)
    if output == "json":
        sys.stdout.write(batch.to_json(rows) + "\n")
    else:
        batch.write_csv(rows, sys.stdout)
    for row in rows:
        if row.error:
            click.echo(f"line {row.line}: {row.error}", err=True)


__all__ = ["SavedSearchError", "alerts_command", "batch_search_command", "saved_group"]
