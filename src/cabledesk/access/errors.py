"""The one exception a user's mistake in cabledesk.access raises (its message is for them)."""

from __future__ import annotations

from cabledesk.errors import Error


class AccessError(Error, ValueError):
    """A bad name, role, ceiling or password, an unknown account or token."""


class ArchiveBusy(AccessError):
    """The archive's write lock stayed taken past the timeout (an ingest's batch, say):
    nothing was changed or counted; the user may try again."""
