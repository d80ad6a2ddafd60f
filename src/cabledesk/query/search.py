"""Running a query: ranked (BM25) or dated hits with snippets, and facet counts."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field

import tantivy

from cabledesk.archive.editions import published_record
from cabledesk.archive.store import unpack
from cabledesk.query.compile import Compiler
from cabledesk.query.entities import (
    ENTITY_FACET_SIZE,
    ENTITY_FACETS,
    EntityFacet,
    EntityLookup,
)
from cabledesk.query.language import And, Field, Node, Or, Term, parse_query
from cabledesk.query.scope import Scope
from cabledesk.record.model import Cable
from cabledesk.redact.viewer import Viewer

FACETS = {
    "origin": "origin",
    "year": "year",
    "classification": "classification",
    "tag": "tag",
    "addressee": "addressee",
}
SORTS = ("rank", "date", "-date")
_FACET_SIZE = 50
_SNIPPET = 220


@dataclass(slots=True)
class Hit:
    reference_id: str
    score: float
    date: str | None
    origin: str | None
    classification: str | None
    caveats: list[str]
    subject: str | None
    # `snippet` marks matches with [ and ] for terminals; `passage` is the same text
    # unmarked, with the matches as [start, end) offsets, for renderers that must escape.
    snippet: str
    passage: str = ""
    highlights: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # People, organisations and places (query.entities.ENTITY_FACETS), apart from `facets`
    # because a value is an entity (its id refines the query: `entity:123`), not a string.
    entity_facets: dict[str, list[EntityFacet]] = field(default_factory=dict)


def words_of(node: Node) -> list[str]:
    """The free-text words of a query (what a snippet should show), negations left out."""
    if isinstance(node, Term):
        return re.findall(r"[^\W_]+", node.text.lower())
    if isinstance(node, Field) and node.name in ("subject", "from", "to", "signer"):
        return re.findall(r"[^\W_]+", node.value.lower())
    if isinstance(node, And | Or):
        return [w for child in node.nodes for w in words_of(child)]
    return []


def passage(text: str, words: list[str]) -> tuple[str, list[tuple[int, int]], bool, bool]:
    """A passage around the first query word: its text, the matches in it as offsets, and
    whether text was cut before and after it."""
    flat = " ".join(text.split())
    if not words:
        return flat[:_SNIPPET], [], False, len(flat) > _SNIPPET
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\w*", re.IGNORECASE)
    first = pattern.search(flat)
    start = max(0, first.start() - 60) if first else 0
    cut = flat[start : start + _SNIPPET]
    marks = [(m.start(), m.end()) for m in pattern.finditer(cut)]
    return cut, marks, start > 0, start + _SNIPPET < len(flat)


def mark(text: str, marks: list[tuple[int, int]], opening: str, closing: str) -> str:
    out, last = [], 0
    for start, end in marks:
        out += [text[last:start], opening, text[start:end], closing]
        last = end
    out.append(text[last:])
    return "".join(out)


def _reading_text(record: bytes, view: Callable[[Cable], Cable]) -> tuple[str, str | None]:
    """The paragraphs of a stored record as this viewer sees them (for snippets), and
    the subject they may see."""
    cable = view(unpack(record))
    return " ".join(p.text for p in cable.paragraphs) or cable.text, cable.subject


def compile_query(
    schema: tantivy.Schema,
    connection: sqlite3.Connection,
    query: str,
    origins: Callable[[], list[str]],
    *,
    viewer: Viewer,
    blank_matches_all: bool = False,
    also: Collection[str] = (),
    entities: EntityLookup | None = None,
) -> tuple[Node | None, tantivy.Query]:
    """The query's tree and its tantivy form, limited to what `viewer` may see. A blank
    query is an error (`empty query`) unless `blank_matches_all`, where it means every
    cable (the web desk's start page). `also`: ids the query matches besides (for a
    signed-in reader, the published cables the public's search finds). `entities`: the
    reader's view of entities, for `person:`, `org:`, `place:` and `entity:`."""
    scope = Scope.of(viewer)
    if blank_matches_all and not query.strip():
        return None, scope.restrict(schema, tantivy.Query.all_query())
    tree = parse_query(query)
    compiled = scope.restrict(
        schema, Compiler(schema, connection, query, origins, scope, entities).compile(tree)
    )
    if also:
        found = tantivy.Query.term_set_query(schema, "id", sorted(also))
        compiled = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, compiled), (tantivy.Occur.Should, found)]
        )
    return tree, compiled


def search(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    connection: sqlite3.Connection,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "rank",
    facets: bool = True,
    origins: Callable[[], list[str]],
    blank_matches_all: bool = False,
    viewer: Viewer,
    also: Collection[str] = (),
    view: Callable[[Cable], Cable] | None = None,
    entities: EntityLookup | None = None,
) -> SearchResult:
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    tree, compiled = compile_query(
        schema,
        connection,
        query,
        origins,
        viewer=viewer,
        blank_matches_all=blank_matches_all,
        also=also,
        entities=entities,
    )
    if sort == "rank":
        found = searcher.search(compiled, limit=limit, count=True, offset=offset)
    else:
        order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
        found = searcher.search(
            compiled, limit=limit, count=True, offset=offset, order_by_field="date", order=order
        )
    ids = [(searcher.doc(address)["id"][0], score) for score, address in found.hits]
    hits = _hits(connection, ids, words_of(tree) if tree else [], viewer, view or viewer.view)
    result = SearchResult(query=query, total=int(getattr(found, "count", 0) or 0), hits=hits)
    if facets:
        result.facets = facet_counts(searcher, compiled)
        if entities is not None:
            result.entity_facets = entity_facet_counts(
                searcher, schema, compiled, Scope.of(viewer), entities
            )
    return result


def matching_ids(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    connection: sqlite3.Connection,
    query: str,
    sort: str,
    origins: Callable[[], list[str]],
    *,
    viewer: Viewer,
    blank_matches_all: bool = False,
    also: Collection[str] = (),
    entities: EntityLookup | None = None,
    limit: int | None = None,
) -> Iterator[str]:
    """Every matching id (the first `limit`), in order (for exports: no page size, no
    facets)."""
    _, compiled = compile_query(
        schema,
        connection,
        query,
        origins,
        viewer=viewer,
        blank_matches_all=blank_matches_all,
        also=also,
        entities=entities,
    )
    total = int(getattr(searcher.search(compiled, limit=1, count=True), "count", 0) or 0)
    if not total:
        return
    if limit is not None:
        total = min(total, limit)
    if sort == "rank":
        found = searcher.search(compiled, limit=total)
    else:
        order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
        found = searcher.search(compiled, limit=total, order_by_field="date", order=order)
    for _, address in found.hits:
        yield searcher.doc(address)["id"][0]


def facet_counts(
    searcher: tantivy.Searcher, compiled: tantivy.Query
) -> dict[str, list[tuple[str, int]]]:
    request = {
        name: {"terms": {"field": field, "size": _FACET_SIZE}} for name, field in FACETS.items()
    }
    answer = searcher.aggregate(compiled, request)
    return {
        name: [(str(bucket["key"]), int(bucket["doc_count"])) for bucket in answer[name]["buckets"]]
        for name in FACETS
    }


def entity_facet_counts(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    compiled: tantivy.Query,
    scope: Scope,
    entities: EntityLookup,
) -> dict[str, list[EntityFacet]]:
    """The entities most matching cables mention, per kind, where the reader may see them.

    Counted on the reader's own entity field (fields.entity_field), so no mention above
    their ceiling counts; the cables an editor's rule names by id are left out of the
    count; and an entity hidden from the reader (a rule burns one of its names) is dropped
    from the buckets (which is why twice the size is asked for)."""
    counted = compiled
    if entities.excluded:
        excluded = tantivy.Query.term_set_query(schema, "id", sorted(entities.excluded))
        counted = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, compiled), (tantivy.Occur.MustNot, excluded)]
        )
    request = {
        name: {"terms": {"field": scope.entity_field(kind), "size": 2 * ENTITY_FACET_SIZE}}
        for name, kind in ENTITY_FACETS.items()
    }
    answer = searcher.aggregate(counted, request)
    buckets = {
        name: [(int(b["key"]), int(b["doc_count"])) for b in answer[name]["buckets"]]
        for name in ENTITY_FACETS
    }
    names = entities.shown(sorted({i for found in buckets.values() for i, _ in found}))
    return {
        name: [EntityFacet(i, names[i], count) for i, count in found if i in names][
            :ENTITY_FACET_SIZE
        ]
        for name, found in buckets.items()
    }


def _hits(
    connection: sqlite3.Connection,
    ids: list[tuple[str, float]],
    words: list[str],
    viewer: Viewer,
    view: Callable[[Cable], Cable],
) -> list[Hit]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = {
        row[0]: row
        for row in connection.execute(
            # The subject comes from the record, as this reader may see it.
            "SELECT reference_id, date, origin, classification, caveats, record "
            f"FROM cables WHERE reference_id IN ({marks})",
            [i for i, _ in ids],
        )
    }
    hits = []
    for reference_id, score in ids:
        row = rows.get(reference_id)
        if row is None:
            continue
        date, origin, classification, caveats = row[1], row[2], row[3], json.loads(row[4])
        if viewer.published_only:
            # The public reads the version the edition published, not a newer text that
            # waits for approval: its snippet and its metadata come from that version.
            stored = published_record(connection, reference_id)
            if stored is None:
                continue
            cable = viewer.view(stored)
            sent = cable.header.sent or cable.created
            date, origin = (sent[:10] if sent else None), cable.origin
            classification, caveats = cable.classification, list(cable.caveats)
            reading = " ".join(p.text for p in cable.paragraphs) or cable.text
            subject = cable.subject
        else:
            reading, subject = _reading_text(row[5], view)
        cut, found, before, after = passage(reading or subject or "", words)
        hits.append(
            Hit(
                reference_id=reference_id,
                score=float(score) if isinstance(score, float) else 0.0,
                date=date,
                origin=origin,
                classification=classification,
                caveats=caveats,
                subject=subject,
                snippet=("…" if before else "")
                + mark(cut, found, "[", "]")
                + ("…" if after else ""),
                passage=("…" if before else "") + cut + ("…" if after else ""),
                highlights=[(a + before, b + before) for a, b in found],
            )
        )
    return hits
