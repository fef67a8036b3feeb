"""The fleet's settings, read and checked once: where Redis is, the lease, the global rate.

``NEWSCRAWL_REDIS_URL`` comes from the Scrapy setting or, when that is empty, the environment
variable of the same name (so that a password need not appear on a command line or in Scrapyd's
job list). Its password is never logged: :func:`redacted` hides it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import redis
    from scrapy.settings import BaseSettings

REDIS_URL = "NEWSCRAWL_REDIS_URL"
LEASE = "NEWSCRAWL_REDIS_LEASE"
GLOBAL_RATE = "NEWSCRAWL_GLOBAL_RATE"
REDIS_SCHEMES = ("redis", "rediss", "unix")

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}

# A call to Redis that has not answered within this many seconds is a lost connection; redis-py
# retries it (three times, backing off up to 2 s) before the run gives up on Redis.
SOCKET_TIMEOUT = 10.0
CONNECT_TIMEOUT = 5.0
RETRIES = 3


class BadFleetSetting(ValueError):
    """A fleet setting whose value is unusable; the message names the setting."""


def parse_duration(value: object, name: str) -> float:
    """Seconds from a number or ``<n>s|m|h|d`` (``90``, ``10m``, ``6h``, ``7d``); must be > 0."""
    if isinstance(value, bool):
        raise BadFleetSetting(f"{name}: not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.fullmatch(str(value).strip().lower())
        if not match:
            raise BadFleetSetting(f"{name}: not a duration (seconds, or <n>s|m|h|d such as 10m): {value!r}")
        seconds = float(match[1]) * _UNIT_SECONDS[match[2]]
    if not seconds > 0:
        raise BadFleetSetting(f"{name}: must be longer than 0 s: {value!r}")
    return seconds


def parse_rate(value: object, name: str) -> float:
    """Requests per second, a number ≥ 0 (0 = no limit)."""
    try:
        rate = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadFleetSetting(f"{name}: not a number of requests per second: {value!r}") from None
    if isinstance(value, bool) or not rate >= 0 or rate == float("inf"):
        raise BadFleetSetting(f"{name}: must be a number ≥ 0 (0 = no limit): {value!r}")
    return rate


def redis_url_of(settings: BaseSettings) -> str:
    """The Redis URL: the setting, else the environment variable, else '' (single machine)."""
    return str(settings.get(REDIS_URL) or os.environ.get(REDIS_URL) or "").strip()


def check_redis_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError when the port is not a number in range
    except ValueError:
        raise BadFleetSetting(f"{REDIS_URL}: not a URL: {redacted(url)!r}") from None
    if parts.scheme not in REDIS_SCHEMES or not (parts.hostname or parts.path):
        raise BadFleetSetting(
            f"{REDIS_URL}: expected redis://[:password@]host[:port][/db], rediss://… (TLS) or unix://…, "
            f"not {redacted(url)!r}"
        )
    return url


def redacted(url: str) -> str:
    """The URL with its password (and user) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


@dataclass(frozen=True)
class FleetConfig:
    url: str
    lease: float  # seconds a claim or a leased request lives without a heartbeat renewing it
    rate: float  # requests per second to www.rfi.fr over the whole fleet; 0 = no global limit
    spider: str

    @property
    def prefix(self) -> str:
        return key_prefix(self.spider)

    @classmethod
    def from_settings(cls, settings: BaseSettings, spider: str) -> FleetConfig | None:
        """None when no Redis URL is given; BadFleetSetting when a value is unusable."""
        url = redis_url_of(settings)
        if not url:
            return None
        return cls(
            url=check_redis_url(url),
            lease=parse_duration(settings.get(LEASE), LEASE),
            rate=parse_rate(settings.get(GLOBAL_RATE), GLOBAL_RATE),
            spider=spider,
        )

    def connect(self) -> redis.Redis:
        return connect(self.url)


def key_prefix(spider: str) -> str:
    """Every key of a spider's fleet starts with this (the braces keep them in one cluster slot)."""
    return f"newscrawl:{{{spider}}}:"


def connect(url: str) -> redis.Redis:
    """A client that answers str, gives up on a silent server after a few retries, never hangs."""
    import redis  # here, not at the top: the add-on reads this module's checks in every crawl
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=CONNECT_TIMEOUT,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.2), RETRIES),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        health_check_interval=30,
    )
