"""The similar-cables models made by the enrichment job (docs/similar.md): the reading of
records and the counting of their terms run in the job's workers (processes on this
machine or a Dask cluster, `enrich._mapper`), the model is built and stored here.

`count_batch` is a pure function of stored records and a Viewer (None: the stored text,
for the view of everything), so every way of running it gives the same model, and the
same model as a reader's first request builds in the desk's own thread (facade,
`Archive._similar_counts`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cabledesk.archive.blob import unpack_record
from cabledesk.archive.similar import Similarities, similarity_text
from cabledesk.archive.similar_model import count_terms
from cabledesk.record.codec import from_dict
from cabledesk.redact.viewer import Viewer

BATCH = 500
# The record of version `w.text_hash` of cable `c` (editions.py's rule).
_RECORD_OF_VERSION = (
    "CASE WHEN c.text_hash = w.text_hash THEN c.record ELSE "
    "(SELECT v.record FROM versions v WHERE v.cable_id = c.id AND v.text_hash = w.text_hash "
    "ORDER BY v.version DESC LIMIT 1) END"
)

Task = tuple[Viewer | None, list[tuple[str, bytes]]]
Counted = list[tuple[str, dict[str, int]]]


def count_batch(task: Task) -> Counted:
    """Runs on a worker: stored records in, each cable's term counts out, of the text
    `viewer` receives (None: the stored record)."""
    viewer, rows = task
    out = []
    for reference_id, blob in rows:
        cable = from_dict(unpack_record(blob))
        if viewer is not None:
            cable = viewer.view(cable)
        out.append((reference_id, count_terms(similarity_text(cable))))
    return out


def current_blobs(connection: sqlite3.Connection) -> Iterator[list[tuple[str, bytes]]]:
    """Every current record, in batches by row id."""
    last = 0
    while True:
        rows = connection.execute(
            "SELECT id, reference_id, record FROM cables WHERE id > ? ORDER BY id LIMIT ?",
            (last, BATCH),
        ).fetchall()
        if rows:
            yield [(str(r[1]), bytes(r[2])) for r in rows]
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


def published_blobs(connection: sqlite3.Connection) -> Iterator[list[tuple[str, bytes]]]:
    """The stored record of the version the latest edition published of each of its
    cables, in batches by reference id (a version the archive lost is left out, as
    editions.records_of_versions does)."""
    last = ""
    while True:
        rows = connection.execute(
            f"SELECT w.reference_id, {_RECORD_OF_VERSION} FROM edition_cables w "
            "JOIN cables c ON c.reference_id = w.reference_id "
            "WHERE w.edition_id = (SELECT max(id) FROM editions) AND w.reference_id > ? "
            "ORDER BY w.reference_id LIMIT ?",
            (last, BATCH),
        ).fetchall()
        kept = [(str(i), bytes(r)) for i, r in rows if r is not None]
        if kept:
            yield kept
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


@dataclass(frozen=True)
class View:
    """A model to build: its key (Archive._similar_key), the viewer its text is seen
    through (None: everything), whether only the edition's cables are in it."""

    key: str
    viewer: Viewer | None
    published_only: bool


Mapper = Callable[[Callable[[Task], Counted], Iterator[Task], int], Iterator[Counted]]


def build_views(
    connection: sqlite3.Connection,
    similarities: Similarities,
    views: list[View],
    mapper: Mapper,
    ahead: int,
) -> dict[str, float]:
    """Build each view's model, its records counted by `mapper`; {key: wall seconds}."""
    took = {}
    for view in views:
        started = time.monotonic()
        # A Viewer is sent to the workers with its rules, not their compiled patterns.
        sent = None
        if view.viewer is not None:
            sent = Viewer(
                ceiling=view.viewer.ceiling,
                foreign=view.viewer.foreign,
                redact=view.viewer.redact,
                published_only=view.viewer.published_only,
                rules=list(view.viewer.redactor.rules) if view.viewer.redact else [],
            )

        def counted(view: View = view, sent: Viewer | None = sent) -> Iterator[tuple[str, Any]]:
            batches = (
                published_blobs(connection) if view.published_only else current_blobs(connection)
            )
            for result in mapper(count_batch, ((sent, rows) for rows in batches), ahead):
                yield from result

        similarities.build(connection, view.key, counted)
        took[view.key] = round(time.monotonic() - started, 3)
    return took
