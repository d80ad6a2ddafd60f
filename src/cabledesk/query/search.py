"""Running a query: ranked (BM25) or dated hits with snippets, and facet counts."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import tantivy

from cabledesk.archive.editions import published_record
from cabledesk.archive.store import unpack
from cabledesk.query.compile import NO_LOOKUPS, Compiler, Lookups
from cabledesk.query.entities import (
    ENTITY_FACET_SIZE,
    ENTITY_FACETS,
    EntityFacet,
    EntityLookup,
)
from cabledesk.query.graphs import GraphLookup
from cabledesk.query.language import And, Field, Near, Node, Or, Term, parse_query
from cabledesk.query.predicted import facet as predicted_facet
from cabledesk.query.scope import Scope
from cabledesk.record.model import Cable
from cabledesk.redact.viewer import Viewer

# Facet name: its index field. `month` counts YYYYMM numbers, given as `2009-03`;
# `signer` and `classified_by` count whole values, as the reader sees them, and never one
# a redaction rule burned (archive.prepare.facet_value).
FACETS = {
    "origin": "origin",
    "year": "year",
    "month": "month",
    "classification": "classification",
    "caveat": "caveat",
    "tag": "tag",
    "addressee": "addressee",
    "signer": "signer_value",
    "classified_by": "classified_name",
}
SORTS = ("rank", "date", "-date", "cited")
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
    # Where the cable's classification is missing and the reader is granted its scores:
    # the predicted classification (marked `predicted`; docs/sensitivity.md).
    predicted: Any = None


@dataclass(slots=True)
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # People, organisations and places (query.entities.ENTITY_FACETS), apart from `facets`
    # because a value is an entity (its id refines the query: `entity:123`), not a string.
    entity_facets: dict[str, list[EntityFacet]] = field(default_factory=dict)
    # Spelling variants searched besides the query's own words (docs/search.md), as
    # (the word as asked, its other spellings).
    also_searched: list[tuple[str, list[str]]] = field(default_factory=list)


def words_of(node: Node) -> list[str]:
    """What a snippet should show of a query, negations left out: its free-text words, and
    each phrase whole (its words joined by a space: `quds force`), so that a passage is
    chosen where the phrase stands, not where one of its words does."""
    if isinstance(node, Term | Field) and (
        isinstance(node, Term) or node.name in ("subject", "from", "to", "signer")
    ):
        found = re.findall(
            r"[^\W_]+", (node.text if isinstance(node, Term) else node.value).lower()
        )
        if node.phrase and len(found) > 1:
            return [" ".join(found)]
        return found
    if isinstance(node, Near):
        # Its longer words: a snippet should not open at the first "the".
        return [w for w in re.findall(r"[^\W_]+", node.text.lower()) if len(w) > 3]
    if isinstance(node, And | Or):
        return [w for child in node.nodes for w in words_of(child)]
    return []


def written(words: list[str]) -> str:
    """A spelling variant as people write it: one word, `khamene'i` (a word cut before
    a letter or two, as an apostrophe cuts it), or a phrase."""
    if len(words) == 2 and len(words[1]) <= 2:
        return "'".join(words)
    return " ".join(words)


def _needle(words: str) -> str:
    """A word (or a phrase, its words apart by anything that is not a word character) as
    the index matches it: from the start of a word, any ending."""
    return r"\W+".join(map(re.escape, words.split(" "))) + r"\w*"


def passage(text: str, words: list[str]) -> tuple[str, list[tuple[int, int]], bool, bool]:
    """A passage around the first match of the query: its text, the matches in it as
    offsets, and whether text was cut before and after it. A phrase is looked for whole
    and opens the passage where it stands (a search for "quds force" must not show a
    passage about other forces); only then a single word. The passage starts and ends
    at a word boundary."""
    flat = " ".join(text.split())
    if not words:
        cut, before, after = _words_only(flat, 0)
        return cut, [], before, after
    phrases = [w for w in words if " " in w]
    pattern = re.compile(
        r"\b(?:" + "|".join(_needle(w) for w in sorted(set(words), key=len, reverse=True)) + ")",
        re.IGNORECASE,
    )
    first = None
    if phrases:
        first = re.compile(
            r"\b(?:" + "|".join(_needle(w) for w in phrases) + ")", re.IGNORECASE
        ).search(flat)
    if first is None:
        first = pattern.search(flat)
    cut, before, after = _words_only(flat, max(0, first.start() - 60) if first else 0)
    marks = [(m.start(), m.end()) for m in pattern.finditer(cut)]
    return cut, marks, before, after


def _words_only(flat: str, start: int) -> tuple[str, bool, bool]:
    """flat[start : start + _SNIPPET], moved to begin and end at word boundaries."""
    if start > 0 and not flat[start - 1].isspace():
        space = flat.find(" ", start, start + 30)
        start = space + 1 if space != -1 else start
    end = start + _SNIPPET
    if end < len(flat) and not flat[end].isspace():
        space = flat.rfind(" ", end - 30, end)
        end = space if space > start else end
    return flat[start:end], start > 0, end < len(flat)


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
    lookups: Lookups = NO_LOOKUPS,
    searcher: tantivy.Searcher | None = None,
) -> tuple[Node | None, tantivy.Query]:
    """The query's tree and its tantivy form, limited to what `viewer` may see. A blank
    query is an error (`empty query`) unless `blank_matches_all`, where it means every
    cable (the web desk's start page). `also`: ids the query matches besides (for a
    signed-in reader, the published cables the public's search finds). `lookups`: the
    reader's views of entities, the citation graph, the similar-cables model, notes,
    spelling variants and granted scores (query.compile.Lookups); `searcher`, for ranking
    exactly the cables a rare filter matches by their similarity to a `~"..."` text."""
    scope = Scope.of(viewer)
    if blank_matches_all and not query.strip():
        return None, scope.restrict(schema, tantivy.Query.all_query())
    tree = parse_query(query)
    matching = None
    if searcher is not None:

        def matching(part: tantivy.Query, limit: int) -> list[str] | None:
            found = searcher.search(scope.restrict(schema, part), limit=limit + 1)
            if len(found.hits) > limit:
                return None
            return [searcher.doc(address)["id"][0] for _, address in found.hits]

    compiled = scope.restrict(
        schema,
        Compiler(
            schema,
            connection,
            query,
            origins,
            scope,
            lookups,
            matching,
        ).compile(tree),
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
    lookups: Lookups = NO_LOOKUPS,
    view: Callable[[Cable], Cable] | None = None,
    memo: dict[object, object] | None = None,
) -> SearchResult:
    """One page of hits, and the facets. `memo`: what may be kept about this searcher
    between searches (Index.snapshot; the entity facets keep their counts over every
    cable there)."""
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
        lookups=lookups,
        searcher=searcher,
    )
    ids: list[tuple[str, float]]
    entities, graph, predicted = lookups.entities, lookups.graph, lookups.predicted
    if sort == "cited":
        total, ids = by_citations(searcher, schema, compiled, graph, limit=limit, offset=offset)
    else:
        if sort == "rank":
            found = searcher.search(compiled, limit=limit, count=True, offset=offset)
        else:
            order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
            found = searcher.search(
                compiled, limit=limit, count=True, offset=offset, order_by_field="date", order=order
            )
        total = int(getattr(found, "count", 0) or 0)
        ids = [(searcher.doc(address)["id"][0], score) for score, address in found.hits]
    words = words_of(tree) if tree else []
    used = lookups.variants.used if lookups.variants is not None else []
    words += [" ".join(other) for _, others in used for other in others]
    searched = [(asked, [written(other) for other in others]) for asked, others in used]
    hits = _hits(connection, ids, words, viewer, view or viewer.view)
    result = SearchResult(query=query, total=total, hits=hits, also_searched=searched)
    if predicted is not None:
        missing = [hit.reference_id for hit in hits if not hit.classification]
        shown = predicted.shown(missing) if missing else {}
        for hit in hits:
            hit.predicted = shown.get(hit.reference_id)
    if facets:
        result.facets = facet_counts(searcher, compiled)
        if predicted is not None and predicted.scored():
            # Only where the reader is granted scores: an archive never scored (no model
            # trained) answers with the facets it always had.
            result.facets["predicted"] = predicted_facet(searcher, schema, compiled, predicted)
        if entities is not None:
            result.entity_facets = entity_facet_counts(
                searcher,
                schema,
                compiled,
                Scope.of(viewer),
                entities,
                matched=result.total,
                memo=memo,
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
    lookups: Lookups = NO_LOOKUPS,
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
        lookups=lookups,
        searcher=searcher,
    )
    total = int(getattr(searcher.search(compiled, limit=1, count=True), "count", 0) or 0)
    if not total:
        return
    if limit is not None:
        total = min(total, limit)
    if sort == "cited":
        for reference_id, _ in by_citations(searcher, schema, compiled, lookups.graph, limit=total)[
            1
        ]:
            yield reference_id
        return
    if sort == "rank":
        found = searcher.search(compiled, limit=total)
    else:
        order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
        found = searcher.search(compiled, limit=total, order_by_field="date", order=order)
    for _, address in found.hits:
        yield searcher.doc(address)["id"][0]


# The most cited cables tried at once when sorting by citations (then four times more).
_CITED_CHUNK = 256


def by_citations(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    compiled: tantivy.Query,
    graph: GraphLookup | None,
    *,
    limit: int,
    offset: int = 0,
) -> tuple[int, list[tuple[str, float]]]:
    """(matches, one page of (id, citations)) sorted by how many of the reader's cables
    cite each (their own graph: GraphLookup.ranked), ties by id; then the matches nobody
    cites, newest first. The cited cables are tried most cited first, a growing chunk at a
    time (a term-set query each), until the page is full."""
    total = int(getattr(searcher.search(compiled, limit=1, count=True), "count", 0) or 0)
    wanted = offset + limit
    ranked, counts = graph.ranked() if graph is not None else ([], [])
    found: list[tuple[str, float]] = []
    start, step = 0, max(_CITED_CHUNK, wanted)
    while len(found) < wanted and start < len(ranked) and len(found) < total:
        chunk = ranked[start : start + step]
        among = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, compiled),
                (tantivy.Occur.Must, tantivy.Query.term_set_query(schema, "id", chunk)),
            ]
        )
        hits = searcher.search(among, limit=len(chunk)).hits
        matched = {searcher.doc(address)["id"][0] for _, address in hits}
        found.extend((i, float(counts[start + k])) for k, i in enumerate(chunk) if i in matched)
        start, step = start + len(chunk), step * 4
    if len(found) >= wanted or len(found) >= total:
        return total, found[offset:wanted]
    # Every cited match is in `found`: the rest of the page comes from those nobody cites.
    rest: tantivy.Query = compiled
    if ranked:
        rest = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, compiled),
                (tantivy.Occur.MustNot, tantivy.Query.term_set_query(schema, "id", ranked)),
            ]
        )
    skip = max(0, offset - len(found))
    page = found[offset:wanted]
    more = searcher.search(
        rest,
        limit=wanted - offset - len(page),
        offset=skip,
        order_by_field="date",
        order=tantivy.Order.Desc,
    )
    page.extend((searcher.doc(address)["id"][0], 0.0) for _, address in more.hits)
    return total, page


def facet_counts(
    searcher: tantivy.Searcher, compiled: tantivy.Query
) -> dict[str, list[tuple[str, int]]]:
    request = {
        name: {"terms": {"field": field, "size": _FACET_SIZE}} for name, field in FACETS.items()
    }
    answer = searcher.aggregate(compiled, request)
    return {
        name: [
            (_facet_key(name, bucket["key"]), int(bucket["doc_count"]))
            for bucket in answer[name]["buckets"]
        ]
        for name in FACETS
    }


def _facet_key(name: str, key: object) -> str:
    """A bucket's key as the facet shows it (and the query language takes it)."""
    if name == "month":
        number = int(float(str(key)))
        return f"{number // 100:04d}-{number % 100:02d}"
    if name == "year":
        return str(int(float(str(key))))
    return str(key)


def entity_facet_counts(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    compiled: tantivy.Query,
    scope: Scope,
    entities: EntityLookup,
    *,
    matched: int | None = None,
    memo: dict[object, object] | None = None,
) -> dict[str, list[EntityFacet]]:
    """The entities most matching cables mention, per kind, where the reader may see them.

    Counted on the reader's own entity field (fields.entity_field), so no mention above
    their ceiling counts; the cables an editor's rule names by id are left out of the
    count; and an entity hidden from the reader (a rule burns one of its names) is dropped
    from the buckets (which is why twice the size is asked for).

    Counting costs time in proportion to the cables counted, so a search that matches
    most of what the reader may find (`matched`, its hits) is counted over the cables it
    does *not* match, taken from the counts over all of them, which are computed once
    for the searcher and kept in its `memo` (Index.snapshot): see `_by_complement`."""
    excluded = (
        tantivy.Query.term_set_query(schema, "id", sorted(entities.excluded))
        if entities.excluded
        else None
    )
    buckets: dict[str, list[tuple[int, int]]] | None = None
    if memo is not None and matched is not None:
        whole = _whole(searcher, schema, scope, excluded, entities.excluded, memo)
        if 2 * matched > whole.total:
            buckets = _by_complement(searcher, compiled, scope, whole)
    if buckets is None:
        counted = _without(compiled, excluded)
        request = {
            name: {"terms": {"field": scope.entity_field(kind), "size": _ENTITY_BUCKETS}}
            for name, kind in ENTITY_FACETS.items()
        }
        answer = searcher.aggregate(counted, request)
        buckets = {
            name: _ordered((int(b["key"]), int(b["doc_count"])) for b in answer[name]["buckets"])
            for name in ENTITY_FACETS
        }
    names = entities.shown(sorted({i for found in buckets.values() for i, _ in found}))
    return {
        name: [EntityFacet(i, names[i], count) for i, count in found if i in names][
            :ENTITY_FACET_SIZE
        ]
        for name, found in buckets.items()
    }


# Twice the facet's size: entities hidden from the reader are dropped afterwards.
_ENTITY_BUCKETS = 2 * ENTITY_FACET_SIZE
# How many of the entities most mentioned over everything a reader may find are counted
# over the cables a broad search leaves out.
_CANDIDATES = 400
# Per segment, every bucket: tantivy otherwise merges each segment's top few, and the
# counts of the others are estimates.
_EVERY_BUCKET = 2**31


@dataclass(frozen=True, slots=True)
class _WholeCounts:
    """Entity facets over every cable one class of reader may find (the universe)."""

    universe: tantivy.Query
    total: int
    # Per facet: the _CANDIDATES entities most mentioned, (id, cables), most first.
    top: dict[str, list[tuple[int, int]]]
    # Per facet: the most cables any entity outside `top` is mentioned in (0: none).
    bound: dict[str, int]


def _without(query: tantivy.Query, excluded: tantivy.Query | None) -> tantivy.Query:
    if excluded is None:
        return query
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, excluded)]
    )


def _ordered(buckets: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Most cables first; among equal counts the lower id (the same in both ways of
    counting)."""
    return sorted(buckets, key=lambda bucket: (-bucket[1], bucket[0]))


def _whole(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    scope: Scope,
    excluded: tantivy.Query | None,
    excluded_ids: frozenset[str],
    memo: dict[object, object],
) -> _WholeCounts:
    key = ("entity facets", scope.ceiling, scope.foreign, scope.published_only, excluded_ids)
    found = memo.get(key)
    if isinstance(found, _WholeCounts):
        return found
    universe = _without(scope.restrict(schema, tantivy.Query.all_query()), excluded)
    request = {
        name: {
            "terms": {
                "field": scope.entity_field(kind),
                "size": _CANDIDATES + 1,
                "segment_size": _EVERY_BUCKET,
            }
        }
        for name, kind in ENTITY_FACETS.items()
    }
    answer = searcher.aggregate(universe, request)
    top: dict[str, list[tuple[int, int]]] = {}
    bound: dict[str, int] = {}
    for name in ENTITY_FACETS:
        ranked = _ordered((int(b["key"]), int(b["doc_count"])) for b in answer[name]["buckets"])
        top[name] = ranked[:_CANDIDATES]
        bound[name] = ranked[_CANDIDATES][1] if len(ranked) > _CANDIDATES else 0
    total = int(getattr(searcher.search(universe, limit=1, count=True), "count", 0) or 0)
    whole = _WholeCounts(universe, total, top, bound)
    memo[key] = whole
    return whole


def _by_complement(
    searcher: tantivy.Searcher, compiled: tantivy.Query, scope: Scope, whole: _WholeCounts
) -> dict[str, list[tuple[int, int]]] | None:
    """Entity facets of a search matching more than half of the reader's universe, from
    the cables it leaves out: an entity's count among the matches is its count over the
    universe less its count over the rest (every match is in the universe: the compiled
    query carries the reader's own restriction). Only the universe's top entities are
    counted; the answer is exact when every entity it keeps is mentioned in more
    matching cables than any entity outside that top is mentioned in at all. Otherwise
    None, and the caller counts the matches themselves."""
    rest = tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, whole.universe), (tantivy.Occur.MustNot, compiled)]
    )
    request = {
        name: {
            "terms": {
                "field": scope.entity_field(kind),
                "size": max(1, len(whole.top[name])),
                "segment_size": _EVERY_BUCKET,
                "include": [str(i) for i, _ in whole.top[name]] or ["-1"],
            }
        }
        for name, kind in ENTITY_FACETS.items()
    }
    answer = searcher.aggregate(rest, request)
    buckets: dict[str, list[tuple[int, int]]] = {}
    for name in ENTITY_FACETS:
        left_out = {int(b["key"]): int(b["doc_count"]) for b in answer[name]["buckets"]}
        counts = _ordered(
            (i, n - left_out.get(i, 0)) for i, n in whole.top[name] if n > left_out.get(i, 0)
        )[:_ENTITY_BUCKETS]
        # The least count kept must beat every entity outside the top; when fewer than
        # the buckets are kept, every entity mentioned at all must be among them.
        least = counts[-1][1] if len(counts) == _ENTITY_BUCKETS else 1
        if whole.bound[name] >= least:
            return None
        buckets[name] = counts
    return buckets


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
