"""What every pipeline stage shares: built from the crawler, it counts in the crawl's stats and
reaches the run (claims, rejects) once the spider is open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newscrawl.run.extension import Run

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class RunPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.run = Run.of(self.crawler)
