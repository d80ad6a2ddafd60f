"""The one error a publish raises: an edition that cannot be built as asked."""

from __future__ import annotations


class PublishError(RuntimeError):
    """An edition that cannot be built as asked."""
