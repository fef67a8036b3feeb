"""Python's cyclic garbage collector set for a crawl (an extension; on by default).

The objects a crawl starts with (the modules of Scrapy, Twisted, lxml and the project, their
classes and functions, the compiled schema) live until the process ends, yet every full
collection walks them, and every young collection runs after 700 new container objects,
although a page's objects are freed by reference counting and such a collection finds almost
nothing to free. Both walks are mostly cache misses. So while the spider is open:

- the objects alive when it opens are moved out of the collector's generations (`gc.freeze`),
  so collections see only what the crawl creates; reference counting frees them as before;
- the youngest generation is collected after 10,000 new container objects instead of 700.

At close both are undone, so that a process that runs several crawls (tests, the simulated
site's in-process driver) collects what the crawl left behind. What this is worth:
bench/results.md, Round 5.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from scrapy import signals

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

YOUNG_THRESHOLD = 10_000


class CrawlGarbageCollection:
    def __init__(self) -> None:
        self._thresholds: tuple[int, int, int] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self._thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(YOUNG_THRESHOLD, *self._thresholds[1:])

    def spider_closed(self) -> None:
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            gc.unfreeze()
            self._thresholds = None
