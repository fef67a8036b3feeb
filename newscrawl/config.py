"""Reading settings and spider arguments: one parser per value format, one error type.

A parser ``parse(name, value)`` takes the name a value came from (``NEWSCRAWL_…`` or
``-a feeds``) and the raw value (a Python value from settings.py, or a string from ``-s``, ``-a``
or Scrapyd), returns the typed value, and raises `SettingError` naming the setting when the value
is unusable. Components read their settings with ``read(crawler.settings, NAME, parser)``. The
``crawl`` command runs every parser once before the crawl starts (``CRAWL_SETTINGS`` in
``newscrawl.commands.crawl``), so a bad value is one line and exit code 2, before any request.
A new setting: pick (or add) a parser here, read it through `read`, list it in ``CRAWL_SETTINGS``.

Formats (DESIGN.md "Value formats"): a duration is seconds or ``<n>s|m|h|d``; a list is
comma-separated or a Python list; a list of durations is
``[duration(name, item) for item in value_list(name, value)]``; a share is a number from 0 to 1.
Imports nothing from the package but the defaults in newscrawl/settings.py.

A few settings may also come from an environment variable of the same name
(`ENVIRONMENT_SETTINGS`: a password kept out of files, a machine's browser path): a ``-s`` setting
beats the environment, which beats settings.py. `read` applies that rule, so components and the
check before the crawl see the same value.
"""

from __future__ import annotations

import ast
import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit, urlunsplit

from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl import settings as project_settings

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from scrapy.settings import BaseSettings

T = TypeVar("T")

_DURATION = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<unit>[smhd]?)")
_SECONDS_PER_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_INTEGER = re.compile(r"\d+")
_FLAGS = {"true": True, "1": True, "false": False, "0": False}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")

ENVIRONMENT_SETTINGS = frozenset(
    {
        "NEWSCRAWL_BROWSER_EXECUTABLE",
        "NEWSCRAWL_ALERT_SMTP_HOST",
        "NEWSCRAWL_ALERT_SMTP_PORT",
        "NEWSCRAWL_ALERT_SMTP_TLS",
        "NEWSCRAWL_ALERT_SMTP_USER",
        "NEWSCRAWL_ALERT_SMTP_PASSWORD",
    }
)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# RFC 3339 date-time with an explicit offset (Z or ±hh:mm); seconds and fractions optional.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})")


class SettingError(ValueError):
    """A setting or spider argument whose value cannot be used; ``str()`` is the one-line message."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name


def read(settings: BaseSettings, name: str, parser: Callable[[str, object], T]) -> T:
    """The parsed value of one setting; one the crawler lacks (built without the project settings,
    as tests do) takes its default from newscrawl/settings.py."""
    return parser(name, raw_value(settings, name))


def raw_value(settings: BaseSettings, name: str) -> object:
    """A setting's value before parsing, from wherever it comes (the environment for
    `ENVIRONMENT_SETTINGS`, unless a ``-s`` setting or Scrapyd's ``setting=`` gave one)."""
    value = settings[name] if name in settings else getattr(project_settings, name, None)
    if name in ENVIRONMENT_SETTINGS and (settings.getpriority(name) or 0) <= SETTINGS_PRIORITIES["project"]:
        return os.environ.get(name) or value
    return value


def optional(parser: Callable[[str, object], T]) -> Callable[[str, object], T | None]:
    """The parser for a setting that is off when empty (``""`` or ``None`` → ``None``)."""

    def parse(name: str, value: object) -> T | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parser(name, value)

    return parse


def _number_text(value: object) -> str | None:
    """A number (not a bool) or a string, as stripped text; None for any other type."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        return str(value).strip()
    return None


def duration(name: str, value: object) -> float:
    """Seconds: a number (``90``, ``2.5``) or ``<n>s|m|h|d`` (``10m``, ``6h``, ``7d``); not negative."""
    text = _number_text(value)
    match = _DURATION.fullmatch(text) if text is not None else None
    if match is None:
        raise SettingError(name, f"{value!r} is not a duration (seconds, or a number followed by s, m, h or d)")
    return float(match["number"]) * _SECONDS_PER_UNIT[match["unit"]]


def positive_duration(name: str, value: object) -> float:
    """A duration longer than 0 s."""
    seconds = duration(name, value)
    if seconds <= 0:
        raise SettingError(name, f"{value!r} is not a duration longer than 0 s")
    return seconds


def non_negative_number(name: str, value: object) -> float:
    """A number ≥ 0 (``0``, ``1.5``)."""
    text = _number_text(value)
    try:
        number = float(text) if text else -1.0
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        raise SettingError(name, f"{value!r} is not a number of 0 or more")
    return number


def _integer(name: str, value: object, minimum: int) -> int:
    text = _number_text(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if text is None or not _INTEGER.fullmatch(text) or int(text) < minimum:
        raise SettingError(name, f"{value!r} is not a whole number of {minimum} or more")
    return int(text)


def positive_int(name: str, value: object) -> int:
    return _integer(name, value, 1)


def non_negative_int(name: str, value: object) -> int:
    return _integer(name, value, 0)


def port(name: str, value: object) -> int:
    """A TCP port number, 0 to 65535 (0: the protocol's default, where the setting says so)."""
    number = _integer(name, value, 0)
    if number > 65535:
        raise SettingError(name, f"{value!r} is not a port number (0 to 65535)")
    return number


def share(name: str, value: object) -> float:
    """A share from 0 to 1 (``0.25``), as a number or its text."""
    text = _number_text(value)
    try:
        number = float(text) if text else None
    except ValueError:
        number = None
    if number is None or not 0 <= number <= 1:
        raise SettingError(name, f"{value!r} is not a share from 0 to 1 (e.g. 0.25)")
    return number


def shares_by_name(names: Collection[str]) -> Callable[[str, object], dict[str, float]]:
    """The parser for ``{name: share}`` (a dict, or JSON on the command line) over known ``names``."""

    def parse(name: str, value: object) -> dict[str, float]:
        given = value
        if isinstance(value, str):
            try:
                given = json.loads(value) if value.strip() else {}
            except ValueError:
                given = None
        if not isinstance(given, dict):
            raise SettingError(name, f'{value!r} is not a dict of name: share (JSON: {{"body": 0.9}})')
        unknown = sorted(str(key) for key in given if key not in names)
        if unknown:
            raise SettingError(name, f"unknown names {', '.join(unknown)} (known: {', '.join(names)})")
        shares = {}
        for key, item in given.items():
            try:
                shares[key] = share(name, item)
            except SettingError:
                raise SettingError(name, f"{key}: {item!r} is not a share from 0 to 1") from None
        return shares

    return parse


def one_of(*choices: str) -> Callable[[str, object], str]:
    """The parser for one of ``choices`` (any case; the result is lowercase)."""

    def parse(name: str, value: object) -> str:
        text = value.strip().lower() if isinstance(value, str) else None
        if text not in choices:
            raise SettingError(name, f"{value!r} is not one of {', '.join(choices)}")
        return text

    return parse


def text(name: str, value: object) -> str:
    """A string, kept as it is (a number is taken as its digits: ``-s`` gives strings anyway)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SettingError(name, f"{value!r} is not a text value")
    return str(value)


def email_address(name: str, value: object) -> str:
    """``someone@host``, stripped."""
    address = value.strip() if isinstance(value, str) else ""
    if not _EMAIL.fullmatch(address):
        raise SettingError(name, f"{value!r} is not an e-mail address")
    return address


def email_addresses(name: str, value: object) -> list[str]:
    """A list of e-mail addresses (comma-separated, or a Python list); empty is an empty list."""
    return [email_address(name, item) for item in value_list(name, value)]


def secret(parser: Callable[[str, object], T], expected: str) -> Callable[[str, object], T]:
    """The parser for a credential (a webhook URL with its token): an error never shows the value."""

    def parse(name: str, value: object) -> T:
        try:
            return parser(name, value)
        except SettingError:
            raise SettingError(name, f"the value (not shown: it is a secret) is not {expected}") from None

    return parse


def flag(name: str, value: object) -> bool:
    """``True``/``False``, ``1``/``0``, or those as strings (any case)."""
    if isinstance(value, bool):
        return value
    text = _number_text(value)
    if text is None or text.lower() not in _FLAGS:
        raise SettingError(name, f"{value!r} is not True or False")
    return _FLAGS[text.lower()]


def value_list(name: str, value: object) -> list[str]:
    """A comma-separated string or a Python list (also written as a string: ``"['a', 'b']"``).

    Items are stripped; empty items are dropped, so an empty string is an empty list.
    """
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            raise SettingError(name, f"{value!r} is not a Python list") from None
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise SettingError(name, f"{value!r} is not a list (comma-separated, or a Python list)")
    if not all(isinstance(item, str | int | float) for item in items):
        raise SettingError(name, f"{value!r} is not a list of plain values")
    return [text for item in items if (text := str(item).strip())]


def http_url(name: str, value: object) -> str:
    """An absolute http(s) URL with a host, without white space in it."""
    text = value if isinstance(value, str) else ""
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in text)
    except ValueError:  # e.g. a malformed IPv6 host
        valid = False
    if not valid:
        raise SettingError(name, f"{value!r} is not an http(s) URL")
    return text


def http_urls(name: str, value: object) -> list[str]:
    """A list of http(s) URLs, duplicates dropped (the first one stays)."""
    return list(dict.fromkeys(http_url(name, item) for item in value_list(name, value)))


def origin(name: str, value: object) -> str:
    """``scheme://host[:port]`` over http(s), nothing after it but a slash; lowercased, no slash."""
    text = value.strip().rstrip("/") if isinstance(value, str) else ""
    try:
        parts = urlsplit(text)
        valid = (
            parts.port != 0  # .port raises ValueError when it is not a number in range
            and parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and not (parts.path or parts.query or parts.fragment)
        )
    except ValueError:
        valid = False
    if not valid:
        raise SettingError(name, f"{value!r} is not an http(s) origin (scheme://host[:port])")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def day(name: str, value: object) -> date:
    """A calendar day written ``YYYY-MM-DD``."""
    text = value.strip() if isinstance(value, str) else ""
    if not _DAY.fullmatch(text):
        raise SettingError(name, f"{value!r} is not a day written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SettingError(name, f"{value!r} is not a calendar day") from None


def utc_time(name: str, value: object) -> datetime:
    """An RFC 3339 time with its offset (``2024-04-02T06:00:00Z``), as an aware UTC datetime."""
    text = value.strip() if isinstance(value, str) else ""
    if not _TIMESTAMP.fullmatch(text):
        raise SettingError(name, f"{value!r} is not an RFC 3339 time with an offset (e.g. 2024-04-02T06:00:00Z)")
    try:
        return datetime.fromisoformat(text.upper().replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise SettingError(name, f"{value!r} is not a valid time") from None


def folder_path(name: str, value: object) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise SettingError(name, f"{value!r} is not a folder path")
    return Path(value)


def writable_folder(name: str, value: object) -> Path:
    """A folder the crawl can write into, or create (its nearest existing parent is a writable folder).

    Checked without writing anything: nothing is created before the crawl starts.
    """
    folder = folder_path(name, value)
    existing = folder.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise SettingError(name, f"{folder} cannot be a folder: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise SettingError(name, f"{folder} is not writable ({existing} is read-only for this user)")
    return folder


def feed_list(name: str, value: object) -> list[str]:
    """Feed URLs: a list of http(s) URLs (any host), at least one."""
    urls = http_urls(name, value)
    if not urls:
        raise SettingError(name, "no feed to read (the list is empty)")
    return urls


def feed_urls(settings: BaseSettings, argument: str | None) -> list[str]:
    """The feeds of a run, in provenance order: ``-a feeds=`` when given, else ``NEWSCRAWL_FEEDS``."""
    if argument is None:
        return read(settings, "NEWSCRAWL_FEEDS", feed_list)
    return feed_list("-a feeds", argument)


REDIS_SCHEMES = ("redis", "rediss", "unix")


def redacted_url(url: str) -> str:
    """A URL as logs and manifests show it: its user and password replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=f"***@{parts.netloc.rpartition('@')[2]}"))


def redis_url(name: str, value: object) -> str:
    """``redis://[:password@]host[:port][/db]``, ``rediss://…`` (TLS) or ``unix://…``; never echoes a password."""
    text = value.strip() if isinstance(value, str) else ""
    try:
        parts = urlsplit(text)
        valid = parts.port != 0 and parts.scheme in REDIS_SCHEMES and bool(parts.hostname or parts.path)
    except ValueError:
        valid = False
    if not valid:
        shown = redacted_url(text) if text else repr(value)
        raise SettingError(name, f"{shown!r} is not a Redis URL (redis://[:password@]host[:port][/db], rediss://…)")
    return text


def shared_redis_url(settings: BaseSettings) -> str | None:
    """``NEWSCRAWL_REDIS_URL``: the setting, else the environment variable of the same name (keeps
    the password off command lines); None when neither is set (a single-machine run)."""
    name = "NEWSCRAWL_REDIS_URL"
    return read(settings, name, optional(redis_url)) or optional(redis_url)(
        f"{name} (environment)", os.environ.get(name)
    )
