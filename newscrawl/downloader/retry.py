"""Retries that back off, and honour ``Retry-After`` (Scrapy's own retry does neither)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.utils.response import response_status_message

from newscrawl.config import duration, read
from newscrawl.downloader.replay import REPLAY_FLAG

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

# Request meta set when the server asked for a longer wait than we grant: the page is then not
# re-fetched with the browser either (that would be one more request to a server that asked us to wait).
RETRY_AFTER_REFUSED = "newscrawl_retry_after_refused"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits before each retry.

    The wait is ``Retry-After`` when the response carries one (capped by
    ``NEWSCRAWL_RETRY_AFTER_MAX``: a longer demand ends the retries for that request), else an
    exponential back-off. Waiting happens in the middleware, so the host's download slot is free
    for other requests meanwhile. Replayed responses skip the back-off (there is no server to
    spare) but still honour a recorded Retry-After.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        settings = crawler.settings
        self.retry_after_max = read(settings, "NEWSCRAWL_RETRY_AFTER_MAX", duration)
        self.backoff_base = read(settings, "NEWSCRAWL_RETRY_BACKOFF_BASE", duration)
        self.backoff_max = read(settings, "NEWSCRAWL_RETRY_BACKOFF_MAX", duration)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _retries_left(self, request: Request) -> bool:
        if request.meta.get("dont_retry", False):
            return False
        max_times = request.meta.get("max_retry_times", self.max_retry_times)
        return bool(request.meta.get("retry_times", 0) < max_times)

    def _next_attempt(self, request: Request, reason: str | Exception) -> Request | None:
        """The retry request (Scrapy's public helper: counts, logs, gives up), None when given up."""
        assert self.crawler.spider is not None
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=request.meta.get("give_up_log_level", self.give_up_log_level),
        )

    def _backoff(self, request: Request) -> float:
        attempt = request.meta.get("retry_times", 0)
        return float(min(self.backoff_max, self.backoff_base * 2**attempt))

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if response.status not in self.retry_http_codes or not self._retries_left(request):
            return response
        assert self.crawler.stats is not None
        header = response.headers.get("Retry-After")
        delay = retry_after_seconds(header.decode("latin-1") if header else None)
        if delay is not None:
            if delay > self.retry_after_max:
                self.crawler.stats.inc_value("newscrawl/retry/retry_after_too_long")
                logger.warning(
                    "%s asks to retry after %.0f s (more than NEWSCRAWL_RETRY_AFTER_MAX=%.0f): giving up",
                    request.url,
                    delay,
                    self.retry_after_max,
                )
                request.meta[RETRY_AFTER_REFUSED] = delay
                return response
            self.crawler.stats.inc_value("newscrawl/retry/retry_after_honoured")
        elif REPLAY_FLAG in response.flags:
            delay = 0.0
        else:
            delay = self._backoff(request)
        if delay > 0:
            logger.info("HTTP %d for %s: retrying in %.1f s", response.status, request.url, delay)
            await asyncio.sleep(delay)
        return self._next_attempt(request, response_status_message(response.status)) or response

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if not isinstance(exception, self.exceptions_to_retry) or not self._retries_left(request):
            return None
        delay = self._backoff(request)
        if delay > 0:
            await asyncio.sleep(delay)
        return self._next_attempt(request, exception)
