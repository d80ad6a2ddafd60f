"""Serving the built public edition at /edition/ (404 until one has been published)."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send


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
