"""`Accounts`: the people who may use a desk, their tokens, and signing in.

Every command-line command is one call here (`cabledesk user add` is `Accounts.add`, ...),
and every change is written to the audit log in the same transaction as the change.
"""

from __future__ import annotations

import builtins
import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from argon2 import PasswordHasher

from cabledesk.access import tokens as token_store
from cabledesk.access.audit import event
from cabledesk.access.audit import insert as insert_events
from cabledesk.access.audit import write as write_events
from cabledesk.access.clock import Clock, parse_stamp, stamp, utc_now
from cabledesk.access.connection import HasConnection
from cabledesk.access.errors import AccessError, ArchiveBusy
from cabledesk.access.lockout import UnknownNames, count_failure
from cabledesk.access.names import check_ceiling, check_name, check_role
from cabledesk.access.passwords import HASHER, hash_password, verify
from cabledesk.access.principal import RANK, AccountRole, Principal, default_ceiling
from cabledesk.record.level import Level

_COLUMNS = "name, role, ceiling, foreign_national, disabled, locked_until, created"
# Sessions carry the account's session generation from when they began, and work only
# while it is unchanged. It is kept in the column `sessions_after` (schema 3), which once
# held the second of the last sign-out: a time to the second let a cookie copied in the
# same second as signing out outlive it, and enabling a disabled account revived every
# session from before. A counter has neither fault. (The old second-stamps in that column
# are simply where each account's counter starts; cookies from before carry no generation
# and are refused, so everyone signs in once again.)
_NEXT_GENERATION = "UPDATE accounts SET sessions_after = sessions_after + 1 WHERE name = ?"


@dataclass(frozen=True)
class Account:
    name: str
    role: AccountRole
    ceiling: Level
    foreign: bool
    disabled: bool
    locked_until: str | None
    created: str


@dataclass(frozen=True)
class Login:
    """What a sign-in attempt came to. `rejected` covers an unknown name, a wrong password
    and a disabled account alike, so the answer never tells which names exist."""

    outcome: Literal["ok", "rejected", "locked"]
    principal: Principal | None = None
    fingerprint: str | None = None
    locked_until: datetime | None = None
    # The account's session generation when it signed in: the session carries it, and
    # stops working once signing out or disabling the account moves the generation on.
    generation: int | None = None


@dataclass(frozen=True)
class _Attempt:
    """A sign-in counted as failed before its password is checked (see `authenticate`)."""

    password_hash: str
    disabled: bool
    locked_until: datetime | None  # set: the account was locked already; nothing counted
    locks: datetime | None  # set: this attempt, if it fails, is the one that locks
    failures: int


def fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash: a session carries it, so changing the password
    ends every session signed in with the old one."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class Accounts:
    def __init__(
        self,
        target: HasConnection | sqlite3.Connection,
        clock: Clock = utc_now,
        hasher: PasswordHasher = HASHER,
    ) -> None:
        self.connection = target if isinstance(target, sqlite3.Connection) else target.connection
        self.clock = clock
        self.hasher = hasher

    # Reading ---------------------------------------------------------------------------

    def exist(self) -> bool:
        """True once any account exists: from then on the desk needs signing in."""
        return bool(self.connection.execute("SELECT EXISTS (SELECT 1 FROM accounts)").fetchone()[0])

    def list(self) -> list[Account]:
        rows = self.connection.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY name")
        return [_account(row) for row in rows]

    def get(self, name: str) -> Account:
        row = self.connection.execute(
            f"SELECT {_COLUMNS} FROM accounts WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise AccessError(f"{name}: no such account (cabledesk user list shows them)")
        return _account(row)

    def principal(
        self, name: str, expected_fingerprint: str | None = None, generation: int | None = None
    ) -> Principal | None:
        """The principal of an enabled account; None when it is disabled or gone, or, for a
        session (fingerprint and generation given), when its password changed since or its
        sessions were ended since it began (signed out, or the account disabled)."""
        row = self.connection.execute(
            "SELECT role, ceiling, foreign_national, password_hash, sessions_after "
            "FROM accounts WHERE name = ? AND disabled = 0",
            (name,),
        ).fetchone()
        if row is None:
            return None
        if expected_fingerprint is not None and fingerprint(row[3]) != expected_fingerprint:
            return None
        if generation is not None and generation != row[4]:
            return None
        return Principal(name, row[0], Level.of(row[1]), bool(row[2]), via="session")

    def end_sessions(self, name: str, client: str | None = None) -> None:
        """Signing out: every session of `name` begun before now stops working (a copied
        cookie included), on every device."""
        with self.connection:
            self.connection.execute(_NEXT_GENERATION, (name,))
            self._audit("logout", name, client)

    # Changing ----------------------------------------------------------------------------

    def check_new_name(self, name: str) -> None:
        """AccessError unless `name` is well formed and not taken (ask before a password)."""
        check_name(name)
        if self.connection.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
            raise AccessError(f"{name}: an account with that name already exists")

    def add(
        self,
        name: str,
        password: str,
        role: str = "reader",
        ceiling: str | None = None,
        foreign: bool = False,
        actor: str | None = None,
        client: str | None = None,
    ) -> Account:
        check_name(name)
        checked_role = check_role(role)
        level = check_ceiling(ceiling) if ceiling else default_ceiling(checked_role)
        password_hash = hash_password(password, self.hasher)
        now = stamp(self.clock())
        try:
            with self.connection:
                self.connection.execute(
                    "INSERT INTO accounts (name, role, password_hash, ceiling, foreign_national, "
                    "created) VALUES (?, ?, ?, ?, ?, ?)",
                    (name, checked_role, password_hash, level.label, int(foreign), now),
                )
                self._audit(
                    "account_add", actor, client, name=name, role=role, ceiling=level.label,
                    foreign=foreign,
                )  # fmt: skip
        except sqlite3.IntegrityError:
            raise AccessError(f"{name}: an account with that name already exists") from None
        return self.get(name)

    def passwd(
        self, name: str, password: str, actor: str | None = None, client: str | None = None
    ) -> None:
        self.get(name)
        password_hash = hash_password(password, self.hasher)
        with self.connection:
            self.connection.execute(
                "UPDATE accounts SET password_hash = ?, failed_logins = 0, failed_since = NULL, "
                "locked_until = NULL WHERE name = ?",
                (password_hash, name),
            )
            # (The password fingerprint ends the old sessions too; this says it outright.)
            self.connection.execute(_NEXT_GENERATION, (name,))
            self._audit("account_passwd", actor, client, name=name)

    def disable(self, name: str, actor: str | None = None, client: str | None = None) -> None:
        self._set_disabled(name, True, actor, client)

    def enable(self, name: str, actor: str | None = None, client: str | None = None) -> None:
        """Enable the account again, and lift a lockout."""
        self._set_disabled(name, False, actor, client)

    def _set_disabled(
        self, name: str, disabled: bool, actor: str | None, client: str | None
    ) -> None:
        self.get(name)
        with self.connection:
            self.connection.execute(
                "UPDATE accounts SET disabled = ?, failed_logins = 0, failed_since = NULL, "
                "locked_until = NULL WHERE name = ?",
                (int(disabled), name),
            )
            if disabled:
                # Sessions from before never work again, even once the account is enabled.
                # (Enabling moves nothing on: it also lifts a lock, which must not sign the
                # account out; no session can begin while it is disabled.)
                self.connection.execute(_NEXT_GENERATION, (name,))
            kind = "account_disable" if disabled else "account_enable"
            self._audit(kind, actor, client, name=name)

    # Signing in --------------------------------------------------------------------------

    def authenticate(
        self,
        name: str,
        password: str,
        client: str | None = None,
        unknown: UnknownNames | None = None,
    ) -> Login:
        """Check a name and password, counting failures: LOCK_AFTER failures within WINDOW
        lock the account for LOCK_FOR (even the right password is refused meanwhile).
        `unknown` counts failures under names without an account, so those lock alike.

        The attempt is counted as a failure *before* the slow argon2 check, in one SQLite
        write transaction (BEGIN IMMEDIATE), and taken back only if the password is right.
        Reading the count, checking, then writing let parallel attempts (threads of one
        desk, or several desk processes) all read the count before any wrote it: 40 at
        once got 19 checks instead of 5. Now at most LOCK_AFTER wrong passwords are
        checked in a window, however the attempts are spread over threads and processes
        (only the right password starts the count again)."""
        now = self.clock()
        attempt = self._reserve(name, now)
        if attempt is None:
            return self._unknown(name[:64], password, client, unknown)
        if attempt.locked_until is not None:
            verify(None, password, self.hasher)  # the same time as a real check
            self._audit_now("login_failed", name, client, reason="locked")
            return Login("locked", locked_until=attempt.locked_until)
        if verify(attempt.password_hash, password, self.hasher) and not attempt.disabled:
            login = self._signed_in(name, password, attempt.password_hash, client)
            if login is not None:
                return login
        return self._failed(name, attempt, client)

    @contextmanager
    def _write_now(self) -> Iterator[sqlite3.Connection]:
        """A transaction holding SQLite's write lock from its first statement, so that no
        other connection, in this process or another, reads and writes the same counters
        in between. The archive busy past the connection's timeout: ArchiveBusy."""
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise ArchiveBusy(
                    "the archive is busy (an ingest or an editor's change is writing to it); "
                    "try again in a moment"
                ) from None
            raise
        try:
            yield self.connection
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def _reserve(self, name: str, now: datetime) -> _Attempt | None:
        """Count this attempt as failed, unless the account is locked; None when there is
        no such account."""
        with self._write_now() as connection:
            row = connection.execute(
                "SELECT password_hash, disabled, failed_logins, failed_since, locked_until "
                "FROM accounts WHERE name = ?",
                (name,),
            ).fetchone()
            if row is None:
                return None
            password_hash, disabled, failures, since, locked = row
            if locked is not None and now < parse_stamp(locked):
                return _Attempt(password_hash, bool(disabled), parse_stamp(locked), None, 0)
            failures, started, until = count_failure(
                failures, parse_stamp(since) if since else None, now
            )
            if until is not None:
                # Locked in advance: every attempt after this one is refused unchecked
                # while it is checked; the lock is lifted again if it was the right password.
                connection.execute(
                    "UPDATE accounts SET failed_logins = 0, failed_since = NULL, "
                    "locked_until = ? WHERE name = ?",
                    (stamp(until), name),
                )
            else:
                connection.execute(
                    "UPDATE accounts SET failed_logins = ?, failed_since = ?, "
                    "locked_until = NULL WHERE name = ?",
                    (failures, stamp(started), name),
                )
        return _Attempt(password_hash, bool(disabled), None, until, failures)

    def _unknown(
        self, name: str, password: str, client: str | None, unknown: UnknownNames | None
    ) -> Login:
        # Counted before the (dummy) check, like an account's attempts, so that parallel
        # attempts lock a made-up name exactly as they lock a real one.
        locked, until = unknown.reserve(name) if unknown else (False, None)
        verify(None, password, self.hasher)
        if locked and until is not None:
            self._audit_now("login_failed", None, client, name=name, reason="locked")
            return Login("locked", locked_until=until)
        self._audit_now("login_failed", None, client, name=name, reason="unknown")
        if until is not None:
            self._audit_now("lockout", None, client, name=name, until=stamp(until))
            return Login("locked", locked_until=until)
        return Login("rejected")

    def _signed_in(
        self, name: str, password: str, checked_hash: str, client: str | None
    ) -> Login | None:
        """The password matched `checked_hash`: forget the failures (this attempt's too),
        unless the account changed while it was checked (a new password, disabled): then
        None, and the attempt stays counted as failed."""
        password_hash = checked_hash
        if self.hasher.check_needs_rehash(password_hash):
            password_hash = self.hasher.hash(password)
        with self._write_now() as connection:
            changed = connection.execute(
                "UPDATE accounts SET password_hash = ?, failed_logins = 0, failed_since = NULL, "
                "locked_until = NULL WHERE name = ? AND password_hash = ? AND disabled = 0",
                (password_hash, name, checked_hash),
            )
            if changed.rowcount != 1:
                return None
            generation = connection.execute(
                "SELECT sessions_after FROM accounts WHERE name = ?", (name,)
            ).fetchone()[0]
            self._audit("login", name, client)
        principal = self.principal(name)
        assert principal is not None
        return Login("ok", principal, fingerprint(password_hash), generation=int(generation))

    def _failed(self, name: str, attempt: _Attempt, client: str | None) -> Login:
        """The attempt failed: it was counted already; record it (and the lock it set)."""
        reason = "disabled" if attempt.disabled else "password"
        with self.connection:
            self._audit("login_failed", name, client, reason=reason)
            if attempt.locks is not None:
                until = stamp(attempt.locks)
                self._audit("lockout", name, client, until=until, failures=attempt.failures)
        if attempt.locks is not None:
            return Login("locked", locked_until=attempt.locks)
        return Login("rejected")

    # Tokens ------------------------------------------------------------------------------

    def create_token(
        self,
        name: str,
        account: str,
        role: str | None = None,
        actor: str | None = None,
        client: str | None = None,
    ) -> tuple[token_store.Token, str]:
        """A new API token for `account`: (its record, the secret). The secret is shown
        this once; only its hash is kept."""
        check_name(name, "token name")
        owner = self.get(account)
        if owner.disabled:
            raise AccessError(f"{account}: the account is disabled; enable it first")
        scope = check_role(role) if role else owner.role
        if RANK[scope] > RANK[owner.role]:
            raise AccessError(
                f"role: a token cannot have more rights than its account; {account} is "
                f"{owner.role}, so expected {', '.join(_up_to(owner.role))}; found {scope!r}"
            )
        secret = token_store.new_secret()
        with self.connection:
            cursor = self.connection.execute(
                "INSERT INTO tokens (token_hash, name, account_id, role, created) "
                "SELECT ?, ?, id, ?, ? FROM accounts WHERE name = ?",
                (token_store.digest(secret), name, scope, stamp(self.clock()), account),
            )
            token_id = int(cursor.lastrowid or 0)
            self._audit("token_create", actor, client, id=token_id, name=name, account=account,
                        role=scope)  # fmt: skip
        return self._token(token_id), secret

    def tokens(self) -> builtins.list[token_store.Token]:
        return token_store.list_tokens(self.connection)

    def revoke_token(
        self, token_id: int, actor: str | None = None, client: str | None = None
    ) -> None:
        token = self._token(token_id)
        if token.revoked:
            raise AccessError(f"token {token_id}: already revoked on {token.revoked}")
        with self.connection:
            self.connection.execute(
                "UPDATE tokens SET revoked = ? WHERE id = ?", (stamp(self.clock()), token_id)
            )
            self._audit("token_revoke", actor, client, id=token_id, name=token.name)

    def token_principal(self, secret: str) -> Principal | None:
        """The principal a bearer token stands for, or None (unknown, revoked, disabled)."""
        return token_store.find(self.connection, secret)

    def _token(self, token_id: int) -> token_store.Token:
        for token in token_store.list_tokens(self.connection, token_id):
            return token
        raise AccessError(f"token {token_id}: no such token (cabledesk token list shows them)")

    # Audit -------------------------------------------------------------------------------

    def _audit(self, kind: str, actor: str | None, client: str | None, **detail: object) -> None:
        """Inside the caller's transaction: the change and its record commit together."""
        insert_events(self.connection, [event(kind, actor, client, self.clock, detail)])

    def _audit_now(
        self, kind: str, actor: str | None, client: str | None, **detail: object
    ) -> None:
        write_events(self.connection, [event(kind, actor, client, self.clock, detail)])


def _account(row: tuple[str, AccountRole, str, int, int, str | None, str]) -> Account:
    name, role, ceiling, foreign, disabled, locked, created = row
    return Account(name, role, Level.of(ceiling), bool(foreign), bool(disabled), locked, created)


def _up_to(role: AccountRole) -> builtins.list[str]:
    return [r for r in ("reader", "editor", "admin") if RANK[r] <= RANK[role]]
