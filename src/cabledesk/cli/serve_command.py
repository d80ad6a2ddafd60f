"""`cabledesk serve`: the web desk over an archive."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cabledesk.archive import ArchiveError
from cabledesk.cli.archive_commands import db_option

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _exposure(db: str) -> str:
    from cabledesk.access import Accounts
    from cabledesk.facade import Archive

    with Archive.open(db, create=False) as archive:
        if not Accounts(archive).exist():
            return (
                "anyone who can reach this address can read the whole archive; "
                "add accounts (cabledesk user add NAME --role admin) to require signing in"
            )
    return (
        "passwords and session cookies cross the network in clear unless a TLS proxy "
        "(https) stands in front of the desk; name it with --trusted-proxy so that the "
        "audit log records the clients' addresses and cookies are marked Secure"
    )


def _trusted_proxies(
    context: click.Context, parameter: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Each an IP address or network, written the way uvicorn compares them."""
    found = []
    for value in values:
        try:
            if "/" in value:
                found.append(str(ipaddress.ip_network(value.strip(), strict=False)))
            else:
                found.append(str(ipaddress.ip_address(value.strip())))
        except ValueError:
            raise click.BadParameter(
                f"expected the IP address or network of a proxy in front of the desk "
                f"(10.0.0.5, 10.0.0.0/8, ::1); found {value!r}"
            ) from None
    return tuple(found)


def server_config(
    app: ASGIApp, host: str, port: int, trusted_proxies: tuple[str, ...] = ()
) -> uvicorn.Config:
    """uvicorn's settings for the desk. X-Forwarded-For (the client address in the audit
    log) and X-Forwarded-Proto (whether the session cookie is Secure) are believed only
    from `trusted_proxies`; with none, not at all: the address is the socket's peer.
    (uvicorn's own default believes them from 127.0.0.1, so any local user, or anything
    relaying from this machine, could write any address into the audit log.)"""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=bool(trusted_proxies),
        # Always given, so that uvicorn's FORWARDED_ALLOW_IPS variable is never read.
        forwarded_allow_ips=list(trusted_proxies),
    )


def _listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listening = socket.socket(family, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host, port))
        listening.listen(2048)
    except OSError as exc:
        listening.close()
        reason = exc.strerror or str(exc)
        raise click.ClickException(
            f"{host}:{port}: cannot listen there ({reason}); another server may be using "
            "that port: choose another with --port"
        ) from None
    return listening


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    callback=_trusted_proxies,
    envvar="CABLEDESK_TRUSTED_PROXY",
    metavar="ADDRESS",
    help="A reverse proxy (IP address or network) whose X-Forwarded-For and "
    "X-Forwarded-Proto headers are believed; repeat for more. Default: none, and the "
    "client address is the connection's. Also CABLEDESK_TRUSTED_PROXY (space-separated).",
)
def serve_command(db: str, host: str, port: int, trusted_proxies: tuple[str, ...]) -> None:
    """Serve the web desk (search, timeline, cables, browse, /api) over the archive."""
    import uvicorn

    from cabledesk.web import create_app

    try:
        app = create_app(db)
    except ArchiveError as exc:
        missing = not (Path(db) / "archive.db").exists()
        hint = f"\n  build one first: cabledesk ingest PATH... --db {db}" if missing else ""
        raise click.ClickException(f"{exc}{hint}") from None
    # The socket first: a port in use is one line, before any banner says the desk is up.
    listening = _listen(host, port)
    port = int(listening.getsockname()[1])
    if not _is_loopback(host):
        click.echo(f"warning: listening on {host}: {_exposure(db)}", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"cabledesk web desk on http://{shown}:{port}/  (archive: {db}; Ctrl-C stops)")
    server = uvicorn.Server(server_config(app, host, port, trusted_proxies))
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[listening])
    if not server.started:
        # uvicorn has said why (the port is taken, say); exit non-zero as uvicorn.run did.
        raise SystemExit(3)
