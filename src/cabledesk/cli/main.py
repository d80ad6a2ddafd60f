"""`cabledesk`: the command-line entry point."""

from __future__ import annotations

import importlib
import sys

import click

from cabledesk import __version__
from cabledesk.errors import Error

# Each command and where it is defined. A command's module is imported when the command
# runs (or its help is shown), never before: `cabledesk parse` loads the parser and not
# the archive, the web desk or password hashing (docs/performance.md, startup).
COMMANDS = {
    "parse": ("cabledesk.cli.parse_command", "parse_command"),
    "audit-parse": ("cabledesk.cli.audit_command", "audit_parse_command"),
    "ingest": ("cabledesk.cli.archive_commands", "ingest_command"),
    "search": ("cabledesk.cli.archive_commands", "search_command"),
    "show": ("cabledesk.cli.archive_commands", "show_command"),
    "stats": ("cabledesk.cli.archive_commands", "stats_command"),
    "map": ("cabledesk.cli.map_command", "map_command"),
    "reindex": ("cabledesk.cli.archive_commands", "reindex_command"),
    "check": ("cabledesk.cli.archive_commands", "check_command"),
    "export": ("cabledesk.cli.archive_commands", "export_command"),
    "serve": ("cabledesk.cli.serve_command", "serve_command"),
    "redact": ("cabledesk.cli.editorial_commands", "redact_group"),
    "approve": ("cabledesk.cli.editorial_commands", "approve_command"),
    "publish": ("cabledesk.cli.editorial_commands", "publish_command"),
    "user": ("cabledesk.cli.access_commands", "user_group"),
    "token": ("cabledesk.cli.access_commands", "token_group"),
    "audit": ("cabledesk.cli.access_commands", "audit_command"),
    "bench": ("cabledesk.cli.bench_commands", "bench_group"),
    "enrich": ("cabledesk.cli.entity_commands", "enrich_command"),
    "warm": ("cabledesk.cli.entity_commands", "warm_command"),
    "entities": ("cabledesk.cli.entity_commands", "entities_command"),
    "entity": ("cabledesk.cli.entity_commands", "entity_group"),
    "mentions": ("cabledesk.cli.entity_commands", "mentions_command"),
    "graph": ("cabledesk.cli.graph_commands", "graph_group"),
    "copies": ("cabledesk.cli.copies_command", "copies_command"),
    "coverage": ("cabledesk.cli.coverage_command", "coverage_command"),
    "similar": ("cabledesk.cli.similar_command", "similar_command"),
    "network": ("cabledesk.cli.network_commands", "network_command"),
    "model": ("cabledesk.cli.model_commands", "model_group"),
    "collection": ("cabledesk.cli.workspace_commands", "collection_group"),
    "note": ("cabledesk.cli.workspace_commands", "note_group"),
    "saved": ("cabledesk.cli.saved_commands", "saved_group"),
    "alerts": ("cabledesk.cli.saved_commands", "alerts_command"),
    "batch-search": ("cabledesk.cli.saved_commands", "batch_search_command"),
}


class LazyGroup(click.Group):
    """A group whose commands are imported by name, on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, name = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), name)
            assert isinstance(command, click.Command) and command.name == cmd_name
            self.add_command(command)
        return self.commands.get(cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cabledesk")
def cli() -> None:
    """Parse, archive, search and publish archives of US diplomatic cables."""


def main() -> None:
    try:
        cli()
    except _archive_error() as exc:
        # An index another process is writing, a damaged index, an archive that cannot
        # be opened: the message says what and what to do.
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except Error as exc:
        # A redaction that cannot be marked, a publish that cannot be written, an access
        # change refused...: every cabledesk.Error is one line.
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except _sqlite_error() as exc:
        # The database locked by another process past SQLite's wait, or a full disk.
        click.echo(f"Error: the archive's database: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        # A path the user named cannot be read or written, or the disk is full: one line
        # that says which and why, for every command. (Click handles a closed pipe itself.)
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)


# The errors main() reports in one line, looked up without importing their modules: an
# exception of a module that was never imported cannot have been raised.
class _NeverRaised(Exception):
    pass


def _loaded(module: str, name: str) -> type[BaseException]:
    found = sys.modules.get(module)
    error = getattr(found, name, None) if found is not None else None
    return error if isinstance(error, type) and issubclass(error, BaseException) else _NeverRaised


def _archive_error() -> type[BaseException]:
    return _loaded("cabledesk.archive.errors", "ArchiveError")


def _sqlite_error() -> type[BaseException]:
    return _loaded("sqlite3", "OperationalError")
