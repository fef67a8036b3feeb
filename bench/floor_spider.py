"""The floor for the crawl benchmark: bare Scrapy plus one lxml parse per page.

It reads the same feed and fetches the same pages as ``rfi_cn``, through the same server or the
same replay archive (``newscrawl.downloader.replay.ReplayMiddleware``), parses each page once with
``lxml.html.fromstring`` and yields a small dict. Run it with ``scrapy runspider`` outside the
project (no scrapy.cfg), so only Scrapy's defaults and the benchmark's ``-s`` settings apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import lxml.etree
import lxml.html
import scrapy
from scrapy import Request

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.http import Response

RFI_ORIGIN = "https://www.rfi.fr"


class FloorSpider(scrapy.Spider):
    name = "floor"

    def __init__(self, feed: str, fetch_origin: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feed = feed
        self.fetch_origin = fetch_origin.rstrip("/")

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.feed, callback=self.parse_feed, dont_filter=True)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        for link in lxml.etree.fromstring(response.body).iterfind("channel/item/link"):
            url = (link.text or "").strip()
            if self.fetch_origin and url.startswith(RFI_ORIGIN + "/"):
                url = self.fetch_origin + url[len(RFI_ORIGIN) :]
            yield Request(url, callback=self.parse_page)

    def parse_page(self, response: Response) -> Iterator[dict[str, Any]]:
        tree = lxml.html.fromstring(response.body)
        yield {"url": response.url, "title": tree.findtext(".//title")}
