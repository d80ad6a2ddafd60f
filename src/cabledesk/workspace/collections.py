"""Collections: ordered cables with a title and a description, kept by one account and
shared with named others (docs/workspace.md).

This module knows who may do what with a collection and keeps the rows; it reads no
cable. What a reader sees of the cables of a collection is decided by the facade
(`Archive.collection`), which views each one with THAT reader's viewer.

Who is asking is a `Principal`; `who(principal)` is its key in these tables: the account
name, '' for the archive's owner (the command line, the local desk), None for a visitor
(who has no workspace). A collection the asker may not see answers exactly like one that
does not exist (NotFound), so ids cannot be probed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from cabledesk.access import audit
from cabledesk.access.principal import Principal
from cabledesk.errors import Error

Access = Literal["owner", "edit", "view"]
SHARES: tuple[str, ...] = ("view", "edit")
TITLE_MOST = 200
DESCRIPTION_MOST = 10_000
# Cables one collection holds at most (adding every match of a broad query stops here).
CABLES_MOST = 10_000
OWNER = ""  # the archive's owner: the command line and the local desk


class WorkspaceError(Error, ValueError):
    """A request the workspace refuses (a bad title, an unknown account...)."""


class NotFound(WorkspaceError):
    """No such collection or note, or not one the asker may see (the same answer)."""


class NotAllowed(WorkspaceError):
    """The asker sees it but may not change it (a collection shared for viewing)."""


@dataclass(frozen=True, slots=True)
class Collection:
    id: int
    owner: str
    title: str
    description: str
    published: bool
    created: str
    updated: str
    access: Access  # the asker's
    cables: int


@dataclass(frozen=True, slots=True)
class Member:
    reference_id: str
    position: int
    added_by: str
    added: str


def collection_number(raw: str) -> int:
    """A collection's number from an address or a form (NotFound when it is none)."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise NotFound(f"collection {raw[:40]!r}: no such collection of yours")
    return int(raw)


def who(principal: Principal) -> str | None:
    """The key of `principal` in the workspace tables; None for a visitor."""
    if principal.name is not None:
        return principal.name
    return OWNER if principal.role == "local" else None


def shown_owner(owner: str) -> str:
    return owner or "the archive's owner"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextmanager
def writing(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (taken at once, so a read-then-write cannot interleave)."""
    if connection.in_transaction:
        connection.commit()
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.rollback()
        raise
    connection.commit()


def _checked_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise WorkspaceError("a collection needs a title")
    if len(title) > TITLE_MOST:
        raise WorkspaceError(f"a title has at most {TITLE_MOST} characters")
    return title


def _checked_description(description: str) -> str:
    description = description.strip()
    if len(description) > DESCRIPTION_MOST:
        raise WorkspaceError(f"a description has at most {DESCRIPTION_MOST:,} characters")
    return description


_SELECT = (
    "SELECT c.id, c.owner, c.title, c.description, c.published, c.created, c.updated, "
    "(SELECT count(*) FROM collection_cables m WHERE m.collection_id = c.id) FROM collections c"
)


def _row(row: tuple[int, str, str, str, int, str, str, int], access: Access) -> Collection:
    return Collection(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6], access, row[7])


def access_of(connection: sqlite3.Connection, collection_id: int, key: str | None) -> Access | None:
    """What `key` may do with the collection: owner, edit, view, or None (nothing)."""
    if key is None:
        return None
    row = connection.execute(
        "SELECT owner FROM collections WHERE id = ?", (collection_id,)
    ).fetchone()
    if row is None:
        return None
    if row[0] == key:
        return "owner"
    share = connection.execute(
        "SELECT access FROM collection_shares WHERE collection_id = ? AND account = ?",
        (collection_id, key),
    ).fetchone()
    if share is None:
        return None
    return "edit" if share[0] == "edit" else "view"


def visible_ids(connection: sqlite3.Connection, key: str | None) -> set[int]:
    """The collections `key` owns or has been shared."""
    if key is None:
        return set()
    rows = connection.execute(
        "SELECT id FROM collections WHERE owner = ? "
        "UNION SELECT collection_id FROM collection_shares WHERE account = ?",
        (key, key),
    )
    return {row[0] for row in rows}


def get(connection: sqlite3.Connection, collection_id: int, key: str | None) -> Collection:
    """The collection as `key` may see it; NotFound when they may not (or it is not)."""
    access = access_of(connection, collection_id, key)
    if access is None:
        raise NotFound(f"collection {collection_id}: no such collection of yours")
    row = connection.execute(_SELECT + " WHERE c.id = ?", (collection_id,)).fetchone()
    return _row(row, access)


def listed(connection: sqlite3.Connection, key: str | None) -> list[Collection]:
    """The collections `key` owns, then those shared with them; newest change first."""
    if key is None:
        return []
    owned = connection.execute(
        _SELECT + " WHERE c.owner = ? ORDER BY c.updated DESC, c.id DESC", (key,)
    )
    found = [_row(row, "owner") for row in owned]
    shared = connection.execute(
        _SELECT + " JOIN collection_shares s ON s.collection_id = c.id "
        "WHERE s.account = ? AND c.owner != ? ORDER BY c.updated DESC, c.id DESC",
        (key, key),
    ).fetchall()
    for row in shared:
        access = access_of(connection, row[0], key)
        if access is not None:
            found.append(_row(row, access))
    return found


def members(connection: sqlite3.Connection, collection_id: int) -> list[Member]:
    rows = connection.execute(
        "SELECT reference_id, position, added_by, added FROM collection_cables "
        "WHERE collection_id = ? ORDER BY position, reference_id",
        (collection_id,),
    )
    return [Member(*row) for row in rows]


def shares(connection: sqlite3.Connection, collection_id: int) -> list[tuple[str, str]]:
    """(account, view|edit) of everyone the collection is shared with, by name."""
    rows = connection.execute(
        "SELECT account, access FROM collection_shares WHERE collection_id = ? ORDER BY account",
        (collection_id,),
    )
    return [(row[0], row[1]) for row in rows]


def may_change(connection: sqlite3.Connection, collection_id: int, key: str | None) -> Access:
    access = access_of(connection, collection_id, key)
    if access is None:
        raise NotFound(f"collection {collection_id}: no such collection of yours")
    if access == "view":
        raise NotAllowed(f"collection {collection_id} is shared with you for reading only")
    return access


def _touch(connection: sqlite3.Connection, collection_id: int) -> None:
    connection.execute("UPDATE collections SET updated = ? WHERE id = ?", (now(), collection_id))


def create(
    connection: sqlite3.Connection, key: str | None, title: str, description: str = ""
) -> int:
    if key is None:
        raise NotAllowed("sign in to make collections")
    title, description = _checked_title(title), _checked_description(description)
    with writing(connection):
        stamp = now()
        cursor = connection.execute(
            "INSERT INTO collections (owner, title, description, published, created, updated) "
            "VALUES (?, ?, ?, 0, ?, ?)",
            (key, title, description, stamp, stamp),
        )
        collection_id = int(cursor.lastrowid or 0)
        audit.insert(
            connection,
            [audit.event("collection_create", key or None, detail={"collection": collection_id})],
        )
    return collection_id


def describe(
    connection: sqlite3.Connection,
    collection_id: int,
    key: str | None,
    title: str | None = None,
    description: str | None = None,
) -> None:
    with writing(connection):
        may_change(connection, collection_id, key)
        if title is not None:
            connection.execute(
                "UPDATE collections SET title = ? WHERE id = ?",
                (_checked_title(title), collection_id),
            )
        if description is not None:
            connection.execute(
                "UPDATE collections SET description = ? WHERE id = ?",
                (_checked_description(description), collection_id),
            )
        _touch(connection, collection_id)


def add(
    connection: sqlite3.Connection, collection_id: int, key: str | None, reference_ids: list[str]
) -> int:
    """Append the cables not already in it, in the order given; how many were added.
    The caller (the facade) passes only ids the asker may see."""
    with writing(connection):
        may_change(connection, collection_id, key)
        held = {
            row[0]
            for row in connection.execute(
                "SELECT reference_id FROM collection_cables WHERE collection_id = ?",
                (collection_id,),
            )
        }
        fresh = [i for i in dict.fromkeys(reference_ids) if i not in held]
        if len(held) + len(fresh) > CABLES_MOST:
            raise WorkspaceError(
                f"a collection holds at most {CABLES_MOST:,} cables; this would make "
                f"{len(held) + len(fresh):,} (narrow the query)"
            )
        last = connection.execute(
            "SELECT coalesce(max(position), -1) FROM collection_cables WHERE collection_id = ?",
            (collection_id,),
        ).fetchone()[0]
        stamp = now()
        connection.executemany(
            "INSERT INTO collection_cables (collection_id, reference_id, position, added_by, "
            "added) VALUES (?, ?, ?, ?, ?)",
            [(collection_id, i, last + 1 + n, key or "", stamp) for n, i in enumerate(fresh)],
        )
        if fresh:
            _touch(connection, collection_id)
    return len(fresh)


def _renumber(connection: sqlite3.Connection, collection_id: int, order: list[str]) -> None:
    connection.executemany(
        "UPDATE collection_cables SET position = ? WHERE collection_id = ? AND reference_id = ?",
        [(n, collection_id, i) for n, i in enumerate(order)],
    )


def remove(
    connection: sqlite3.Connection, collection_id: int, key: str | None, reference_id: str
) -> bool:
    with writing(connection):
        may_change(connection, collection_id, key)
        gone = connection.execute(
            "DELETE FROM collection_cables WHERE collection_id = ? AND reference_id = ?",
            (collection_id, reference_id),
        ).rowcount
        if gone:
            order = [m.reference_id for m in members(connection, collection_id)]
            _renumber(connection, collection_id, order)
            _touch(connection, collection_id)
    return bool(gone)


def move(
    connection: sqlite3.Connection,
    collection_id: int,
    key: str | None,
    reference_id: str,
    position: int,
) -> None:
    """Put the cable at `position` (0: first; past the end: last)."""
    with writing(connection):
        may_change(connection, collection_id, key)
        order = [m.reference_id for m in members(connection, collection_id)]
        if reference_id not in order:
            raise WorkspaceError(f"{reference_id} is not in collection {collection_id}")
        order.remove(reference_id)
        order.insert(max(0, min(position, len(order))), reference_id)
        _renumber(connection, collection_id, order)
        _touch(connection, collection_id)


def share(
    connection: sqlite3.Connection,
    collection_id: int,
    key: str | None,
    account: str,
    access: str | None,
) -> None:
    """Share with `account` for `view` or `edit`, or stop sharing (`access` None). Only
    the owner shares; the account must exist."""
    if access is not None and access not in SHARES:
        raise WorkspaceError(f"access: expected view or edit; found {access!r}")
    with writing(connection):
        if may_change(connection, collection_id, key) != "owner":
            raise NotAllowed("only the collection's owner shares it")
        if access is None:
            connection.execute(
                "DELETE FROM collection_shares WHERE collection_id = ? AND account = ?",
                (collection_id, account),
            )
        else:
            known = connection.execute(
                "SELECT 1 FROM accounts WHERE name = ?", (account,)
            ).fetchone()
            if known is None or account == key:
                raise WorkspaceError(
                    f"{account}: expected the name of another account (cabledesk user list)"
                )
            connection.execute(
                "INSERT OR REPLACE INTO collection_shares (collection_id, account, access) "
                "VALUES (?, ?, ?)",
                (collection_id, account, access),
            )
        audit.insert(
            connection,
            [
                audit.event(
                    "collection_share",
                    key or None,
                    detail={"collection": collection_id, "with": account, "access": access},
                )
            ],
        )
        _touch(connection, collection_id)


def publish(
    connection: sqlite3.Connection, collection_id: int, principal: Principal, published: bool
) -> None:
    """Mark the collection for the public edition (or take the mark off): its page is
    written with the next edition built. Only an editor (or the archive's owner) with the
    right to change it may: the edition speaks for the editors."""
    key = who(principal)
    with writing(connection):
        may_change(connection, collection_id, key)
        if not principal.may("editor"):
            raise NotAllowed(
                "publishing a collection in the public edition needs the editor role; "
                "share it with an editor for edit"
            )
        connection.execute(
            "UPDATE collections SET published = ? WHERE id = ?", (int(published), collection_id)
        )
        audit.insert(
            connection,
            [
                audit.event(
                    "collection_publish",
                    key or None,
                    detail={"collection": collection_id, "published": published},
                )
            ],
        )
        _touch(connection, collection_id)


@dataclass(frozen=True, slots=True)
class Deleted:
    """What deleting a collection took with it."""

    id: int
    title: str
    cables: int
    shares: int
    notes_kept_private: int  # notes shared with it, now private to their authors
    was_published: bool  # left out of the next edition built


def delete(connection: sqlite3.Connection, collection_id: int, key: str | None) -> Deleted:
    """Delete a collection: its cable list and its shares go with it. Only the owner
    deletes (a collaborator who may change it gets NotAllowed, anyone else NotFound).
    The notes shared with it are not lost: each becomes a private note of its author.
    A published collection is left out of the next edition built (an edition already
    built keeps its page until then, as for `publish --withdraw`)."""
    with writing(connection):
        if may_change(connection, collection_id, key) != "owner":
            raise NotAllowed("only the collection's owner deletes it")
        title, was_published = connection.execute(
            "SELECT title, published FROM collections WHERE id = ?", (collection_id,)
        ).fetchone()
        kept = connection.execute(
            "UPDATE notes SET collection_id = NULL WHERE collection_id = ?", (collection_id,)
        ).rowcount
        cables = connection.execute(
            "DELETE FROM collection_cables WHERE collection_id = ?", (collection_id,)
        ).rowcount
        shared = connection.execute(
            "DELETE FROM collection_shares WHERE collection_id = ?", (collection_id,)
        ).rowcount
        connection.execute("DELETE FROM collections WHERE id = ?", (collection_id,))
        gone = Deleted(collection_id, title, cables, shared, kept, bool(was_published))
        audit.insert(
            connection,
            [
                audit.event(
                    "collection_delete",
                    key or None,
                    detail={
                        "collection": collection_id,
                        "cables": cables,
                        "shares": shared,
                        "notes_kept_private": kept,
                        "published": gone.was_published,
                    },
                )
            ],
        )
    return gone


def published(connection: sqlite3.Connection) -> list[tuple[int, str, str, list[str]]]:
    """(id, title, description, member ids in order) of every collection marked for the
    public edition, by id."""
    rows = connection.execute(
        "SELECT id, title, description FROM collections WHERE published = 1 ORDER BY id"
    ).fetchall()
    return [
        (row[0], row[1], row[2], [m.reference_id for m in members(connection, row[0])])
        for row in rows
    ]
