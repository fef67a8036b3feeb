"""Dates in the record format, UTC ``YYYY-MM-DDTHH:MM:SSZ`` (pure functions; junk gives None)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import time

PARIS = ZoneInfo("Europe/Paris")

# A time part must be there: a bare day would become a made-up midnight.
_HAS_TIME = re.compile(r"\d[Tt ]\d")
# The site's visible date, `DD/MM/YYYY - HH:MM` (Paris time).
VISIBLE_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s*-\s*(\d{1,2})[:：](\d{2})")


def format_utc(dt: datetime) -> str:
    """An aware datetime in the record format (fractions dropped)."""
    u = dt.astimezone(UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def parse_utc(value: object) -> datetime | None:
    """A date in the record format back to an aware datetime (anything else: None)."""
    if not isinstance(value, str) or not value.endswith("Z"):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _paris_or_aware(dt: datetime) -> str | None:
    try:
        return format_utc(dt if dt.tzinfo else dt.replace(tzinfo=PARIS))
    except (OverflowError, ValueError):
        return None


def to_utc(value: str | None) -> str | None:
    """An ISO 8601 date-time in the record format; without an offset it is Paris local time.

    With no offset, an hour that happens twice (the autumn change) is read as the first one
    (summer time), and an hour that does not exist (the spring change) with the winter offset,
    as ``zoneinfo`` does with ``fold=0``.
    """
    if not value:
        return None
    text = value.strip()
    if not _HAS_TIME.search(text):
        return None
    if text[-1] == "z":
        text = text[:-1] + "Z"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return _paris_or_aware(dt)


def paris_visible_to_utc(text: str | None) -> str | None:
    """The first `DD/MM/YYYY - HH:MM` in a text (the site's visible dates, Paris time)."""
    match = VISIBLE_DATE.search(text or "")
    if not match:
        return None
    day, month, year, hour, minute = map(int, match.groups())
    try:
        dt = datetime(year, month, day, hour, minute)
    except ValueError:
        return None
    return _paris_or_aware(dt)


def struct_time_to_utc(t: time.struct_time | tuple[int, ...] | None) -> str | None:
    """feedparser's ``*_parsed`` values, which are already UTC."""
    if not t:
        return None
    try:
        return format_utc(datetime.fromtimestamp(calendar.timegm(t), UTC))
    except (OverflowError, ValueError, TypeError, OSError):
        return None


@lru_cache(maxsize=64)  # every response has one; many responses share a second
def http_date_to_utc(header_value: str | bytes | None) -> str | None:
    """An HTTP ``Date`` header (RFC 7231 IMF-fixdate, or the obsolete forms email.utils reads)."""
    if not header_value:
        return None
    text = header_value.decode("latin-1") if isinstance(header_value, bytes) else header_value
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # "-0000" gives a naive datetime: HTTP dates are always GMT.
    return format_utc(dt if dt.tzinfo else dt.replace(tzinfo=UTC))
