"""The web desk: server-rendered pages and a JSON API over an archive (`cabledesk serve`)."""

from cabledesk.web.app import create_app

__all__ = ["create_app"]
