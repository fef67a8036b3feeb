"""``scrapy crawl`` that exits non-zero when the run failed.

Scrapy's own command exits 0 whenever bootstrap succeeded, even if no feed could be fetched;
cron, systemd and Scrapyd users need the run's status in the exit code: 1 when the run failed,
2 for a bad setting (before any request), 3 for an unhealthy run with NEWSCRAWL_FAIL_ON_UNHEALTHY.
"""

from __future__ import annotations

import argparse
import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.health.config import BadSetting, HealthConfig
from newscrawl.health.extension import HEALTH_FAILED_STAT
from newscrawl.run import STATUS_STAT

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Settings are checked here, before Scrapy starts logging or the crawl: one line, exit 2."""
        super().process_options(args, opts)
        assert self.settings is not None
        try:
            self.health = HealthConfig.from_settings(self.settings)
        except BadSetting as exc:
            print(f"Error: {exc}", file=sys.stderr)
            sys.exit(2)

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
        elif self.health.fail_on_unhealthy and crawler.stats and crawler.stats.get_value(HEALTH_FAILED_STAT, 0):
            self.exitcode = 3
