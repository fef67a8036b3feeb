"""The floor for the crawl benchmark: bare Scrapy plus one lxml parse per page.

It reads the same feed and fetches the same pages as ``rfi_cn``, through the same server or the
same replay archive (``newscrawl.downloader.replay.ReplayMiddleware``), parses each page once with
``lxml.html.fromstring`` and yields a small dict. Run it with ``scrapy runspider`` outside the
project (no scrapy.cfg). Like for like: it runs with every setting ``newscrawl/settings.py`` sets
(``CONCURRENT_ITEMS``, timeouts, size limits, retry codes, the reactor, …) except the project's own
components and output, which are what the benchmark measures; the benchmark's ``-s`` settings
override both spiders alike. ``-s BENCH_FLOOR_BARE=True`` runs it with Scrapy's defaults instead
(the floor as it was before issue 17, for a side figure).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import lxml.etree
import lxml.html
import scrapy
from scrapy import Request

from newscrawl import settings as project_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.http import Response
    from scrapy.settings import BaseSettings

RFI_ORIGIN = "https://www.rfi.fr"

# What the benchmark measures (the project's components and its dataset output: the floor has
# none of them) and what only locates the project's code; every other project setting applies.
MEASURED = frozenset(
    {"DOWNLOADER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS", "FEEDS", "FEED_STORAGES", "FEED_URI_PARAMS"}
)
PROJECT_LAYOUT = frozenset({"BOT_NAME", "SPIDER_MODULES", "NEWSPIDER_MODULE", "COMMANDS_MODULE"})
FLOOR_BARE = "BENCH_FLOOR_BARE"


def shared_project_settings() -> dict[str, Any]:
    """The Scrapy settings newscrawl sets that are not what the benchmark measures (its own
    ``NEWSCRAWL_*`` settings only configure its components)."""
    return {
        name: value
        for name, value in vars(project_settings).items()
        if name.isupper() and not name.startswith("NEWSCRAWL_") and name not in MEASURED | PROJECT_LAYOUT
    }


class FloorSpider(scrapy.Spider):
    name = "floor"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if not settings.getbool(FLOOR_BARE):
            settings.setdict(shared_project_settings(), priority="spider")

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
