"""The store: SQLite (records, versions, edges, the register, editions, accounts' tables)
and the tantivy indexes, filled by a parallel ingest. It knows no reader: what a reader
may see is decided above it, in the facade (`cabledesk.Archive`, cabledesk/facade.py)."""

from cabledesk.archive.errors import ArchiveError
from cabledesk.archive.folder import Store
from cabledesk.archive.report import IngestReport

__all__ = ["ArchiveError", "IngestReport", "Store"]
