"""What changed between two editions: cables in, out and changed, and the redactions
marked or lifted in between (for editors; the public never sees this)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cabledesk.access.principal import LOCAL
from cabledesk.archive import editions
from cabledesk.archive.register import RegisterError
from cabledesk.facade import Archive


@dataclass(slots=True)
class EditionDiff:
    before: int
    after: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    register: list[dict[str, object]] = field(default_factory=list)


def _edition(archive: Archive, number: int) -> tuple[int, dict[str, str]]:
    found = editions.edition(archive.connection, number)
    if found is None:
        raise RegisterError(f"edition {number}: expected the number of a recorded edition")
    return found


def diff_editions(archive: Archive, before: int, after: int | None = None) -> EditionDiff:
    """Compare edition `before` with `after` (default: the latest edition)."""
    if after is None:
        after = editions.latest(archive.connection)
        if not after:
            raise RegisterError("no edition has been published yet")
    old_version, old = _edition(archive, before)
    new_version, new = _edition(archive, after)
    low, high = sorted((old_version, new_version))
    return EditionDiff(
        before=before,
        after=after,
        added=sorted(set(new) - set(old)),
        removed=sorted(set(old) - set(new)),
        changed=sorted(i for i in set(old) & set(new) if old[i] != new[i]),
        register=[
            h
            for h in archive.register_history(viewer=archive.viewer(LOCAL))
            if low < int(str(h["version"])) <= high
        ],
    )
