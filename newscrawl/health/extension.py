"""The extension that closes a run's health loop: judge, record, alert, report.

At ``spider_closed`` the Spidermon suite judges the run (its manifest as it stands) against the
last ``NEWSCRAWL_HEALTH_HISTORY`` finished runs; the result goes into the manifest's ``health``
section and the log (one WARNING per failed monitor, nothing when healthy), and the alerts owed
are sent from a thread (the crawl waits for them; a failed delivery is logged and counted in
``newscrawl/alerts/failed``). Once the final manifest is written (``run_closed``),
``report.html`` is rebuilt unless ``NEWSCRAWL_REPORT_AFTER_RUN`` is off. A run refused by the data
dir's lock only gets its verdict: the state file and the report belong to the crawl holding the lock.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newscrawl.extract.dates import parse_utc
from newscrawl.extract.text import counted
from newscrawl.health.alerts import STATE_FILE, Alerter, Outcome
from newscrawl.health.config import HealthConfig
from newscrawl.health.measures import HEALTH_FAILED_STAT, LOG_ERRORS_STAT
from newscrawl.health.monitors import Past, judge
from newscrawl.health.report import REPORT_FILE, write_report
from newscrawl.run.extension import Run, run_closed
from newscrawl.run.history import read_history
from newscrawl.run.manifest import manifest_path

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RunHealth:
    def __init__(self, crawler: Crawler, config: HealthConfig) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = config

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler, HealthConfig.from_settings(crawler.settings))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        if extension.config.report_after_run:
            crawler.signals.connect(extension.run_closed, signal=run_closed)
        return extension

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        run = Run.of(self.crawler)
        identity = run.identity
        self.stats.set_value(LOG_ERRORS_STAT, self.stats.get_value("log_count/ERROR", 0))
        manifest = {**run.manifest("closing"), "close_reason": reason}
        history = read_history(identity.runs_dir, identity.run_id, self.config.thresholds.history)
        health = judge(manifest, Past.of(history), self.config.thresholds, self.crawler).as_dict()
        run.health = health
        self.stats.set_value(HEALTH_FAILED_STAT, len(health["failed"]))
        for failure in health["failed"]:
            logger.warning("Run health: %s failed: %s", failure["monitor"], failure["detail"])
        if run.refused:
            return
        alerter = Alerter(self.config.alerts, identity.root / STATE_FILE)
        links = {
            "manifest": str(manifest_path(identity.runs_dir, identity.run_id)),
            "report": str(identity.root / REPORT_FILE),
        }
        now = parse_utc(manifest.get("started")) or datetime.now(UTC)
        try:
            outcome = await maybe_deferred_to_future(deferToThread(alerter.notify, health, manifest, now, links))
        except Exception:  # a bug in the alerts must not fail the crawl either
            self.stats.inc_value("newscrawl/alerts/failed")
            logger.exception("Health alerts crashed")
            return
        self._alerted(outcome)

    def _alerted(self, outcome: Outcome) -> None:
        for channel in outcome.sent:
            self.stats.inc_value("newscrawl/alerts/sent")
            logger.info("Health alert (%s) sent by %s", outcome.event, channel)
        for channel, why in outcome.failed:
            self.stats.inc_value("newscrawl/alerts/failed")
            logger.warning("Health alert (%s) could not be sent by %s: %s", outcome.event, channel, why)

    def run_closed(self, manifest: dict[str, Any]) -> None:
        run = Run.of(self.crawler)
        if run.refused:
            return
        path = run.identity.root / REPORT_FILE
        began = time.perf_counter()
        try:
            report = write_report(run.identity.root, days=self.config.report_days, out=path)
        except Exception:  # the dataset is safe; a broken report must not fail the run
            logger.exception("The run-health report %s could not be rebuilt", path)
            return
        logger.info(
            "Report %s rebuilt: %s over %s, in %.1f s",
            report.path,
            counted(report.runs, "run"),
            counted(self.config.report_days, "day"),
            time.perf_counter() - began,
        )
