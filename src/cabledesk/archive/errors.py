"""The archive's errors: each says what was expected and where, in one line."""

from __future__ import annotations

from cabledesk.errors import Error


class ArchiveError(Error, RuntimeError):
    """A path that is not an archive, or an archive that cannot be opened or changed."""


class IndexBusy(ArchiveError):
    """Another process (an ingest, a reindex, a redaction) is writing the full-text index."""


class IndexDamaged(ArchiveError):
    """The full-text index cannot be read; `cabledesk reindex` rebuilds it from SQLite."""


class IndexBehind(ArchiveError):
    """The index has not yet absorbed a redaction or an edition SQLite already holds, and
    could not catch up in time: a restricted reader is not answered from it."""
