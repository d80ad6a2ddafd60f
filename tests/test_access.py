"""cabledesk.access as a library and on the command line: accounts, passwords, lockout,
tokens, the append-only audit log, and the schema 3 migration."""

from __future__ import annotations

import json
import sqlite3
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from access_fixtures import PASSWORD, Clock
from cabledesk.access import (
    LOCK_AFTER,
    AccessError,
    Accounts,
    AuditWriter,
    audit,
)
from cabledesk.access.lockout import UnknownNames
from cabledesk.access.secret import session_secret
from cabledesk.archive.schema import MIGRATIONS, SCHEMA_VERSION, migrate, schema_version
from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.redact import FULL
from conftest import SAMPLE


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    Archive.open(tmp_path / "a").close()
    return tmp_path / "a"


@pytest.fixture
def archive(folder: Path) -> Iterator[Archive]:
    with Archive.open(folder) as archive:
        yield archive


@pytest.fixture
def clock() -> Clock:
    return Clock()


# Schema ---------------------------------------------------------------------------------


def test_schema_2_archive_gains_the_access_tables(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    connection = sqlite3.connect(folder / "archive.db")
    connection.executescript(
        "BEGIN;" + MIGRATIONS[0] + MIGRATIONS[1] + "INSERT INTO meta VALUES "
        "('schema_version', '2'); COMMIT;"
    )
    connection.execute(
        "INSERT INTO cables (reference_id, caveats, signers, redactions, version, text_hash, "
        "seq, record) VALUES ('08X1', '[]', '[]', 0, 1, 'h', 1, x'00')"
    )
    connection.commit()
    assert migrate(connection) == 2
    assert schema_version(connection) == SCHEMA_VERSION
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    assert {"accounts", "tokens", "audit", "audit_no_update", "audit_no_delete"} <= tables
    assert {"redaction_rules", "register_log", "approvals", "editions"} <= tables
    assert connection.execute("SELECT reference_id FROM cables").fetchall() == [("08X1",)]
    connection.close()


# Accounts -------------------------------------------------------------------------------


def test_accounts_with_default_and_given_ceilings(archive: Archive) -> None:
    accounts = Accounts(archive)
    assert not accounts.exist()
    accounts.add("ada", PASSWORD, "admin")
    accounts.add("eddie", PASSWORD, "editor")
    accounts.add("rita", PASSWORD, "reader")
    accounts.add("fran", PASSWORD, "reader", ceiling="confidential", foreign=True)
    assert accounts.exist()
    rows = {a.name: (a.role, a.ceiling.label, a.foreign, a.disabled) for a in accounts.list()}
    assert rows == {
        "ada": ("admin", "TOP SECRET", False, False),
        "eddie": ("editor", "TOP SECRET", False, False),
        "rita": ("reader", "SECRET", False, False),
        "fran": ("reader", "CONFIDENTIAL", True, False),
    }
    principal = accounts.principal("fran")
    assert principal is not None
    assert (principal.name, principal.role, principal.ceiling.label, principal.foreign) == (
        "fran",
        "reader",
        "CONFIDENTIAL",
        True,
    )


@pytest.mark.parametrize(
    ("name", "password", "role", "ceiling", "message"),
    [
        ("bob", "short", "reader", None, "password: expected at least 12 characters; found 5"),
        ("bob", " " * 12, "reader", None, "password: expected more than spaces"),
        ("bad name", PASSWORD, "reader", None, "account name: expected 1 to 64 letters"),
        ("", PASSWORD, "reader", None, "account name: expected"),
        ("bob", PASSWORD, "owner", None, "role: expected one of admin, editor, reader"),
        ("bob", PASSWORD, "reader", "COSMIC", "ceiling: expected one of UNCLASSIFIED"),
    ],
)
def test_bad_account_input_is_one_clear_message(
    archive: Archive, name: str, password: str, role: str, ceiling: str | None, message: str
) -> None:
    with pytest.raises(AccessError, match=message):
        Accounts(archive).add(name, password, role, ceiling)
    assert Accounts(archive).list() == []


def test_a_name_is_taken_once(archive: Archive) -> None:
    accounts = Accounts(archive)
    accounts.add("ada", PASSWORD, "admin")
    with pytest.raises(AccessError, match="ada: an account with that name already exists"):
        accounts.add("ada", PASSWORD, "reader")
    with pytest.raises(AccessError, match="already exists"):
        accounts.check_new_name("ada")


def test_passwords_are_stored_as_argon2_hashes_only(folder: Path) -> None:
    with Archive.open(folder) as archive:
        Accounts(archive).add("ada", PASSWORD, "admin")
    connection = sqlite3.connect(folder / "archive.db")
    (stored,) = connection.execute("SELECT password_hash FROM accounts").fetchone()
    connection.close()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    for path in folder.glob("archive.db*"):
        assert PASSWORD.encode() not in path.read_bytes()


def test_sign_in_and_password_change(archive: Archive) -> None:
    accounts = Accounts(archive)
    accounts.add("ada", PASSWORD, "admin")
    login = accounts.authenticate("ada", PASSWORD, client="10.0.0.1")
    assert login.outcome == "ok" and login.principal and login.principal.role == "admin"
    assert accounts.authenticate("ada", "wrong password!").outcome == "rejected"
    assert accounts.authenticate("nobody", PASSWORD).outcome == "rejected"
    old = login.fingerprint
    assert accounts.principal("ada", old) is not None
    accounts.passwd("ada", "a new long password")
    assert accounts.principal("ada", old) is None  # sessions under the old password end
    assert accounts.authenticate("ada", PASSWORD).outcome == "rejected"
    assert accounts.authenticate("ada", "a new long password").outcome == "ok"
    kinds = [e.kind for e in audit.read(archive)]
    assert kinds == [  # newest first
        "login",
        "login_failed",
        "account_passwd",
        "login_failed",
        "login_failed",
        "login",
        "account_add",
    ]


def test_disabled_accounts_cannot_sign_in_and_lose_their_principal(archive: Archive) -> None:
    accounts = Accounts(archive)
    accounts.add("rita", PASSWORD, "reader")
    accounts.disable("rita")
    assert accounts.authenticate("rita", PASSWORD).outcome == "rejected"
    assert accounts.principal("rita") is None
    accounts.enable("rita")
    assert accounts.authenticate("rita", PASSWORD).outcome == "ok"
    with pytest.raises(AccessError, match="carol: no such account"):
        accounts.disable("carol")


def test_lockout_after_five_failures_within_fifteen_minutes(archive: Archive, clock: Clock) -> None:
    accounts = Accounts(archive, clock=clock)
    accounts.add("ada", PASSWORD, "admin")
    for _ in range(LOCK_AFTER - 1):
        assert accounts.authenticate("ada", "wrong password!").outcome == "rejected"
    locked = accounts.authenticate("ada", "wrong password!")
    assert locked.outcome == "locked"
    assert locked.locked_until == clock.now + timedelta(minutes=15)
    # Even the right password is refused while locked.
    assert accounts.authenticate("ada", PASSWORD).outcome == "locked"
    assert accounts.get("ada").locked_until is not None
    clock.advance(minutes=15, seconds=1)
    assert accounts.authenticate("ada", PASSWORD).outcome == "ok"
    lockouts = audit.read(archive, kind="lockout")
    assert len(lockouts) == 1 and lockouts[0].account == "ada"


def test_failures_spread_over_more_than_the_window_do_not_lock(
    archive: Archive, clock: Clock
) -> None:
    accounts = Accounts(archive, clock=clock)
    accounts.add("ada", PASSWORD, "admin")
    for _ in range(3 * LOCK_AFTER):
        assert accounts.authenticate("ada", "wrong password!").outcome == "rejected"
        clock.advance(minutes=4)


def test_unknown_names_lock_exactly_like_accounts(archive: Archive, clock: Clock) -> None:
    accounts = Accounts(archive, clock=clock)
    accounts.add("ada", PASSWORD, "admin")
    unknown = UnknownNames(LOCK_AFTER, timedelta(minutes=15), timedelta(minutes=15), clock)
    outcomes = {}
    for name in ("ada", "nobody"):
        outcomes[name] = [
            accounts.authenticate(name, "wrong password!", unknown=unknown).outcome
            for _ in range(LOCK_AFTER + 1)
        ]
    assert outcomes["ada"] == outcomes["nobody"] == ["rejected"] * 4 + ["locked", "locked"]
    enable_lifts = accounts.enable
    enable_lifts("ada")
    assert accounts.authenticate("ada", PASSWORD).outcome == "ok"


# Tokens ---------------------------------------------------------------------------------


def test_tokens_act_for_their_account_within_their_role(archive: Archive) -> None:
    accounts = Accounts(archive)
    accounts.add("eddie", PASSWORD, "editor", foreign=True)
    token, secret = accounts.create_token("script", "eddie", "reader")
    assert (token.account, token.role, token.revoked) == ("eddie", "reader", None)
    principal = accounts.token_principal(secret)
    assert principal is not None
    assert (principal.name, principal.role, principal.foreign, principal.via) == (
        "eddie",
        "reader",
        True,
        "token",
    )
    stored = archive.connection.execute("SELECT token_hash FROM tokens").fetchone()[0]
    assert secret not in stored and len(stored) == 64
    assert accounts.token_principal(secret + "x") is None
    assert accounts.token_principal("not-a-token") is None
    with pytest.raises(AccessError, match="cannot have more rights than its account"):
        accounts.create_token("root", "eddie", "admin")
    accounts.disable("eddie")
    assert accounts.token_principal(secret) is None
    accounts.enable("eddie")
    accounts.revoke_token(token.id)
    assert accounts.token_principal(secret) is None
    with pytest.raises(AccessError, match="already revoked"):
        accounts.revoke_token(token.id)
    with pytest.raises(AccessError, match="token 99: no such token"):
        accounts.revoke_token(99)
    kinds = [e.kind for e in audit.read(archive)]
    assert kinds.count("token_create") == 1 and kinds.count("token_revoke") == 1


# Audit ----------------------------------------------------------------------------------


def test_the_audit_log_is_append_only(archive: Archive) -> None:
    audit.record(archive, "search", "ada", "10.0.0.1", detail={"q": "iran"})
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        archive.connection.execute("UPDATE audit SET account = 'mallory'")
    archive.connection.rollback()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        archive.connection.execute("DELETE FROM audit")
    archive.connection.rollback()
    (only,) = audit.read(archive)
    assert (only.account, only.kind, only.detail, only.client) == (
        "ada",
        "search",
        {"q": "iran"},
        "10.0.0.1",
    )


def test_audit_filters_by_user_kind_and_time(archive: Archive, clock: Clock) -> None:
    audit.record(archive, "search", "ada", clock=clock, detail={"q": "a"})
    clock.advance(days=2)
    audit.record(archive, "search", "rita", clock=clock, detail={"q": "b"})
    audit.record(archive, "cable_view", "rita", clock=clock, detail={"reference_id": "X"})
    assert [e.detail for e in audit.read(archive, user="rita", kind="search")] == [{"q": "b"}]
    assert len(audit.read(archive, since=clock.now - timedelta(days=1))) == 2
    assert len(audit.read(archive, limit=1)) == 1
    with pytest.raises(AccessError, match="kind: expected one of"):
        audit.read(archive, kind="nonsense")


def test_the_writer_thread_writes_queued_events(folder: Path, archive: Archive) -> None:
    writer = AuditWriter(folder / "archive.db")
    for n in range(50):
        writer.put(audit.event("search", "ada", detail={"q": str(n)}))
    writer.flush()
    assert len(audit.read(archive, kind="search")) == 50
    writer.close()


def test_exports_are_audited(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest(SAMPLE / "text", workers=1)
        assert len(list(archive.export("baghdad", sort="date", viewer=FULL))) == 1
        (export,) = audit.read(archive, kind="export")
    assert export.account is None and export.detail == {"query": "baghdad", "sort": "date"}


def test_the_session_key_is_private_and_kept(tmp_path: Path) -> None:
    first = session_secret(tmp_path)
    assert session_secret(tmp_path) == first and len(first) > 40
    assert stat.S_IMODE((tmp_path / "session.key").stat().st_mode) == 0o600


# Command line ---------------------------------------------------------------------------


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_cli_users(folder: Path) -> None:
    db = ["--db", str(folder)]
    code, out, _ = run(
        "user", "add", "ada", "--role", "admin", *db, input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0 and "added ada: admin, ceiling TOP SECRET" in out
    code, out, _ = run(
        "user", "add", "fran", "--ceiling", "confidential", "--foreign", "--password-stdin", *db,
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0 and "added fran: reader, ceiling CONFIDENTIAL" in out
    code, out, _ = run("user", "list", *db)
    assert code == 0 and "ada" in out and "fran" in out and "CONFIDENTIAL" in out
    assert run("user", "disable", "fran", *db)[0] == 0
    assert "disabled" in run("user", "list", *db)[1]
    assert run("user", "enable", "fran", *db)[0] == 0
    code, out, _ = run(
        "user", "passwd", "fran", "--password-stdin", *db, input="another long one\n"
    )
    assert code == 0 and "changed the password of fran" in out
    with Archive.open(folder) as archive:
        assert Accounts(archive).authenticate("fran", "another long one").outcome == "ok"
        kinds = [e.kind for e in audit.read(archive)]
    assert {"account_add", "account_disable", "account_enable", "account_passwd"} <= set(kinds)


@pytest.mark.parametrize(
    ("args", "input", "message"),
    [
        (["user", "add", "bob", "--password-stdin"], "short\n", "password: expected at least 12"),
        (["user", "add", "bad name", "--password-stdin"], PASSWORD, "account name: expected"),
        (["user", "add", "ada", "--password-stdin"], PASSWORD, "ada: an account with that name"),
        (["user", "add", "bob", "--role", "owner"], None, "Invalid value for '--role'"),
        (["user", "disable", "carol"], None, "carol: no such account"),
        (["user", "passwd", "carol", "--password-stdin"], PASSWORD, "carol: no such account"),
        (["token", "create", "t", "--account", "carol"], None, "carol: no such account"),
        (["token", "revoke", "7"], None, "token 7: no such token"),
        (["token", "revoke", "seven"], None, "'seven' is not a valid integer"),
        (["audit", "--since", "yesterday"], None, "expected a date or time like 2026-11-01"),
        (["audit", "--kind", "nonsense"], None, "Invalid value for '--kind'"),
    ],
)
def test_cli_mistakes_get_one_message(
    folder: Path, args: list[str], input: str | None, message: str
) -> None:
    with Archive.open(folder) as archive:
        Accounts(archive).add("ada", PASSWORD, "admin")
    code, _, err = run(*args, "--db", str(folder), input=input)
    assert code != 0
    assert message in err


def test_cli_prompts_twice_and_refuses_a_mismatch(folder: Path) -> None:
    result = CliRunner().invoke(
        cli, ["user", "add", "bob", "--db", str(folder)], input=f"{PASSWORD}\nother\n"
    )
    assert result.exit_code != 0
    assert "do not match" in result.output and PASSWORD not in result.output
    with Archive.open(folder) as archive:
        assert Accounts(archive).list() == []


def test_cli_missing_archive(tmp_path: Path) -> None:
    code, _, err = run("user", "list", "--db", str(tmp_path / "none"))
    assert code == 1 and "expected an archive; found no archive.db there" in err


def test_cli_tokens_and_audit(folder: Path) -> None:
    db = ["--db", str(folder)]
    run("user", "add", "rita", "--password-stdin", *db, input=PASSWORD + "\n")
    code, out, err = run("token", "create", "ci", "--account", "rita", *db)
    assert code == 0 and out.startswith("cdt_") and "cannot be shown again" in err
    secret = out.strip()
    code, _, err = run("token", "create", "root", "--account", "rita", "--role", "admin", *db)
    assert code == 1 and "a token cannot have more rights than its account; rita is reader" in err
    code, out, _ = run("token", "list", *db)
    assert code == 0 and "ci" in out and secret not in out
    assert run("token", "revoke", "1", *db)[0] == 0
    with Archive.open(folder) as archive:
        assert Accounts(archive).token_principal(secret) is None
    code, out, _ = run("audit", "--output", "jsonl", "--kind", "token_create", *db)
    (line,) = out.splitlines()
    assert json.loads(line)["detail"] == {
        "id": 1,
        "name": "ci",
        "account": "rita",
        "role": "reader",
    }
    code, out, _ = run("audit", "--since", "2000-01-01", *db)
    assert code == 0 and "token_revoke" in out and "account_add" in out
