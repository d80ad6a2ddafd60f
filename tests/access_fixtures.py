"""Accounts, a clock tests can move, and signing in through the real form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from cabledesk.access import Accounts
from cabledesk.facade import Archive

PASSWORD = "correct horse battery"
# name: (role, ceiling, foreign)
PEOPLE = {
    "ada": ("admin", None, False),
    "eddie": ("editor", None, False),
    "rita": ("reader", None, False),
    "fran": ("reader", "CONFIDENTIAL", True),
    "dora": ("reader", None, False),  # disabled by the tests that need her
}


class Clock:
    """Now, until a test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def add_people(folder: Path, clock: Clock) -> None:
    with Archive.open(folder, create=False) as archive:
        accounts = Accounts(archive, clock=clock)
        for name, (role, ceiling, foreign) in PEOPLE.items():
            accounts.add(name, PASSWORD, role, ceiling, foreign)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD, next_path: str = "/") -> Any:
    page = client.get("/login")
    assert page.status_code == 200, page.text
    return client.post(
        "/login",
        data={
            "name": name,
            "password": password,
            "next": next_path,
            "csrf_token": csrf_of(page.text),
        },
    )
