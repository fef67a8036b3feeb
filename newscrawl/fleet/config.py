"""The fleet's configuration, read once (the parsers are newscrawl.config's), and its Redis client.

``NEWSCRAWL_REDIS_URL`` comes from the Scrapy setting or, when that is empty, the environment
variable of the same name (so that a password need not appear on a command line or in Scrapyd's
job list). Its password is never logged: ``redacted_url`` hides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from newscrawl.config import non_negative_number, positive_duration, read, shared_redis_url

if TYPE_CHECKING:
    import redis
    from scrapy.settings import BaseSettings

# A call to Redis that has not answered within this many seconds is a lost connection; redis-py
# retries it (three times, backing off up to 2 s) before the run gives up on Redis.
SOCKET_TIMEOUT = 10.0
CONNECT_TIMEOUT = 5.0
RETRIES = 3


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
        """None when no Redis URL is given; SettingError when a value is unusable."""
        url = shared_redis_url(settings)
        if url is None:
            return None
        return cls(
            url=url,
            lease=read(settings, "NEWSCRAWL_REDIS_LEASE", positive_duration),
            rate=read(settings, "NEWSCRAWL_GLOBAL_RATE", non_negative_number),
            spider=spider,
        )

    def connect(self) -> redis.Redis:
        return connect(self.url)


def key_prefix(spider: str) -> str:
    """Every key of a spider's fleet starts with this (the braces keep them in one cluster slot)."""
    return f"newscrawl:{{{spider}}}:"


def connect(url: str) -> redis.Redis:
    """A client that answers str, gives up on a silent server after a few retries, never hangs."""
    import redis  # here, not at the top: a single-machine run never imports redis
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
