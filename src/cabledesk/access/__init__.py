"""People and permissions: accounts, tokens, signing in, and the audit log.

It says who is asking (`Principal`) and records what they did (`audit`). It sits below
redaction and the store (docs/architecture.md, "Layers"): it needs only an SQLite
connection, and `Viewer.for_principal` (redact) turns a `Principal` into what it may see.

The names are imported on first use: `Accounts` brings password hashing (argon2, and a
hash computed at import), which reading the audit log or the list of roles never needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cabledesk.access import audit
    from cabledesk.access.accounts import Account, Accounts, Login
    from cabledesk.access.errors import AccessError
    from cabledesk.access.lockout import LOCK_AFTER, LOCK_FOR, WINDOW
    from cabledesk.access.passwords import MIN_LENGTH
    from cabledesk.access.principal import (
        ACCOUNT_ROLES,
        CEILINGS,
        LOCAL,
        PUBLIC,
        RANK,
        AccountRole,
        Principal,
        Role,
    )
    from cabledesk.access.tokens import Token
    from cabledesk.access.writer import AuditWriter

__all__ = [
    "ACCOUNT_ROLES",
    "CEILINGS",
    "LOCAL",
    "LOCK_AFTER",
    "LOCK_FOR",
    "MIN_LENGTH",
    "PUBLIC",
    "RANK",
    "WINDOW",
    "AccessError",
    "Account",
    "AccountRole",
    "Accounts",
    "AuditWriter",
    "Login",
    "Principal",
    "Role",
    "Token",
    "audit",
]

_FROM = {
    "audit": "cabledesk.access.audit",
    "Account": "cabledesk.access.accounts",
    "Accounts": "cabledesk.access.accounts",
    "Login": "cabledesk.access.accounts",
    "AccessError": "cabledesk.access.errors",
    "LOCK_AFTER": "cabledesk.access.lockout",
    "LOCK_FOR": "cabledesk.access.lockout",
    "WINDOW": "cabledesk.access.lockout",
    "MIN_LENGTH": "cabledesk.access.passwords",
    "ACCOUNT_ROLES": "cabledesk.access.principal",
    "CEILINGS": "cabledesk.access.principal",
    "LOCAL": "cabledesk.access.principal",
    "PUBLIC": "cabledesk.access.principal",
    "RANK": "cabledesk.access.principal",
    "AccountRole": "cabledesk.access.principal",
    "Principal": "cabledesk.access.principal",
    "Role": "cabledesk.access.principal",
    "Token": "cabledesk.access.tokens",
    "AuditWriter": "cabledesk.access.writer",
}


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module 'cabledesk.access' has no attribute {name!r}")
    imported = importlib.import_module(module)
    value = imported if name == "audit" else getattr(imported, name)
    globals()[name] = value
    return value
