"""One robots.txt request per URL and run, shared by Scrapy's robots middleware and the sitemap listing.

Scrapy's ``RobotsTxtMiddleware`` fetches robots.txt before the first request to a host, and the
spider reads the same file for its ``Sitemap:`` lines. Without this middleware the site answers
both; with it the first request goes out and every later one for the same URL in the run gets a
copy of its answer (waiting for it while it is in flight). A request that failed is not shared:
the next one goes to the network as usual.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

SHARED_STAT = "newscrawl/robots/shared"
# On the request that went out for the run, and on its retries and redirects (they copy meta):
# the URL whose waiting requests its answer settles.
_OWNER_META = "newscrawl_robots_for"


class RobotsTxtOnce:
    """Downloader middleware, after the host guard (40) and before Scrapy's robots middleware (100)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        # URL -> its answer, or a Deferred fired with it (None if there is none to share) while in flight
        self._answers: dict[str, Response | Deferred[Response | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    async def process_request(self, request: Request) -> Response | None:
        if _OWNER_META in request.meta or urlparse_cached(request).path != "/robots.txt":
            return None
        answer = self._answers.get(request.url)
        if answer is None:
            self._answers[request.url] = Deferred()
            request.meta[_OWNER_META] = request.url
            return None
        response = await maybe_deferred_to_future(answer) if isinstance(answer, Deferred) else answer
        if response is None:
            return None  # nothing to share (it failed, or was a 304): this request goes out itself
        self.stats.inc_value(SHARED_STAT)
        logger.debug("%s: answered with the run's earlier response", request.url)
        return response.replace(request=request)

    def process_response(self, request: Request, response: Response) -> Response:
        # A 304 answers the validators of one request: the robots middleware cannot read it.
        self._settle(request, response if response.status != 304 else None)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self._settle(request, None)

    def _settle(self, request: Request, response: Response | None) -> None:
        url = request.meta.pop(_OWNER_META, None)
        pending = self._answers.get(url) if url is not None else None
        if not isinstance(pending, Deferred):
            return
        if response is None:
            del self._answers[url]
        else:
            self._answers[url] = response
        pending.callback(response)
