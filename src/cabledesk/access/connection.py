"""What the access layer needs of an archive: its SQLite connection (the accounts, tokens
and audit tables live in the archive's database). A protocol, so that this layer, which
sits below the store and the facade, imports neither."""

from __future__ import annotations

import sqlite3
from typing import Protocol


class HasConnection(Protocol):
    @property
    def connection(self) -> sqlite3.Connection: ...
