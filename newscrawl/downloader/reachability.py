"""Hosts that cannot be reached: said once, then given up for the rest of the run.

A host that does not resolve or refuses connections (no network, a dead origin) makes every
request to it fail alike: robots.txt, each feed, each page. The first such failure logs one
ERROR line naming the host; later requests to it fail at once with ``HostUnreachable`` (an
``IgnoreRequest``: Scrapy's robots.txt middleware then stays quiet instead of logging a
traceback per host), and the spider reports them as that host's problem.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, IgnoreRequest

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_UNREACHABLE = {
    CannotResolveHostError: "its name does not resolve",
    DownloadConnectionRefusedError: "it refuses connections",
}


class HostUnreachable(IgnoreRequest):
    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"host {host} unreachable: {reason}")
        self.host = host
        self.reason = reason


class UnreachableHostMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.unreachable: dict[str, str] = {}  # host -> why

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        host = _host(request.url)
        if host in self.unreachable:
            raise HostUnreachable(host, self.unreachable[host])

    def process_exception(self, request: Request, exception: Exception) -> None:
        reason = next((why for kind, why in _UNREACHABLE.items() if isinstance(exception, kind)), None)
        if reason is None:
            return
        host = _host(request.url)
        if host not in self.unreachable:
            self.unreachable[host] = reason
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newscrawl/unreachable_hosts")
            logger.error("Host %s is unreachable (%s): no more requests to it in this run", host, reason)
        raise HostUnreachable(host, reason)


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()
