"""Who gets which predicted sensitivity (docs/sensitivity.md, "Who gets a score"), and the
editors' review queue.

Scores are computed on a cable's full text (archive/sensitivity.py). Fail closed: a
reader who sees less than everything gets the scores of a cable only when every part the
scores are computed from (its subject and paragraphs, or its whole text) is within their
view, no redaction rule in force touches the cable, and, for the public, the text scored
is the version the edition published. For every other cable they get nothing: no
predicted level, no `predicted:` match, no facet count, no place in an order. So nothing a
reader gets from the scores depends on a withheld paragraph or a redacted word.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import tantivy

from cabledesk.archive import editions
from cabledesk.archive.sensitivity import (
    LEVELS,
    REVIEW_KINDS,
    Model,
    ensure_tables,
    featurize_cables,
)
from cabledesk.archive.store import read_cable
from cabledesk.record.model import Cable, Paragraph
from cabledesk.redact.ceiling import is_withheld_note, may_see
from cabledesk.redact.model import REDACTED

# P(NOFORN) at or above which a cable counts as predicted NOFORN.
NOFORN_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Seen:
    """A class of reader, in the store's terms (the facade makes it from a Viewer)."""

    everything: bool = True
    ceiling: int = 3
    foreign: bool = False
    published_only: bool = False
    # The redaction rules the reader gets burned in (a fingerprint; "" for none).
    rules: str = ""


@dataclass(slots=True)
class Granted:
    """The cables one class of reader gets scores of, by predicted level."""

    ids: frozenset[str]
    by_level: tuple[list[str], list[str], list[str]]
    noforn: list[str]
    # tantivy term-set queries made from the lists above, kept for the next search.
    queries: dict[str, Any] = field(default_factory=dict)

    def union(self, other: Granted) -> Granted:
        levels = tuple(
            sorted(set(a) | set(b)) for a, b in zip(self.by_level, other.by_level, strict=True)
        )
        return Granted(
            self.ids | other.ids,
            (levels[0], levels[1], levels[2]),
            sorted(set(self.noforn) | set(other.noforn)),
        )


def granted(connection: sqlite3.Connection, seen: Seen, touched: Iterable[str] = ()) -> Granted:
    """The cables `seen` gets scores of: scored on their current text, every part the
    scores read within the reader's view, none of `touched` (the cables a redaction rule
    the reader gets changes: the caller finds them in the reader's index), and for the
    public only the cables whose published version is the text scored."""
    ensure_tables(connection)
    rows = connection.execute(
        "SELECT c.reference_id, c.text_hash, s.predicted, s.p_noforn, s.reads_rank, "
        "s.reads_noforn FROM sensitivity_cables s JOIN cables c ON c.id = s.cable_id "
        "WHERE s.text_hash = c.text_hash AND s.reads_rank IS NOT NULL"
    ).fetchall()
    versions = editions.published_versions(connection) if seen.published_only else {}
    out = set(touched)
    ids: set[str] = set()
    by_level: tuple[list[str], list[str], list[str]] = ([], [], [])
    noforn: list[str] = []
    for reference_id, text_hash, predicted, p_noforn, rank, nf in rows:
        if not seen.everything:
            if not may_see(int(rank), bool(nf), seen.ceiling, seen.foreign):
                continue
            if reference_id in out:
                continue
            if seen.published_only and versions.get(reference_id) != text_hash:
                continue
        ids.add(reference_id)
        by_level[int(predicted)].append(reference_id)
        if p_noforn >= NOFORN_THRESHOLD:
            noforn.append(reference_id)
    for found in by_level:
        found.sort()
    noforn.sort()
    return Granted(frozenset(ids), by_level, noforn)


@dataclass(slots=True)
class Prediction:
    """A cable's predicted classification, as a reader may be shown it (always marked as
    predicted: it is a model's guess, not the cable's marking)."""

    level: str
    noforn: bool
    p_unclassified: float
    p_confidential: float
    p_secret: float
    p_noforn: float
    model: int
    predicted: bool = True
    # "whole": the stored score of the cable's whole text; "visible": computed on the fly
    # from the text this reader is shown (they are not granted the whole text's score).
    scope: str = "whole"


def visible_text(view: Cable) -> Cable | None:
    """What of a reader's view of a cable a model may score on the fly: its paragraphs
    and subject as shown, without what stands in a withheld part's place (it holds the
    marking) and without redaction markers; None when no paragraph is shown (a cable
    without paragraphs is not scored this way: its whole text counts at the cable's
    level, and what of it a reader gets is not cut at paragraph bounds)."""
    shown = [
        Paragraph(p.number, None, None, p.text.replace(REDACTED, " "))
        for p in view.paragraphs
        if not is_withheld_note(p.text)
    ]
    if not shown:
        return None
    subject = None if is_withheld_note(view.subject) else view.subject
    copy = Cable(
        reference_id=view.reference_id,
        created=view.created,
        origin=view.origin,
        header=view.header,
        tags=list(view.tags),
        subject=subject.replace(REDACTED, " ") if subject else subject,
        references=view.references,
        paragraphs=shown,
        signers=list(view.signers),
        station=view.station,
    )
    return copy


def visible_prediction(model: Model, view: Cable) -> Prediction | None:
    """The prediction of the text `view` shows (visible_text), computed now: nothing of
    it comes from a part the reader is not shown (docs/sensitivity.md, "Who gets a
    score")."""
    readable = visible_text(view)
    if readable is None:
        return None
    levels, noforn, _ = model.score(featurize_cables([readable], [0], [""]))
    p, nf = levels[0], float(noforn[0])
    return Prediction(
        LEVELS[int(p.argmax())],
        nf >= NOFORN_THRESHOLD,
        round(float(p[0]), 4),
        round(float(p[1]), 4),
        round(float(p[2]), 4),
        round(nf, 4),
        model.version,
        scope="visible",
    )


def predictions(connection: sqlite3.Connection, reference_ids: list[str]) -> dict[str, Prediction]:
    """The stored scores of these cables (of their current text); the caller checks that
    the reader is granted them."""
    if not reference_ids:
        return {}
    ensure_tables(connection)
    marks = ",".join("?" * len(reference_ids))
    rows = connection.execute(
        "SELECT c.reference_id, s.predicted, s.p_unclassified, s.p_confidential, s.p_secret, "
        "s.p_noforn, s.model FROM sensitivity_cables s JOIN cables c ON c.id = s.cable_id "
        f"WHERE s.text_hash = c.text_hash AND c.reference_id IN ({marks})",
        reference_ids,
    ).fetchall()
    return {
        str(r[0]): Prediction(
            LEVELS[int(r[1])],
            float(r[5]) >= NOFORN_THRESHOLD,
            round(float(r[2]), 4),
            round(float(r[3]), 4),
            round(float(r[4]), 4),
            round(float(r[5]), 4),
            int(r[6]),
        )
        for r in rows
    }


class Lookup:
    """What the query language asks of one reader's scores (query.predicted
    .PredictedLookup): `predicted:` and the facet. Lazy: a search that asks neither reads
    no score."""

    def __init__(self, granted_of: Any, connection: sqlite3.Connection) -> None:
        self._granted_of = granted_of
        self._granted: Granted | None = None
        self._connection = connection

    def granted(self) -> Granted:
        if self._granted is None:
            self._granted = self._granted_of()
        return self._granted

    def level_ids(self, level: int) -> list[str]:
        return self.granted().by_level[level]

    def noforn_ids(self) -> list[str]:
        return self.granted().noforn

    def scored(self) -> bool:
        return bool(self.granted().ids)

    def query(self, schema: tantivy.Schema, name: str, ids: list[str]) -> tantivy.Query:
        """A term-set query of `ids`, kept with the granted lists (the next search of this
        class of reader reuses it)."""
        queries = self.granted().queries
        found = queries.get(name)
        if found is None:
            found = tantivy.Query.term_set_query(schema, "id", ids)
            queries[name] = found
        return found

    def shown(self, reference_ids: list[str]) -> dict[str, Prediction]:
        ids = self.granted().ids
        return predictions(self._connection, [i for i in reference_ids if i in ids])


# --- the editors' review queue --------------------------------------------------------


@dataclass(slots=True)
class ReviewItem:
    """A paragraph or a cable an editor should look at, with why (`kind`) and how sure the
    model is (`margin`, see sensitivity.review_rows)."""

    kind: str
    reference_id: str
    position: int | None  # the paragraph's position in the record (None: the whole cable)
    number: int | None  # its paragraph number, when it has one (the page's anchor: p5)
    given: str  # the label it carries: its marking, "unmarked", or the classification
    predicted: str
    p_unclassified: float
    p_confidential: float
    p_secret: float
    margin: float
    excerpt: str
    date: str | None
    origin: str | None
    subject: str | None


@dataclass(slots=True)
class ReviewPage:
    total: int
    offset: int
    limit: int
    items: list[ReviewItem]


_EXCERPT = 300


def review(
    connection: sqlite3.Connection,
    *,
    kind: str | None = None,
    approved: bool = False,
    limit: int = 20,
    offset: int = 0,
    ceiling: int = 3,
    foreign: bool = False,
) -> ReviewPage:
    """One page of the review queue, highest margin first (ties by id and position).
    `kind`: one of sensitivity.REVIEW_KINDS; `approved`: only cables approved for the
    next edition (their approved text is the current one). Editors only: the facade
    checks; `ceiling` and `foreign` (the editor's) leave out every cable with a scored
    part outside their view."""
    if kind is not None and kind not in REVIEW_KINDS:
        raise ValueError(f"kind must be one of {', '.join(REVIEW_KINDS)}, not {kind!r}")
    ensure_tables(connection)
    where = ["s.text_hash = c.text_hash", "s.reads_rank <= ?"]
    arguments: list[object] = [ceiling]
    if foreign:
        where.append("s.reads_noforn = 0")
    if kind is not None:
        where.append("r.kind = ?")
        arguments.append(kind)
    if approved:
        where.append(
            "EXISTS (SELECT 1 FROM approvals a WHERE a.reference_id = c.reference_id "
            "AND a.text_hash = c.text_hash)"
        )
    body = (
        "FROM sensitivity_review r JOIN cables c ON c.id = r.cable_id "
        "JOIN sensitivity_cables s ON s.cable_id = r.cable_id "
        "LEFT JOIN sensitivity_paragraphs p ON p.cable_id = r.cable_id "
        "AND p.position = r.position WHERE " + " AND ".join(where)
    )
    total = int(connection.execute(f"SELECT count(*) {body}", arguments).fetchone()[0])
    rows = connection.execute(
        "SELECT r.kind, r.margin, c.reference_id, r.position, c.classification, c.date, "
        "c.origin, coalesce(p.p_unclassified, s.p_unclassified), "
        "coalesce(p.p_confidential, s.p_confidential), coalesce(p.p_secret, s.p_secret), "
        f"coalesce(p.predicted, s.predicted) {body} "
        "ORDER BY r.margin DESC, c.reference_id, r.position LIMIT ? OFFSET ?",
        [*arguments, limit, offset],
    ).fetchall()
    records = {}
    items = []
    for kind_, margin, reference_id, position, classification, date, origin, *p, level in rows:
        if reference_id not in records:
            records[reference_id] = read_cable(connection, reference_id)
        cable = records[reference_id]
        paragraph = None
        if cable is not None and position >= 0 and position < len(cable.paragraphs):
            paragraph = cable.paragraphs[position]
        if paragraph is not None:
            given = paragraph.marking or "unmarked"
            text = paragraph.text
        else:
            given = classification or "unmarked"
            text = " ".join(q.text for q in cable.paragraphs) if cable else ""
            text = text or (cable.text if cable else "")
        flat = " ".join(text.split())
        items.append(
            ReviewItem(
                kind=kind_,
                reference_id=reference_id,
                position=position if position >= 0 else None,
                number=paragraph.number if paragraph is not None else None,
                given=given,
                predicted=LEVELS[int(level)],
                p_unclassified=round(float(p[0]), 4),
                p_confidential=round(float(p[1]), 4),
                p_secret=round(float(p[2]), 4),
                margin=round(float(margin), 4),
                excerpt=flat[:_EXCERPT] + ("…" if len(flat) > _EXCERPT else ""),
                date=date,
                origin=origin,
                subject=cable.subject if cable else None,
            )
        )
    return ReviewPage(total, offset, limit, items)


# --- ranking redaction candidates ---------------------------------------------------


def sensitivity(p_confidential: float, p_secret: float) -> float:
    """How sensitive a text reads, 0 to 1: its expected level (0 unclassified, 1
    confidential, 2 secret) under the model, halved: (P(confidential) + 2 P(secret)) / 2."""
    return (p_confidential + 2.0 * p_secret) / 2.0


def part_sensitivities(
    connection: sqlite3.Connection, reference_ids: list[str]
) -> dict[tuple[str, int | None], float]:
    """{(id, paragraph position): sensitivity} of the paragraphs of these cables, and
    {(id, None): sensitivity} of each cable as a whole, from the scores of their current
    text. The caller keeps only what the reader is granted."""
    if not reference_ids:
        return {}
    ensure_tables(connection)
    marks = ",".join("?" * len(reference_ids))
    out: dict[tuple[str, int | None], float] = {}
    for reference_id, p_c, p_s in connection.execute(
        "SELECT c.reference_id, s.p_confidential, s.p_secret FROM sensitivity_cables s "
        f"JOIN cables c ON c.id = s.cable_id WHERE s.text_hash = c.text_hash "
        f"AND c.reference_id IN ({marks})",
        reference_ids,
    ):
        out[(str(reference_id), None)] = sensitivity(float(p_c), float(p_s))
    for reference_id, position, p_c, p_s in connection.execute(
        "SELECT c.reference_id, p.position, p.p_confidential, p.p_secret "
        "FROM sensitivity_paragraphs p JOIN cables c ON c.id = p.cable_id "
        "JOIN sensitivity_cables s ON s.cable_id = p.cable_id "
        f"WHERE s.text_hash = c.text_hash AND c.reference_id IN ({marks})",
        reference_ids,
    ):
        out[(str(reference_id), int(position))] = sensitivity(float(p_c), float(p_s))
    return out
