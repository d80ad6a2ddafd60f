"""`cabledesk graph`: the citation graph (docs/graph.md), each subcommand one Archive call:
stats, cable, thread, most-cited, export."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cabledesk.access.principal import LOCAL, PUBLIC, Principal
from cabledesk.cli.archive_commands import db_option, opened
from cabledesk.record.level import LEVELS, Level

if TYPE_CHECKING:
    from cabledesk.archive.graph import Node


def _reader_options(command: Callable[..., None]) -> Callable[..., None]:
    """--public, --redact, --ceiling, --foreign: answer as that reader would be answered."""
    command = click.option(
        "--foreign", is_flag=True, help="Without NOFORN parts (implies --redact)."
    )(command)
    command = click.option(
        "--ceiling",
        type=click.Choice(LEVELS, case_sensitive=False),
        default=None,
        help="Count only references up to this level (implies --redact).",
    )(command)
    command = click.option(
        "--redact", is_flag=True, help="As a reader, with the redactions in force."
    )(command)
    return click.option("--public", is_flag=True, help="As the public: the latest edition only.")(
        command
    )


def _principal(public: bool, redact: bool, ceiling: str | None, foreign: bool) -> Principal:
    if public:
        if redact or ceiling or foreign:
            raise click.UsageError("--public with --redact, --ceiling or --foreign")
        return PUBLIC
    if not (redact or ceiling or foreign):
        return LOCAL
    level = Level.of(ceiling) if ceiling else Level.TOP_SECRET
    return Principal(name=None, role="reader", ceiling=level, foreign=foreign)


def _json_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)


def _node_line(node: Node) -> str:
    if node.archived:
        where = f"{node.date or 'no date'}, {node.origin or 'no origin'}"
    else:
        where = (
            f"not in this archive, estimated {node.estimated_date or 'unknown'} ({node.estimate})"
        )
    return f"{node.id}  [{where}]"


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@click.group("graph")
def graph_group() -> None:
    """The citation graph: metrics, threads, the most cited, exports (docs/graph.md)."""


@graph_group.command("stats")
@db_option
@_reader_options
def stats_command(db: str, public: bool, redact: bool, ceiling: str | None, foreign: bool) -> None:
    """The size of the graph, its components and how good the estimated dates are."""
    with opened(db) as archive:
        viewer = archive.viewer(_principal(public, redact, ceiling, foreign))
        _echo_json(archive.graph_stats(viewer=viewer))


@graph_group.command("cable")
@click.argument("reference_id")
@db_option
@_reader_options
@_json_option
def cable_command(
    reference_id: str,
    db: str,
    public: bool,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
    as_json: bool,
) -> None:
    """One node: in- and out-degree, PageRank, component, what it cites, what cites it."""
    with opened(db) as archive:
        viewer = archive.viewer(_principal(public, redact, ceiling, foreign))
        found = archive.graph_cable(reference_id, viewer=viewer)
    if found is None:
        raise click.ClickException(f"{reference_id}: neither a cable here nor cited by one")
    if as_json:
        _echo_json(asdict(found))
        return
    node = found.node
    click.echo(_node_line(node))
    click.echo(
        f"cited by {node.in_degree}, cites {node.out_degree}, PageRank {node.pagerank:.3g}, "
        f"component {node.component} ({node.component_size} nodes)"
    )
    for title, nodes in (("cites", found.cites), ("cited by", found.cited_by)):
        click.echo(f"{title}:")
        for other in nodes:
            click.echo(f"  {_node_line(other)}")


@graph_group.command("thread")
@click.argument("reference_id")
@db_option
@click.option("--hops", type=click.IntRange(1, 10), default=3, show_default=True)
@click.option("--days", type=click.IntRange(0, 36600), default=183, show_default=True)
@_reader_options
@_json_option
def thread_command(
    reference_id: str,
    db: str,
    hops: int,
    days: int,
    public: bool,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
    as_json: bool,
) -> None:
    """The cables around one that cite each other, in date order (docs/graph.md)."""
    with opened(db) as archive:
        viewer = archive.viewer(_principal(public, redact, ceiling, foreign))
        entries = archive.graph_thread(reference_id, viewer=viewer, hops=hops, days=days)
    if entries is None:
        raise click.ClickException(f"{reference_id}: not a cable of this archive")
    if as_json:
        _echo_json([asdict(e) for e in entries])
        return
    for entry in entries:
        links = ""
        if entry.cites:
            links += " cites " + ", ".join(entry.cites)
        if entry.cited_by:
            links += " cited by " + ", ".join(entry.cited_by)
        click.echo(f"{entry.distance}  {_node_line(entry.node)}{links}")


@graph_group.command("most-cited")
@db_option
@click.option("--query", default=None, metavar="Q", help="Count only the citations of Q's cables.")
@click.option(
    "--archived",
    type=click.Choice(["all", "yes", "no"]),
    default="all",
    show_default=True,
    help="yes: cables of this archive only; no: cited cables it does not hold.",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=30, show_default=True)
@click.option("--offset", type=click.IntRange(0, None), default=0)
@_reader_options
@_json_option
def most_cited_command(
    db: str,
    query: str | None,
    archived: str,
    limit: int,
    offset: int,
    public: bool,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
    as_json: bool,
) -> None:
    """The most cited cables, in this archive and missing from it."""
    from cabledesk.query import QueryError

    with opened(db) as archive:
        viewer = archive.viewer(_principal(public, redact, ceiling, foreign))
        try:
            rows = archive.graph_most_cited(
                viewer=viewer,
                query=query,
                archived={"all": None, "yes": True, "no": False}[archived],
                limit=limit,
                offset=offset,
            )
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
    if as_json:
        _echo_json([asdict(r) for r in rows])
        return
    for row in rows:
        subject = f"  {row.subject}" if row.subject else ""
        click.echo(f"{row.citations:>6}  {_node_line(row.node)}{subject}")


@graph_group.command("export")
@db_option
@click.option("--format", "output", type=click.Choice(["graphml", "gexf", "csv"]), required=True)
@click.option("--query", default=None, metavar="Q", help="Only the citations of Q's cables.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write (csv: the edge list).",
)
@_reader_options
def export_command(
    db: str,
    output: str,
    query: str | None,
    out: Path,
    public: bool,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
) -> None:
    """The graph (or a query's part of it) for Gephi: GraphML, GEXF, or a CSV edge list."""
    from cabledesk.query import QueryError
    from cabledesk.views.graph_export import write_graph

    with opened(db) as archive:
        viewer = archive.viewer(_principal(public, redact, ceiling, foreign))
        try:
            nodes, edges = archive.graph_export(viewer=viewer, query=query)
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
        with out.open("w", encoding="utf-8", newline="") as handle:
            count, links = write_graph(nodes, edges, output, handle)
    click.echo(f"wrote {count:,} nodes and {links:,} edges to {out}", err=True)
    sys.stdout.flush()
