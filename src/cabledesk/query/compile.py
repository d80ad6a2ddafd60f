"""Query trees to tantivy Query objects (never to query strings: tantivy's own parser
defaults to OR and mishandles `a AND NOT b`)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import tantivy

from cabledesk.archive import editions
from cabledesk.entities.names import name_words
from cabledesk.query.entities import NAME_FIELDS, EntityLookup
from cabledesk.query.graphs import GraphLookup
from cabledesk.query.language import And, Field, Near, Node, Not, Or, QueryError, Term
from cabledesk.query.predicted import BUCKETS, PredictedLookup, ids_of
from cabledesk.query.scope import EVERYTHING, Scope
from cabledesk.record.level import Level
from cabledesk.record.words import WORD

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
# `cited:10`, `cited:>=10` (also >, <=, <), `cited:5..20`.
_CITED = re.compile(r"^(?:(>=|<=|>|<)?(\d{1,9})|(\d{1,9})\.\.(\d{1,9}))$")
_MONTHS = re.compile(r"^(\d{4})-(\d{2})(?:\.\.(\d{4})-(\d{2}))?$")
# Fields that take a whole value (`signer:="C. RICE"`), and the index field holding it.
# Signers and Classified By names are kept upper case; an addressee as the cable writes it
# (nearly always upper case too), so `to:=` tries it as given and in capitals.
EXACT_FIELDS = {"signer": "signer_value", "classified_by": "classified_name", "to": "addressee"}
_THREAD = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot
# Words ending in * per query. Each expands, in every text field the viewer may search, to
# all the words of the index that start so (a two-letter prefix: thousands), and a
# 2,000-character list of them cost about a second per request, anonymous ones included.
# Ten leave room for any real question and keep the worst query to a few per cent of that.
MAX_PREFIXES = 10
# `~"text"`: (cable id, similarity) of the cables nearest a text in the reader's own
# similar-cables model, best first (the facade makes it; docs/similar.md). With a second
# argument, a collection of ids: every one of them whose similarity is above zero.
NearLookup = Callable[[str, Collection[str] | None], list[tuple[str, float]]]
# `note:words`: the ids of the cables with a note the reader may read whose text holds
# the words (in that order; a last word ending in * as a prefix); the facade makes it
# from the reader's own notes and those shared with them (docs/workspace.md).
NoteLookup = Callable[[list[str], bool], list[str]]
# The ids of the cables a query matches (within the reader's scope) when they are at most
# `limit`, else None (search.compile_query makes it from the searcher).
Matching = Callable[[tantivy.Query, int], list[str] | None]


class VariantLookup(Protocol):
    """Other spellings of a free-text word in the reader's own vocabulary (docs/search.md,
    "Spelling variants"; the facade makes it): given the word's words (lower case; several
    when written with an apostrophe or a hyphen), each variant as its words."""

    used: list[tuple[str, list[list[str]]]]

    def __call__(self, words: list[str]) -> list[list[str]]: ...


# `~"text"` ANDed with clauses matching at most this many cables ranks exactly those
# cables by similarity; with more, it takes the cables nearest the text (NEAR_LIMIT in
# archive/similar.py) and the other clauses narrow them (docs/similar.md).
NEAR_AMONG_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class Lookups:
    """What a query consults beyond the index, each already limited to one reader's view.
    The facade makes all of them for every query a reader runs (`Archive._lookups`), so a
    query field means the same in the desk's search, the map, the timeline, exports,
    batch searches and saved-search alerts. A lookup left None makes its fields find
    nothing: never more than the reader may see."""

    # person:, org:, place:, entity: and the entity facets.
    entities: EntityLookup | None = None
    # cited:, thread: and the `cited` sort.
    graph: GraphLookup | None = None
    # ~"text".
    near: NearLookup | None = None
    # note:
    notes: NoteLookup | None = None
    # Other spellings of a free-text word (None: every word searched as written).
    variants: VariantLookup | None = None
    # predicted: and its facet.
    predicted: PredictedLookup | None = None


NO_LOOKUPS = Lookups()


class Compiler:
    def __init__(
        self,
        schema: tantivy.Schema,
        connection: sqlite3.Connection,
        query: str,
        origins: Callable[[], list[str]],
        scope: Scope = EVERYTHING,
        lookups: Lookups = NO_LOOKUPS,
        matching: Matching | None = None,
    ) -> None:
        self.schema, self.connection, self.query = schema, connection, query
        self.variants = lookups.variants
        self.predicted = lookups.predicted
        self.graph = lookups.graph
        self.near = lookups.near
        # None: `~"..."` with a filter always takes the nearest cables first.
        self.matching = matching
        self.known_origins = origins
        self.scope = scope
        self.entities = lookups.entities
        self.notes = lookups.notes
        self.prefixes = 0

    def error(self, message: str, position: int) -> QueryError:
        return QueryError(message, self.query, position)

    def compile(self, node: Node) -> tantivy.Query:
        if isinstance(node, Term):
            fields = self.scope.text_fields
            query = self.text(fields, node.text, node.phrase, node.prefix, node.position)
            # A phrase in quotes, a prefix and a word written `=word` are searched exactly.
            if self.variants is None or node.phrase or node.prefix or node.text.startswith("="):
                return query
            words = [w.lower() for w in WORD.findall(node.text)]
            others = self.variants(words)
            if not others:
                return query
            return tantivy.Query.boolean_query(
                [(SHOULD, query)] + [(SHOULD, self.spelled(fields, other)) for other in others]
            )
        if isinstance(node, Field):
            return self.field(node)
        if isinstance(node, Near):
            return self.nearest(node)
        if isinstance(node, Not):
            return tantivy.Query.boolean_query(
                [(MUST, tantivy.Query.all_query()), (MUST_NOT, self.compile(node.node))]
            )
        if isinstance(node, And):
            near = [child for child in node.nodes if isinstance(child, Near)]
            clauses = []
            for child in node.nodes:
                if isinstance(child, Not):
                    clauses.append((MUST_NOT, self.compile(child.node)))
                elif not (near and isinstance(child, Near)):
                    clauses.append((MUST, self.compile(child)))
            if near:
                # Ranked by similarity to the text alone: the other clauses filter.
                clauses = [
                    (o, q if o == MUST_NOT else tantivy.Query.const_score_query(q, 0.0))
                    for o, q in clauses
                ]
                clauses.extend((MUST, q) for q in self.nearest_with(near, clauses))
            if all(occur == MUST_NOT for occur, _ in clauses):
                clauses.append((MUST, tantivy.Query.all_query()))
            return tantivy.Query.boolean_query(clauses)
        assert isinstance(node, Or)
        return tantivy.Query.boolean_query([(SHOULD, self.compile(child)) for child in node.nodes])

    def text(
        self, fields: tuple[str, ...], text: str, phrase: bool, prefix: bool, position: int
    ) -> tantivy.Query:
        words = [w.lower() for w in WORD.findall(text)]
        if not words:
            raise self.error(f"{text!r} has no letters or digits to search for", position)
        if prefix and len(words) == 1:
            self.prefixes += 1
            if self.prefixes > MAX_PREFIXES:
                raise self.error(
                    f"too many words ending in * (at most {MAX_PREFIXES} in a query)", position
                )
        per_field = []
        for name in fields:
            if prefix and len(words) == 1:
                query = tantivy.Query.regex_query(self.schema, name, re.escape(words[0]) + ".*")
            elif len(words) == 1:
                query = tantivy.Query.term_query(self.schema, name, words[0])
            else:
                query = tantivy.Query.phrase_query(self.schema, name, words)
            per_field.append((SHOULD, query))
        return per_field[0][1] if len(per_field) == 1 else tantivy.Query.boolean_query(per_field)

    def spelled(self, fields: tuple[str, ...], words: list[str]) -> tantivy.Query:
        """Words (one, or a phrase) in any of `fields`: a spelling variant."""
        terms: list[str | tuple[int, str]] = list(words)
        per_field = [
            (
                SHOULD,
                tantivy.Query.term_query(self.schema, name, words[0])
                if len(words) == 1
                else tantivy.Query.phrase_query(self.schema, name, terms),
            )
            for name in fields
        ]
        return tantivy.Query.boolean_query(per_field)

    def nearest_with(
        self, nodes: list[Near], clauses: list[tuple[tantivy.Occur, tantivy.Query]]
    ) -> list[tantivy.Query]:
        """`~"..."` parts ANDed with other clauses: when those match at most
        NEAR_AMONG_LIMIT cables, each part scores exactly those cables by similarity (every
        one above zero); otherwise each takes the cables nearest its text (`nearest`)."""
        among = None
        if clauses and self.matching is not None and self.near is not None:
            for node in nodes:
                if not WORD.search(node.text):
                    raise self.error(
                        f"{node.text!r} has no letters or digits to search for", node.position
                    )
            if all(occur == MUST_NOT for occur, _ in clauses):
                rest = tantivy.Query.boolean_query([*clauses, (MUST, tantivy.Query.all_query())])
            else:
                rest = tantivy.Query.boolean_query(clauses)
            among = self.matching(rest, NEAR_AMONG_LIMIT)
        return [self.nearest(node, among) for node in nodes]

    def nearest(self, node: Near, among: list[str] | None = None) -> tantivy.Query:
        """The cables nearest the text (or of `among`, every one similar to it), each
        scored by its similarity (so that sorting by rank orders them by it); combined
        with the rest like any other part."""
        if not WORD.search(node.text):
            raise self.error(f"{node.text!r} has no letters or digits to search for", node.position)
        if among is not None and not among:
            return tantivy.Query.empty_query()
        found = self.near(node.text, among) if self.near is not None else []
        if not found:
            return tantivy.Query.empty_query()
        return tantivy.Query.boolean_query(
            [
                (SHOULD, tantivy.Query.const_score_query(
                    tantivy.Query.term_query(self.schema, "id", cable_id), score
                ))
                for cable_id, score in found
            ]
        )  # fmt: skip

    def terms(self, name: str, values: list[str]) -> tantivy.Query:
        if not values:
            return tantivy.Query.empty_query()
        return tantivy.Query.term_set_query(self.schema, name, values)

    def field(self, node: Field) -> tantivy.Query:
        name, value, position = node.name, node.value.strip(), node.position
        upper = value.upper()
        if node.exact:
            if name not in EXACT_FIELDS:
                raise self.error(
                    f'{name}: takes no exact value (:="..." is for '
                    f"{', '.join(f'{n}:' for n in EXACT_FIELDS)})",
                    position,
                )
            # The whole value, as its facet counts it (archive.prepare.facet_value).
            wanted = {" ".join(upper.split())}
            if name == "to":
                wanted.add(value)
            return self.terms(EXACT_FIELDS[name], sorted(wanted))
        if name == "id":
            return self.terms("id", [upper.replace(" ", "")])
        if name in ("tag", "caveat"):
            return self.terms(name, [" ".join(upper.split())])
        if name == "cites":
            return self.terms("cites", [upper.replace(" ", "")])
        if name == "cited_by":
            return self.terms("id", self.cited_by(upper.replace(" ", "")))
        if name == "has":
            if value.lower() not in ("references", "redactions"):
                raise self.error("has: takes references or redactions", position)
            if value.lower() == "redactions":
                # Only blanks in text this reader may read (archive.fields.blanks_value).
                return self.terms("has", [self.scope.blanks_value()])
            return self.terms("has", [value.lower()])
        if name == "origin":
            return self.terms("origin", self.origins(value))
        if name == "subject":
            fields = self.scope.subject_fields
            return self.text(fields, value, True, value.endswith("*"), position)
        if name in ("from", "to", "signer", "classified_by"):
            return self.text((name,), value, True, value.endswith("*"), position)
        if name in NAME_FIELDS:
            return self.named_entities(NAME_FIELDS[name], name, value, position)
        if name == "entity":
            return self.entity(value, position)
        if name == "cited":
            return self.citations(value, position)
        if name == "thread":
            return self.thread(value, position)
        if name == "note":
            return self.noted(value, position)
        if name == "class":
            return self.classification(value, position)
        if name == "predicted":
            return self.prediction(value, position)
        if name == "year":
            return self.years(value, position)
        if name == "month":
            return self.months(value, position)
        assert name == "date"
        return self.dates(value, position)

    def named_entities(self, kind: str, name: str, value: str, position: int) -> tantivy.Query:
        """`person:maliki`, `person:"nouri al-maliki"`: the cables mentioning, where the
        reader may see it, an entity of that kind with a name holding those words."""
        words = name_words(value)
        if not words:
            raise self.error(
                f'{name}: takes a name ({name}:maliki, or {name}:"nouri al-maliki")', position
            )
        if self.entities is None:
            return tantivy.Query.empty_query()
        return self.mentioning(kind, self.entities.named(kind, words))

    def entity(self, value: str, position: int) -> tantivy.Query:
        """`entity:123`: the cables mentioning that entity where the reader may see it."""
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            raise self.error("entity: takes an entity's number (entity:123)", position)
        found = self.entities.current(int(value)) if self.entities is not None else None
        if found is None:
            # Unknown, or unknown to this reader: the same answer.
            return tantivy.Query.empty_query()
        kind, entity_id = found
        return self.mentioning(kind, [entity_id])

    def mentioning(self, kind: str, entity_ids: list[int]) -> tantivy.Query:
        query = self.terms(self.scope.entity_field(kind), [str(i) for i in entity_ids])
        excluded = self.entities.excluded if self.entities is not None else frozenset()
        if not entity_ids or not excluded:
            return query
        return tantivy.Query.boolean_query(
            [(MUST, query), (MUST_NOT, self.terms("id", sorted(excluded)))]
        )

    def cited_by(self, reference_id: str) -> list[str]:
        """The ids the REF block of `reference_id` cites. The only field that reads a cable
        named in the query from SQLite rather than the (restricted) index: for a viewer of
        the published edition, an unpublished cable must answer exactly as one the archive
        does not hold (no hits, no other message), and a published one as the edition
        published it (its REF block may differ in a newer text awaiting approval)."""
        if self.scope.published_only:
            record = editions.published_record(self.connection, reference_id)
            if record is None:
                return []
            return sorted({r.cable_id for r in record.references if r.cable_id})
        rows = self.connection.execute(
            "SELECT r.cited_id FROM refs r JOIN cables c ON c.id = r.cable_id "
            "WHERE c.reference_id = ? AND r.cited_id IS NOT NULL",
            (reference_id,),
        ).fetchall()
        return sorted({row[0] for row in rows})

    def citations(self, value: str, position: int) -> tantivy.Query:
        """`cited:>=10`: the cables cited by that many of the reader's cables (counted in
        the reader's own citation graph, docs/graph.md)."""
        match = _CITED.match(value)
        if match is None:
            raise self.error(
                "cited: takes a number of citing cables (cited:10), a comparison "
                "(cited:>=10, cited:>10, cited:<=3, cited:<3) or a range (cited:5..20)",
                position,
            )
        low: int
        high: int | None
        if match.group(3) is not None:
            low, high = int(match.group(3)), int(match.group(4))
            if low > high:
                raise self.error("cited: the range ends before it starts", position)
        else:
            count = int(match.group(2))
            low, high = {
                "": (count, count),
                ">=": (count, None),
                ">": (count + 1, None),
                "<=": (0, count),
                "<": (0, count - 1),
            }[match.group(1) or ""]
        if (high is not None and high < 0) or self.graph is None:
            return tantivy.Query.empty_query()
        if low > 0:
            return self.terms("id", self.graph.cited(low, high))
        # From nought: every cable but those cited more (fewer ids to list).
        if high is None:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query(
            [
                (MUST, tantivy.Query.all_query()),
                (MUST_NOT, self.terms("id", self.graph.cited(high + 1, None))),
            ]
        )

    def thread(self, value: str, position: int) -> tantivy.Query:
        """`thread:08BAGHDAD1784`: the cables of that cable's thread in the reader's graph
        (none when it is not one of the reader's cables, as for an unknown id)."""
        if _THREAD.match(value) is None:
            raise self.error(
                "thread: takes a cable's reference id (thread:08BAGHDAD1784)", position
            )
        if self.graph is None:
            return tantivy.Query.empty_query()
        return self.terms("id", self.graph.thread(value))

    def noted(self, value: str, position: int) -> tantivy.Query:
        """`note:dam`, `note:"water rights"`: the cables with a note the reader may read
        holding those words (the asker's own notes and those shared with them)."""
        prefix = value.endswith("*")
        words = [w.lower() for w in WORD.findall(value)]
        if not words:
            raise self.error('note: takes words (note:dam, or note:"water rights")', position)
        if self.notes is None:
            return tantivy.Query.empty_query()
        return self.terms("id", self.notes(words, prefix))

    def origins(self, value: str) -> list[str]:
        """`origin:baghdad` or `origin:"Embassy Baghdad"`: every origin name that contains it."""
        wanted = " ".join(value.lower().split())
        return [origin for origin in self.known_origins() if wanted in origin.lower()]

    def classification(self, value: str, position: int) -> tantivy.Query:
        match = re.match(r"^(>=|<=|>|<)?(.+)$", value.lower())
        assert match
        operator, level = match.group(1) or "", Level.known(match.group(2))
        if level is None:
            raise self.error(
                "class: takes unclassified, confidential, secret or top_secret "
                "(optionally after >=, >, <= or <)",
                position,
            )
        rank = int(level)
        low, high = {
            "": (rank, rank),
            ">=": (rank, 3),
            ">": (rank + 1, 3),
            "<=": (0, rank),
            "<": (0, rank - 1),
        }[operator]
        if low > high:
            return tantivy.Query.empty_query()
        return tantivy.Query.range_query(
            self.schema, "class_rank", tantivy.FieldType.Integer, low, high
        )

    def prediction(self, value: str, position: int) -> tantivy.Query:
        """`predicted:secret` (also `>=confidential` and the like, `classified` for
        `>=confidential`, and `noforn`): the cables the reader is granted a score of whose
        predicted level is so (docs/sensitivity.md)."""
        wanted = value.lower().replace(" ", "_")
        if wanted == "noforn":
            buckets = ["NOFORN"]
        else:
            if wanted == "classified":
                wanted = ">=confidential"
            match = re.match(r"^(>=|<=|>|<)?(unclassified|unclas|confidential|secret)$", wanted)
            if match is None:
                raise self.error(
                    "predicted: takes unclassified, confidential or secret (optionally after "
                    ">=, >, <= or <), classified, or noforn",
                    position,
                )
            rank = min(int(Level.of(match.group(2))), 2)
            low, high = {
                "": (rank, rank),
                ">=": (rank, 2),
                ">": (rank + 1, 2),
                "<=": (0, rank),
                "<": (0, rank - 1),
            }[match.group(1) or ""]
            buckets = [b for b in BUCKETS[:3] if low <= 2 - BUCKETS.index(b) <= high]
        if self.predicted is None or not buckets:
            return tantivy.Query.empty_query()
        lookup = self.predicted
        parts = [
            lookup.query(self.schema, bucket, ids)
            for bucket in buckets
            if (ids := ids_of(lookup, bucket))
        ]
        if not parts:
            return tantivy.Query.empty_query()
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(SHOULD, part) for part in parts])

    def years(self, value: str, position: int) -> tantivy.Query:
        match = re.match(r"^(\d{4})(?:\.\.(\d{4}))?$", value)
        if not match:
            raise self.error("year: takes a year (2008) or a range (2005..2008)", position)
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        return tantivy.Query.range_query(self.schema, "year", tantivy.FieldType.Integer, low, high)

    def months(self, value: str, position: int) -> tantivy.Query:
        """`month:2009-03`, `month:2009-01..2009-06`: by the month of the cable's date
        (DTG, else created), as the month facet counts it."""
        match = _MONTHS.match(value)
        if not match:
            raise self.error(
                "month: takes a month (2009-03) or a range (2009-01..2009-06)", position
            )
        low = int(match.group(1)) * 100 + int(match.group(2))
        high = int(match.group(3) or match.group(1)) * 100 + int(match.group(4) or match.group(2))
        if not (1 <= low % 100 <= 12 and 1 <= high % 100 <= 12):
            raise self.error("month: a month runs from 01 to 12", position)
        if low > high:
            raise self.error("month: the range ends before it starts", position)
        return tantivy.Query.range_query(self.schema, "month", tantivy.FieldType.Integer, low, high)

    def dates(self, value: str, position: int) -> tantivy.Query:
        start_text, _, end_text = value.partition("..")
        start = self._day(start_text, position, end=False)
        end = self._day(end_text or start_text, position, end=True)
        if start >= end:
            raise self.error("date: the range ends before it starts", position)
        return tantivy.Query.range_query(
            self.schema,
            "date",
            tantivy.FieldType.Date,
            start,
            end,
            include_lower=True,
            include_upper=False,
        )

    def _day(self, text: str, position: int, end: bool) -> datetime:
        match = _DATE.match(text.strip())
        if not match:
            raise self.error(
                "date: takes YYYY, YYYY-MM or YYYY-MM-DD, or a range like 2008-01..2009-06",
                position,
            )
        year, month, day = int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)
        try:
            if not end:
                return datetime(year, month or 1, day or 1)
            if day:
                return datetime.fromordinal(datetime(year, month, day).toordinal() + 1)
            if month:
                return datetime(year + (month == 12), month % 12 + 1, 1)
            return datetime(year + 1, 1, 1)
        except ValueError:
            raise self.error(f"date: {text!r} is not a date", position) from None
