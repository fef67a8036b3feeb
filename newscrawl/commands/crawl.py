"""``scrapy crawl`` that checks its settings first and exits non-zero when the run failed.

Scrapy's own command exits 0 whenever bootstrap succeeded, even if no feed could be fetched;
cron, systemd and Scrapyd users need the run's status in the exit code: 1 when the run failed,
3 when it finished unhealthy and ``NEWSCRAWL_FAIL_ON_UNHEALTHY`` is on. A setting or argument
that cannot be used is a user mistake, not a crash: one ERROR line naming it and exit code 2,
before the crawler exists (nothing written, no request).
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from newscrawl.config import (
    SettingError,
    duration,
    feed_urls,
    flag,
    non_negative_int,
    non_negative_number,
    optional,
    origin,
    positive_duration,
    positive_int,
    read,
    shared_redis_url,
    text,
    writable_folder,
)
from newscrawl.discovery.options import sitemap_options
from newscrawl.discovery.revisits import revisit_ages
from newscrawl.downloader.replay import archive_folder
from newscrawl.health.config import HEALTH_SETTINGS
from newscrawl.health.measures import HEALTH_FAILED_STAT
from newscrawl.run.clock import RunClock
from newscrawl.run.extension import STATUS_STAT

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_BAD_CONFIGURATION = 2  # as for a command-line usage error
EXIT_UNHEALTHY = 3

# Every project setting a crawl reads, with its parser (newscrawl.config); Scrapy checks its own.
# The clock (NEWSCRAWL_NOW) and the sitemap settings and arguments are checked by their readers.
CRAWL_SETTINGS: dict[str, Callable[[str, object], object]] = {
    "NEWSCRAWL_DATA_DIR": optional(writable_folder),
    "NEWSCRAWL_REPLAY_DIR": optional(archive_folder),
    "NEWSCRAWL_RECORD_DIR": optional(writable_folder),
    "NEWSCRAWL_FETCH_ORIGIN": optional(origin),
    "NEWSCRAWL_BROWSER_FALLBACK": flag,
    "NEWSCRAWL_BROWSER_EXECUTABLE": text,
    "NEWSCRAWL_BROWSER_MAX_PAGES": positive_int,
    "NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT": positive_int,
    "NEWSCRAWL_BROWSER_SETTLE_TIMEOUT": duration,
    "NEWSCRAWL_RETRY_AFTER_MAX": duration,
    "NEWSCRAWL_RETRY_BACKOFF_BASE": duration,
    "NEWSCRAWL_RETRY_BACKOFF_MAX": duration,
    "NEWSCRAWL_MANIFEST_MAX_LISTED": non_negative_int,
    "NEWSCRAWL_REVISIT_AGES": revisit_ages,
    "NEWSCRAWL_REVISIT_MAX_PER_RUN": non_negative_int,
    "NEWSCRAWL_REMOVAL_CONFIRM_AFTER": duration,
    "NEWSCRAWL_REDIS_LEASE": positive_duration,
    "NEWSCRAWL_GLOBAL_RATE": non_negative_number,
    **HEALTH_SETTINGS,
}


def check_crawl(settings: BaseSettings, spider_arguments: Mapping[str, str]) -> None:
    """Parse every setting and argument a crawl reads; the first unusable one raises `SettingError`."""
    feed_urls(settings, spider_arguments.get("feeds"))
    for name, parser in CRAWL_SETTINGS.items():
        read(settings, name, parser)
    sitemap_options(settings, spider_arguments, RunClock.from_settings(settings).now())
    shared_redis_url(settings)  # the setting, or the environment variable


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        try:
            check_crawl(self.settings, opts.spargs)
        except SettingError as error:
            # Scrapy's logging (LOG_FILE, format): a Scrapyd job log shows the error too.
            configure_logging(self.settings)
            logger.error("Not crawling: %s", error)
            raise SystemExit(EXIT_BAD_CONFIGURATION) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
            return
        stats = crawler.stats.get_stats() if crawler.stats else {}
        status = stats.get(STATUS_STAT)
        if status is not None and status != "finished":
            self.exitcode = EXIT_FAILED
        elif stats.get(HEALTH_FAILED_STAT) and read(crawler.settings, "NEWSCRAWL_FAIL_ON_UNHEALTHY", flag):
            self.exitcode = EXIT_UNHEALTHY
