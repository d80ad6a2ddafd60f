"""`cabledesk`: the command-line entry point."""

from __future__ import annotations

import sqlite3
import sys

import click

from cabledesk import __version__
from cabledesk.cli.access_commands import audit_command, token_group, user_group
from cabledesk.cli.archive_commands import (
    check_command,
    export_command,
    ingest_command,
    reindex_command,
    search_command,
    show_command,
    stats_command,
)
from cabledesk.cli.bench_commands import bench_group
from cabledesk.cli.editorial_commands import approve_command, publish_command, redact_group
from cabledesk.cli.parse_command import parse_command
from cabledesk.cli.serve_command import serve_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cabledesk")
def cli() -> None:
    """Parse, archive, search and publish archives of US diplomatic cables."""


for command in (
    parse_command,
    ingest_command,
    search_command,
    show_command,
    stats_command,
    reindex_command,
    check_command,
    export_command,
    serve_command,
    redact_group,
    approve_command,
    publish_command,
    user_group,
    token_group,
    audit_command,
    bench_group,
):
    cli.add_command(command)


def main() -> None:
    from cabledesk.archive import ArchiveError

    try:
        cli()
    except ArchiveError as exc:
        # An index another process is writing, a damaged index, an archive that cannot
        # be opened: the message says what and what to do.
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except sqlite3.OperationalError as exc:
        # The database locked by another process past SQLite's wait, or a full disk.
        click.echo(f"Error: the archive's database: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        # A path the user named cannot be read or written, or the disk is full: one line
        # that says which and why, for every command. (Click handles a closed pipe itself.)
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
