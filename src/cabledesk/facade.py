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
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from cabledesk.access import audit
from cabledesk.access.errors import AccessError
from cabledesk.access.principal import PUBLIC, Principal
from cabledesk.archive import editions, editorial, entity_search, register
from cabledesk.archive import entities as entity_store
from cabledesk.archive.edition_index import EditionIndex
from cabledesk.archive.enrich import EnrichReport, Progress
from cabledesk.archive.enrich import run as run_enrichment
from cabledesk.archive.errors import ArchiveError
from cabledesk.archive.folder import Store
from cabledesk.archive.index import Index
from cabledesk.archive.progress import Reporter
from cabledesk.archive.register import RegisterError
from cabledesk.archive.report import IngestReport
from cabledesk.archive.store import citing_ids, read_cable, unpack, versions
from cabledesk.entities.model import EntityCount, EntityPage
from cabledesk.parse import Parser
from cabledesk.query import browse
from cabledesk.query.browse import OriginCount, TagCount
from cabledesk.query.search import SearchResult, compile_query, matching_ids, search
from cabledesk.query.timeline import Month, timeline
from cabledesk.record.ids import first_part, normal_id
from cabledesk.record.model import Cable
from cabledesk.redact.apply import Redactor, burn
from cabledesk.redact.model import Rule
from cabledesk.redact.viewer import Viewer

T = TypeVar("T")
_EXPORT_CHUNK = 500

__all__ = ["Archive", "ArchiveError"]


class Archive:
    """An archive as its readers and editors use it (the store is `archive.store`)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Whether an entity is hidden from readers given redactions, per compiled rules.
        self._hidden_entities: dict[tuple[int, Redactor], bool] = {}

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
                entities=self._entity_lookup(public),
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
    ) -> SearchResult:
        """Search with the query language (docs/search.md); QueryError for a bad query.
        A blank query is an error unless `blank_matches_all` (then: every cable)."""
        return search(
            self.store.searcher(published_only=viewer.published_only, restricted=viewer.restricted),
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
            entities=self._entity_lookup(viewer),
        )

    def timeline(
        self, query: str, *, viewer: Viewer, blank_matches_all: bool = False
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
            entities=self._entity_lookup(viewer),
        )
        searcher = self.store.searcher(
            published_only=viewer.published_only, restricted=viewer.restricted
        )
        return timeline(searcher, compiled)

    def matching_ids(
        self,
        query: str,
        *,
        viewer: Viewer,
        sort: str = "rank",
        blank_matches_all: bool = False,
    ) -> Iterator[str]:
        """The id of every cable matching `query` that `viewer` may find, in result order,
        without reading a record (a malformed query raises QueryError when iterated)."""

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
                entities=self._entity_lookup(viewer),
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
    ) -> Iterator[Cable]:
        """Every cable matching `query`, as `viewer` may see it, streamed in result order.
        The export is written to the audit log when streaming starts (`account` None: the
        command line)."""
        audit.record(self.connection, "export", account, detail={"query": query, "sort": sort})
        ids = self.matching_ids(
            query, viewer=viewer, sort=sort, blank_matches_all=blank_matches_all
        )
        while chunk := list(islice(ids, _EXPORT_CHUNK)):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT reference_id, record FROM cables WHERE reference_id IN ({marks})"
            rows = dict(self.connection.execute(sql, chunk).fetchall())
            for reference_id in chunk:
                if reference_id in rows:
                    yield self.view(unpack(rows[reference_id]), viewer=viewer)

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
        return self.store.change(apply)

    def lift(self, rule_id: int, reason: str, account: str | None = None) -> Rule:
        """Lift a redaction (logged with the reason); it stops applying at once."""

        def apply(connection: sqlite3.Connection) -> Rule:
            rule = editorial.lift(connection, self.index, rule_id, account, reason)
            detail = {"rule": rule.id, "reason": reason}
            audit.insert(connection, [audit.event("redaction_lift", account, detail=detail)])
            return rule

        return self.store.change(apply)

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
    ) -> int:
        """Record a new edition (editorial.record_edition); returns its number."""

        def apply(connection: sqlite3.Connection) -> int:
            number, cables = editorial.record_edition(
                connection, account, output, versions, register_version
            )
            detail = {"edition": number, "cables": cables, "output": output}
            audit.insert(connection, [audit.event("edition", account, detail=detail)])
            return number

        return self.store.change(apply)

    def editions(self, *, viewer: Viewer) -> list[tuple[int, str, str | None, int, int]]:
        """Every edition, newest first: (number, created at, by, register version, cables)."""
        _editors_only(viewer, "the editions' records")
        return editions.listing(self.connection)

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
        with self.store.absorbing() as absorb:
            report = run_enrichment(
                self.connection,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                limit=limit,
                absorb=absorb,
            )
        self._hidden_entities.clear()
        return report

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
        key = (entity_id, viewer.redactor)
        if key not in self._hidden_entities:
            names = entity_store.entity_names(self.connection, entity_id)
            patterns = viewer.redactor.patterns
            self._hidden_entities[key] = any(
                burn({"text": name}, patterns) != {"text": name} for name in names
            )
        return self._hidden_entities[key]

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
    ) -> list[EntityCount]:
        """The most mentioned entities (of `kind`; of the cables `reference_ids`), counted
        over what `viewer` may see."""
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
        skipped = 0
        page = max(limit, 50)
        while len(out) < limit:
            rows = entity_store.counts(
                self.connection,
                seen,
                kind=kind,
                cable_ids=cable_ids,
                limit=page,
                offset=offset + len(out) + skipped,
            )
            for row in rows:
                if self._hidden(row[0], viewer):
                    skipped += 1
                    continue
                out.append(EntityCount(*row))
                if len(out) == limit:
                    break
            if len(rows) < page:
                break
        return out

    def entity(self, entity_id: int, *, viewer: Viewer) -> EntityPage | None:
        """One entity from `viewer`'s view, or None when it has no mention they may see."""
        if self._hidden(entity_id, viewer):
            return None
        seen = self._seen(viewer)
        rows = entity_store.counts(self.connection, seen, entity_ids=[entity_id], limit=1)
        if not rows:
            return None
        cables = entity_store.cables_of(self.connection, entity_id, seen)
        related = [
            e
            for e in self.entities(viewer=viewer, reference_ids=[c[1] for c in cables], limit=16)
            if e.id != entity_id
        ][:15]
        return EntityPage(
            entity=EntityCount(*rows[0]),
            aliases=entity_store.surfaces(self.connection, entity_id, seen),
            months=entity_store.months(self.connection, entity_id, seen),
            posts=entity_store.posts(self.connection, entity_id, seen),
            related=related,
            cables=[c[1] for c in cables],
        )

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
        return [row for row in rows if not self._hidden(row[0], viewer)]


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

    def kind_of(self, entity_id: int) -> str | None:
        found = entity_search.kinds_of(self.archive.connection, [entity_id]).get(entity_id)
        if found is None or self.archive._hidden(entity_id, self.viewer):
            return None
        return found[0]

    def shown(self, entity_ids: list[int]) -> dict[int, str]:
        found = entity_search.kinds_of(self.archive.connection, entity_ids)
        return {
            i: name for i, (_, name) in found.items() if not self.archive._hidden(i, self.viewer)
        }


def _editors_only(viewer: Viewer, what: str) -> None:
    # Editors, admins and the local desk see the stored record (their viewers burn in no
    # redaction); the register names what was redacted, so nobody else reads it.
    if viewer.redact or viewer.published_only:
        raise AccessError(f"{what}: for editors only")
