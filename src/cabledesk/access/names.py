"""Checking what people type: account names, roles, ceilings. Each mistake, one message."""

from __future__ import annotations

import re

from cabledesk.access.errors import AccessError
from cabledesk.access.principal import ACCOUNT_ROLES, CEILINGS, AccountRole
from cabledesk.record.level import Level

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


def check_name(name: str, what: str = "account name") -> str:
    if not _NAME.fullmatch(name):
        raise AccessError(
            f"{what}: expected 1 to 64 letters, digits, '.', '_', '@' or '-', starting with "
            f"a letter or digit; found {name!r}"
        )
    return name


def check_role(role: str) -> AccountRole:
    for known in ACCOUNT_ROLES:
        if role == known:
            return known
    raise AccessError(f"role: expected one of {', '.join(ACCOUNT_ROLES)}; found {role!r}")


def check_ceiling(ceiling: str) -> Level:
    level = Level.known(ceiling)
    if level is None:
        raise AccessError(f"ceiling: expected one of {', '.join(CEILINGS)}; found {ceiling!r}")
    return level
