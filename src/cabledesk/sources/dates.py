"""Container date formats to ISO 8601."""

from __future__ import annotations

import re

_US = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*$")


def iso_minute(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


def us_datetime(text: str) -> str | None:
    """`6/14/2008 6:50` (Cablegate CSV, newspaper metadata lines) as ISO UTC."""
    match = _US.match(text)
    if not match:
        return None
    month, day, year, hour, minute = (int(g) for g in match.groups()[:5])
    return _checked(year, month, day, hour, minute, int(match.group(6) or 0))


def table_datetime(text: str) -> str | None:
    """`2008-06-14 06:50` (WikiLeaks table, partner exports) as ISO UTC."""
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
    return _checked(year, month, day, hour, minute, int(match.group(6) or 0))


def _checked(year: int, month: int, day: int, hour: int, minute: int, second: int) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60):
        return None
    return iso_minute(year, month, day, hour, minute, second)
