"""The archive stage: SQLite (records, versions, edges) plus a tantivy full-text index."""

from cabledesk.archive.archive import Archive, ArchiveError
from cabledesk.archive.report import IngestReport

__all__ = ["Archive", "ArchiveError", "IngestReport"]
