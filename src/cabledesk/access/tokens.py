"""API tokens: long random secrets shown once; only their SHA-256 is stored.

A token is already 256 bits of randomness, so a fast hash is enough (nothing to
brute-force) and lets each API request find its token by an indexed look-up.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass

from cabledesk.access.principal import RANK, AccountRole, Principal
from cabledesk.record.level import Level

PREFIX = "cdt_"


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    account: str
    role: AccountRole
    created: str
    revoked: str | None


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def narrower(first: AccountRole, second: AccountRole) -> AccountRole:
    """The lesser of two roles: a token never grants more than its account has now."""
    return first if RANK[first] <= RANK[second] else second


_SELECT = (
    "SELECT t.id, t.name, a.name, t.role, t.created, t.revoked "
    "FROM tokens t JOIN accounts a ON a.id = t.account_id"
)


def list_tokens(connection: sqlite3.Connection, token_id: int | None = None) -> list[Token]:
    """Every token, oldest first, or the one with `token_id` (an empty list: none)."""
    if token_id is None:
        rows = connection.execute(f"{_SELECT} ORDER BY t.id").fetchall()
    else:
        rows = connection.execute(f"{_SELECT} WHERE t.id = ?", (token_id,)).fetchall()
    return [Token(*row) for row in rows]


def find(connection: sqlite3.Connection, secret: str) -> Principal | None:
    """Who a live token (not revoked, account enabled) stands for: its account, with the
    narrower of the token's and the account's roles, read in one query."""
    if not secret.startswith(PREFIX):
        return None
    row = connection.execute(
        "SELECT a.name, t.role, a.role, a.ceiling, a.foreign_national "
        "FROM tokens t JOIN accounts a ON a.id = t.account_id "
        "WHERE t.token_hash = ? AND t.revoked IS NULL AND a.disabled = 0",
        (digest(secret),),
    ).fetchone()
    if row is None:
        return None
    return Principal(row[0], narrower(row[1], row[2]), Level.of(row[3]), bool(row[4]), via="token")
