"""Failed sign-ins under names that have no account, counted in memory the way an
account's failures are counted in SQLite: a name locks after the same number of tries
whether or not it exists, so the sign-in page cannot be used to find account names.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from cabledesk.access.clock import Clock, utc_now

LOCK_AFTER = 5  # failed sign-ins...
WINDOW = timedelta(minutes=15)  # ...within this long lock the name...
LOCK_FOR = timedelta(minutes=15)  # ...for this long.


def count_failure(
    failures: int,
    since: datetime | None,
    now: datetime,
    lock_after: int = LOCK_AFTER,
    window: timedelta = WINDOW,
    lock_for: timedelta = LOCK_FOR,
) -> tuple[int, datetime, datetime | None]:
    """One more failed sign-in for a name with `failures` counted since `since`:
    (failures, counted since, locked until or None). Failures older than the window are
    forgotten. Accounts (in SQLite) and unknown names (in memory) both count with this."""
    if since is None or now - since >= window:
        failures, since = 0, now
    failures += 1
    return failures, since, now + lock_for if failures >= lock_after else None


class UnknownNames:
    def __init__(
        self,
        lock_after: int = LOCK_AFTER,
        window: timedelta = WINDOW,
        lock_for: timedelta = LOCK_FOR,
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
        now = self._clock()
        with self._lock:
            failures, since, _ = self._seen.pop(name, (0, now, None))
            failures, since, until = count_failure(failures, since, now, *self._rule)
            self._seen[name] = (0, now, until) if until else (failures, since, None)
            while len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
        return until
