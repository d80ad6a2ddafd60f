"""The key that signs session cookies: made once per archive, kept beside it (mode 0600).

Kept in the archive folder so sessions survive a restart and each archive has its own;
never in the repository, never printed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FILE = "session.key"


def session_secret(folder: Path) -> str:
    path = folder / FILE
    try:
        # O_EXCL: two desks starting at once cannot both write a key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    return path.read_text(encoding="ascii").strip()
