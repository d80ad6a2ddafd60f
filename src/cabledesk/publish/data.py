"""The public edition as data (JSON Lines or CSV), for data releases."""

from __future__ import annotations

from pathlib import Path

from cabledesk.facade import Archive
from cabledesk.publish.edition import approved_view
from cabledesk.publish.errors import PublishError
from cabledesk.views.export import write_csv, write_jsonl


def write_data(
    archive: Archive, out: str | Path, format: str, account: str | None = None, warm: bool = True
) -> int:
    """Write every approved cable, as the public sees it (edition.public_record), to
    `out`; records the edition (`warm`: as Archive.record_edition's)."""
    edition = approved_view(archive)
    if not edition.cables:
        raise PublishError("no cable is approved for publication: approve some first")
    out = Path(out)
    if out.is_dir():
        raise PublishError(f"{out}: expected a file for the data release; found a folder")
    partial = out.with_name(out.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        count = (write_jsonl if format == "jsonl" else write_csv)(edition.cables, handle)
    partial.replace(out)
    archive.record_edition(account, str(out), edition.hashes, edition.register_version, warm=warm)
    return count
