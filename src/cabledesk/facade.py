"""`cabledesk.Archive`: the one place where the store, the query layer, redaction and the
audit log meet.

Every read takes a `viewer` and has no default: what comes back is what that reader may
see (docs/publishing.md, "Who sees what"). A viewer is made from who is asking by one rule,
`Archive.viewer(principal)` (`Viewer.for_principal`); the command line asks as the local
desk (`LOCAL`), the web desk as the request's principal, the static edition as `PUBLIC`.
Every change an editor makes is written to the audit log in the same SQLite transaction as
the change itself.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import replace
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import tantivy

from cabledesk.access import audit
from cabledesk.access.errors import AccessError
from cabledesk.access.principal import PUBLIC, Principal
from cabledesk.archive import copies as copy_store
from cabledesk.archive import coverage as coverage_store
from cabledesk.archive import (
    editions,
    editorial,
    entity_register,
    entity_search,
    register,
    sensitivity_view,
    view_cache,
)
from cabledesk.archive import entities as entity_store
from cabledesk.archive import entity_network as network_store
from cabledesk.archive import graph as graph_store
from cabledesk.archive import sensitivity as sensitivity_store
from cabledesk.archive.edition_index import EditionIndex
from cabledesk.archive.enrich import EnrichReport, Extras, Progress
from cabledesk.archive.enrich import run as run_enrichment
from cabledesk.archive.entity_views import Summaries, Summary
from cabledesk.archive.errors import ArchiveError, IndexBehind
from cabledesk.archive.folder import DATABASE, Store
from cabledesk.archive.index import DocumentMapper, Index
from cabledesk.archive.progress import Reporter
from cabledesk.archive.register import RegisterError
from cabledesk.archive.report import IngestReport
from cabledesk.archive.store import citing_ids, last_seq, read_cable, unpack, versions
from cabledesk.entities import KINDS, PERSON
from cabledesk.entities.model import EntityCount, EntityPage, SeenMention
from cabledesk.entities.names import entity_key, name_key, shown_name
from cabledesk.entities.placing import placed
from cabledesk.parse import Parser
from cabledesk.query import browse
from cabledesk.query.browse import OriginCount, TagCount
from cabledesk.query.compile import Lookups
from cabledesk.query.language import QueryError
from cabledesk.query.origins import origin_counts
from cabledesk.query.scope import Scope
from cabledesk.query.search import SearchResult, compile_query, matching_ids, search, written
from cabledesk.query.timeline import Month, timeline
from cabledesk.record.ids import first_part, normal_id
from cabledesk.record.model import Cable, Paragraph
from cabledesk.record.words import WORD
from cabledesk.redact.apply import Redactor, burn
from cabledesk.redact.candidates import Candidate
from cabledesk.redact.ceiling import portion, withheld_note
from cabledesk.redact.entity_candidates import (
    EntityCandidate,
    EntityProposals,
    Sighting,
    burned_everywhere,
    rule_names,
    sightings,
)
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer
from cabledesk.workspace import batch
from cabledesk.workspace import collections as ws
from cabledesk.workspace import notes as ws_notes
from cabledesk.workspace import saved_searches as saved_store
from cabledesk.workspace import shelf as ws_shelf
from cabledesk.workspace import variants as variant_store

if TYPE_CHECKING:
    # Loaded on first use (they load numpy): similar cables (docs/similar.md).
    from cabledesk.archive.similar import Found, SimilarCable, Similarities
    from cabledesk.archive.similar_model import Model as SimilarModel

T = TypeVar("T")
EntityRef = int | str  # an entity id, a mention key (`person:karzai`) or a name
_EXPORT_CHUNK = 500
# An entity in more than sqrt(_DENSE_FACTOR * N) of an archive's N cables is listed by
# walking the cables newest first and keeping those that mention it, rather than by
# sorting all of its cables by date (Archive.entity).
_DENSE_FACTOR = 100

__all__ = ["Archive", "ArchiveError"]


class Archive:
    """An archive as its readers and editors use it (the store is `archive.store`)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Whether an entity is hidden from readers given redactions, per compiled rules and
        # resolution (an editor's alias or split, here or in another process, changes
        # which names an entity has).
        self._hidden_entities: dict[tuple[int, Redactor, int], bool] = {}
        # The name an entity is shown under to readers who see less than everything.
        self._shown_names: dict[tuple[int, entity_store.Visibility, int], str] = {}
        # Entity counts, months, posts and spellings per class of reader (entity_views.py).
        self._summaries = Summaries(store.path, store.path / DATABASE)
        # The citation graph per class of reader (archive/graph.py).
        self._graphs = graph_store.Graphs(store.path, store.path / DATABASE)
        # Near-duplicate groups per class of reader (archive/copies.py).
        self._copies = copy_store.Copies(store.path, store.path / DATABASE)
        # The similar-cables models per class of reader (archive/similar.py), made on
        # first use: they need numpy, which no other command should wait for.
        self._similar: Similarities | None = None
        # Which entities each class of reader's cables name (archive/entity_network.py).
        self._networks = network_store.Networks(store.path, store.path / DATABASE)
        # A long-lived handle (the server's) builds the caches a change made stale in the
        # background at once, so the next reader waits only for what is left of it. A
        # command line run does not: it would wait for those builds before it ends
        # (`cabledesk warm` builds them when wanted).
        self.warm_after_changes = False
        # Whether a word is written as a name in a class of reader's cables (variants.py),
        # kept across index snapshots: groups rebuilt after an ingest read only new words.
        self._name_verdicts: dict[tuple[object, str], bool] = {}
        # The scores each class of reader is granted (archive/sensitivity_view.py), keyed
        # by the class, the archive's change number and the scores' generation.
        self._granted: dict[tuple[object, ...], sensitivity_view.Granted] = {}
        self._model_cache: tuple[tuple[int, ...], sensitivity_store.Model | None] | None = None

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, discard_index: bool = False) -> Archive:
        """Open (or create) the archive folder at `path` (Store.open)."""
        return cls(Store.open(path, create=create, discard_index=discard_index))

    # The store's parts, for tools that work on it directly (tests, benchmarks, checks).
    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def connection(self) -> sqlite3.Connection:
        return self.store.connection

    @property
    def index(self) -> Index:
        return self.store.index

    @property
    def edition_index(self) -> EditionIndex:
        return self.store.edition_index

    def close(self) -> None:
        self._summaries.close()
        self._graphs.close()
        self._copies.close()
        self._networks.close()
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- the store's own work ---------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str | Path] | str | Path,
        *,
        format: str = "auto",
        workers: int | None = None,
        progress: Reporter | None = None,
        parser: Parser | None = None,
    ) -> IngestReport:
        """Parse and store every cable in `paths`, with `parser` when given (a `Parser`
        with rules of your own; docs/architecture.md); see cabledesk.archive.ingest."""
        return self.store.ingest(
            paths, format=format, workers=workers, progress=progress, parser=parser
        )

    def catch_up(self, wait: float = 0.0) -> bool:
        return self.store.catch_up(wait)

    def reindex(self) -> int:
        """Rebuild the indexes from SQLite; returns the number of cables indexed."""
        return self.store.reindex()

    def check(self) -> list[str]:
        """What is wrong between the indexes and SQLite (nothing: they agree)."""
        return self.store.check()

    # --- who sees what ----------------------------------------------------------------

    def viewer(self, principal: Principal) -> Viewer:
        """What `principal` may see, with the rules in force (Viewer.for_principal)."""
        return Viewer.for_principal(principal, self.store.redactor())

    def public_viewer(self) -> Viewer:
        """The public's Viewer, with the rules in force."""
        return self.viewer(PUBLIC)

    def redactor(self) -> Redactor:
        """The rules in force, compiled (shared by every viewer made for a request)."""
        return self.store.redactor()

    def published(self) -> set[str]:
        """The ids of the cables of the latest edition. Not a read of any cable: which
        cables the edition holds is itself public (its site lists them)."""
        return self.store.published()

    # --- reading ----------------------------------------------------------------------

    def get(self, reference_id: str, *, viewer: Viewer) -> Cable | None:
        """The current record of a cable as `viewer` may see it, or None when the archive
        does not have it (or, for the public, has not published it)."""
        reference_id = normal_id(reference_id)
        if viewer.published_only:
            published = self.published()
            if reference_id not in published:
                # A message stored as PlusD documents is read as its first one.
                reference_id = first_part(reference_id) or reference_id
            if reference_id not in published:
                return None
            # The version the edition published, not a newer text awaiting approval.
            cable = editions.published_record(self.connection, reference_id)
        else:
            cable = read_cable(self.connection, reference_id)
        return self.view(cable, viewer=viewer) if cable is not None else None

    def view(self, cable: Cable, *, viewer: Viewer) -> Cable:
        """A stored current record as `viewer` receives it. A signed-in account never gets
        less of a cable of the latest edition than the public does (docs/publishing.md,
        "Who sees what"): what its own view withholds and the public's view of the version
        published shows is shown as published."""
        if viewer.published_only or not viewer.restricted:
            return viewer.view(cable)
        if (cable.reference_id or "") not in self.published():
            return viewer.view(cable)
        published = editions.published_record(self.connection, cable.reference_id or "")
        return viewer.view_published(cable, published, self.public_viewer())

    def citing(self, reference_id: str, *, viewer: Viewer) -> list[str]:
        """Ids of the archived cables that cite this one in their REF block."""
        if viewer.published_only:
            return editions.published_citing(self.connection, normal_id(reference_id))
        return citing_ids(self.connection, normal_id(reference_id))

    def count(self, *, viewer: Viewer) -> int:
        """How many cables the archive holds, or has published for the public."""
        if viewer.published_only:
            return len(self.published())
        return self.store.count()

    def _lookups(self, viewer: Viewer, *, variants: bool = False) -> Lookups:
        """Everything a query of `viewer` may consult beyond the index, each from their
        own view (query.compile.Lookups): one place, so that a query field finds the same
        cables in every view of a search. `variants`: free-text words also find their
        other spellings (made per query: the lookup records which it used)."""
        return Lookups(
            entities=self._entity_lookup(viewer),
            graph=self._graph_lookup(viewer),
            near=self._near(viewer),
            notes=self._note_lookup(viewer),
            variants=self._variants(viewer) if variants else None,
            predicted=self._predicted(viewer),
        )

    def _also(self, query: str, viewer: Viewer, blank_matches_all: bool) -> set[str]:
        """For a signed-in account whose ceiling holds text back: the published cables the
        public's search finds for `query` (found in the edition index, built from what the
        public sees), so that their search never finds less than the public's. A QueryError
        is raised by the account's own query as well."""
        if viewer.published_only or not viewer.restricted or not self.published():
            return set()
        if blank_matches_all and not query.strip():
            return set()  # every cable already
        public = self.public_viewer()
        return set(
            matching_ids(
                self.store.searcher(published_only=True, restricted=True),
                self.edition_index.schema,
                self.connection,
                query,
                "date",
                self.store.origins,
                viewer=public,
                lookups=self._lookups(public),
            )
        )

    def search(
        self,
        query: str,
        *,
        viewer: Viewer,
        limit: int = 20,
        offset: int = 0,
        sort: str = "rank",
        facets: bool = True,
        blank_matches_all: bool = False,
        variants: bool = False,
    ) -> SearchResult:
        """Search with the query language (docs/search.md); QueryError for a bad query.
        A blank query is an error unless `blank_matches_all` (then: every cable).
        `variants`: a free-text word also finds its other spellings in the reader's own
        vocabulary (the result's `also_searched` says which; docs/search.md)."""
        searcher, memo = self.store.snapshot(
            published_only=viewer.published_only, restricted=viewer.restricted
        )
        return search(
            searcher,
            self.index.schema,
            self.connection,
            query,
            limit=limit,
            offset=offset,
            sort=sort,
            facets=facets,
            origins=self.store.origins,
            blank_matches_all=blank_matches_all,
            viewer=viewer,
            also=self._also(query, viewer, blank_matches_all),
            view=lambda cable: self.view(cable, viewer=viewer),
            lookups=self._lookups(viewer, variants=variants),
            memo=memo,
        )

    def timeline(
        self,
        query: str,
        *,
        viewer: Viewer,
        blank_matches_all: bool = False,
        variants: bool = False,
    ) -> list[Month]:
        """Cables matching `query` per month, split by classification, oldest first."""
        _, compiled = compile_query(
            self.index.schema,
            self.connection,
            query,
            self.store.origins,
            viewer=viewer,
            blank_matches_all=blank_matches_all,
            also=self._also(query, viewer, blank_matches_all),
            lookups=self._lookups(viewer, variants=variants),
        )
        searcher = self.store.searcher(
            published_only=viewer.published_only, restricted=viewer.restricted
        )
        return timeline(searcher, compiled)

    def origin_counts(
        self,
        query: str,
        *,
        viewer: Viewer,
        blank_matches_all: bool = False,
        variants: bool = False,
    ) -> list[tuple[str, int]]:
        """(origin, cables) of every origin with cables matching `query` that `viewer`
        may find, most first (the map of origins): the cables `search` finds with the same
        arguments. QueryError for a bad query."""
        _, compiled = compile_query(
            self.index.schema,
            self.connection,
            query,
            self.store.origins,
            viewer=viewer,
            blank_matches_all=blank_matches_all,
            also=self._also(query, viewer, blank_matches_all),
            lookups=self._lookups(viewer, variants=variants),
        )
        searcher = self.store.searcher(
            published_only=viewer.published_only, restricted=viewer.restricted
        )
        return origin_counts(searcher, compiled)

    def matching_ids(
        self,
        query: str,
        *,
        viewer: Viewer,
        sort: str = "rank",
        blank_matches_all: bool = False,
        limit: int | None = None,
        variants: bool = False,
    ) -> Iterator[str]:
        """The id of every cable matching `query` that `viewer` may find (the first
        `limit`), in result order, without reading a record (a malformed query raises
        QueryError when iterated)."""

        def ids() -> Iterator[str]:
            yield from matching_ids(
                self.store.searcher(
                    published_only=viewer.published_only, restricted=viewer.restricted
                ),
                self.index.schema,
                self.connection,
                query,
                sort,
                self.store.origins,
                blank_matches_all=blank_matches_all,
                viewer=viewer,
                also=self._also(query, viewer, blank_matches_all),
                lookups=self._lookups(viewer, variants=variants),
                limit=limit,
            )

        return ids()

    def export(
        self,
        query: str,
        *,
        viewer: Viewer,
        sort: str = "rank",
        blank_matches_all: bool = False,
        account: str | None = None,
        variants: bool = False,
    ) -> Iterator[Cable]:
        """Every cable matching `query`, as `viewer` may see it, streamed in result order.
        The export is written to the audit log when streaming starts (`account` None: the
        command line)."""
        audit.record(self.connection, "export", account, detail={"query": query, "sort": sort})
        ids = self.matching_ids(
            query,
            viewer=viewer,
            sort=sort,
            blank_matches_all=blank_matches_all,
            variants=variants,
        )
        while chunk := list(islice(ids, _EXPORT_CHUNK)):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT reference_id, record FROM cables WHERE reference_id IN ({marks})"
            rows = dict(self.connection.execute(sql, chunk).fetchall())
            for reference_id in chunk:
                if reference_id in rows:
                    yield self.view(unpack(rows[reference_id]), viewer=viewer)

    # --- spelling variants (docs/search.md, "Spelling variants") --------------------------

    def _variant_groups(self, viewer: Viewer) -> tuple[variant_store.Groups, tantivy.Searcher]:
        """The reader's variant groups, learnt from the words of the fields they search,
        kept with the index's snapshot (rebuilt when the index moves on: an ingest, a
        redaction, an edition)."""
        searcher, memo = self.store.snapshot(
            published_only=viewer.published_only, restricted=viewer.restricted
        )
        scope = Scope.of(viewer)
        key = ("variants", scope.text_fields, scope.subject_fields, scope.published_only)
        found = memo.get(key)
        if isinstance(found, variant_store.Groups):
            return found, searcher
        # The memo is shared by the process's handles (Index.snapshot): one of them learns
        # the groups, the others wait for them rather than learn them too.
        lock = cast(threading.Lock, memo.setdefault(("lock", key), threading.Lock()))
        with lock:
            found = memo.get(key)
            if isinstance(found, variant_store.Groups):
                return found, searcher
            schema = self.index.schema

            def capitalised(words: list[str]) -> set[str]:
                # Read in a few of the reader's own cables, as the reader receives them.
                names = set()
                for word in words:
                    known = self._name_verdicts.get((key, word))
                    if known is not None:
                        if known:
                            names.add(word)
                        continue
                    query = scope.restrict(
                        schema,
                        tantivy.Query.boolean_query(
                            [
                                (tantivy.Occur.Should, tantivy.Query.term_query(schema, f, word))
                                for f in scope.text_fields
                            ]
                        ),
                    )
                    hits = searcher.search(query, limit=variant_store.CASE_SAMPLE).hits
                    ids = [searcher.doc(address)["id"][0] for _, address in hits]
                    cables = (self.get(i, viewer=viewer) for i in ids)
                    texts = (
                        " ".join(p.text for p in c.paragraphs) for c in cables if c is not None
                    )
                    verdict = variant_store.written_as_name(word, texts)
                    self._name_verdicts[(key, word)] = verdict
                    if verdict:
                        names.add(word)
                return names

            vocabulary = variant_store.vocabulary(searcher, schema, scope)
            # The reader's own entities, when their summary is of the archive as it stands
            # (else built in the background; the groups are learnt again at the next
            # index change).
            summary = self._summary(self._seen(viewer))
            entities = (
                variant_store.entity_names(summary.every_name(), vocabulary)
                if summary is not None
                else None
            )
            found = variant_store.build(vocabulary, capitalised=capitalised, entities=entities)
            memo[key] = found
        return found, searcher

    def _variants(self, viewer: Viewer) -> variant_store.Lookup:
        """Spelling variants for one query of `viewer` (query.compile.VariantLookup)."""
        groups, searcher = self._variant_groups(viewer)
        scope, schema = Scope.of(viewer), self.index.schema

        def occurs(words: list[str]) -> bool:
            terms: list[str | tuple[int, str]] = list(words)
            phrase = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, tantivy.Query.phrase_query(schema, name, terms))
                    for name in scope.text_fields
                ]
            )
            found = searcher.search(scope.restrict(schema, phrase), limit=1, count=True)
            return bool(getattr(found, "count", 0))

        return variant_store.Lookup(groups, occurs)

    def variant_groups(self, *, viewer: Viewer) -> list[tuple[str, ...]]:
        """Every variant group `viewer`'s vocabulary gives, most frequent spelling first."""
        return self._variant_groups(viewer)[0].groups

    # --- saved searches and alerts (docs/workspace.md) ----------------------------------

    def _owner(self, principal: Principal) -> str:
        """Whose saved searches these are: an account's, or the local desk's (no
        accounts). A visitor who is not signed in keeps none."""
        if principal.role == "local":
            return saved_store.LOCAL_OWNER
        if principal.name is None:
            raise AccessError("saved searches are kept for signed-in accounts")
        return principal.name

    def _new_matches(
        self, query: str, viewer: Viewer, after: int, upto: int | None = None
    ) -> tuple[list[str], int]:
        # Saved searches match as the desk's search does: spelling variants included
        # (`=word` or quotes for one spelling; docs/search.md).
        """The cables that arrived (were ingested) after change `after` and that `query`
        matches in `viewer`'s view, newest first, and the change number they were
        counted up to (the index's: a cable it has not absorbed yet is news next time)."""
        published, restricted = viewer.published_only, viewer.restricted
        self.store.searcher(published_only=published, restricted=restricted)  # catch up
        # Read before the searcher is taken: the searcher holds at least this much.
        absorbed = self.index.absorbed
        upto = absorbed if upto is None else min(upto, absorbed)
        searcher = self.store.searcher(published_only=published, restricted=restricted)
        _, compiled = compile_query(
            self.index.schema,
            self.connection,
            query,
            self.store.origins,
            viewer=viewer,
            blank_matches_all=True,
            also=self._also(query, viewer, True),
            lookups=self._lookups(viewer, variants=True),
            searcher=searcher,
        )
        arrived = saved_store.arrived(self.connection, after, upto)
        if not arrived:
            return [], upto
        among = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, compiled),
                (
                    tantivy.Occur.Must,
                    tantivy.Query.term_set_query(self.index.schema, "id", arrived),
                ),
            ]
        )
        found = searcher.search(
            among, limit=len(arrived), order_by_field="date", order=tantivy.Order.Desc
        )
        return [searcher.doc(address)["id"][0] for _, address in found.hits], upto

    def save_search(
        self, principal: Principal, name: str, query: str, sort: str = "rank"
    ) -> saved_store.SavedSearch:
        """Keep `query` (with its filters) and `sort` under `name` for `principal`; its
        news starts now. QueryError for a query that cannot be read, SavedSearchError
        for a name or sort that cannot be kept."""
        owner = self._owner(principal)
        saved_store.check(name, query, sort)
        # Compiles the query in the owner's view (a QueryError is raised now, not at the
        # first alert) and reads how far the index holds: the news starts there.
        _, upto = self._new_matches(query, self.viewer(principal), sys.maxsize)
        return saved_store.add(self.connection, owner, name, query, sort, upto)

    def saved_searches(self, principal: Principal) -> list[saved_store.News]:
        """`principal`'s saved searches, each with the matches that arrived since the
        desk's mark, in `principal`'s own view."""
        owner = self._owner(principal)
        viewer = self.viewer(principal)
        return [
            self._news(found, viewer, alerted=False)
            for found in saved_store.of_owner(self.connection, owner)
        ]

    def saved_search(
        self, principal: Principal, search_id: int, *, alerted: bool = False
    ) -> saved_store.News:
        """One of `principal`'s saved searches with its news since the desk's mark (or,
        `alerted`, since the last `cabledesk alerts`); SavedSearchError when it has none
        by that number."""
        found = saved_store.get(self.connection, self._owner(principal), search_id)
        return self._news(found, self.viewer(principal), alerted=alerted)

    def _news(
        self, found: saved_store.SavedSearch, viewer: Viewer, *, alerted: bool
    ) -> saved_store.News:
        after = found.alerted_seq if alerted else found.visited_seq
        try:
            ids, upto = self._new_matches(found.query, viewer, after)
        except QueryError as exc:
            # Saved before a change to the language, say: shown with its message.
            return saved_store.News(found, [], after, str(exc))
        return saved_store.News(found, ids, upto)

    def mark_seen(
        self, principal: Principal, search_id: int, upto: int, *, alerted: bool = False
    ) -> None:
        """Move a saved search's desk mark (or alerts' mark) on to change `upto` (what was
        shown; never beyond what the index holds)."""
        owner = self._owner(principal)
        saved_store.get(self.connection, owner, search_id)
        upto = min(upto, self.index.absorbed)
        saved_store.mark(self.connection, owner, search_id, seq=upto, alerted=alerted)

    def change_saved_search(
        self,
        principal: Principal,
        search_id: int,
        *,
        name: str | None = None,
        query: str | None = None,
        sort: str | None = None,
    ) -> saved_store.SavedSearch:
        """Rename one of `principal`'s saved searches or change its query or sort (None:
        kept). A new query is compiled in the owner's view first (QueryError) and its news
        starts now, as if saved anew; a rename or a new sort keeps the marks.
        SavedSearchError for a search they have none by that number, or a name in use."""
        owner = self._owner(principal)
        found = saved_store.get(self.connection, owner, search_id)
        seq = None
        if query is not None and query.strip() != found.query:
            _, seq = self._new_matches(query, self.viewer(principal), sys.maxsize)
        return saved_store.change(
            self.connection, owner, search_id, name=name, query=query, sort=sort, seq=seq
        )

    def delete_saved_search(self, principal: Principal, search_id: int) -> None:
        saved_store.delete(self.connection, self._owner(principal), search_id)

    def alerts(self, principal: Principal, *, mark: bool = True) -> list[saved_store.News]:
        """For each of `principal`'s saved searches, the cables that arrived since the
        last run and that it matches in `principal`'s view; `mark` moves the alerts'
        marks on past them (a daily cron job: `cabledesk alerts`)."""
        owner = self._owner(principal)
        viewer = self.viewer(principal)
        found = []
        for kept in saved_store.of_owner(self.connection, owner):
            news = self._news(kept, viewer, alerted=True)
            if mark and news.error is None:
                saved_store.mark(self.connection, owner, kept.id, seq=news.upto, alerted=True)
            found.append(news)
        return found

    def saved_search_owners(self) -> list[str]:
        """Every owner with a saved search (`cabledesk alerts --all`)."""
        return saved_store.owners(self.connection)

    def batch_search(
        self,
        lines: list[batch.Line],
        *,
        viewer: Viewer,
        max_ids: int | None = batch.MAX_IDS,
        variants: bool = True,
    ) -> list[batch.Row]:
        """Each line's query in `viewer`'s view: how many cables it matches and their ids
        (newest first; the first `max_ids`, None: all). A line whose query cannot be read
        gets its message; the others go on (docs/workspace.md, "Batch search")."""
        published, restricted = viewer.published_only, viewer.restricted
        rows = []
        for line in lines:
            row = batch.Row(line.number, line.text, line.query, error=line.error)
            rows.append(row)
            if line.error is not None:
                continue
            searcher = self.store.searcher(published_only=published, restricted=restricted)
            lookups = self._lookups(viewer, variants=variants)
            lookup = lookups.variants
            try:
                _, compiled = compile_query(
                    self.index.schema,
                    self.connection,
                    line.query,
                    self.store.origins,
                    viewer=viewer,
                    also=self._also(line.query, viewer, False),
                    lookups=lookups,
                    searcher=searcher,
                )
            except QueryError as exc:
                row.error = f"{exc.message} at position {exc.position + 1}"
                continue
            row.count = int(getattr(searcher.search(compiled, limit=1, count=True), "count", 0))
            wanted = row.count if max_ids is None else min(row.count, max_ids)
            if wanted:
                found = searcher.search(
                    compiled, limit=wanted, order_by_field="date", order=tantivy.Order.Desc
                )
                row.ids = [searcher.doc(address)["id"][0] for _, address in found.hits]
            row.truncated = row.count > len(row.ids)
            if lookup is not None:
                row.variants = [written(v) for _, others in lookup.used for v in others]
        return rows

    def neighbours(self, reference_id: str, *, viewer: Viewer) -> tuple[str | None, str | None]:
        """The previous and next cable from the same origin (by date), where there are."""
        return browse.neighbours(self.connection, normal_id(reference_id), viewer.published_only)

    def present(self, reference_ids: list[str], *, viewer: Viewer) -> set[str]:
        """Which of these reference ids the archive holds (has published, for the public)."""
        found = browse.present(self.connection, reference_ids)
        if not viewer.published_only:
            return found
        published = self.published()
        return {i for i in found if i in published or first_part(i) in published}

    def browse_origins(self, *, viewer: Viewer) -> list[OriginCount]:
        """Every origin with its count and date span (cached until the archive changes)."""
        return self._counted("origins", browse.origins, viewer)

    def browse_tags(self, *, viewer: Viewer) -> dict[str, list[TagCount]]:
        """Every TAG with its count, grouped by kind (cached until the archive changes)."""
        return self._counted("tags", browse.tags, viewer)

    def browse_months(self, *, viewer: Viewer) -> list[tuple[str, int]]:
        return self._counted("months", browse.months, viewer)

    def browse_classifications(self, *, viewer: Viewer) -> list[tuple[str, int]]:
        return self._counted("classifications", browse.classifications, viewer)

    def _counted(
        self, name: str, count: Callable[[sqlite3.Connection, bool], T], viewer: Viewer
    ) -> T:
        edition = viewer.published_only
        return self.store.cached(f"{name}:{edition}", lambda c: count(c, edition))

    def stats(self, *, viewer: Viewer) -> dict[str, list[tuple[str, int]]]:
        """Counts of archived (for the public: published) cables by year, origin,
        classification and tag."""
        return browse.stats(self.connection, viewer.published_only)

    # --- the editors' records (for viewers that see the stored record) ----------------

    def register(self, *, viewer: Viewer, include_lifted: bool = False) -> list[Rule]:
        """The redaction rules (in force; with `include_lifted`, every one ever marked)."""
        _editors_only(viewer, "the redaction register")
        return register.rules(self.connection, include_lifted=include_lifted)

    def register_history(self, *, viewer: Viewer) -> list[dict[str, object]]:
        _editors_only(viewer, "the register's history")
        return register.history(self.connection)

    def versions(self, reference_id: str, *, viewer: Viewer) -> list[tuple[int, str, Cable]]:
        """The cable's earlier texts, oldest first (the public never sees the history of
        a cable)."""
        _editors_only(viewer, "a cable's earlier texts")
        return versions(self.connection, normal_id(reference_id))

    def approved(self, *, viewer: Viewer) -> list[editions.Approval]:
        _editors_only(viewer, "the approvals")
        return editions.approved(self.connection)

    # --- editors' changes, each with its audit row in the same transaction --------------

    def redact(self, rule: Rule, account: str | None = None) -> Rule:
        """Mark a redaction (RegisterError when it cannot be); it applies at once."""
        rule = editorial.normalised(rule)
        exists = (
            rule.cable_id is not None and read_cable(self.connection, rule.cable_id) is not None
        )
        register.validate(rule, exists)

        def apply(connection: sqlite3.Connection) -> Rule:
            stored = editorial.mark(connection, self.index, rule, account)
            detail = {"rule": stored.id, "what": stored.describe()}
            audit.insert(connection, [audit.event("redaction_mark", account, detail=detail)])
            return stored

        # Under the index writer: an ingest cannot start (or be running) with the old rules.
        stored = self.store.change(apply)
        self._changed()
        return stored

    def lift(self, rule_id: int, reason: str, account: str | None = None) -> Rule:
        """Lift a redaction (logged with the reason); it stops applying at once."""

        def apply(connection: sqlite3.Connection) -> Rule:
            rule = editorial.lift(connection, self.index, rule_id, account, reason)
            detail = {"rule": rule.id, "reason": reason}
            audit.insert(connection, [audit.event("redaction_lift", account, detail=detail)])
            return rule

        lifted = self.store.change(apply)
        self._changed()
        return lifted

    def approve(self, reference_ids: list[str], account: str | None = None) -> int:
        """Approve cables for the next edition; returns how many were newly approved."""
        ids = sorted({normal_id(i) for i in reference_ids})
        # Approvals name stored records: `77STATE17976` for a message stored as PlusD
        # documents would approve nothing, so only exact ids count as archived here.
        missing = sorted(set(ids) - browse.present(self.connection, ids, exact=True))
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise RegisterError(f"expected reference ids of archived cables; not archived: {shown}")
        with self.connection:
            added = editions.approve(self.connection, ids, account, register.now())
            event = audit.event("approval", account, detail={"approved": ids})
            audit.insert(self.connection, [event])
        return added

    def withdraw(self, reference_ids: list[str], account: str | None = None) -> int:
        """Take cables out of the next edition; returns how many were approved."""
        ids = sorted({normal_id(i) for i in reference_ids})
        with self.connection:
            taken = editions.withdraw(self.connection, ids)
            event = audit.event("approval", account, detail={"withdrawn": ids})
            audit.insert(self.connection, [event])
        return taken

    def record_edition(
        self,
        account: str | None,
        output: str,
        versions: Mapping[str, str] | None = None,
        register_version: int | None = None,
        *,
        workers: int = 0,
        warm: bool = True,
    ) -> int:
        """Record a new edition (editorial.record_edition); returns its number. `workers`:
        processes making the index documents of the cables it touches (Store.change).
        `warm`: build the citation graphs and co-mention networks the edition made stale
        in background threads now (a long-lived handle does whatever `warm` says; a
        command that ends at once passes False and leaves them to a `cabledesk warm` of
        their own: docs/graph.md, "Cold caches")."""

        def apply(connection: sqlite3.Connection) -> int:
            number, cables = editorial.record_edition(
                connection, account, output, versions, register_version
            )
            detail = {"edition": number, "cables": cables, "output": output}
            audit.insert(connection, [audit.event("edition", account, detail=detail)])
            return number

        number = self.store.change(apply, workers=workers)
        # The public's entity summary, of the new edition (entity_views.py).
        public = self.public_viewer()
        self._summaries.build(self._seen(public))
        # The edition moves every view's stamp: the citation graphs and co-mention
        # networks of the public and of everything are built again in the background; the
        # first reader waits for the rest of that build at most, never gets an older one.
        self._changed(always=warm)
        return number

    def _changed(self, always: bool = False) -> None:
        """After a change (every view's stamp moved): build the citation graphs and
        co-mention networks of everything and of the public again in the background, when
        this handle is long-lived (`warm_after_changes`) or `always`."""
        if not (always or self.warm_after_changes):
            return
        viewers = [Viewer()]
        if self.published():
            viewers.insert(0, self.public_viewer())
        for viewer in viewers:
            self._graphs.request(self._graph_seen(viewer))
            self._networks.request(self._seen(viewer))

    def editions(self, *, viewer: Viewer) -> list[tuple[int, str, str | None, int, int]]:
        """Every edition, newest first: (number, created at, by, register version, cables)."""
        _editors_only(viewer, "the editions' records")
        return editions.listing(self.connection)

    # --- the caches of each class of reader (archive/view_cache.py) ----------------------

    def _rules_key(self, viewer: Viewer) -> str:
        """The fingerprint of the redaction rules `viewer` gets, in every per-reader
        cache's key: two readers with the same rules receive the same burned text."""
        redactor = viewer.redactor
        if not (viewer.redact and redactor):
            return ""
        return view_cache.rules_key(
            (r.id, r.kind, r.text, tuple(r.variants), r.cable_id, r.paragraph)
            for r in redactor.rules
        )

    # --- the citation graph (docs/graph.md) --------------------------------------------

    def _graph_seen(self, viewer: Viewer) -> graph_store.Visibility:
        """The cables and references `viewer`'s graph is made of, in the store's terms.
        Fail closed: the public's graph is the latest edition's (a cable the edition does
        not hold is at most a cited id, like one the archive does not have); a cable's
        references count only when its REF lines are within the reader's ceiling; for a
        reader who gets redactions, a REF item a rule in force changes does not count. A
        signed-in reader's graph also holds every edge of the public's."""
        if not viewer.restricted:
            return graph_store.Visibility()
        hides = None
        rules = ""
        redactor = viewer.redactor
        burn = withheld = None
        if viewer.redact and redactor:

            def hides(citing: str, text: str) -> bool:
                return redactor.burned(citing, {"text": text})[0] != {"text": text}

            def burn(citing: str, text: str) -> str:
                return str(redactor.burned(citing, {"text": text})[0]["text"])

            withheld = redactor.withheld_paragraphs

            rules = self._rules_key(viewer)
        public = None
        if not viewer.published_only and self.published():
            public = self._graph_seen(self.public_viewer())
        return graph_store.Visibility(
            ceiling=int(viewer.ceiling),
            foreign=viewer.foreign,
            published_only=viewer.published_only,
            rules=rules,
            public=public,
            hides=hides,
            burn=burn,
            withheld=withheld,
        )

    def _graph(self, viewer: Viewer) -> graph_store.Graph:
        return self._graphs.fresh(self.connection, self._graph_seen(viewer))

    def _graph_lookup(self, viewer: Viewer) -> graph_store.Lookup:
        """`viewer`'s graph for the query language (`cited:`, `thread:`, sort=cited),
        read only when a query asks."""
        return graph_store.Lookup(lambda: self._graph(viewer))

    def _graph_id(self, graph: graph_store.Graph, reference_id: str) -> str | None:
        """The node a typed id names in this graph (a message's id: its first document)."""
        wanted = normal_id(reference_id)
        for name in (wanted, first_part(wanted)):
            if name is not None and graph.node(name) is not None:
                return name
        return None

    def graph_stats(self, *, viewer: Viewer) -> dict[str, object]:
        """The size of `viewer`'s citation graph: cables, cited ids not in the archive,
        edges, components, the largest, PageRank's iterations, how good the estimated
        dates are (each dated cable left out in turn), the build's CPU seconds."""
        return self._graph(viewer).summary()

    def graph_cable(self, reference_id: str, *, viewer: Viewer) -> graph_store.CableLinks | None:
        """A node of `viewer`'s graph with its metrics, what it cites and what cites it;
        None when the id is neither one of the reader's cables nor cited by one."""
        graph = self._graph(viewer)
        name = self._graph_id(graph, reference_id)
        if name is None:
            return None
        node = graph.node(name)
        assert node is not None
        cites_via, cited_by_via = graph.via(name)
        return graph_store.CableLinks(
            node, graph.cites(name), graph.cited_by(name), cites_via, cited_by_via
        )

    def graph_thread(
        self, reference_id: str, *, viewer: Viewer, hops: int = 3, days: int = 183
    ) -> list[graph_store.ThreadEntry] | None:
        """The thread around one of the reader's cables, in date order (Graph.thread);
        None when it is not one of the reader's cables."""
        graph = self._graph(viewer)
        name = self._graph_id(graph, reference_id)
        if name is None:
            return None
        node = graph.node(name)
        if node is None or not node.archived:
            return None
        return graph.thread(name, hops=hops, days=days)

    def graph_neighbourhood(
        self,
        reference_id: str,
        *,
        viewer: Viewer,
        hops: int = 2,
        cap: int = graph_store.NEIGHBOURHOOD_NODES,
    ) -> graph_store.Neighbourhood | None:
        """The nodes of `viewer`'s graph within `hops` citations of this one (either way)
        and the edges among them, at most `cap` nodes (Graph.neighbourhood); None when
        the id is neither one of the reader's cables nor cited by one."""
        graph = self._graph(viewer)
        name = self._graph_id(graph, reference_id)
        if name is None:
            return None
        return graph.neighbourhood(name, hops=hops, cap=cap)

    def graph_most_cited(
        self,
        *,
        viewer: Viewer,
        query: str | None = None,
        archived: bool | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[graph_store.Cited]:
        """The most cited nodes of `viewer`'s graph (`archived`: True the reader's cables
        only, False the cited ids the archive does not hold), with each cable's subject as
        the reader sees it; `query`: counting only the citations made by the cables
        matching it (QueryError for a bad one)."""
        graph = self._graph(viewer)
        citing = None
        if query is not None and query.strip():
            citing = set(self.matching_ids(query, viewer=viewer, blank_matches_all=True))
        found = []
        for node, count in graph.most_cited(
            archived=archived, citing=citing, limit=limit, offset=offset
        ):
            subject = None
            if node.archived:
                cable = self.get(node.id, viewer=viewer)
                subject = cable.subject if cable is not None else None
            found.append(graph_store.Cited(node, count, subject))
        return found

    def graph_export(
        self, *, viewer: Viewer, query: str | None = None
    ) -> tuple[Iterator[graph_store.Node], Iterator[tuple[str, str]]]:
        """Nodes and edges (citing, cited) of `viewer`'s whole graph, or of the citations
        made by the cables matching `query` (those cables and what they cite), with the
        whole graph's metrics. Read them before the next call on this archive."""
        graph = self._graph(viewer)
        citing = None
        if query is not None and query.strip():
            citing = set(self.matching_ids(query, viewer=viewer, blank_matches_all=True))
        return graph.subgraph(citing)

    # --- coverage (docs/coverage.md) ---------------------------------------------------

    def _coverage(self, viewer: Viewer) -> coverage_store.Coverage:
        """`viewer`'s coverage, from `viewer`'s own citation graph (fail closed as it is:
        the public's counts and estimates are the published edition's)."""
        return coverage_store.of(self._graph(viewer))

    def coverage(
        self,
        *,
        viewer: Viewer,
        post: str | None = None,
        year: int | None = None,
        sort: str = "post",
        method: coverage_store.Method = coverage_store.DEFAULT_METHOD,
    ) -> list[coverage_store.PostYear]:
        """Per post and year of `viewer`'s archive: serials held, cited but absent, the
        highest seen, the estimated cables sent with a 95% interval (`method`: umvu or
        bayes; both are in every row), the share held; filtered and sorted
        (coverage.select)."""
        if method not in coverage_store.METHODS:
            raise ValueError(f"method: expected one of {', '.join(coverage_store.METHODS)}")
        if sort not in coverage_store.SORTS:
            raise ValueError(f"sort: expected one of {', '.join(coverage_store.SORTS)}")
        rows = self._coverage(viewer).rows(method)
        return coverage_store.select(rows, post=post, year=year, sort=sort)

    def missing(
        self,
        *,
        viewer: Viewer,
        post: str | None = None,
        year: int | None = None,
        min_citations: int = 1,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[coverage_store.Missing]:
        """The ids `viewer`'s cables cite that `viewer`'s archive does not hold, most cited
        first, each with its citations and estimated date."""
        found = coverage_store.select_missing(
            self._coverage(viewer).missing, post=post, year=year, min_citations=min_citations
        )
        return found[offset:] if limit is None else found[offset : offset + limit]

    def missing_citing(self, reference_id: str, *, viewer: Viewer) -> list[str]:
        """The cables of `viewer`'s archive that cite a missing id, oldest first."""
        return [n.id for n in self._graph(viewer).cited_by(reference_id)]

    def coverage_timeline(self, post: str, *, viewer: Viewer) -> list[coverage_store.Timeline]:
        """One post's serials per year in `viewer`'s archive: held, cited-missing, and the
        rest up to the highest seen."""
        return self._coverage(viewer).timeline(post.upper())

    # --- near-duplicates (docs/near-duplicates.md) ---------------------------------------

    def _copies_seen(self, viewer: Viewer) -> copy_store.Visibility:
        """The texts `viewer`'s near-duplicate groups are made of, in the store's terms.
        Fail closed: the public's are the latest edition's cables as published; a cable
        whose body the reader does not receive exactly as stored (a paragraph above the
        ceiling, NOFORN for a foreign reader, a rule in force naming the cable or burning
        a word of its body) takes no part. A signed-in reader also gets the public's."""
        if not viewer.restricted:
            return copy_store.Visibility()
        burns = None
        rules = ""
        named: frozenset[str] = frozenset()
        redactor = viewer.redactor
        if viewer.redact and redactor:
            named = frozenset(r.cable_id for r in redactor.rules if r.cable_id)

            def burns(reference_id: str, body: str) -> bool:
                return redactor.burned(reference_id, {"text": body})[0] != {"text": body}

            rules = self._rules_key(viewer)
        public = None
        if not viewer.published_only and self.published():
            public = self._copies_seen(self.public_viewer())
        return copy_store.Visibility(
            ceiling=int(viewer.ceiling),
            foreign=viewer.foreign,
            published_only=viewer.published_only,
            rules=rules,
            named=named,
            public=public,
            burns=burns,
        )

    def _copy_groups(
        self,
        viewer: Viewer,
        progress: copy_store.Progress | None = None,
        sketch_limit: int | None = None,
        workers: int | None = None,
    ) -> copy_store.Group:
        return self._copies.fresh(
            self.connection, self._copies_seen(viewer), progress, sketch_limit, workers
        )

    def _copy_id(self, groups: copy_store.Group, reference_id: str) -> str | None:
        wanted = normal_id(reference_id)
        for name in (wanted, first_part(wanted)):
            if name is not None and groups.member(name) is not None:
                return name
        return None

    def copies(
        self, reference_id: str, *, viewer: Viewer, sketch_limit: int | None = None
    ) -> list[copy_store.Copy] | None:
        """The near-duplicates of a cable in `viewer`'s groups (docs/near-duplicates.md),
        most alike first; [] when it has none, None when the reader has no such cable.
        `sketch_limit`: CopiesPending rather than sketch more new texts than that now."""
        if self.get(reference_id, viewer=viewer) is None:
            return None
        groups = self._copy_groups(viewer, sketch_limit=sketch_limit)
        name = self._copy_id(groups, reference_id)
        return groups.copies(name) if name is not None else []

    def copy_groups(self, reference_ids: Iterable[str], *, viewer: Viewer) -> dict[str, int]:
        """{id: how many near-duplicates it has in `viewer`'s groups} for those of the ids
        that have any."""
        groups = self._copy_groups(viewer)
        return {i: size - 1 for i, (_, size) in groups.groups_of(reference_ids).items()}

    def copies_stats(
        self,
        *,
        viewer: Viewer,
        progress: copy_store.Progress | None = None,
        largest: int = 10,
        sketch_limit: int | None = None,
        workers: int | None = None,
    ) -> dict[str, object]:
        """The near-duplicate groups of `viewer`'s view: texts sketched, candidate and
        kept pairs, groups and their sizes, the largest groups, the build's CPU seconds
        (of the build that made them; sketching's in this process only). `workers`:
        processes that sketch new texts (default: up to 2; 1: in this process)."""
        groups = self._copy_groups(viewer, progress, sketch_limit, workers)
        found = groups.summary()
        found["largest_groups"] = groups.largest(limit=largest)
        return found

    def search_collapsed(
        self,
        query: str,
        *,
        viewer: Viewer,
        limit: int = 20,
        offset: int = 0,
        sort: str = "rank",
        facets: bool = True,
        blank_matches_all: bool = False,
        sketch_limit: int | None = None,
        variants: bool = False,
    ) -> tuple[SearchResult, dict[str, list[str]], dict[str, int]]:
        """A search whose near-duplicates fold into one hit (docs/near-duplicates.md):
        (the result, its hits being the page of groups; {hit id: the matching copies
        folded under it, in rank order}; {hit id: how many copies its group has for this
        reader}). `total` and the facets still count cables. Collapsing runs over the
        hits up to the page's end and a window after it, so a copy is folded under the
        best-ranked member of its group that the window holds (the ids of the first
        offset + 3 * limit + 50 matches). `sketch_limit`: CopiesPending rather than
        sketch more new texts than that now."""
        groups = self._copy_groups(viewer, sketch_limit=sketch_limit)
        window = list(
            self.matching_ids(
                query,
                viewer=viewer,
                sort=sort,
                blank_matches_all=blank_matches_all,
                limit=offset + 3 * limit + 50,
                variants=variants,
            )
        )
        group_of = groups.groups_of(window)
        kept, folded = copy_store.collapse(window, group_of)
        page = kept[offset : offset + limit]
        # The page's hits (snippets and all) from the span of matches that holds them,
        # with a margin for ties ranked otherwise in a longer list.
        position = {reference_id: n for n, reference_id in enumerate(window)}
        first = min((position[i] for i in page), default=0)
        last = max((position[i] for i in page), default=0)
        start = max(0, first - limit)
        fetched = self.search(
            query,
            viewer=viewer,
            limit=last - start + 1 + limit,
            offset=start,
            sort=sort,
            facets=facets,
            blank_matches_all=blank_matches_all,
            variants=variants,
        )
        by_id = {h.reference_id: h for h in fetched.hits}
        hits = [by_id[i] for i in page if i in by_id]
        counts = {i: group_of[i][1] - 1 for i in page if i in group_of}
        return (
            replace(fetched, hits=hits),
            {i: f for i, f in folded.items() if i in by_id and i in set(page)},
            counts,
        )

    # --- similar cables (docs/similar.md) -----------------------------------------------

    def _similar_key(self, viewer: Viewer) -> str:
        """The class of reader a similar-cables model is of: every field of the viewer
        that changes what text it receives."""
        if not viewer.restricted:
            return "everything"
        return view_cache.reader_key(
            int(viewer.ceiling),
            viewer.foreign,
            viewer.published_only,
            redact=int(viewer.redact),
            rules=self._rules_key(viewer) if viewer.redact else "",
        )

    def _similar_counts(self, viewer: Viewer) -> Iterator[tuple[str, dict[str, int]]]:
        """Each cable `viewer` may read, with the term counts of the text it receives
        (`Archive.get`'s record: the edition's version for the public, redactions burned
        in, withheld paragraphs left out). Nothing else goes into that reader's model."""
        from cabledesk.archive.similar import current_records, similarity_text
        from cabledesk.archive.similar_model import count_terms

        if viewer.published_only:
            records: Iterable[tuple[str, Cable]] = editions.published_records(self.connection)
        else:
            records = current_records(self.connection)
        for reference_id, cable in records:
            seen = cable if not viewer.restricted else self.view(cable, viewer=viewer)
            yield reference_id, count_terms(similarity_text(seen))

    def _similar_model(self, viewer: Viewer) -> SimilarModel:
        if self._similar is None:
            from cabledesk.archive.similar import Similarities

            self._similar = Similarities(self.path)
        return self._similar.fresh(
            self.connection, self._similar_key(viewer), lambda: self._similar_counts(viewer)
        )

    def _near(
        self, viewer: Viewer
    ) -> Callable[[str, Collection[str] | None], list[tuple[str, float]]]:
        """`~"text"` for this reader (query.compile.NearLookup): the cables nearest the
        text in the reader's own model, or of `among` every one similar to it; the model
        is read (or built) only when a query asks for it."""

        def near(text: str, among: Collection[str] | None = None) -> list[tuple[str, float]]:
            from cabledesk.archive.similar import NEAR_LIMIT, nearest_among, nearest_to_text

            model = self._similar_model(viewer)
            if among is not None:
                return nearest_among(model, text, among)
            return nearest_to_text(model, text, NEAR_LIMIT)

        return near

    def similar_prepared(self, *, viewer: Viewer, wait: float = 0.0) -> bool:
        """Whether `viewer`'s similar-cables model is of the archive as it stands. If not,
        its build starts in a thread of its own (with a handle of its own; one build per
        class of reader at a time), and this waits up to `wait` seconds for it: a page can
        show its list when the build is quick and say it is being prepared otherwise."""
        from cabledesk.archive.similar import Similarities, in_background

        if self._similar is None:
            self._similar = Similarities(self.path)
        key = self._similar_key(viewer)
        if self._similar.is_fresh(self.connection, key):
            return True
        path = self.path

        def build() -> None:
            try:
                with Archive.open(path, create=False) as other:
                    other._similar_model(viewer)
            except (sqlite3.Error, ArchiveError, OSError):
                pass  # the next request tries again

        in_background(path, key, build).join(wait)
        return self._similar.is_fresh(self.connection, key)

    def similar(
        self, reference_id: str, *, viewer: Viewer, limit: int = 10
    ) -> list[SimilarCable] | None:
        """The `limit` cables most like this one for `viewer`, best first, each with its
        score and the words the two share (docs/similar.md); None when the reader has no
        such cable. Computed from that reader's own view only: the public's from the
        edition as published, redactions burned in; a reader below a ceiling without the
        paragraphs withheld from them."""
        model = self._similar_model(viewer)
        wanted = normal_id(reference_id)
        name = next(
            (n for n in (wanted, first_part(wanted)) if n and model.number(n) is not None),
            None,
        )
        if name is None:
            return None
        from cabledesk.archive.similar import neighbours

        found = neighbours(model, name, max(0, min(limit, 100)))
        assert found is not None
        return [self._similar_cable(f, viewer) for f in found]

    def _similar_cable(self, found: Found, viewer: Viewer) -> SimilarCable:
        from cabledesk.archive.similar import SimilarCable

        cable = self.get(found.reference_id, viewer=viewer)
        sent = (cable.header.sent or cable.created) if cable is not None else None
        return SimilarCable(
            found.reference_id,
            cable.subject if cable is not None else None,
            sent[:10] if sent else None,
            cable.origin if cable is not None else None,
            round(found.score, 4),
            [term for term, _ in found.shared],
        )

    # --- entities (docs/entities.md) ----------------------------------------------------

    def enrich(
        self,
        *,
        workers: int | None = None,
        scheduler: object = None,
        progress: Progress | None = None,
        limit: int | None = None,
    ) -> EnrichReport:
        """Extract the entities of every cable that needs it (archive.enrich.run): in
        worker processes, or on the Dask cluster `scheduler` (an address or a Client)."""
        # The index lists each cable's entities: hold its writer for the run, as an ingest
        # does, and let it absorb what the job changes (docs/entities.md, "Searching by
        # entity").
        summarised: list[bool] = []
        with self.store.absorbing() as absorb:

            def absorb_and_summarise(mapper: DocumentMapper | None = None) -> None:
                # The desk's entity pages read the summary of everything (entity_views.py).
                # It is made from SQLite alone, which the job no longer changes by now:
                # in a thread (SQLite lets go of the GIL), while this one feeds the index.
                thread = threading.Thread(
                    target=lambda: summarised.append(self._summarise_everything()),
                    name="entity-views",
                )
                thread.start()
                try:
                    absorb(mapper)
                    # The layers made of what the job wrote (their stamps are final:
                    # resolution is done, the catch-up changes no stamp), here beside the
                    # summary's thread, which outlasts the catch-up at scale, so that
                    # both cores stay busy (docs/performance.md, "Enrichment throughput").
                    after_entities()
                finally:
                    thread.join()

            def after_entities() -> None:
                self._hidden_entities.clear()
                self._shown_names.clear()
                if extras.scans:
                    self._graphs.add_scans(extras.scans, extras.cites)
                    extras.scans, extras.cites = [], []
                made["similar"] = self._build_similar(workers, scheduler, extras)
                made["sensitivity"] = self.score_sensitivity(workers=workers, scheduler=scheduler)
                made["warmed"] = self.warm()

            made: dict[str, Any] = {}
            # The job's one pass over the records also makes what the layers after it
            # would read every record again for (docs/performance.md, "Enrichment
            # throughput"): the similar model of everything's term counts, the graph's
            # scan of the paragraphs for cited ids, the sensitivity scores.
            extras = Extras(
                similar=True, citations=True, model=sensitivity_store.current(self.path)
            )
            report = run_enrichment(
                self.connection,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                limit=limit,
                absorb=absorb_and_summarise,
                extras=extras,
            )
        self._hidden_entities.clear()
        self._shown_names.clear()
        if summarised != [True]:
            self._summaries.build(entity_store.Visibility())
        if not made:
            after_entities()  # the job ended without its catch-up
        report.similar = made["similar"]
        report.sensitivity = made["sensitivity"]
        if report.sensitivity is not None:
            report.sensitivity.cables += extras.scored
            report.sensitivity.paragraphs += extras.paragraphs_scored
        report.warmed = made["warmed"]
        return report

    def warm(self) -> dict[str, float]:
        """Build the citation graph and the co-mention network of everything and of the
        public (when an edition exists) now, unless they are of the archive as it stands:
        {what: CPU seconds} of those built. The first `cited:`, `thread:` or citation
        page, and the first network page, then wait for nothing (docs/graph.md)."""
        built: dict[str, float] = {}
        views = [("everything", Viewer())]
        if self.published():
            views.append(("the public", self.public_viewer()))
        for name, viewer in views:
            started = time.process_time()
            if self._graphs.warm(self._graph_seen(viewer)):
                built[f"citation graph of {name}"] = round(time.process_time() - started, 2)
            started = time.process_time()
            if self._networks.warm(self.connection, self._seen(viewer)):
                built[f"co-mention network of {name}"] = round(time.process_time() - started, 2)
        return built

    # --- predicted sensitivity (docs/sensitivity.md) ------------------------------------

    def train_sensitivity(
        self, *, workers: int | None = None, scheduler: object = None
    ) -> sensitivity_store.TrainReport:
        """Train the sensitivity models on this archive's labels and store them as the
        next version (archive/sensitivity.py)."""
        return sensitivity_store.train(
            self.connection, self.path, workers=workers, scheduler=scheduler
        )

    def evaluate_sensitivity(
        self, splits: Iterable[str] = ("time", "posts"), *, workers: int | None = None
    ) -> list[sensitivity_store.Evaluation]:
        """Held-out figures of models trained as `train_sensitivity` trains them (on the
        same sample of labelled cables when there are more than it takes)."""
        data = sensitivity_store.read_dataset(
            self.connection,
            workers=workers,
            ids=sensitivity_store.training_ids(self.connection),
        )
        return [sensitivity_store.evaluate(data, split) for split in splits]

    def score_sensitivity(
        self, *, workers: int | None = None, scheduler: object = None
    ) -> sensitivity_store.ScoreReport | None:
        """Score the pending cables with the newest stored model; None without one; a
        report of no cable with a note (train again) when the stored ones are of another
        features version."""
        model = sensitivity_store.current(self.path)
        if model is None:
            note = sensitivity_store.stale(self.path)
            return None if note is None else sensitivity_store.ScoreReport(note=note)
        return sensitivity_store.score(self.connection, model, workers=workers, scheduler=scheduler)

    def _sensitivity_seen(self, viewer: Viewer) -> sensitivity_view.Seen:
        if not viewer.restricted:
            return sensitivity_view.Seen()
        rules = self._rules_key(viewer)
        return sensitivity_view.Seen(
            everything=False,
            ceiling=int(viewer.ceiling),
            foreign=viewer.foreign,
            published_only=viewer.published_only,
            rules=rules,
        )

    def _granted_to(self, viewer: Viewer) -> sensitivity_view.Granted:
        """The scores `viewer` is granted (docs/sensitivity.md, "Who gets a score"). Fail
        closed: a reader who sees less than everything gets none of a cable with a part
        the scores read outside their view, none of a cable a rule they get changes (found
        in their own index, by each rule's words: more cables than the rule changes may be
        left out, none it changes is kept), and the public none of a cable whose current
        text is not the version published. A signed-in reader also gets the public's."""
        seen = self._sensitivity_seen(viewer)
        connection = self.connection
        key = (
            seen,
            last_seq(connection),
            sensitivity_store.generation(connection),
            editions.latest(connection),
        )
        found = self._granted.get(key)
        if found is not None:
            return found
        touched: set[str] = set()
        if viewer.restricted and viewer.redact and viewer.redactor:
            # The reader's own index, caught up with every rule and edition in force.
            self.store.searcher(published_only=viewer.published_only, restricted=True)
            index = self.edition_index if viewer.published_only else self.index
            for rule in viewer.redactor.rules:
                touched.update(editorial.affected_ids(index, rule))
        found = sensitivity_view.granted(connection, seen, touched)
        if viewer.restricted and not viewer.published_only and self.published():
            found = found.union(self._granted_to(self.public_viewer()))
        if len(self._granted) >= 16:
            self._granted.clear()
        self._granted[key] = found
        return found

    def _predicted(self, viewer: Viewer) -> sensitivity_view.Lookup:
        """`viewer`'s scores for the query language (`predicted:`, the facet) and the
        hits' predicted levels, read only when a search asks."""
        return sensitivity_view.Lookup(lambda: self._granted_to(viewer), self.connection)

    def predicted(self, reference_id: str, *, viewer: Viewer) -> sensitivity_view.Prediction | None:
        """The predicted classification of a cable, when `viewer` may read the cable: the
        stored score when they are granted it (docs/sensitivity.md), else, for a reader
        shown part of it, the score of the paragraphs they are shown, computed now (scope
        "visible"); None without a model or a paragraph shown."""
        cable = self.get(reference_id, viewer=viewer)
        if cable is None or not cable.reference_id:
            return None
        found = self._predicted(viewer).shown([cable.reference_id]).get(cable.reference_id)
        if found is not None or not viewer.restricted:
            return found
        # Not granted the whole text's score: the text this reader is shown, scored now
        # (scope "visible"), never the stored score of text they are not shown.
        model = self._sensitivity_model()
        return None if model is None else sensitivity_view.visible_prediction(model, cable)

    def _sensitivity_model(self) -> sensitivity_store.Model | None:
        """The newest usable stored model, loaded once per version."""
        versions = tuple(sensitivity_store.stored_versions(self.path))
        if self._model_cache is None or self._model_cache[0] != versions:
            self._model_cache = (versions, sensitivity_store.current(self.path))
        return self._model_cache[1]

    def review(
        self,
        *,
        viewer: Viewer,
        kind: str | None = None,
        approved: bool = False,
        limit: int = 20,
        offset: int = 0,
    ) -> sensitivity_view.ReviewPage:
        """The editors' review queue (docs/sensitivity.md, "The review queue"): paragraphs
        predicted above their marking, unmarked paragraphs predicted SECRET, UNCLASSIFIED
        cables that read like SECRET ones, highest margin first. Editors only; an editor
        below TOP SECRET (or foreign) gets only cables whose scored parts are within
        their view."""
        _editors_only(viewer, "the review queue")
        return sensitivity_view.review(
            self.connection,
            kind=kind,
            approved=approved,
            limit=limit,
            offset=offset,
            ceiling=int(viewer.ceiling),
            foreign=viewer.foreign,
        )

    def rank_candidates(
        self, candidates: Iterable[Candidate], *, viewer: Viewer
    ) -> list[tuple[Candidate, float | None]]:
        """Redaction candidates (redact.candidates) with how sensitive the text they were
        found in reads, most sensitive first (docs/sensitivity.md, "Ranking redaction
        candidates"): a candidate in a paragraph takes that paragraph's sensitivity (the
        paragraph model reads that paragraph alone, which the finder read as `viewer`
        sees it); one outside the paragraphs takes the cable's, when `viewer` is granted
        the cable's scores. Candidates without a score come last; ties keep the order
        they came in."""
        found = list(candidates)
        ids = sorted({c.reference_id for c in found})
        scores = sensitivity_view.part_sensitivities(self.connection, ids)
        granted = self._granted_to(viewer).ids if any(c.index is None for c in found) else ()
        ranked = []
        for c in found:
            score = scores.get((c.reference_id, c.index))
            if c.index is None and c.reference_id not in granted:
                score = None
            ranked.append((c, score))
        order = sorted(
            range(len(ranked)),
            key=lambda i: (ranked[i][1] is None, -(ranked[i][1] or 0.0), i),
        )
        return [ranked[i] for i in order]

    def _build_similar(
        self, workers: int | None, scheduler: object, extras: Extras | None = None
    ) -> dict[str, float]:
        """The similar-cables models of everything and of the public (when an edition
        exists), counted on the job's workers; a model already of the archive as it
        stands is left alone. Other readers' models are built on their first request.
        The model of everything is made from the counts of the job's own pass (`extras`)
        when they are of every cable as stored now."""
        from cabledesk.archive.enrich import similar_mapper
        from cabledesk.archive.similar import Similarities
        from cabledesk.archive.similar import stamp as similar_stamp
        from cabledesk.archive.similar_job import View, build_views

        if self._similar is None:
            self._similar = Similarities(self.path)
        views = [View(self._similar_key(Viewer()), None, False)]
        if self.published():
            public = self.public_viewer()
            views.append(View(self._similar_key(public), public, True))
        views = [v for v in views if not self._similar.is_fresh(self.connection, v.key)]
        took: dict[str, float] = {}
        if extras is not None and extras.builder is not None and views and views[0].viewer is None:
            started = time.monotonic()
            # The stamp and the check that the counts are of every stored text: read in
            # one snapshot (as Similarities.build reads the texts and the stamp).
            began = not self.connection.in_transaction
            if began:
                self.connection.execute("BEGIN")
            try:
                complete = extras.similar_complete(self.connection)
                now = similar_stamp(self.connection)
            finally:
                if began:
                    self.connection.execute("ROLLBACK")
            model = extras.similar_model()
            if complete and model is not None:
                self._similar.store(views[0].key, now, model)
                took[views[0].key] = round(time.monotonic() - started, 3)
                views = views[1:]
        if extras is not None:
            extras.similar_model()  # unused (no model of everything to build): let it go
        if not views:
            return took
        with similar_mapper(workers, scheduler, self.store.count()) as (mapper, ahead):
            # The pool maps any picklable function over any items (typed for entities).
            took.update(
                build_views(self.connection, self._similar, views, cast(Any, mapper), ahead)
            )
        return took

    def _summarise_everything(self) -> bool:
        try:
            self._summaries.build(entity_store.Visibility())
        except sqlite3.Error:
            return False  # built again once the job is over
        return True

    def _seen(self, viewer: Viewer) -> entity_store.Visibility:
        """The mentions `viewer` may count, in the store's terms. Fail closed: a cable an
        editor's rule names by id loses all its mentions for readers who get redactions
        (its text differs from the stored one in ways no stored offset follows)."""
        if not viewer.restricted:
            return entity_store.Visibility()
        excluded = (
            frozenset(r.cable_id for r in viewer.redactor.rules if r.cable_id)
            if viewer.redact
            else frozenset()
        )
        return entity_store.Visibility(
            ceiling=int(viewer.ceiling),
            foreign=viewer.foreign,
            published_only=viewer.published_only,
            excluded=excluded,
        )

    def _hidden(self, entity_id: int, viewer: Viewer) -> bool:
        """Whether any name the entity was ever recorded under is one a rule burns: then
        the entity does not exist for a reader who gets redactions (not as a name, an
        alias, a count or a page)."""
        if not viewer.redact or not viewer.redactor.patterns:
            return False
        key = (entity_id, viewer.redactor, entity_store.generation(self.connection))
        if key not in self._hidden_entities:
            everything = self._summary(entity_store.Visibility())
            names = (
                [*entity_store.entity_names(self.connection, entity_id, mentions=False),
                 *everything.names(entity_id)]
                if everything is not None
                else entity_store.entity_names(self.connection, entity_id)
            )  # fmt: skip
            patterns = viewer.redactor.patterns
            self._hidden_entities[key] = any(
                burn({"text": name}, patterns) != {"text": name} for name in names
            )
        return self._hidden_entities[key]

    def _shown(self, entity: EntityCount, viewer: Viewer) -> EntityCount:
        """The entity under the name `viewer` may see. The stored name is the fullest
        spelling of all its mentions, and a reader below the ceiling may see only
        `Maliki` where a SECRET paragraph names `Nouri al-Maliki`: for any restricted
        reader the name is the fullest of the spellings in the parts they see."""
        if not viewer.restricted:
            return entity
        return replace(entity, name=self._shown_name(entity.id, entity.name, viewer))

    def _shown_name(self, entity_id: int, stored: str, viewer: Viewer) -> str:
        if not viewer.restricted:
            return stored
        seen = self._seen(viewer)
        key = (entity_id, seen, entity_store.generation(self.connection))
        if key not in self._shown_names:
            summary = self._summary(seen)
            spellings = (
                summary.surfaces(entity_id)
                if summary is not None
                else entity_store.surfaces(self.connection, entity_id, seen)
            )
            self._shown_names[key] = shown_name(spellings) or stored
        return self._shown_names[key]

    def _summary(self, seen: entity_store.Visibility) -> Summary | None:
        """The entity summary of `seen`'s class of reader if it is of the archive as it
        stands (entity_views.py); None: count from the mentions."""
        return self._summaries.fresh(self.connection, seen)

    def entity_names(self, entity_ids: list[int], *, viewer: Viewer) -> dict[int, str]:
        """The names `viewer` is shown of those of `entity_ids` they may see (the search
        page's chips for `entity:N`); the others are left out."""
        return self._entity_lookup(viewer).shown(sorted(set(entity_ids)))

    def _entity_lookup(self, viewer: Viewer) -> _EntityLookup:
        """The entities as `viewer` may see them, for the query fields and the facets."""
        return _EntityLookup(self, viewer)

    def entities(
        self,
        *,
        viewer: Viewer,
        kind: str | None = None,
        reference_ids: list[str] | None = None,
        limit: int = 50,
        offset: int = 0,
        name: str | None = None,
    ) -> list[EntityCount]:
        """The most mentioned entities (of `kind`; of the cables `reference_ids`; whose
        name contains `name`), counted over what `viewer` may see."""
        seen = self._seen(viewer)
        cable_ids = None
        if reference_ids is not None:
            marks = ",".join("?" * len(reference_ids))
            cable_ids = [
                row[0]
                for row in self.connection.execute(
                    f"SELECT id FROM cables WHERE reference_id IN ({marks})", reference_ids
                )
            ]
        out: list[EntityCount] = []
        # A restricted reader's name filter looks at the names they are shown, never at
        # the stored ones (which may come from text they may not see).
        wanted = name.casefold() if name and viewer.restricted else None
        if wanted:
            name = None
        # `offset` counts entities this viewer is shown: hidden ones before it are read
        # and passed over too, so that pages neither repeat nor skip an entity.
        to_skip, read = offset, 0
        page = max(limit + offset, 50)
        summary = self._summary(seen) if viewer.restricted and cable_ids is None else None
        while len(out) < limit:
            if not viewer.restricted and cable_ids is None:
                rows = entity_store.stored_counts(
                    self.connection, kind=kind, name=name, limit=page, offset=read
                )
            elif summary is not None:
                rows = entity_store.named_counts(
                    self.connection, summary.counts(kind=kind, limit=page, offset=read)
                )
            else:
                rows = entity_store.counts(
                    self.connection,
                    seen,
                    kind=kind,
                    cable_ids=cable_ids,
                    limit=page,
                    offset=read,
                    name=name,
                )
            read += len(rows)
            for row in rows:
                if self._hidden(row[0], viewer):
                    continue
                entity = self._shown(EntityCount(*row), viewer)
                if wanted and wanted not in entity.name.casefold():
                    continue
                if to_skip:
                    to_skip -= 1
                    continue
                out.append(entity)
                if len(out) == limit:
                    break
            if len(rows) < page:
                break
        return out

    def entity(self, entity_id: int, *, viewer: Viewer) -> EntityPage | None:
        """One entity from `viewer`'s view, or None when it has no mention they may see.
        The id of an entity merged into another answers with that one (its page says
        which: `page.entity.id`), so links to it keep working."""
        if self._hidden(entity_id, viewer):
            return None
        merged = entity_store.merged_into(self.connection, entity_id)
        if merged is not None:
            if self._hidden(merged, viewer):
                return None
            entity_id = merged
        seen = self._seen(viewer)
        summary = self._summary(seen)
        if summary is not None:
            rows = entity_store.named_counts(
                self.connection, summary.counts(entity_ids=[entity_id], limit=1)
            )
        else:
            rows = entity_store.counts(self.connection, seen, entity_ids=[entity_id], limit=1)
        if not rows:
            return None
        entity = EntityCount(*rows[0])
        cables = self._entity_cables(entity, seen, viewer)
        related = [
            e
            for e in self.entities(viewer=viewer, reference_ids=cables, limit=16)
            if e.id != entity_id
        ][:15]
        if summary is not None:
            aliases, months, posts = (
                summary.surfaces(entity_id), summary.months(entity_id), summary.posts(entity_id)
            )  # fmt: skip
        else:
            aliases = entity_store.surfaces(self.connection, entity_id, seen)
            months = entity_store.months(self.connection, entity_id, seen)
            posts = entity_store.posts(self.connection, entity_id, seen)
        return EntityPage(
            entity=self._shown(entity, viewer),
            aliases=aliases,
            months=months,
            posts=posts,
            related=related,
            cables=cables,
        )

    def _entity_cables(
        self, entity: EntityCount, seen: entity_store.Visibility, viewer: Viewer
    ) -> list[str]:
        """The newest 100 cables with a mention of `entity` the reader may see. The index
        holds each cable's entities per class of reader (docs/entities.md, "Searching by
        entity") and finds them newest first at any size; while it is still absorbing an
        editor's change for a restricted reader, SQL finds them from the mentions."""
        try:
            # Not `self.matching_ids`: an account's searches also find what the public's
            # search finds (`_also`), and this list must hold the cables the page's counts
            # count, from the reader's own view.
            return list(
                matching_ids(
                    self.store.searcher(
                        published_only=viewer.published_only, restricted=viewer.restricted
                    ),
                    self.index.schema,
                    self.connection,
                    f"entity:{entity.id}",
                    "-date",
                    self.store.origins,
                    viewer=viewer,
                    lookups=Lookups(entities=self._entity_lookup(viewer)),
                    limit=100,
                )
            )
        except IndexBehind:
            pass
        # Sorting the entity's cables by date costs about as much a cable as walking the
        # archive's cables newest first costs for each hundred of them (measured:
        # docs/entities.md), so the walk is cheaper once an entity is in more than about
        # sqrt(100 N) of N cables.
        archive_cables = self.connection.execute("SELECT max(id) FROM cables").fetchone()[0]
        rows = entity_store.cables_of(
            self.connection,
            entity.id,
            seen,
            dense=entity.cables**2 > _DENSE_FACTOR * (archive_cables or 0),
        )
        return [row[1] for row in rows]

    def mentions(
        self, reference_id: str, *, viewer: Viewer
    ) -> list[tuple[int, str, str, str, int | None, int, int, str]]:
        """One cable's mentions `viewer` may see: (entity id, kind, name, field,
        paragraph, start, end, surface), in the cable's order."""
        if self.get(reference_id, viewer=viewer) is None:
            return []
        rows = entity_store.of_cable(
            self.connection, reference_id.strip().upper(), self._seen(viewer)
        )
        return [
            (row[0], row[1], self._shown_name(row[0], row[2], viewer), *row[3:])
            for row in rows
            if not self._hidden(row[0], viewer)
        ]

    def placed_mentions(self, reference_id: str, *, viewer: Viewer) -> list[SeenMention]:
        """One cable's mentions `viewer` may see, placed in the record `viewer` receives
        (`get`): each mention's offsets where that record's text still holds its surface
        there, None elsewhere (entities.placing)."""
        cable = self.get(reference_id, viewer=viewer)
        if cable is None:
            return []
        return self._placed(cable, viewer)

    def _placed(self, cable: Cable, viewer: Viewer) -> list[SeenMention]:
        # `cable` is the record as `viewer` receives it (never the stored one for a
        # restricted viewer): offsets are checked against exactly what they read.
        rows = entity_store.of_cable(self.connection, cable.reference_id or "", self._seen(viewer))
        out = []
        for entity_id, kind, name, field, index, start, end, surface in rows:
            if self._hidden(entity_id, viewer):
                continue
            here = placed(cable, field, index, start, end, surface)
            out.append(
                SeenMention(
                    entity_id,
                    kind,
                    self._shown_name(entity_id, name, viewer),
                    field,
                    index,
                    start if here else None,
                    end if here else None,
                    surface,
                )
            )
        return out

    # --- redaction candidates by entity (docs/entities.md) -------------------------------

    def entity_candidates(
        self,
        reference_ids: Iterable[str],
        *,
        viewer: Viewer,
        kinds: Iterable[str] = (PERSON,),
    ) -> EntityProposals:
        """The entities (people, unless `kinds` says otherwise) named near a
        source-protection marker in these cables, each with the rule that would redact
        every spelling of it. Built from what `viewer` (an editor's) may see, as every
        entity read is: each cable as `get` gives it to them, its mentions as `_seen`
        lets them count and placed in that text, the names of the parts they may read.
        Editors only; entities the rules in force already burn in every spelling are
        left out (counted in `already_redacted`)."""
        _editors_only(viewer, "redaction candidates")
        wanted = tuple(kinds)
        ids = list(dict.fromkeys(normal_id(r) for r in reference_ids))
        current = entity_store.enriched_now(self.connection, ids)
        near: dict[int, list[Sighting]] = {}
        read, not_enriched = 0, []
        for reference_id in ids:
            cable = self.get(reference_id, viewer=viewer)
            if cable is None:
                continue
            read += 1
            if reference_id not in current:
                not_enriched.append(reference_id)
                continue
            for sighting in sightings(cable, self._placed(cable, viewer), wanted):
                near.setdefault(sighting.entity_id, []).append(sighting)
        seen, redactor = self._seen(viewer), self.redactor()
        found, already = [], 0
        for entity_id, seen_near in near.items():
            candidate = self._entity_candidate(entity_id, seen, viewer, seen_near)
            if candidate is None:
                continue
            if burned_everywhere(candidate, redactor):
                already += 1
                continue
            found.append(candidate)
        found.sort(key=lambda c: (c.sightings[0].rank(), -len(c.marked_cables), c.name))
        return EntityProposals(found, read, not_enriched, already)

    def entity_rule(self, entity_id: int, *, viewer: Viewer) -> Rule:
        """The name rule that redacts every spelling of the entity `viewer` (an editor's)
        may see, as `entity_candidates` proposes it (no reason yet: the editor gives it).
        RegisterError for an entity they may not see or that does not exist."""
        _editors_only(viewer, "a redaction rule from an entity")
        merged = entity_store.merged_into(self.connection, entity_id)
        candidate = self._entity_candidate(
            entity_id if merged is None else merged, self._seen(viewer), viewer, []
        )
        if candidate is None:
            raise RegisterError(
                f"entity {entity_id}: expected the number of an entity with a mention you "
                "may see; there is none"
            )
        return candidate.rule()

    def _entity_candidate(
        self,
        entity_id: int,
        seen: entity_store.Visibility,
        viewer: Viewer,
        near: list[Sighting],
    ) -> EntityCandidate | None:
        if self._hidden(entity_id, viewer):
            return None
        rows = entity_store.counts(self.connection, seen, entity_ids=[entity_id], limit=1)
        if not rows:
            return None
        _, kind, stored, _, cables = rows[0]
        # The names of the mentions this editor may see: a spelling that stands only
        # above their ceiling is neither shown to them nor put in their rule.
        aliases = [
            surface for surface, _ in entity_store.surfaces(self.connection, entity_id, seen)
        ]
        text, variants, short = rule_names(self._shown_name(entity_id, stored, viewer), aliases)
        cable_ids = [row[1] for row in entity_store.cables_of(self.connection, entity_id, seen)]
        return EntityCandidate(
            entity_id,
            kind,
            text,
            tuple(variants),
            tuple(short),
            cables,
            tuple(cable_ids),
            tuple(sorted(near, key=lambda s: (s.rank(), s.reference_id))),
        )

    def query_entities(
        self,
        query: str,
        *,
        viewer: Viewer,
        kind: str | None = None,
        name: str | None = None,
        blank_matches_all: bool = False,
    ) -> list[EntityCount]:
        """Every entity of the cables matching `query` (of `kind`; whose name contains
        `name`), counted over the mentions `viewer` may see in those cables, most
        mentioned first (QueryError for a bad query)."""
        seen = self._seen(viewer)
        # As in `entities`: a restricted reader's name filter sees only shown names.
        wanted = name.casefold() if name and viewer.restricted else None
        if wanted:
            name = None
        totals: dict[int, list[int]] = {}
        info: dict[int, tuple[str, str]] = {}
        ids = self.matching_ids(query, viewer=viewer, blank_matches_all=blank_matches_all)
        # In chunks (SQLite bounds the number of parameters); a cable is in one chunk
        # only, so the per-chunk counts of mentions and of cables add up.
        while chunk := list(islice(ids, _EXPORT_CHUNK)):
            rowids = self._rowids(chunk)
            if not rowids:
                continue
            for entity_id, kind_, name_, mentions, cables in entity_store.counts(
                self.connection,
                seen,
                kind=kind,
                cable_ids=rowids,
                limit=-1,
                name=name,
            ):
                info[entity_id] = (kind_, name_)
                total = totals.setdefault(entity_id, [0, 0])
                total[0] += mentions
                total[1] += cables
        found = [
            self._shown(EntityCount(i, *info[i], *totals[i]), viewer)
            for i in totals
            if not self._hidden(i, viewer)
        ]
        if wanted:
            found = [e for e in found if wanted in e.name.casefold()]
        return sorted(found, key=lambda e: (-e.mentions, e.id))

    def query_mentions(
        self, query: str, *, viewer: Viewer, sort: str = "date", blank_matches_all: bool = False
    ) -> Iterator[tuple[str, SeenMention]]:
        """(reference id, mention) of every mention `viewer` may see in the cables
        matching `query`, placed in their records as `viewer` receives them (streamed in
        result order; QueryError for a bad query, when iterated)."""
        ids = self.matching_ids(
            query, viewer=viewer, sort=sort, blank_matches_all=blank_matches_all
        )
        while chunk := list(islice(ids, _EXPORT_CHUNK)):
            for reference_id in chunk:
                cable = self.get(reference_id, viewer=viewer)
                if cable is None:
                    continue
                for mention in self._placed(cable, viewer):
                    yield reference_id, mention

    def export_entities(
        self,
        query: str,
        *,
        viewer: Viewer,
        kind: str | None = None,
        name: str | None = None,
        blank_matches_all: bool = False,
        account: str | None = None,
    ) -> list[EntityCount]:
        """query_entities, written to the audit log as an export (`account` None: the
        command line)."""
        detail = {"query": query, "what": "entities", "kind": kind, "name": name}
        audit.record(self.connection, "export", account, detail=detail)
        return self.query_entities(
            query, viewer=viewer, kind=kind, name=name, blank_matches_all=blank_matches_all
        )

    def export_mentions(
        self,
        query: str,
        *,
        viewer: Viewer,
        sort: str = "date",
        blank_matches_all: bool = False,
        account: str | None = None,
    ) -> Iterator[tuple[str, SeenMention]]:
        """query_mentions, written to the audit log as an export (when called)."""
        detail = {"query": query, "what": "mentions", "sort": sort}
        audit.record(self.connection, "export", account, detail=detail)
        return self.query_mentions(
            query, viewer=viewer, sort=sort, blank_matches_all=blank_matches_all
        )

    def _rowids(self, reference_ids: list[str]) -> list[int]:
        marks = ",".join("?" * len(reference_ids))
        sql = f"SELECT id FROM cables WHERE reference_id IN ({marks})"
        return [row[0] for row in self.connection.execute(sql, reference_ids)]

    # --- the co-mention network (docs/network.md) ---------------------------------------

    def entity_network(
        self, entity_id: int, *, viewer: Viewer, limit: int = 30
    ) -> network_store.Network | None:
        """The entity, the `limit` entities named in most of the cables that name it (its
        strongest links) and every link among them, each weighted by the cables of
        `viewer`'s view that mention both; None when the reader may see no mention of
        it. A merged id answers with the entity it joined (`network.center` says which)."""
        if self._hidden(entity_id, viewer):
            return None
        merged = entity_store.merged_into(self.connection, entity_id)
        if merged is not None:
            if self._hidden(merged, viewer):
                return None
            entity_id = merged
        incidence = self._networks.incidence(self.connection, self._seen(viewer))
        counted = network_store.ego(
            incidence, entity_id, max(0, limit), hidden=lambda e: self._hidden(e, viewer)
        )
        if counted is None:
            return None
        return self._named_network(
            counted, viewer, center=entity_id, counted_over=counted.nodes[0][1]
        )

    def query_network(
        self,
        query: str,
        *,
        viewer: Viewer,
        nodes: int = 30,
        links: int | None = 200,
        cables: int = 5_000,
        blank_matches_all: bool = False,
    ) -> network_store.Network:
        """The `nodes` entities named in most of the cables matching `query` (the first
        `cables` of them in the search's order: `capped` says so) and the strongest
        `links` links among them, weighted by those cables that mention both, all counted
        over what `viewer` may see (QueryError for a bad query)."""
        ids = list(
            self.matching_ids(
                query, viewer=viewer, blank_matches_all=blank_matches_all, limit=cables + 1
            )
        )
        capped = len(ids) > cables
        matching = len(ids)
        if capped:
            ids = ids[:cables]
            matching = self.search(
                query, viewer=viewer, limit=1, facets=False, blank_matches_all=blank_matches_all
            ).total
        rowids = [r for low in range(0, len(ids), _EXPORT_CHUNK)
                  for r in self._rowids(ids[low : low + _EXPORT_CHUNK])]  # fmt: skip
        incidence = self._networks.incidence(self.connection, self._seen(viewer))
        counted = network_store.among(
            incidence, rowids, max(0, nodes), hidden=lambda e: self._hidden(e, viewer),
            max_links=links,
        )  # fmt: skip
        return self._named_network(
            counted, viewer, query=query, counted_over=len(ids), matching=matching,
            capped=capped,
        )  # fmt: skip

    def _named_network(
        self,
        counted: network_store.Counted,
        viewer: Viewer,
        *,
        counted_over: int,
        center: int | None = None,
        query: str | None = None,
        matching: int = 0,
        capped: bool = False,
    ) -> network_store.Network:
        info = entity_search.kinds_of(self.connection, [e for e, _ in counted.nodes])
        nodes = [
            network_store.NetworkNode(e, info[e][0], self._shown_name(e, info[e][1], viewer), n)
            for e, n in counted.nodes
            if e in info
        ]
        size = {node.id: node.cables for node in nodes}
        return network_store.Network(
            nodes=nodes,
            links=[
                network_store.NetworkLink(a, b, n, round(n / (size[a] + size[b] - n), 6))
                for a, b, n in counted.links
                if a in size and b in size
            ],
            center=center,
            query=query,
            counted=counted_over,
            matching=matching or counted_over,
            capped=capped,
        )

    # --- curating entities: the entity register (docs/entities.md) ---------------------
    # Each decision names entities by id, key or name (`entity_register.lookup`), is
    # stored as keys, and is written with its audit row and a new resolution in one
    # transaction: reads reflect it at once, and a crash loses all three or none.

    def merge_entities(
        self,
        entity: EntityRef,
        into: EntityRef,
        *,
        reason: str,
        account: str | None = None,
    ) -> entity_register.Decision:
        """Merge `entity` into `into`: one entity from now on, under `into`'s id (the
        old id answers with it)."""
        source, source_key = self._entity_ref(entity)
        target, target_key = self._entity_ref(into)
        if source.id == target.id:
            raise entity_register.EntityRegisterError(
                f"{source.name} (entity {source.id}) and {target.name} are one entity already"
            )
        return self._decide(entity_register.MERGE, [source_key, target_key], {}, reason, account)

    def split_entity(
        self,
        entity: EntityRef,
        *,
        name: str,
        reason: str,
        cables: Iterable[str] = (),
        surfaces: Iterable[str] = (),
        kind: str | None = None,
        account: str | None = None,
    ) -> entity_register.Decision:
        """Move the entity's mentions in `cables` (reference ids) and/or written as one of
        `surfaces` to the entity called `name` (of `kind`, default the entity's): a new
        one, or the one that name already is (`Karzai` in the cables about Ahmed Wali
        Karzai joins him). Both given: mentions that match both."""
        found, key = self._entity_ref(entity)
        name = " ".join(name.split())
        kind = kind or found.kind
        cable_list = sorted({normal_id(c) for c in cables if c.strip()})
        surface_list = sorted({" ".join(s.split()) for s in surfaces if s.strip()})
        _check_name(name)
        _check_kind(kind)
        if not cable_list and not surface_list:
            raise entity_register.EntityRegisterError(
                "split: give the cables and/or the surface forms of the mentions to move"
            )
        into = entity_register.entity_of_key(self.connection, entity_key(kind, name))
        if into == found.id:
            raise entity_register.EntityRegisterError(
                f"{name!r} is entity {found.id} itself: split into another name"
            )
        if not entity_store.selects(self.connection, found.id, cable_list, surface_list):
            raise entity_register.EntityRegisterError(
                f"split: no mention of {found.name} (entity {found.id}) is in those cables "
                "with those surface forms"
            )
        payload: dict[str, object] = {
            "name": name,
            "kind": kind,
            "cables": cable_list,
            "surfaces": surface_list,
        }
        return self._decide(entity_register.SPLIT, [key], payload, reason, account)

    def rename_entity(
        self, entity: EntityRef, name: str, *, reason: str, account: str | None = None
    ) -> entity_register.Decision:
        """Show the entity as `name`, whatever its mentions are spelled."""
        _, key = self._entity_ref(entity)
        name = " ".join(name.split())
        _check_name(name)
        return self._decide(entity_register.RENAME, [key], {"name": name}, reason, account)

    def retype_entity(
        self, entity: EntityRef, kind: str, *, reason: str, account: str | None = None
    ) -> entity_register.Decision:
        """Make the entity a person, organisation, place or post."""
        _, key = self._entity_ref(entity)
        _check_kind(kind)
        return self._decide(entity_register.RETYPE, [key], {"kind": kind}, reason, account)

    def delete_entity(
        self, entity: EntityRef, *, reason: str, account: str | None = None
    ) -> entity_register.Decision:
        """The entity is not an entity: its mentions count nowhere, for anyone (undo the
        decision to bring it back)."""
        _, key = self._entity_ref(entity)
        return self._decide(entity_register.DELETE, [key], {}, reason, account)

    def add_alias(
        self, entity: EntityRef, surface: str, *, reason: str, account: str | None = None
    ) -> entity_register.Decision:
        """Every mention written `surface` (as a name key: case, accents, `al-` aside)
        joins the entity, wherever the extractor put it."""
        found, key = self._entity_ref(entity)
        surface = " ".join(surface.split())
        if not name_key(surface):
            raise entity_register.EntityRegisterError(f"alias: expected a name; found {surface!r}")
        if self._active_alias(found.id, surface) is not None:
            raise entity_register.EntityRegisterError(
                f"{surface!r} is an alias of {found.name} (entity {found.id}) already"
            )
        return self._decide(entity_register.ALIAS_ADD, [key], {"surface": surface}, reason, account)

    def remove_alias(
        self, entity: EntityRef, surface: str, *, reason: str, account: str | None = None
    ) -> entity_register.Decision:
        """Lift the alias `surface` of the entity: its mentions go back where their own key
        puts them."""
        found, key = self._entity_ref(entity)
        version = self._active_alias(found.id, surface)
        if version is None:
            raise entity_register.EntityRegisterError(
                f"{surface!r} is not an alias an editor gave {found.name} (entity {found.id})"
            )
        payload = {"surface": " ".join(surface.split()), "version": version}
        return self._decide(entity_register.ALIAS_REMOVE, [key], payload, reason, account)

    def undo_entity_decision(
        self, version: int, *, reason: str, account: str | None = None
    ) -> entity_register.Decision:
        """Lift decision `version` (itself a new register row; undoing an undo puts the
        decision back)."""
        rows = entity_register.decisions(self.connection)
        found = next((r for r in rows if r.version == version), None)
        if found is None:
            raise entity_register.EntityRegisterError(
                f"{version}: expected the version of an entity decision; there is none"
            )
        if version in entity_register.lifted(rows):
            raise entity_register.EntityRegisterError(
                f"entity decision {version} is lifted already"
            )
        payload = {"version": version, "action": found.action}
        return self._decide(entity_register.UNDO, list(found.keys), payload, reason, account)

    def entity_history(self, *, viewer: Viewer) -> list[dict[str, object]]:
        """Every row of the entity register, oldest first (editors only: it names what
        an editor deleted)."""
        _editors_only(viewer, "the entity register")
        return entity_register.history(self.connection)

    def find_entity(self, entity: EntityRef, *, viewer: Viewer) -> EntityCount:
        """The entity `entity` means (an id, a key or a name, as the curation methods take
        it) as `viewer` sees it, for an editor about to decide about it: EntityRegisterError
        when there is none they may see. A viewer who may not see everything gets the same
        message whether the entity is unknown, ambiguous or only beyond their view, so a
        name typed into a form does not tell them what the cables above their ceiling
        name."""
        try:
            found, _ = self._entity_ref(entity)
        except entity_register.EntityRegisterError:
            if not viewer.restricted:
                raise
            found = None
        page = self.entity(found.id, viewer=viewer) if found is not None else None
        if page is None:
            raise entity_register.EntityRegisterError(
                f"no entity {str(entity).strip()!r} among those you may see "
                "(give the number on its page)"
            )
        return page.entity

    def _entity_ref(self, entity: EntityRef) -> tuple[entity_register.Entity, str]:
        return entity_register.lookup(self.connection, entity)

    def _active_alias(self, entity_id: int, surface: str) -> int | None:
        """The version of the alias_add in force giving this entity `surface`."""
        wanted = name_key(surface)
        for row in reversed(entity_register.in_force(entity_register.decisions(self.connection))):
            if (
                row.action == entity_register.ALIAS_ADD
                and name_key(row.payload["surface"]) == wanted
                and entity_register.entity_of_key(self.connection, row.keys[0]) == entity_id
            ):
                return row.version
        return None

    def _decide(
        self,
        action: str,
        keys: list[str],
        payload: dict[str, object],
        reason: str,
        account: str | None,
    ) -> entity_register.Decision:
        if not reason.strip():
            raise entity_register.EntityRegisterError(
                "reason: every entity decision needs a reason (why)"
            )

        def apply(connection: sqlite3.Connection) -> entity_register.Decision:
            # What the index must absorb again: the cables whose documents change, those
            # mentioning a key that now belongs to another entity or to one of another
            # kind (a merge, a deletion, a re-typing, a resolution), and those where a
            # mention moved or came back (an alias, a split, an undo). A rename changes
            # no document: names are read at query time.
            before = entity_search.key_entities(connection)
            moved = entity_search.moved_mentions(connection)
            decision = entity_register.append(connection, action, keys, payload, reason, account)
            detail = {
                "version": decision.version,
                "action": action,
                "keys": keys,
                "payload": payload,
                "reason": reason,
            }
            audit.insert(connection, [audit.event("entity_decision", account, detail=detail)])
            entity_store.resolve(connection, decisions_only=True)
            after = entity_search.key_entities(connection)
            entity_search.touch_changed_keys(connection, before, after)
            entity_search.touch_moved(connection, moved, entity_search.moved_mentions(connection))
            return decision

        decision = self.store.change(apply)
        self._hidden_entities.clear()
        self._changed()
        return decision

    # --- the workspace: collections and notes (docs/workspace.md) ----------------------
    # Rows and access rules live in cabledesk.workspace; every cable and note a reader gets
    # from them passes here, viewed with THAT reader's viewer.

    def _burn_free_text(self, text: str, reference_id: str | None, viewer: Viewer) -> str:
        """A note or a collection's title as `viewer` may read it: the redaction rules in
        force burned in (for a cable's note, the rules of that cable too)."""
        if not viewer.redact or not text:
            return text
        record = {"text": text}
        patterns = viewer.redactor.patterns_for(reference_id, record)
        burned = burn(record, patterns)
        return str(burned["text"])

    def _shown_notes(
        self, found: list[ws_notes.Note], cable: Cable | None, viewer: Viewer
    ) -> list[ws_notes.Note]:
        """The notes on `cable` (as the reader received it; None: withheld from them) the
        reader may read: none on a withheld cable or a withheld paragraph, none on the
        whole of a cable above their ceiling (NOFORN for a foreign reader); the rest with
        the redactions burned in. A note anchored to a paragraph the text no longer has is
        a note on the whole cable."""
        if cable is None:
            return []
        positions = ws_notes.anchors([p.number for p in cable.paragraphs])
        # A note counts at the level of what it is written on (it may quote it): a note on
        # the whole cable at the cable's own level, like the text outside its paragraphs.
        whole = viewer.may_see(*portion(None, cable.classification, cable.caveats))
        shown = []
        for found_note in found:
            paragraph = found_note.paragraph
            if paragraph is not None and paragraph not in positions:
                paragraph = None
            if paragraph is None and not whole:
                continue
            if paragraph is not None:
                held = cable.paragraphs[positions.index(paragraph)]
                if _withheld_paragraph(held):
                    continue
            text = self._burn_free_text(found_note.text, cable.reference_id, viewer)
            shown.append(replace(found_note, paragraph=paragraph, text=text))
        return shown

    def _workspace_cables(
        self, reference_ids: list[str], viewer: Viewer
    ) -> dict[str, Cable | None]:
        return {i: self.get(i, viewer=viewer) for i in dict.fromkeys(reference_ids)}

    def notes(self, reference_id: str, *, principal: Principal) -> list[ws_notes.Note]:
        """The notes on one cable `principal` may read, as they may read them."""
        viewer = self.viewer(principal)
        reference_id = normal_id(reference_id)
        cable = self.get(reference_id, viewer=viewer)
        found = ws_notes.readable(self.connection, ws.who(principal), [reference_id])
        return self._shown_notes(found, cable, viewer)

    def all_notes(self, *, principal: Principal) -> list[ws_notes.Note]:
        """Every note `principal` may read, as they may read it, oldest first."""
        viewer = self.viewer(principal)
        found = ws_notes.readable(self.connection, ws.who(principal))
        cables = self._workspace_cables([n.reference_id for n in found], viewer)
        shown: list[ws_notes.Note] = []
        for reference_id, cable in cables.items():
            mine = [n for n in found if n.reference_id == reference_id]
            shown += self._shown_notes(mine, cable, viewer)
        return sorted(shown, key=lambda n: n.id)

    def _note_lookup(self, viewer: Viewer) -> Callable[[list[str], bool], list[str]] | None:
        """query.compile.NoteLookup for `note:`: the reader's own notes and those shared
        with them, read as they may read them (so a burned name is not found)."""
        if viewer.notes_of is None or viewer.published_only:
            return None
        key = viewer.notes_of

        def noted(words: list[str], prefix: bool) -> list[str]:
            found = ws_notes.readable(self.connection, key)
            cables = self._workspace_cables([n.reference_id for n in found], viewer)
            hits = set()
            for reference_id, cable in cables.items():
                mine = [n for n in found if n.reference_id == reference_id]
                for shown in self._shown_notes(mine, cable, viewer):
                    if _holds(shown.text, words, prefix):
                        hits.add(reference_id)
                        break
            return sorted(hits)

        return noted

    def add_note(
        self,
        reference_id: str,
        text: str,
        *,
        principal: Principal,
        paragraph: str | None = None,
        collection_id: int | None = None,
    ) -> int:
        """A note on a cable (or one paragraph of it, by its anchor) `principal` may see,
        private or shared with a collection they may change; its id."""
        viewer = self.viewer(principal)
        reference_id = normal_id(reference_id)
        cable = self.get(reference_id, viewer=viewer)
        if cable is None:
            raise ws.NotFound(f"{reference_id}: no such cable in your view of the archive")
        paragraph = ws_notes.anchor(paragraph)
        if paragraph is not None:
            positions = ws_notes.anchors([p.number for p in cable.paragraphs])
            if paragraph not in positions:
                raise ws.WorkspaceError(
                    f"{reference_id} has no paragraph #{paragraph} (it has "
                    f"{', '.join(positions[:12]) or 'none'})"
                )
            if _withheld_paragraph(cable.paragraphs[positions.index(paragraph)]):
                raise ws.NotAllowed(f"{reference_id} #{paragraph} is withheld from you")
        return ws_notes.add(
            self.connection, ws.who(principal), reference_id, text, paragraph, collection_id
        )

    def _note_refusal(self, note_id: int, principal: Principal, exc: ws.NotAllowed) -> Exception:
        """A non-author's change of a note: 403 (NotAllowed) only for a note they read as
        shown to them; one their view withholds (its paragraph, its cable) is NotFound,
        as one that does not exist."""
        row = self.connection.execute(
            "SELECT reference_id FROM notes WHERE id = ?", (note_id,)
        ).fetchone()
        if row is not None and any(
            n.id == note_id for n in self.notes(row[0], principal=principal)
        ):
            return exc
        return ws.NotFound(f"note {note_id}: no such note of yours")

    def edit_note(self, note_id: int, text: str, *, principal: Principal) -> None:
        """Replace the text of a note (its author only)."""
        try:
            ws_notes.edit(self.connection, ws.who(principal), note_id, text)
        except ws.NotAllowed as exc:
            raise self._note_refusal(note_id, principal, exc) from None

    def delete_note(self, note_id: int, *, principal: Principal) -> None:
        """Delete a note (its author only)."""
        try:
            ws_notes.delete(self.connection, ws.who(principal), note_id)
        except ws.NotAllowed as exc:
            raise self._note_refusal(note_id, principal, exc) from None

    def collections(self, *, principal: Principal) -> list[ws.Collection]:
        """The collections `principal` owns and those shared with them (titles as they
        may read them)."""
        viewer = self.viewer(principal)
        return [
            self._shown_collection(c, viewer) for c in ws.listed(self.connection, ws.who(principal))
        ]

    def _shown_collection(self, collection: ws.Collection, viewer: Viewer) -> ws.Collection:
        return replace(
            collection,
            title=self._burn_free_text(collection.title, None, viewer),
            description=self._burn_free_text(collection.description, None, viewer),
        )

    def collection(self, collection_id: int, *, principal: Principal) -> ws_shelf.Shelf:
        """A collection as `principal` may see it: each cable viewed with their viewer (one
        they may not see is withheld: no subject, no text), the notes they may read on
        them (those shared with this collection and their own private ones). NotFound
        when it is not theirs to see (or does not exist)."""
        viewer = self.viewer(principal)
        key = ws.who(principal)
        collection = ws.get(self.connection, collection_id, key)
        members = ws.members(self.connection, collection_id)
        cables = self._workspace_cables([m.reference_id for m in members], viewer)
        found = ws_notes.readable(
            self.connection, key, [m.reference_id for m in members], collection_id
        )
        entries = []
        for member in members:
            cable = cables[member.reference_id]
            mine = [n for n in found if n.reference_id == member.reference_id]
            entries.append(ws_shelf.Entry(member, cable, self._shown_notes(mine, cable, viewer)))
        return ws_shelf.Shelf(
            self._shown_collection(collection, viewer),
            entries,
            ws.shares(self.connection, collection_id),
        )

    def create_collection(self, title: str, description: str = "", *, principal: Principal) -> int:
        return ws.create(self.connection, ws.who(principal), title, description)

    def describe_collection(
        self,
        collection_id: int,
        *,
        principal: Principal,
        title: str | None = None,
        description: str | None = None,
    ) -> None:
        ws.describe(self.connection, collection_id, ws.who(principal), title, description)

    def add_to_collection(
        self, collection_id: int, reference_ids: list[str], *, principal: Principal
    ) -> int:
        """Append cables `principal` may see (WorkspaceError naming any they may not, or
        the archive does not hold); how many were not there already."""
        viewer = self.viewer(principal)
        ids = [normal_id(i) for i in reference_ids if i.strip()]
        if not ids:
            raise ws.WorkspaceError("name at least one cable (a reference id like 08BAGHDAD1784)")
        unknown = [i for i, cable in self._workspace_cables(ids, viewer).items() if cable is None]
        if unknown:
            raise ws.WorkspaceError(
                f"{', '.join(unknown[:5])}: no such cable in your view of the archive"
            )
        return ws.add(self.connection, collection_id, ws.who(principal), ids)

    def add_matches_to_collection(
        self, collection_id: int, query: str, *, principal: Principal, sort: str = "date"
    ) -> int:
        """Append every cable matching `query` that `principal` may find (QueryError for a
        bad query; at most workspace.collections.CABLES_MOST in a collection)."""
        viewer = self.viewer(principal)
        # Checked first: a query is not run for a collection the asker may not change.
        ws.may_change(self.connection, collection_id, ws.who(principal))
        ids = list(self.matching_ids(query, viewer=viewer, sort=sort, limit=ws.CABLES_MOST + 1))
        return ws.add(self.connection, collection_id, ws.who(principal), ids)

    def remove_from_collection(
        self, collection_id: int, reference_id: str, *, principal: Principal
    ) -> bool:
        return ws.remove(self.connection, collection_id, ws.who(principal), normal_id(reference_id))

    def move_in_collection(
        self, collection_id: int, reference_id: str, position: int, *, principal: Principal
    ) -> None:
        ws.move(
            self.connection, collection_id, ws.who(principal), normal_id(reference_id), position
        )

    def share_collection(
        self, collection_id: int, account: str, access: str | None, *, principal: Principal
    ) -> None:
        ws.share(self.connection, collection_id, ws.who(principal), account, access)

    def delete_collection(self, collection_id: int, *, principal: Principal) -> ws.Deleted:
        """Delete a collection (its owner only) with its cable list and shares; the notes
        shared with it become private notes of their authors; a published one is left
        out of the next edition built."""
        return ws.delete(self.connection, collection_id, ws.who(principal))

    def published_collections(self) -> list[tuple[int, str, str, list[str]]]:
        """(number, title, description, member ids in order) of the collections marked for
        the public edition, title and description as the public may read them. Which of
        the members the edition holds is for the edition to say (publish/site.py)."""
        public = self.public_viewer()
        return [
            (
                number,
                self._burn_free_text(title, None, public),
                self._burn_free_text(description, None, public),
                members,
            )
            for number, title, description, members in ws.published(self.connection)
        ]

    def publish_collection(
        self, collection_id: int, published: bool = True, *, principal: Principal
    ) -> None:
        ws.publish(self.connection, collection_id, principal, published)


def _check_name(name: str) -> None:
    if not any(ch.isalnum() for ch in name):
        raise entity_register.EntityRegisterError(f"name: expected a name; found {name!r}")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise entity_register.EntityRegisterError(
            f"kind: expected one of {', '.join(KINDS)}; found {kind!r}"
        )


class _EntityLookup:
    """query.entities.EntityLookup for one reader, from the facade's one rule of who sees
    what: `_seen` (which mentions count) and `_hidden` (entities a rule burns a name of)."""

    def __init__(self, archive: Archive, viewer: Viewer) -> None:
        self.archive, self.viewer = archive, viewer
        self.seen = archive._seen(viewer)

    @property
    def excluded(self) -> frozenset[str]:
        return self.seen.excluded

    def named(self, kind: str, words: list[str]) -> list[int]:
        ids = entity_search.named(self.archive.connection, kind, words, self.seen)
        return [i for i in ids if not self.archive._hidden(i, self.viewer)]

    def current(self, entity_id: int) -> tuple[str, int] | None:
        if self.archive._hidden(entity_id, self.viewer):
            return None
        found = entity_register.by_id(self.archive.connection, entity_id)
        if found is None or self.archive._hidden(found.id, self.viewer):
            return None
        return found.kind, found.id

    def shown(self, entity_ids: list[int]) -> dict[int, str]:
        found = entity_search.kinds_of(self.archive.connection, entity_ids)
        return {
            i: self.archive._shown_name(i, name, self.viewer)
            for i, (_, name) in found.items()
            if not self.archive._hidden(i, self.viewer)
        }


def _withheld_paragraph(paragraph: Paragraph) -> bool:
    """Whether the viewer put a placeholder in this paragraph's place (redact/ceiling.py)."""
    return paragraph.heading is None and paragraph.text.startswith(
        withheld_note(paragraph, "").removesuffix("]")
    )


def _holds(text: str, words: list[str], prefix: bool) -> bool:
    """Whether `text` holds `words` one after another (the last as a prefix: `prefix`)."""
    found = [w.lower() for w in WORD.findall(text)]
    width = len(words)
    for start in range(len(found) - width + 1):
        window = found[start : start + width]
        if window[:-1] != words[:-1]:
            continue
        last = window[-1]
        if last == words[-1] or (prefix and last.startswith(words[-1])):
            return True
    return False


def _editors_only(viewer: Viewer, what: str) -> None:
    # Editors, admins and the local desk see the stored record (their viewers burn in no
    # redaction); the register names what was redacted, so nobody else reads it.
    if viewer.redact or viewer.published_only:
        raise AccessError(f"{what}: for editors only")
