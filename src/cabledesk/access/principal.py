"""Who is asking: the `Principal` every request carries (`request.state.principal`).

This is the seam the viewer layer (ceiling and redaction filtering) builds on: it reads
`ceiling` and `foreign` from here and never looks at sessions or tokens itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cabledesk.record.level import LEVELS, Level

Role = Literal["admin", "editor", "reader", "public", "local"]
AccountRole = Literal["admin", "editor", "reader"]
ACCOUNT_ROLES: tuple[AccountRole, ...] = ("admin", "editor", "reader")
# Classification levels, lowest first, as people type them; a ceiling is the highest
# level an account may read (a `Level` everywhere but in forms and SQLite).
CEILINGS = LEVELS
# What each role may do, as a rank: a guard for `editor` admits editors and admins.
# `local` (the single-user desk, no accounts) may do what an editor may; managing accounts
# needs a real admin account, made first on the command line.
RANK: dict[str, int] = {"public": 0, "reader": 1, "editor": 2, "local": 2, "admin": 3}


@dataclass(frozen=True)
class Principal:
    """The person (or script) behind a request.

    name: the account name, or None for `local` and `public`.
    role: admin | editor | reader (an account, or a token scoped to one), `local` (the
        desk has no accounts: one user, who sees everything) or `public` (not signed in).
    ceiling: the highest classification this principal may read.
    foreign: NOFORN text is to be withheld from this principal.
    via: how it was established: "session", "token", "local" or "anonymous".
    """

    name: str | None
    role: Role
    ceiling: Level
    foreign: bool
    via: str = "session"

    @property
    def signed_in(self) -> bool:
        return self.name is not None

    def may(self, role: Role) -> bool:
        """True when this principal has at least the rights of `role`."""
        return RANK[self.role] >= RANK[role]


LOCAL = Principal(name=None, role="local", ceiling=Level.TOP_SECRET, foreign=False, via="local")
PUBLIC = Principal(
    name=None, role="public", ceiling=Level.UNCLASSIFIED, foreign=True, via="anonymous"
)


def default_ceiling(role: str) -> Level:
    return Level.SECRET if role == "reader" else Level.TOP_SECRET
