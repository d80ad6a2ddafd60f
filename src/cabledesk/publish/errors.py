"""The one error a publish raises: an edition that cannot be built as asked."""

from __future__ import annotations

from cabledesk.errors import Error


class PublishError(Error, RuntimeError):
    """An edition that cannot be built as asked."""
