"""Serving the built public edition at /edition/ (404 until one has been published)."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.responses import PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from cabledesk.publish.site import MANIFEST, MANIFEST_FORMAT

_OLD_MANIFEST = (
    "This edition's edition.json is of an older kind, which listed hashes of the stored "
    "texts; it is not served. Publish the edition again to replace it."
)


class EditionFiles(StaticFiles):
    def __init__(self, folder: Path) -> None:
        super().__init__(directory=folder, html=True, check_dir=False)
        self.folder = folder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.folder.is_dir():
            answer = PlainTextResponse("No public edition has been published yet.", 404)
            await answer(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def get_response(self, path: str, scope: Scope) -> Response:
        # An edition built before manifests held public hashes lists the hashes of the
        # stored, unredacted texts, which let anyone test guesses at a redacted name:
        # such a manifest is never served, whatever else of that edition is.
        if path.strip("/") == MANIFEST and not _current_manifest(self.folder / MANIFEST):
            return PlainTextResponse(_OLD_MANIFEST, 404)
        return await super().get_response(path, scope)


def _current_manifest(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT
