"""``scrapy crawl`` that exits non-zero when the run failed.

Scrapy's own command exits 0 whenever bootstrap succeeded, even if no feed could be fetched;
cron, systemd and Scrapyd users need the run's status in the exit code.
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.run.extension import STATUS_STAT

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        status = crawler.stats.get_value(STATUS_STAT) if crawler.stats else None
        if status is not None and status != "finished":
            self.exitcode = 1
