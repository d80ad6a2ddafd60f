"""The co-mention network as files for Gephi and other tools (docs/network.md), written
by the citation graph's writers (views/graph_export.py) with the network's own layout:
undirected, nodes are entities (kind, name, cables), edges carry `weight` (the cables
that mention both) and `jaccard`; the CSV edge list also names both ends."""

from __future__ import annotations

from typing import IO

from cabledesk.archive.entity_network import Network, NetworkNode
from cabledesk.views.graph_export import FORMATS, MEDIA_TYPES, Layout, write_graph

__all__ = ["FORMATS", "MEDIA_TYPES", "NETWORK", "write_network"]


NETWORK = Layout(
    graph_id="co-mentions",
    description="Entities linked by the cables that mention both (weight: those cables)",
    directed=False,
    attributes=[
        ("kind", "string", "string", lambda n: n.kind),
        ("name", "string", "string", lambda n: n.name),
        ("cables", "int", "integer", lambda n: n.cables),
    ],
    edge_attributes=[("weight", "int", "integer"), ("jaccard", "double", "double")],
    label=lambda n: n.name,
)
_CSV = Layout(
    directed=False,
    attributes=NETWORK.attributes,
    edge_attributes=[
        ("weight", "int", "integer"),
        ("jaccard", "double", "double"),
        ("source_name", "string", "string"),
        ("target_name", "string", "string"),
    ],
)


def write_network(network: Network, output: str, handle: IO[str]) -> tuple[int, int]:
    """Write the network as `output` (graphml, gexf, csv) to a text handle; returns
    (nodes, links) written."""
    nodes: list[NetworkNode] = network.nodes
    if output == "csv":
        names = {n.id: n.name for n in nodes}
        rows = (
            (k.source, k.target, k.cables, k.jaccard, names[k.source], names[k.target])
            for k in network.links
        )
        return write_graph(nodes, rows, output, handle, _CSV)
    edges = ((k.source, k.target, k.cables, k.jaccard) for k in network.links)
    return write_graph(nodes, edges, output, handle, NETWORK)
