"""Putting an edition in place: an incremental edition committed into the live site file
by file, a full one swapped in whole (issue 16; docs/publishing.md, "Committing an
edition").

An incremental build writes only the files whose bytes change into a sparse
`SITE.building` and knows the files of the previous edition that no longer exist (pages
of withdrawn cables, list pages that are gone, search files no longer produced): both
from the build cache, never from walking the site. The commit then

1. writes a journal (`ARCHIVE/edition-build/journal.json`: the site, its building folder,
   the edition's number, a digest of the versions it publishes, the SHA-256 of its
   edition.json and the files to delete), synced to disk before anything else happens;
2. (the caller) records the edition in the archive and commits the build cache;
3. moves every file of the building folder into the site with `os.replace` (atomic per
   file), in an order that never links to a page not yet there: cable pages, then the
   search index (meta.json last), then list, browse and collection pages, static files,
   the front and search pages; deletes the files listed; `edition.json` last. The files
   replaced or deleted are first linked (deleted: renamed) into a folder `SITE.old-...`
   that a detached process removes afterwards: the commit moves names, never waits for
   blocks to be freed;
4. removes the journal and the (by then empty) building folder.

A build that finds a journal (a crash, or a failure during steps 2-4) resolves it first
(`recover`): when the archive holds the journal's edition (step 2 was reached), the commit
is rolled forward, which is always possible while the building folder holds what was not
moved yet; when it cannot be (the building folder was lost), the cache is forgotten and
the next build is a full one. When the archive does not hold it, nothing was moved (moving
starts after recording) and the journal and building folder are dropped. So no build ever
starts incrementally from a half-committed site: until the journal is resolved, the
site's edition.json is the previous one's, which the cache no longer describes once it was
committed (step 2), or the cache is the previous edition's and the site untouched.

A full build over an existing site builds a complete tree beside it and exchanges the two
folders (`renameat2(RENAME_EXCHANGE)` where the system has it: readers never see a missing
site; else two renames); the previous tree is renamed to a unique `SITE.old-...` and removed
by a detached, low-priority process, so the command never waits for a million unlinks.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cabledesk.archive import editions
from cabledesk.publish import cache

JOURNAL = "journal.json"
MANIFEST = "edition.json"


def versions_digest(versions: dict[str, str]) -> str:
    """A digest of {reference id: text hash}: what an edition recorded in the archive holds."""
    return cache.digest(sorted(versions.items()))


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class _Aside:
    """A folder beside the site (`SITE.old-...`, removed by a detached process once the
    commit is done, or by the next build's clean-up when it was cut short) that keeps
    the files the commit replaces or deletes: freeing a file's blocks is the slow part of
    replacing or unlinking it (measured on ext4 mounted with `discard`, docs/performance.md:
    about 0.3 ms a file, against some 0.05 ms for a rename or a link), so the commit
    only moves names and the blocks are freed in the background."""

    def __init__(self, site: Path) -> None:
        self.folder = aside(site)
        self.count = 0
        self.made = False

    def _name(self) -> str:
        if not self.made:
            self.folder.mkdir()
            self.made = True
        self.count += 1
        return os.path.join(self.folder, str(self.count))

    def replace(self, source: str, target: str) -> None:
        """`os.replace(source, target)`, atomic for readers, the previous `target` (if
        any) kept alive by a link in the folder so the replace frees nothing."""
        # No previous file (or a file system without links): a plain replace.
        with contextlib.suppress(OSError):
            os.link(target, self._name())
        _replace(source, target)

    def remove(self, path: str) -> None:
        """`path` out of the site (renamed into the folder); nothing when it is gone."""
        _remove(path, self._name())

    def remove_later(self) -> None:
        if self.made:
            remove_later([self.folder])


def _replace(source: str, target: str) -> None:
    os.replace(source, target)


def _remove(path: str, aside: str) -> None:
    """A deleted file renamed to `aside`; unlinked where it cannot be; gone: nothing."""
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        pass
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


@dataclass(frozen=True, slots=True)
class Journal:
    site: str
    building: str
    edition: int
    versions: str
    manifest: str
    deletions: list[str]

    def write(self, folder: Path) -> None:
        """Written whole and synced before anything is moved: a torn journal is never read."""
        path = folder / JOURNAL
        partial = path.with_name(JOURNAL + ".new")
        data = json.dumps(
            {
                "site": self.site,
                "building": self.building,
                "edition": self.edition,
                "versions": self.versions,
                "manifest": self.manifest,
                "deletions": self.deletions,
            }
        )
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
        _fsync_folder(folder)

    @classmethod
    def read(cls, folder: Path) -> Journal | None:
        (folder / (JOURNAL + ".new")).unlink(missing_ok=True)
        try:
            data = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
            return cls(
                str(data["site"]),
                str(data["building"]),
                int(data["edition"]),
                str(data["versions"]),
                str(data["manifest"]),
                [str(p) for p in data["deletions"]],
            )
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            # Not a journal this code wrote whole: nothing can be trusted of the site.
            return cls("", "", 0, "", "", [])


def _rank(path: str) -> tuple[int, str]:
    """The order files are moved in: what is linked to before what links to it."""
    top = path.split("/", 1)[0]
    if path == MANIFEST:
        rank = 9
    elif top == "cable":
        rank = 0
    elif path == "search/meta.json":
        rank = 2
    elif top == "search":
        rank = 1
    elif top in ("list", "browse", "collection"):
        rank = 3
    elif top == "static":
        rank = 4
    else:
        rank = 5
    return rank, path


def files_under(folder: Path) -> list[str]:
    """Every file under `folder`, relative, with / (the building folder is sparse: this
    walks what the build wrote, never the site)."""
    found: list[str] = []
    for root, _, names in os.walk(folder):
        relative = os.path.relpath(root, folder)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        found += [prefix + name for name in names]
    return found


@dataclass(slots=True)
class Applied:
    moved: int = 0
    deleted: int = 0
    folders_made: int = 0
    folders_removed: int = 0


def apply(journal: Journal) -> Applied:
    """Move what the building folder holds into the site (edition.json last), delete the
    files listed; idempotent, so a roll-forward runs it again from wherever it stopped.
    What is replaced or deleted is freed later, in the background (_Aside)."""
    site, building = Path(journal.site), Path(journal.building)
    done = Applied()
    made: set[str] = set()
    moves = sorted(files_under(building), key=_rank) if building.is_dir() else []
    last = [m for m in moves if m == MANIFEST]
    kept = _Aside(site)
    for relative in [m for m in moves if m != MANIFEST]:
        parent = os.path.dirname(relative)
        if parent and parent not in made:
            target_folder = site / parent
            if not target_folder.is_dir():
                target_folder.mkdir(parents=True, exist_ok=True)
                done.folders_made += 1
            made.add(parent)
        kept.replace(str(building / relative), str(site / relative))
        done.moved += 1
    emptied: set[str] = set()
    for relative in journal.deletions:
        kept.remove(str(site / relative))
        done.deleted += 1
        emptied.add(os.path.dirname(relative))
    # A folder left empty by the deletions is one a full build would not make.
    for parent in sorted(emptied, key=lambda p: -p.count("/")):
        while parent:
            try:
                os.rmdir(site / parent)
            except OSError:
                break
            done.folders_removed += 1
            parent = os.path.dirname(parent)
    for relative in last:
        kept.replace(str(building / relative), str(site / relative))
        done.moved += 1
    kept.remove_later()
    return done


def finish(folder: Path, journal: Journal) -> None:
    """The commit is complete: drop the journal, then the empty building folder."""
    (folder / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(journal.building, ignore_errors=True)


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def recover(folder: Path, connection: sqlite3.Connection) -> str | None:
    """Resolve a journal a failed or interrupted commit left in the cache `folder`:
    "rolled forward", "dropped" (the edition was never recorded: the site untouched),
    "forgotten" (it could not be rolled forward: the cache is forgotten, the next build
    is full), or None when there was none."""
    journal = Journal.read(folder)
    if journal is None:
        return None
    recorded = journal.edition > 0 and editions.edition(connection, journal.edition)
    if not journal.site or not recorded:
        if journal.building:
            shutil.rmtree(journal.building, ignore_errors=True)
        if not journal.site:
            cache.invalidate(folder)
        (folder / JOURNAL).unlink(missing_ok=True)
        return "dropped" if journal.site else "forgotten"
    if versions_digest(recorded[1]) != journal.versions:
        # The archive's edition of that number is not this build's: its commit never began.
        shutil.rmtree(journal.building, ignore_errors=True)
        (folder / JOURNAL).unlink(missing_ok=True)
        return "dropped"
    outcome = "rolled forward"
    try:
        apply(journal)
    except OSError:
        outcome = "forgotten"
    if _file_hash(Path(journal.site) / MANIFEST) != journal.manifest:
        outcome = "forgotten"
    if outcome == "forgotten":
        cache.invalidate(folder)
    finish(folder, journal)
    return outcome


def aside(path: Path) -> Path:
    """A unique name beside `path` for a tree to be removed (SITE.old-PID-NANOSECONDS)."""
    return path.with_name(f"{path.name}.old-{os.getpid()}-{time.time_ns()}")


def remove_later(paths: Iterable[Path]) -> None:
    """Remove `paths` (trees renamed aside) in a detached process at the lowest CPU
    priority: the command answers without waiting for the unlinks (a million at the
    release's size). The shell starts `rm` in the background and exits at once, so the
    remover belongs to no one (no zombie in a long-running desk). Where no shell can be
    started, removed here."""
    names = [str(p) for p in paths]
    if not names:
        return
    script = 'nice -n 19 rm -rf -- "$@" </dev/null >/dev/null 2>&1 &'
    try:
        subprocess.run(
            ["sh", "-c", script, "sh", *names],
            check=True,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        for name in names:
            shutil.rmtree(name, ignore_errors=True)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False when the
    system or file system cannot (the caller then renames twice)."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    result = function(
        _AT_FDCWD,
        os.fsencode(first),
        _AT_FDCWD,
        os.fsencode(second),
        _RENAME_EXCHANGE,
    )
    return bool(result == 0)


def swap_in(building: Path, out: Path) -> Path | None:
    """Put the complete tree `building` at `out`; the previous tree (renamed aside) is
    returned for removal, None when there was none."""
    if not out.exists():
        building.replace(out)
        return None
    old = aside(out)
    if exchange(building, out):
        building.replace(old)
    else:
        out.replace(old)
        building.replace(out)
    return old
