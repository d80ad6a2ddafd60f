"""Failed sign-ins under names that have no account, counted in memory the way an
account's failures are counted in SQLite: a name locks after the same number of tries
whether or not it exists, so the sign-in page cannot be used to find account names.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from cabledesk.access.clock import Clock, utc_now


class UnknownNames:
    def __init__(
        self,
        lock_after: int,
        window: timedelta,
        lock_for: timedelta,
        clock: Clock = utc_now,
        capacity: int = 10_000,
    ) -> None:
        self._rule = (lock_after, window, lock_for)
        self._clock = clock
        self._capacity = capacity  # memory stays bounded under a spray of made-up names
        self._seen: OrderedDict[str, tuple[int, datetime, datetime | None]] = OrderedDict()
        self._lock = threading.Lock()

    def locked_until(self, name: str) -> datetime | None:
        with self._lock:
            found = self._seen.get(name)
        if found and found[2] and self._clock() < found[2]:
            return found[2]
        return None

    def fail(self, name: str) -> datetime | None:
        """Count one failure; returns the end of the lock when this one locks the name."""
        lock_after, window, lock_for = self._rule
        now = self._clock()
        with self._lock:
            failures, since, _ = self._seen.pop(name, (0, now, None))
            if now - since >= window:
                failures, since = 0, now
            failures += 1
            until = now + lock_for if failures >= lock_after else None
            self._seen[name] = (0, now, until) if until else (failures, since, None)
            while len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
        return until
