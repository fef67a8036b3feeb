"""Politeness over the whole fleet: a request rate shared in Redis, and a shared pause after 429.

:class:`GlobalRate` hands out sending times to www.rfi.fr (one key per host): each request
reserves the next free slot, ``(1 + JITTER) / rate`` seconds after the previous one, on Redis's
clock, in one Lua script — so however many processes ask at once, the slots never crowd. A
request that leaves up to ``JITTER`` seconds after its slot still keeps the server at no more
than ``rate`` requests in any one-second window; the cost is that the average is
``rate / (1 + JITTER)``. A process that wakes up more than ``JITTER / 2`` after its slot (its
event loop was busy, the machine loaded) gives that slot up and takes the next free one, so the
other half of the allowance is left for the time between waking up and the request reaching
the wire (``newscrawl/fleet/late_slots`` counts the slots given up).

The wait must sit right before the request goes out, after Scrapy's own download slot (a wait in
a downloader middleware would be followed by an unknown wait in the slot's queue, and requests
that waited apart could then leave together). So :class:`GlobalRateHttpHandler` and
:class:`GlobalRateHttpsHandler` wrap the download handler the scheme would have used (HTTP/1.1,
or the browser's): reserve a slot, sleep until it, then download.

A 429 (or a 503 with Retry-After) from the site sets a shared "pause until" for that host
(:class:`SharedPauseMiddleware`): every process waits, not only the one that was told.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.utils.misc import build_from_crawler, load_object

from newscrawl.discovery.urls import RFI_ORIGIN
from newscrawl.downloader.replay import REPLAY_FLAG
from newscrawl.downloader.retry import retry_after_seconds

if TYPE_CHECKING:
    from typing import Self

    import redis
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from newscrawl.fleet.extension import Fleet

logger = logging.getLogger(__name__)

JITTER = 0.2  # seconds a request may leave after its slot without the server seeing more than the rate
# The handlers the wrappers wrap, by scheme, recorded by the add-on before it installs them.
INNER_HANDLERS = "_NEWSCRAWL_RATE_INNER_HANDLERS"
PAUSE_STATUSES = frozenset({429, 503})

# KEYS[1] the host's next free slot, KEYS[2] its pause-until (both ms on the Redis clock);
# ARGV[1] interval ms (0: no rate, only the pause). Returns the wait in ms, as a string.
_RESERVE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local slot = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
local interval = tonumber(ARGV[1])
if interval > 0 then
  slot = math.max(slot, tonumber(redis.call('GET', KEYS[1]) or '0'))
  redis.call('SET', KEYS[1], string.format('%.3f', slot + interval), 'PX', math.ceil(slot - now + interval) + 1000)
end
return string.format('%.3f', slot - now)
"""

# KEYS[1] the host's pause-until; ARGV[1] seconds. Extends the pause, never shortens it.
_PAUSE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local wanted = now + tonumber(ARGV[1]) * 1000
if wanted > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.3f', wanted), 'PX', math.ceil(wanted - now) + 1000)
  return 1
end
return 0
"""


class GlobalRate:
    """Sending slots per host, shared by every process of the fleet (see the module docstring)."""

    def __init__(self, client: redis.Redis, prefix: str, rate: float) -> None:
        self.prefix = prefix
        self.rate = rate
        self.interval_ms = (1 + JITTER) / rate * 1000 if rate > 0 else 0.0
        self._reserve = client.register_script(_RESERVE)
        self._pause = client.register_script(_PAUSE)

    def reserve(self, host: str) -> float:
        """Take the host's next sending slot; seconds to wait before sending."""
        keys = [f"{self.prefix}rate:{host}", f"{self.prefix}pause:{host}"]
        return max(0.0, float(self._reserve(keys=keys, args=[f"{self.interval_ms:.3f}"])) / 1000)

    def pause(self, host: str, seconds: float) -> bool:
        """Nobody sends to ``host`` for ``seconds`` from now; False if a longer pause already runs."""
        return bool(self._pause(keys=[f"{self.prefix}pause:{host}"], args=[f"{seconds:.3f}"]))


def rate_limited_host(url: str, fetch_origin: str) -> str | None:
    """The host whose slots a request takes: www.rfi.fr's (whatever origin serves it), else None."""
    origin = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}".lower()
    if origin == RFI_ORIGIN or (fetch_origin and origin == fetch_origin.lower().rstrip("/")):
        return urlsplit(RFI_ORIGIN).netloc
    return None


class _GlobalRateHandler:
    """Waits for a sending slot, then lets the wrapped handler download (see the module docstring)."""

    scheme = ""
    lazy = False

    def __init__(self, crawler: Crawler, fleet: Fleet) -> None:
        self.fleet = fleet
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.fetch_origin = str(crawler.settings.get("NEWSCRAWL_FETCH_ORIGIN") or "")
        inner_path = crawler.settings.getdict(INNER_HANDLERS)[self.scheme]
        self.inner: Any = build_from_crawler(load_object(inner_path), crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from newscrawl.fleet.extension import Fleet

        return cls(crawler, Fleet.of(crawler))

    async def download_request(self, request: Request) -> Response:
        host = rate_limited_host(request.url, self.fetch_origin)
        if host is not None:
            await self._wait_for_slot(host)
        response: Response = await self.inner.download_request(request)
        return response

    async def _wait_for_slot(self, host: str) -> None:
        loop = asyncio.get_running_loop()
        while True:
            wait = self.fleet.reserve_slot(host)
            due = loop.time() + wait
            if wait > 0:
                await asyncio.sleep(wait)
            if loop.time() - due <= JITTER / 2:
                return
            self.stats.inc_value("newscrawl/fleet/late_slots")  # woke too late for this slot: take another

    async def close(self) -> None:
        await self.inner.close()


class GlobalRateHttpHandler(_GlobalRateHandler):
    scheme = "http"


class GlobalRateHttpsHandler(_GlobalRateHandler):
    scheme = "https"


class SharedPauseMiddleware:
    """A 429 (or a 503 with Retry-After) from www.rfi.fr pauses every process of the fleet.

    The pause is the response's Retry-After (capped at NEWSCRAWL_RETRY_AFTER_MAX), else
    NEWSCRAWL_RETRY_BACKOFF_BASE seconds. It sits after the retry middleware in the response
    path, so it sees the 429 before the retry is scheduled.
    """

    def __init__(self, crawler: Crawler, fleet: Fleet) -> None:
        self.crawler = crawler
        self.fleet = fleet
        settings = crawler.settings
        self.fetch_origin = str(settings.get("NEWSCRAWL_FETCH_ORIGIN") or "")
        self.retry_after_max = settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX")
        self.default_pause = settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from newscrawl.fleet.extension import Fleet

        return cls(crawler, Fleet.of(crawler))

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in PAUSE_STATUSES or REPLAY_FLAG in response.flags:
            return response
        host = rate_limited_host(request.url, self.fetch_origin)
        header = response.headers.get("Retry-After")
        retry_after = retry_after_seconds(header.decode("latin-1") if header else None)
        if host is None or (retry_after is None and response.status != 429):
            return response
        seconds = min(retry_after, self.retry_after_max) if retry_after is not None else self.default_pause
        if seconds > 0 and self.fleet.pause_host(host, seconds):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newscrawl/fleet/paused")
            logger.info(
                "HTTP %d from %s: every process pauses %s for %.1f s", response.status, request.url, host, seconds
            )
        return response
