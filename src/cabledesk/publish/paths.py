"""Every file a publish writes is named here, and none can land outside its folder.

Names come partly from the archive (a cable's reference id becomes `cable/ID.html`); an
archive made before ids were checked at ingest may hold one like `../../PWNED`. So each
part must be a plain name, and the joined path must still resolve inside the folder
(symbolic links included); anything else stops the publish before a file is written.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from cabledesk.publish.errors import PublishError


def inside(folder: Path, *parts: str) -> Path:
    """`folder / part / ...`, or PublishError when a part is not a plain file or folder
    name or the result would resolve outside `folder`."""
    for part in parts:
        plain(part)
    path = folder.joinpath(*parts)
    root = folder.resolve()
    if not path.resolve().is_relative_to(root):
        raise PublishError(f"{path}: resolves outside the edition's folder {root}; not written")
    return path


def plain(part: str) -> str:
    """`part`, or PublishError when it is not a plain file or folder name. Within a folder
    the build made itself (no symbolic links in it), a plain name stays inside: the build
    checks each cable's name this way and `inside` once for the folder."""
    if not (
        part not in ("", ".", "..")
        and PurePosixPath(part).name == part
        and PureWindowsPath(part).name == part
        and "\x00" not in part
    ):
        raise PublishError(
            f"{part!r}: expected a plain file name for a file of the edition; "
            "it would be written outside the edition's folder"
        )
    return part
