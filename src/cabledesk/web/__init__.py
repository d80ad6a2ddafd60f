"""The web desk: server-rendered pages and a JSON API over an archive (`cabledesk serve`).

`create_app` is imported on first use, so importing a module of the desk does not load
the server. The templates it renders are `cabledesk.presentation`'s, shared with the
static edition (`cabledesk.publish`, which the editor pages use to build editions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cabledesk.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from cabledesk.web.app import create_app

        return create_app
    raise AttributeError(name)
