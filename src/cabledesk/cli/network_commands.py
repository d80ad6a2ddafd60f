"""`cabledesk entity network ID` and `cabledesk network --query Q`: the co-mention
network (docs/network.md), each one Archive call, printed as a table or JSON or written
as GraphML, GEXF or a CSV edge list."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.cli.graph_commands import _principal, _reader_options

if TYPE_CHECKING:
    from cabledesk.archive.entity_network import Network

_FORMATS = ["table", "json", "graphml", "gexf", "csv"]
_FORMAT = click.option(
    "--format",
    "output",
    type=click.Choice(_FORMATS),
    default="table",
    show_default=True,
    help="table or json (printed), or graphml, gexf, csv (the edge list) for Gephi.",
)
_OUT = click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)


def _emit(network: Network, output: str, out: Path | None) -> None:
    from cabledesk.views.network_export import write_network
    from cabledesk.web.pages.network import network_json

    handle = sys.stdout if out is None else out.open("w", encoding="utf-8", newline="")
    try:
        if output == "json":
            handle.write(json.dumps(network_json(network), indent=2, ensure_ascii=False) + "\n")
        elif output == "table":
            names = {n.id: n.name for n in network.nodes}
            if network.query is not None:
                what = f"{network.counted:,} cables of {network.matching:,} matching"
                handle.write(what + (" (capped)" if network.capped else "") + "\n")
            handle.write(f"{'cables':>7}  {'jaccard':>7}  link\n")
            for k in network.links:
                handle.write(
                    f"{k.cables:>7,}  {k.jaccard:>7.3f}  {names[k.source]} [{k.source}]"
                    f" - {names[k.target]} [{k.target}]\n"
                )
        else:
            count, links = write_network(network, output, handle)
            click.echo(f"wrote {count:,} nodes and {links:,} links", err=True)
    finally:
        if out is not None:
            handle.close()


@click.command("network")
@click.argument("entity_id", type=int)
@db_option
@click.option("--limit", type=click.IntRange(1, 1000), default=30, show_default=True)
@_FORMAT
@_OUT
@_reader_options
def entity_network_command(
    entity_id: int,
    db: str,
    limit: int,
    output: str,
    out: Path | None,
    public: bool,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
) -> None:
    """An entity's co-mention network: the LIMIT entities named in most of its cables
    and the links among them, weighted by the cables that mention both."""
    with opened(db) as archive:
        viewer = archive.viewer(_principal(public, redact, ceiling, foreign))
        network = archive.entity_network(entity_id, viewer=viewer, limit=limit)
        if network is None:
            raise click.ClickException(f"entity {entity_id}: no such entity")
        _emit(network, output, out)


@click.command("network")
@db_option
@click.option("--query", "query", required=True, metavar="Q", help="The cables to count over.")
@click.option("--nodes", type=click.IntRange(1, 1000), default=30, show_default=True)
@click.option(
    "--cables",
    type=click.IntRange(1, 10_000_000),
    default=5_000,
    show_default=True,
    help="Count over at most this many of the matching cables (the best matching).",
)
@_FORMAT
@_OUT
@_reader_options
def network_command(
    db: str,
    query: str,
    nodes: int,
    cables: int,
    output: str,
    out: Path | None,
    public: bool,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
) -> None:
    """The co-mention network of the cables matching a query: the NODES entities named
    in most of them and the links among them, weighted by those cables naming both."""
    from cabledesk.query import QueryError

    with opened(db) as archive:
        viewer = archive.viewer(_principal(public, redact, ceiling, foreign))
        try:
            network = archive.query_network(query, viewer=viewer, nodes=nodes, cables=cables)
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
        _emit(network, output, out)
