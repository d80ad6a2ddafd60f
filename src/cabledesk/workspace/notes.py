"""Notes on a cable or on one of its paragraphs (docs/workspace.md).

A note is its author's; it is private, or shared with one collection the author may
change (then everyone who may see that collection may read it). This module keeps the
rows and says which notes an asker may read at all (`readable`); the facade then drops
the notes on text the asker's view withholds and burns the redactions into the rest,
so that a note never shows a reader what their view of the cable does not.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from cabledesk.access import audit
from cabledesk.workspace import collections
from cabledesk.workspace.collections import NotAllowed, NotFound, WorkspaceError, writing

NOTE_MOST = 20_000
# A paragraph's anchor on the cable page (presentation.present.paragraph_anchors).
ANCHOR = re.compile(r"^(?:p\d{1,4}(?:-\d{1,3})?|u\d{1,4})$")


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    author: str
    reference_id: str
    paragraph: str | None  # the anchor (`p3`, `p5-2`, `u1`); None: the whole cable
    collection_id: int | None  # None: private to its author
    text: str
    created: str
    updated: str


_COLUMNS = "id, author, reference_id, paragraph, collection_id, text, created, updated"


def anchors(numbers: list[int | None]) -> list[str]:
    """Anchor ids for a cable's paragraphs: `p5` for paragraph 5 (the stable address users
    link to), `p5-2` for a second paragraph 5, `u3` for the third unnumbered paragraph."""
    found, seen = [], set()
    unnumbered = 0
    for number in numbers:
        if number is None:
            unnumbered += 1
            name = f"u{unnumbered}"
        else:
            name, copy = f"p{number}", 1
            while name in seen:
                copy += 1
                name = f"p{number}-{copy}"
        seen.add(name)
        found.append(name)
    return found


def anchor(value: str | None) -> str | None:
    """A paragraph anchor as written (`#p3`, `p3`); None or '' for the whole cable."""
    if value is None:
        return None
    value = value.strip().lstrip("#")
    if not value:
        return None
    if ANCHOR.match(value) is None:
        raise WorkspaceError(
            f"{value!r}: expected a paragraph's anchor (p3, p5-2 for a second paragraph 5, "
            "u1 for the first unnumbered one)"
        )
    return value


def add(
    connection: sqlite3.Connection,
    key: str | None,
    reference_id: str,
    text: str,
    paragraph: str | None = None,
    collection_id: int | None = None,
) -> int:
    """A new note; the caller (the facade) has checked the asker may see the cable and
    the paragraph. Shared with a collection only when the author may change it."""
    if key is None:
        raise NotAllowed("sign in to write notes")
    text = _checked_text(text)
    with writing(connection):
        if collection_id is not None:
            access = collections.access_of(connection, collection_id, key)
            if access is None:
                raise NotFound(f"collection {collection_id}: no such collection of yours")
            if access == "view":
                raise NotAllowed(
                    f"collection {collection_id} is shared with you for reading only: "
                    "keep the note private"
                )
        stamp = collections.now()
        cursor = connection.execute(
            "INSERT INTO notes (author, reference_id, paragraph, collection_id, text, created, "
            "updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, reference_id, paragraph, collection_id, text, stamp, stamp),
        )
        note_id = int(cursor.lastrowid or 0)
        audit.insert(
            connection,
            [
                audit.event(
                    "note_add",
                    key or None,
                    detail={"note": note_id, "reference_id": reference_id},
                )
            ],
        )
    return note_id


def _authored(connection: sqlite3.Connection, key: str | None, note_id: int, verb: str) -> None:
    """Only a note's author changes or deletes it: NotFound for a note the asker may not
    read (or that is not there), NotAllowed for one they read but did not write."""
    row = connection.execute("SELECT author FROM notes WHERE id = ?", (note_id,)).fetchone()
    if row is None or key is None or (row[0] != key and not _shared_with(connection, note_id, key)):
        raise NotFound(f"note {note_id}: no such note of yours")
    if row[0] != key:
        raise NotAllowed(f"note {note_id} is {collections.shown_owner(row[0])}'s to {verb}")


def _checked_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise WorkspaceError("a note needs some text")
    if len(text) > NOTE_MOST:
        raise WorkspaceError(f"a note has at most {NOTE_MOST:,} characters")
    return text


def edit(connection: sqlite3.Connection, key: str | None, note_id: int, text: str) -> None:
    """Replace a note's text (its author only); where it is written and with whom it is
    shared stay as they are."""
    text = _checked_text(text)
    with writing(connection):
        _authored(connection, key, note_id, "change")
        connection.execute(
            "UPDATE notes SET text = ?, updated = ? WHERE id = ?",
            (text, collections.now(), note_id),
        )
        audit.insert(connection, [audit.event("note_edit", key or None, detail={"note": note_id})])


def delete(connection: sqlite3.Connection, key: str | None, note_id: int) -> None:
    """Only a note's author deletes it."""
    with writing(connection):
        _authored(connection, key, note_id, "delete")
        reference_id = connection.execute(
            "SELECT reference_id FROM notes WHERE id = ?", (note_id,)
        ).fetchone()[0]
        connection.execute("DELETE FROM notes WHERE id = ?", (note_id,))
        audit.insert(
            connection,
            [
                audit.event(
                    "note_delete",
                    key or None,
                    detail={"note": note_id, "reference_id": reference_id},
                )
            ],
        )


def _shared_with(connection: sqlite3.Connection, note_id: int, key: str) -> bool:
    row = connection.execute("SELECT collection_id FROM notes WHERE id = ?", (note_id,)).fetchone()
    return (
        row is not None
        and row[0] is not None
        and collections.access_of(connection, row[0], key) is not None
    )


def readable(
    connection: sqlite3.Connection,
    key: str | None,
    reference_ids: list[str] | None = None,
    collection_id: int | None = None,
) -> list[Note]:
    """The notes `key` may read: their own, and those shared with a collection they may
    see; only on these cables (None: every cable), only those of that collection (and
    their own private ones) when `collection_id` is given. Oldest first."""
    if key is None:
        return []
    visible = collections.visible_ids(connection, key)
    marks = ",".join("?" * len(visible))
    where = [f"(author = ? OR collection_id IN ({marks}))"]
    values: list[object] = [key, *sorted(visible)]
    if collection_id is not None:
        where.append("(collection_id = ? OR (author = ? AND collection_id IS NULL))")
        values += [collection_id, key]
    if reference_ids is not None:
        if not reference_ids:
            return []
        where.append(f"reference_id IN ({','.join('?' * len(reference_ids))})")
        values += reference_ids
    rows = connection.execute(
        f"SELECT {_COLUMNS} FROM notes WHERE {' AND '.join(where)} ORDER BY id", values
    )
    return [Note(*row) for row in rows]
