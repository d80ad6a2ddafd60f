"""People and permissions: accounts, tokens, signing in, and the audit log.

The stage between query and views: it says who is asking (`Principal`) and records what
they did (`audit`). The viewer layer (ceilings and redactions applied to text) reads the
`Principal` and is not here yet (docs/access.md).
"""

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
