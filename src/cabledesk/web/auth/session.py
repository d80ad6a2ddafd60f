"""Session cookies: a signed (itsdangerous), not encrypted, small dict in the browser.

The cookie holds the account name, a fingerprint of its password hash (a new password ends
old sessions), the CSRF token and when it was issued. It expires a fixed time after
signing in however active the user is (absolute expiry), measured with the injectable
clock; a forged, altered or expired cookie reads as no session at all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from cabledesk.access.clock import Clock

COOKIE = "cabledesk_session"
_MAX_COOKIE = 4096


class SessionCodec:
    def __init__(self, secret: str, max_age: timedelta, clock: Clock) -> None:
        self._serializer = URLSafeSerializer(secret, salt="cabledesk.session")
        self.max_age = max_age
        self.clock = clock

    def now(self) -> int:
        return int(self.clock().timestamp())

    def new(self) -> dict[str, Any]:
        return {"issued": self.now()}

    def load(self, raw: str | None) -> dict[str, Any]:
        if not raw or len(raw) > _MAX_COOKIE:
            return {}
        try:
            data = self._serializer.loads(raw)
        except (BadSignature, ValueError, TypeError):
            return {}
        if not isinstance(data, dict) or not isinstance(data.get("issued"), int):
            return {}
        if self._remaining(data) <= 0:
            return {}
        return data

    def set_cookie(self, data: dict[str, Any], secure: bool) -> str:
        value = self._serializer.dumps(data)
        return _cookie(value, max(self._remaining(data), 0), secure)

    def clear_cookie(self, secure: bool) -> str:
        return _cookie("", 0, secure)

    def _remaining(self, data: dict[str, Any]) -> int:
        issued = int(data.get("issued", 0))
        return issued + int(self.max_age.total_seconds()) - self.now()


def _cookie(value: str, max_age: int, secure: bool) -> str:
    parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
