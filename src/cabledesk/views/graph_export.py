"""The citation graph as files for Gephi and other tools (docs/graph.md): GraphML, GEXF
1.3 and a CSV edge list, streamed with the standard library's XML writer (nothing is held
in memory but the current element)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
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
    nodes: Iterable[Node], edges: Iterable[tuple[str, str]], output: str, handle: IO[str]
) -> tuple[int, int]:
    """Write the graph to a text handle in `output` (graphml, gexf, csv: the edge list);
    returns (nodes, edges) written."""
    if output == "csv":
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["source", "target"])
        count = 0
        for source, target in edges:
            writer.writerow([source, target])
            count += 1
        return sum(1 for _ in nodes), count
    if output not in FORMATS:
        raise GraphExportError(f"{output}: expected one of {', '.join(FORMATS)}")
    # A text handle (XMLGenerator writes str to one; its stubs name only io.TextIOBase).
    xml = XMLGenerator(cast(Any, handle), encoding="utf-8", short_empty_elements=True)
    xml.startDocument()
    if output == "graphml":
        return _graphml(xml, nodes, edges, handle)
    return _gexf(xml, nodes, edges, handle)


def _graphml(
    xml: XMLGenerator, nodes: Iterable[Node], edges: Iterable[tuple[str, str]], handle: IO[str]
) -> tuple[int, int]:
    _start(xml, "graphml", {"xmlns": GRAPHML_NS})
    xml.ignorableWhitespace("\n")
    for name, kind, _, _ in _ATTRIBUTES:
        _start(xml, "key", {"id": name, "for": "node", "attr.name": name, "attr.type": kind})
        xml.endElement("key")
        xml.ignorableWhitespace("\n")
    _start(xml, "graph", {"id": "citations", "edgedefault": "directed"})
    xml.ignorableWhitespace("\n")
    count = 0
    for node in nodes:
        _start(xml, "node", {"id": node.id})
        for name, _, _, value in _ATTRIBUTES:
            found = value(node)
            if found is not None:
                _start(xml, "data", {"key": name})
                xml.characters(_text(found))
                xml.endElement("data")
        xml.endElement("node")
        xml.ignorableWhitespace("\n")
        count += 1
    links = 0
    for source, target in edges:
        _start(xml, "edge", {"id": f"e{links}", "source": source, "target": target})
        xml.endElement("edge")
        xml.ignorableWhitespace("\n")
        links += 1
    xml.endElement("graph")
    xml.endElement("graphml")
    xml.ignorableWhitespace("\n")
    xml.endDocument()
    return count, links


def _gexf(
    xml: XMLGenerator, nodes: Iterable[Node], edges: Iterable[tuple[str, str]], handle: IO[str]
) -> tuple[int, int]:
    _start(xml, "gexf", {"xmlns": GEXF_NS, "version": "1.3"})
    _start(xml, "meta", {})
    _start(xml, "creator", {})
    xml.characters("cabledesk")
    xml.endElement("creator")
    _start(xml, "description", {})
    xml.characters("Citations between cables (citing cable → cited cable)")
    xml.endElement("description")
    xml.endElement("meta")
    xml.ignorableWhitespace("\n")
    _start(xml, "graph", {"defaultedgetype": "directed", "mode": "static"})
    _start(xml, "attributes", {"class": "node", "mode": "static"})
    for number, (name, _, kind, _) in enumerate(_ATTRIBUTES):
        _start(xml, "attribute", {"id": str(number), "title": name, "type": kind})
        xml.endElement("attribute")
    xml.endElement("attributes")
    xml.ignorableWhitespace("\n")
    _start(xml, "nodes", {})
    xml.ignorableWhitespace("\n")
    count = 0
    for node in nodes:
        _start(xml, "node", {"id": node.id, "label": node.id})
        _start(xml, "attvalues", {})
        for number, (_, _, _, value) in enumerate(_ATTRIBUTES):
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
    for source, target in edges:
        _start(xml, "edge", {"id": str(links), "source": source, "target": target})
        xml.endElement("edge")
        xml.ignorableWhitespace("\n")
        links += 1
    xml.endElement("edges")
    xml.endElement("graph")
    xml.endElement("gexf")
    xml.ignorableWhitespace("\n")
    xml.endDocument()
    return count, links
