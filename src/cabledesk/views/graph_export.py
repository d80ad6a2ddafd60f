"""The citation graph as files for Gephi and other tools (docs/graph.md): GraphML, GEXF
1.3 and a CSV edge list, streamed with the standard library's XML writer (nothing is held
in memory but the current element). Other graphs (the co-mention network,
docs/network.md) are written by the same writers with a `Layout` of their own: their
node attributes, edge attributes (values after source and target in each edge tuple),
direction and description."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, cast
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from cabledesk.archive.graph import Node
from cabledesk.errors import Error

FORMATS = ("graphml", "gexf", "csv")
MEDIA_TYPES = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "csv": "text/csv; charset=utf-8",
}
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://gexf.net/1.3"

# (attribute, GraphML type, GEXF type, the node's value)
_ATTRIBUTES: list[tuple[str, str, str, Callable[[Node], object]]] = [
    ("archived", "boolean", "boolean", lambda n: n.archived),
    ("date", "string", "string", lambda n: n.date),
    ("origin", "string", "string", lambda n: n.origin),
    ("estimated_date", "string", "string", lambda n: n.estimated_date),
    ("estimate", "string", "string", lambda n: n.estimate),
    ("in_degree", "int", "integer", lambda n: n.in_degree),
    ("out_degree", "int", "integer", lambda n: n.out_degree),
    ("pagerank", "double", "double", lambda n: n.pagerank),
    ("component", "int", "integer", lambda n: n.component),
    ("component_size", "int", "integer", lambda n: n.component_size),
]


@dataclass(frozen=True)
class Layout:
    """What a file says about its graph: node attributes (name, GraphML type, GEXF type,
    the node's value), edge attributes (name, GraphML type, GEXF type; their values follow
    source and target in each edge tuple: an attribute named `weight` is also the GEXF
    edge's own weight), a node's id and label, direction, the GEXF description."""

    graph_id: str = "citations"
    description: str = "Citations between cables (citing cable → cited cable)"
    directed: bool = True
    attributes: Sequence[tuple[str, str, str, Callable[[Any], object]]] = field(
        default_factory=lambda: list(_ATTRIBUTES)
    )
    edge_attributes: Sequence[tuple[str, str, str]] = ()
    node_id: Callable[[Any], str] = lambda node: str(node.id)
    label: Callable[[Any], str] = lambda node: str(node.id)


CITATIONS = Layout()


class GraphExportError(Error, ValueError):
    """An export format cabledesk does not write."""


def _start(xml: XMLGenerator, name: str, attributes: dict[str, str]) -> None:
    xml.startElement(name, AttributesImpl(attributes))


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_graph(
    nodes: Iterable[Any],
    edges: Iterable[tuple[Any, ...]],
    output: str,
    handle: IO[str],
    layout: Layout = CITATIONS,
) -> tuple[int, int]:
    """Write the graph to a text handle in `output` (graphml, gexf, csv: the edge list,
    with the edge attributes as more columns); returns (nodes, edges) written."""
    if output == "csv":
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["source", "target", *(a[0] for a in layout.edge_attributes)])
        count = 0
        for edge in edges:
            writer.writerow([_text(v) for v in edge])
            count += 1
        return sum(1 for _ in nodes), count
    if output not in FORMATS:
        raise GraphExportError(f"{output}: expected one of {', '.join(FORMATS)}")
    # A text handle (XMLGenerator writes str to one; its stubs name only io.TextIOBase).
    xml = XMLGenerator(cast(Any, handle), encoding="utf-8", short_empty_elements=True)
    xml.startDocument()
    if output == "graphml":
        return _graphml(xml, nodes, edges, layout)
    return _gexf(xml, nodes, edges, layout)


def _graphml(
    xml: XMLGenerator, nodes: Iterable[Any], edges: Iterable[tuple[Any, ...]], layout: Layout
) -> tuple[int, int]:
    _start(xml, "graphml", {"xmlns": GRAPHML_NS})
    xml.ignorableWhitespace("\n")
    for name, kind, _, _ in layout.attributes:
        _start(xml, "key", {"id": name, "for": "node", "attr.name": name, "attr.type": kind})
        xml.endElement("key")
        xml.ignorableWhitespace("\n")
    for name, kind, _ in layout.edge_attributes:
        _start(xml, "key", {"id": f"e_{name}", "for": "edge", "attr.name": name, "attr.type": kind})
        xml.endElement("key")
        xml.ignorableWhitespace("\n")
    direction = "directed" if layout.directed else "undirected"
    _start(xml, "graph", {"id": layout.graph_id, "edgedefault": direction})
    xml.ignorableWhitespace("\n")
    count = 0
    for node in nodes:
        _start(xml, "node", {"id": layout.node_id(node)})
        for name, _, _, value in layout.attributes:
            found = value(node)
            if found is not None:
                _start(xml, "data", {"key": name})
                xml.characters(_text(found))
                xml.endElement("data")
        xml.endElement("node")
        xml.ignorableWhitespace("\n")
        count += 1
    links = 0
    for source, target, *values in edges:
        _start(xml, "edge", {"id": f"e{links}", "source": str(source), "target": str(target)})
        for (name, _, _), found in zip(layout.edge_attributes, values, strict=True):
            _start(xml, "data", {"key": f"e_{name}"})
            xml.characters(_text(found))
            xml.endElement("data")
        xml.endElement("edge")
        xml.ignorableWhitespace("\n")
        links += 1
    xml.endElement("graph")
    xml.endElement("graphml")
    xml.ignorableWhitespace("\n")
    xml.endDocument()
    return count, links


def _gexf(
    xml: XMLGenerator, nodes: Iterable[Any], edges: Iterable[tuple[Any, ...]], layout: Layout
) -> tuple[int, int]:
    _start(xml, "gexf", {"xmlns": GEXF_NS, "version": "1.3"})
    _start(xml, "meta", {})
    _start(xml, "creator", {})
    xml.characters("cabledesk")
    xml.endElement("creator")
    _start(xml, "description", {})
    xml.characters(layout.description)
    xml.endElement("description")
    xml.endElement("meta")
    xml.ignorableWhitespace("\n")
    direction = "directed" if layout.directed else "undirected"
    _start(xml, "graph", {"defaultedgetype": direction, "mode": "static"})
    _start(xml, "attributes", {"class": "node", "mode": "static"})
    for number, (name, _, kind, _) in enumerate(layout.attributes):
        _start(xml, "attribute", {"id": str(number), "title": name, "type": kind})
        xml.endElement("attribute")
    xml.endElement("attributes")
    if layout.edge_attributes:
        _start(xml, "attributes", {"class": "edge", "mode": "static"})
        for number, (name, _, kind) in enumerate(layout.edge_attributes):
            _start(xml, "attribute", {"id": f"e{number}", "title": name, "type": kind})
            xml.endElement("attribute")
        xml.endElement("attributes")
    xml.ignorableWhitespace("\n")
    _start(xml, "nodes", {})
    xml.ignorableWhitespace("\n")
    count = 0
    for node in nodes:
        _start(xml, "node", {"id": layout.node_id(node), "label": layout.label(node)})
        _start(xml, "attvalues", {})
        for number, (_, _, _, value) in enumerate(layout.attributes):
            found = value(node)
            if found is not None:
                _start(xml, "attvalue", {"for": str(number), "value": _text(found)})
                xml.endElement("attvalue")
        xml.endElement("attvalues")
        xml.endElement("node")
        xml.ignorableWhitespace("\n")
        count += 1
    xml.endElement("nodes")
    _start(xml, "edges", {})
    xml.ignorableWhitespace("\n")
    links = 0
    for source, target, *values in edges:
        attributes = {"id": str(links), "source": str(source), "target": str(target)}
        pairs = list(zip(layout.edge_attributes, values, strict=True))
        for (name, _, _), found in pairs:
            if name == "weight":
                attributes["weight"] = _text(found)
        _start(xml, "edge", attributes)
        if pairs:
            _start(xml, "attvalues", {})
            for number, (_, found) in enumerate(pairs):
                _start(xml, "attvalue", {"for": f"e{number}", "value": _text(found)})
                xml.endElement("attvalue")
            xml.endElement("attvalues")
        xml.endElement("edge")
        xml.ignorableWhitespace("\n")
        links += 1
    xml.endElement("edges")
    xml.endElement("graph")
    xml.endElement("gexf")
    xml.ignorableWhitespace("\n")
    xml.endDocument()
    return count, links
