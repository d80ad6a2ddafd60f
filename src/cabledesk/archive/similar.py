"""Similar cables per class of reader (docs/similar.md).

One model (similar_model.Model) per class of reader, built only from the texts that reader
receives (the facade hands them in: `Archive._similar_counts`), so document frequencies,
scores, orders and shared words all come from what that reader may see. Each model is
stored in `similar-views/` under a hash of its key, with the key and a stamp of the state
of the archive it was built from; `Similarities.fresh` hands a model out only while its
stamp is the archive's, and builds it again (in the caller's thread) otherwise. Nothing a
reader receives is read from another class's model.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from cabledesk.archive.similar_model import Model, build
from cabledesk.archive.store import last_seq, unpack
from cabledesk.archive.view_cache import build_lock
from cabledesk.record.model import Cable

# What the viewer puts where it withholds a part (redact/ceiling.py, redact/viewer.py).
_WITHHELD = re.compile(r"\[(?:paragraph \d+|a paragraph|subject|summary|comment) withheld")


def similarity_text(cable: Cable) -> str:
    """The text a cable is compared by: its subject and paragraphs as the record has them
    (a viewed record: what the reader sees), without the viewer's withheld notes, so a
    hidden part leaves no trace, not even its placeholder's words. REF lines are left out:
    they name other cables, and the relevance test checks citations."""
    parts = []
    if cable.subject and not _WITHHELD.match(cable.subject):
        parts.append(cable.subject)
    for paragraph in cable.paragraphs:
        if paragraph.text and not _WITHHELD.match(paragraph.text):
            if paragraph.heading:
                parts.append(paragraph.heading)
            parts.append(paragraph.text)
    return "\n".join(parts)


# --- the per-view cache -----------------------------------------------------------------


def stamp(connection: sqlite3.Connection) -> str:
    """What a model is valid for: the change number (every ingest, redaction, lift,
    edition and enrichment batch moves it on) and the latest edition. Unlike the entity
    summaries' stamp, not resolution's generation: no model reads an entity, and every
    enrichment run moves that on."""
    edition = connection.execute("SELECT max(id) FROM editions").fetchone()
    return f"{last_seq(connection)}/{edition[0] or 0}"


CACHE = "similar-views"
# `~"text"` in a query finds at most this many cables, the nearest (docs/similar.md).
NEAR_LIMIT = 1000


@dataclass(frozen=True)
class Found:
    """A similar cable in one reader's model: its id, the cosine, the shared terms (each
    with what it adds to the cosine)."""

    reference_id: str
    score: float
    shared: list[tuple[str, float]]


# Models loaded in this process, per cache folder and view: (stamp, model). Read-only
# once built, so shared between the handles of every thread.
_loaded: dict[tuple[str, str], tuple[str, Model]] = {}
_loaded_guard = threading.Lock()


def _folder_name(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class Similarities:
    """The similar-cables models of one archive folder, one per class of reader, each
    stamped with the state of the archive it was built from (entity_views.stamp). A model
    is handed out only while its stamp is the archive's; otherwise it is built again in
    the caller's thread from the texts the caller gives (fail closed: nothing stale, and
    nothing from another class of reader)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / CACHE

    def _stamp_of(self, key: str) -> str | None:
        try:
            return (self.path / _folder_name(key) / "stamp").read_text(encoding="utf-8")
        except OSError:
            return None

    def _model(self, key: str, current: str) -> Model | None:
        token = (str(self.path), key)
        with _loaded_guard:
            held = _loaded.get(token)
        if held is not None and held[0] == current:
            return held[1]
        if self._stamp_of(key) != current:
            return None
        try:
            model = Model.load(self.path / _folder_name(key))
        except (OSError, ValueError, zipfile.BadZipFile, KeyError):
            return None  # replaced while it was read, or damaged: built again
        # The files may have been replaced while they were read: trust them only if the
        # stamp still says the same.
        if self._stamp_of(key) != current:
            return None
        with _loaded_guard:
            _loaded[token] = (current, model)
        return model

    def is_fresh(self, connection: sqlite3.Connection, key: str) -> bool:
        """Whether the view's stored model is of the archive as it stands."""
        return self._stamp_of(key) == stamp(connection)

    def fresh(
        self,
        connection: sqlite3.Connection,
        key: str,
        counted: Callable[[], Iterable[tuple[str, dict[str, int]]]],
    ) -> Model:
        """The model of the view `key` as the archive stands: cached, or built now from
        `counted()` (each cable's id and term counts, as that view's reader sees it),
        read inside one snapshot of the archive."""
        found = self._model(key, stamp(connection))
        if found is not None:
            return found
        with build_lock(self.path, key):
            found = self._model(key, stamp(connection))
            if found is not None:
                return found
            for _ in range(2):
                now = self.build(connection, key, counted)
                if now == stamp(connection):
                    found = self._model(key, now)
                    if found is not None:
                        return found
        raise sqlite3.OperationalError("the archive keeps changing: try again")

    def build(
        self,
        connection: sqlite3.Connection,
        key: str,
        counted: Callable[[], Iterable[tuple[str, dict[str, int]]]],
        model: Model | None = None,
    ) -> str:
        """Build (or, given `model`, store) the view's model; returns the stamp it is of.
        The texts are read in one transaction of `connection`, so the stamp and the texts
        are of one state of the archive."""
        began = not connection.in_transaction
        if began:
            connection.execute("BEGIN")
        try:
            now = stamp(connection)
            if model is None:
                model = build(counted())
        finally:
            if began:
                connection.execute("ROLLBACK")
        self.store(key, now, model)
        return now

    def store(self, key: str, now: str, model: Model) -> None:
        """Write a view's model with its stamp (the stamp last: a reader trusts files
        only under a stamp that matches)."""
        self.path.mkdir(mode=0o700, exist_ok=True)
        target = self.path / _folder_name(key)
        staging = Path(tempfile.mkdtemp(dir=self.path, prefix=".build-"))
        try:
            model.save(staging)
            (staging / "key").write_text(key, encoding="utf-8")
            (staging / "stamp").write_text(now, encoding="utf-8")
            old = None
            if target.exists():
                old = self.path / f".old-{_folder_name(key)}-{os.getpid()}-{threading.get_ident()}"
                target.rename(old)
            staging.rename(target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        with _loaded_guard:
            _loaded[(str(self.path), key)] = (now, model)


# Builds started in threads of their own (Archive.similar_prepared), per folder and view.
_background: dict[tuple[str, str], threading.Thread] = {}


def in_background(folder: Path, key: str, work: Callable[[], object]) -> threading.Thread:
    """The thread building this view's model, started now unless one still runs."""
    token = (str(folder / CACHE), key)
    with _loaded_guard:
        thread = _background.get(token)
        if thread is None or not thread.is_alive():
            thread = threading.Thread(target=work, name="similar-cables", daemon=True)
            _background[token] = thread
            thread.start()
        return thread


def neighbours(model: Model, reference_id: str, limit: int) -> list[Found] | None:
    """The cables most like one of the model's, best first; None when the model does not
    hold it."""
    n = model.number(reference_id)
    if n is None:
        return None
    query_terms, query_weights = model.vector(n)
    return [
        Found(model.ids[m], score, model.shared_with(query_terms, query_weights, m))
        for m, score in model.nearest(query_terms, query_weights, limit, exclude=n)
    ]


def nearest_to_text(model: Model, text: str, limit: int) -> list[tuple[str, float]]:
    """(id, cosine) of the cables nearest a free text (`~"..."`), best first."""
    query_terms, query_weights = model.query_vector(text)
    if not len(query_terms):
        return []
    return [(model.ids[m], score) for m, score in model.nearest(query_terms, query_weights, limit)]


def nearest_among(model: Model, text: str, among: Iterable[str]) -> list[tuple[str, float]]:
    """(id, cosine) of every cable of `among` the model holds whose cosine with a free
    text is above zero, best first (ties: the model's order, as `nearest`): `~"..."`
    when the rest of a query matches few cables (docs/similar.md)."""
    query_terms, query_weights = model.query_vector(text)
    if not len(query_terms):
        return []
    scores = model.scores(query_terms, query_weights)
    numbers = {n for n in (model.number(i) for i in among) if n is not None}
    found = [(n, float(scores[n])) for n in numbers if scores[n] > 0]
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    return [(model.ids[n], score) for n, score in found]


@dataclass(frozen=True)
class SimilarCable:
    """A similar cable as one reader receives it: the cable's id, subject, date and
    origin as that reader sees them, the cosine of the two cables' TF-IDF vectors (0-1),
    and why: the rarest words both cables share (in that reader's view of both), strongest
    first."""

    reference_id: str
    subject: str | None
    date: str | None
    origin: str | None
    score: float
    shared_terms: list[str]


def current_records(connection: sqlite3.Connection) -> Iterable[tuple[str, Cable]]:
    """(reference id, stored current record) of every cable, in chunks (no read stays
    open across the caller's work)."""
    last = 0
    while True:
        rows = connection.execute(
            "SELECT id, reference_id, record FROM cables WHERE id > ? ORDER BY id LIMIT 500",
            (last,),
        ).fetchall()
        for _, reference_id, record in rows:
            yield str(reference_id), unpack(record)
        if len(rows) < 500:
            return
        last = rows[-1][0]
