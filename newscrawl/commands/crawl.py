"""``scrapy crawl`` that exits non-zero when the run failed, and 2 on a bad setting value.

Scrapy's own command exits 0 whenever bootstrap succeeded, even if no feed could be fetched;
cron, systemd and Scrapyd users need the run's status in the exit code. Values in the documented
formats are checked before the crawler exists: a bad one is one log line naming it, exit 2, and
no request at all.
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.discovery.options import sitemap_options
from newscrawl.run.clock import RunClock
from newscrawl.run.manager import STATUS_STAT
from newscrawl.values import BadValue

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.settings is not None
        try:
            sitemap_options(self.settings, opts.spargs, RunClock.from_settings(self.settings).now())
        except BadValue as exc:
            logger.error("Bad value, nothing crawled: %s", exc)
            self.exitcode = 2
            return
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
