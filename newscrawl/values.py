"""Setting and argument values in the formats of DESIGN.md "Value formats" (pure).

Each parser takes the raw value (a ``-s``/``-a`` string, or the Python value of settings.py) and
the name it came under, and returns the typed value or raises :class:`BadValue`, whose message is
the one line the crawl command prints before exiting 2 (it names the setting or argument).
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# RFC 3339 date-time with an explicit offset (Z or ±hh:mm), seconds and fractions optional.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})")


class BadValue(ValueError):
    """A setting or argument whose value is not in its documented format."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name


def parse_list(value: object, name: str) -> list[str]:
    """A list: comma-separated (``a,b``), a Python list literal (``['a', 'b']``) or a list/tuple.

    Items are stripped; empty items are dropped, so ``""`` is the empty list.
    """
    if value is None:
        return []
    items: object = value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                items = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise BadValue(name, f"not a list: {value!r}") from None
        else:
            items = text.split(",")
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise BadValue(name, f"not a list of strings: {value!r}")
    return [item.strip() for item in items if item.strip()]


def parse_whole_number(value: object, name: str) -> int:
    """A whole number ≥ 0 (``31``, ``"31"``)."""
    if isinstance(value, bool):
        raise BadValue(name, f"not a whole number: {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise BadValue(name, f"not a whole number: {value!r}")
    if number < 0:
        raise BadValue(name, f"must not be negative: {value!r}")
    return number


def parse_day(value: str, name: str) -> date:
    """A calendar day written ``YYYY-MM-DD``."""
    text = value.strip()
    if not _DAY.fullmatch(text):
        raise BadValue(name, f"not a day in the form YYYY-MM-DD: {value!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadValue(name, f"not a calendar day: {value!r}") from None


def parse_timestamp(value: str, name: str) -> datetime:
    """An RFC 3339 date-time with its offset (``2024-04-02T06:00:00Z``), as an aware UTC datetime."""
    text = value.strip()
    if not _TIMESTAMP.fullmatch(text):
        raise BadValue(name, f"not an RFC 3339 time with an offset (e.g. 2024-04-02T06:00:00Z): {value!r}")
    try:
        return datetime.fromisoformat(text.upper().replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise BadValue(name, f"not a valid time: {value!r}") from None
