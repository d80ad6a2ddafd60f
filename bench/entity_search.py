"""Searching by entity, and entity facets: the index's entity fields (what cabledesk does)
against SQL on `mentions` at query time (the alternative), on an enriched archive.

    cabledesk bench corpus --n 20000 --out /tmp/c20k.csv
    cabledesk ingest /tmp/c20k.csv --db /tmp/a20k && cabledesk enrich --db /tmp/a20k
    PYTHONPATH=src .venv/bin/python bench/entity_search.py /tmp/a20k

(a) index: `entity:ID` / `person:WORD` compile to a term-set query on the reader's entity
    field; facets are one tantivy terms aggregation per kind over the match set.
(b) SQL: the cables mentioning the entity where the reader may see it come from
    `mentions` (Visibility) and become a term-set query on `id`; facets count visible
    mentions by SQL over the match set's cables (`archive.entities.counts`).

Each figure is the median of 5 runs after one warm-up, in milliseconds (docs/entities.md,
"Searching by entity", records them).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import tantivy

import cabledesk
from cabledesk.archive import entities as entity_store
from cabledesk.query.search import compile_query
from cabledesk.redact.viewer import Viewer


def ms(action: Callable[[], object]) -> float:
    action()
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        action()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def main(path: str) -> None:
    archive = cabledesk.Archive.open(path)
    connection = archive.connection
    everything, low = Viewer(), Viewer(ceiling=0, redact=True, compiled=archive.redactor())
    top = archive.entities(viewer=everything, kind="person", limit=1)[0]
    common = archive.entities(viewer=everything, kind="place", limit=1)[0]
    word = top.name.split()[-1].lower()
    cables = archive.count(viewer=everything)
    mentions = connection.execute("SELECT count(*) FROM mentions").fetchone()[0]
    print(
        f"{cables:,} cables, {mentions:,} mentions; person {top.name!r} (id {top.id}, "
        f"{top.cables} cables), place {common.name!r} (id {common.id}, {common.cables} cables)"
    )
    searcher = archive.store.searcher(published_only=False, restricted=True)
    schema = archive.index.schema

    def index_search(query: str, viewer: Viewer, facets: bool) -> Callable[[], object]:
        return lambda: archive.search(
            query, viewer=viewer, facets=facets, blank_matches_all=True, limit=20
        )

    def sql_search(entity_id: int, viewer: Viewer, facets: bool) -> Callable[[], object]:
        def run() -> object:
            seen = archive._seen(viewer)
            sql, params = seen.sql()
            where = " AND " if " WHERE " in sql else " WHERE "
            ids = [
                row[0]
                for row in connection.execute(
                    f"SELECT DISTINCT c.reference_id {sql}{where}k.entity_id = ?",
                    [*params, entity_id],
                )
            ]
            query = tantivy.Query.term_set_query(schema, "id", ids)
            found = searcher.search(query, limit=20, count=True)
            if facets:
                sql_facets(query, viewer)
            return found

        return run

    def sql_facets(query: tantivy.Query, viewer: Viewer) -> object:
        total = searcher.search(query, limit=1, count=True).count
        hits = searcher.search(query, limit=max(1, total)).hits
        refs = [searcher.doc(address)["id"][0] for _, address in hits]
        rowids = [
            row[0]
            for start in range(0, len(refs), 500)
            for row in connection.execute(
                "SELECT id FROM cables WHERE reference_id IN "
                f"({','.join('?' * len(refs[start : start + 500]))})",
                refs[start : start + 500],
            )
        ]
        seen = archive._seen(viewer)
        return [
            entity_store.counts(connection, seen, kind=kind, cable_ids=rowids, limit=20)
            for kind in ("person", "org", "place")
        ]

    def sql_blank_facets(viewer: Viewer) -> Callable[[], object]:
        def run() -> object:
            _, compiled = compile_query(
                schema,
                connection,
                "",
                archive.store.origins,
                viewer=viewer,
                blank_matches_all=True,
            )
            return sql_facets(compiled, viewer)

        return run

    rows = [
        ("entity:ID, no facets", f"entity:{top.id}", top.id, False),
        (
            "entity:ID of the most mentioned place, no facets",
            f"entity:{common.id}",
            common.id,
            False,
        ),
        ("entity:ID with facets", f"entity:{top.id}", top.id, True),
        (
            "entity:ID of the most mentioned place, with facets",
            f"entity:{common.id}",
            common.id,
            True,
        ),
    ]
    print("| what | reader | (a) index fields | (b) SQL on mentions |")
    print("|---|---|---:|---:|")
    for label, query, entity_id, facets in rows:
        for name, viewer in (("everything", everything), ("ceiling 0, redactions", low)):
            a = ms(index_search(query, viewer, facets))
            b = ms(sql_search(entity_id, viewer, facets))
            print(f"| {label} | {name} | {a:.1f} | {b:.1f} |")
    for name, viewer in (("everything", everything), ("ceiling 0, redactions", low)):
        a = ms(index_search(f"person:{word}", viewer, False))
        print(f"| person:{word} (name look-up + search), no facets | {name} | {a:.1f} | - |")
        a = ms(index_search("", viewer, True))
        b = ms(sql_blank_facets(viewer))
        a0 = ms(index_search("", viewer, False))
        print(
            f"| every cable: all facets (a) / entity facets (b) | {name} | {a:.1f} "
            f"(without facets {a0:.1f}) | {b:.1f} |"
        )
    archive.close()


if __name__ == "__main__":
    main(sys.argv[1])
