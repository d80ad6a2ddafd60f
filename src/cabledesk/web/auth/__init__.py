"""Signing in to the web desk: sessions, tokens, CSRF, and which routes need which role.

`gate.Gate` (middleware) puts a `Principal` on every request (`request.state.principal`),
refuses what the principal may not see (`rules.py` is the one table of open routes), and
checks CSRF tokens. `guard.requires` marks a handler with the least role it needs.
"""

from cabledesk.web.auth.guard import principal_of, requires

__all__ = ["principal_of", "requires"]
