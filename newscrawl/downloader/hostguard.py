"""Keep the crawler on the hosts it was configured for: feeds' origins and www.rfi.fr only."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from newscrawl.discovery.urls import RFI_ORIGIN

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

FEED_ROLE = "feed"


class OffsiteRequestRefused(IgnoreRequest):
    """A request (usually a redirect) to a host or scheme outside the configuration."""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class HostGuardMiddleware:
    """Refuses every request that is not a configured feed, a www.rfi.fr page or a robots.txt.

    Feeds and pages are untrusted: a link, a page or a redirect must never send the crawler to
    another host or scheme. Requests marked ``meta["newscrawl_role"] == "feed"`` may go to the
    origins of the configured feeds; everything else only to www.rfi.fr (or the configured
    fetch origin in tests). Redirected requests keep their meta, so a redirect is checked
    against the same rule.

    With ``NEWSCRAWL_FETCH_ORIGIN`` set, www.rfi.fr itself is never contacted: a request that
    still names it (a redirect with an absolute ``Location: https://www.rfi.fr/...``) is sent to
    the fetch origin instead.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        fetch_origin = crawler.settings.get("NEWSCRAWL_FETCH_ORIGIN") or ""
        self.fetch_origin = origin_of(fetch_origin) if fetch_origin else ""
        self.page_origins = {self.fetch_origin or RFI_ORIGIN}
        self._feed_origins: set[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _allowed_feed_origins(self) -> set[str]:
        if self._feed_origins is None:
            feeds = getattr(self.crawler.spider, "feed_urls", [])
            self._feed_origins = {origin_of(url) for url in feeds}
        return self._feed_origins

    def process_request(self, request: Request) -> Request | None:
        origin = origin_of(request.url)
        if self.fetch_origin and origin == RFI_ORIGIN:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newscrawl/fetch_origin/rewritten")
            logger.debug("Sent to the fetch origin instead of www.rfi.fr: %s", request.url)
            return request.replace(url=self.fetch_origin + request.url[len(RFI_ORIGIN) :])
        feed_origins = self._allowed_feed_origins()
        if origin in self.page_origins:
            return None
        if origin in feed_origins and (
            request.meta.get("newscrawl_role") == FEED_ROLE or urlsplit(request.url).path == "/robots.txt"
        ):
            return None
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newscrawl/blocked/offsite_request")
        logger.warning("Refused request to a host outside the configuration: %s", request.url)
        raise OffsiteRequestRefused(f"offsite request refused: {request.url}")
