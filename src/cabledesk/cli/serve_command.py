"""`cabledesk serve`: the web desk over an archive."""

from __future__ import annotations

import ipaddress

import click

from cabledesk.archive import ArchiveError
from cabledesk.cli.archive_commands import db_option


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _exposure(db: str) -> str:
    from cabledesk.access import Accounts
    from cabledesk.archive import Archive

    with Archive.open(db, create=False) as archive:
        if not Accounts(archive).exist():
            return (
                "anyone who can reach this address can read the whole archive; "
                "add accounts (cabledesk user add NAME --role admin) to require signing in"
            )
    return (
        "passwords and session cookies cross the network in clear unless a TLS proxy "
        "(https) stands in front of the desk"
    )


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
def serve_command(db: str, host: str, port: int) -> None:
    """Serve the web desk (search, timeline, cables, browse, /api) over the archive."""
    import uvicorn

    from cabledesk.web import create_app

    try:
        app = create_app(db)
    except ArchiveError as exc:
        raise click.ClickException(
            f"{exc}\n  build one first: cabledesk ingest PATH... --db {db}"
        ) from None
    if not _is_loopback(host):
        click.echo(f"warning: listening on {host}: {_exposure(db)}", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"cabledesk web desk on http://{shown}:{port}/  (archive: {db}; Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
