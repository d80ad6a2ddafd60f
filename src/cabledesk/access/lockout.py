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

    def reserve(self, name: str) -> tuple[bool, datetime | None]:
        """Count one sign-in under `name` as failed before its (dummy) password check, in
        one step, as an account's attempts are counted in SQLite: (locked already, locked
        until). Checking then counting would let parallel attempts all pass the check.
        A name without an account never signs in, so the count is never taken back."""
        now = self._clock()
        with self._lock:
            failures, since, until = self._seen.pop(name, (0, now, None))
            if until is not None and now < until:
                self._seen[name] = (failures, since, until)
                return True, until
            failures, since, until = count_failure(failures, since, now, *self._rule)
            self._seen[name] = (0, now, until) if until else (failures, since, None)
            while len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
        return False, until
