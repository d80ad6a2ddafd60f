"""Synchroniser tokens against cross-site request forgery.

Each session holds a random token; every form carries it in a hidden field (FIELD) and
scripts send it as the X-CSRF-Token header. Another site can make a browser send the
cookie, but cannot read the token from our pages.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MESSAGE = (
    "This request did not carry this desk's form token (CSRF), so nothing was changed. "
    "Reload the page and try again; scripts send the X-CSRF-Token header or use an API token."
)


def ensure_token(session: dict[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def valid(session: dict[str, Any], offered: str | None) -> bool:
    expected = session.get("csrf")
    if not isinstance(expected, str) or not offered:
        return False
    return hmac.compare_digest(expected.encode(), offered.encode("utf-8", "replace"))
