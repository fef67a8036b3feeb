"""A back-fill's (or catch-up's) progress in the log: when its articles are queued, every
``LOGSTATS_INTERVAL`` seconds while they are fetched, and when the spider closes.

``Back-fill (since 2024-01-01): months 12/12 walked, 9342 articles queued, 2210 done (58.3/min), ETA 2h02m``
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from twisted.internet.task import LoopingCall

from newscrawl.discovery.backfill import BackfillProgress
from newscrawl.run.accounting import outcomes_total

if TYPE_CHECKING:
    from newscrawl.discovery.backfill import BackfillPlan
    from newscrawl.discovery.sitemaps import Month
    from newscrawl.run.extension import Run

logger = logging.getLogger(__name__)


class BackfillLog:
    def __init__(self, plan: BackfillPlan, run: Run, interval: float) -> None:
        self.plan = plan
        self._run = run
        self._interval = interval  # LOGSTATS_INTERVAL
        self._progress = BackfillProgress(months_total=len(plan.months))
        self._task: LoopingCall | None = None
        self._since = 0.0  # time.monotonic() when the back-fill's articles were queued
        self._outcomes_at_dispatch = 0
        self._reporting = False

    def month_walked(self, month: Month | None) -> None:
        """A monthly map answered (or failed); only the plan's months count, not those only watched."""
        if month in self.plan.months:
            self._progress.months_walked += 1

    def start(self, queued: int, missing: list[Month]) -> None:
        """The listings are done and ``queued`` article pages requested; ``missing``: the plan's
        months that no robots.txt or index named a map for."""
        plan = self.plan
        if missing:
            self._run.backfill = plan.summary(missing)
            # An explicit back-fill that cannot reach a month is a problem; a catch-up on a site
            # (or an archive) without an index only reads what there is.
            level = logging.WARNING if plan.reason == "since" else logging.INFO
            logger.log(level, "%s: no contents sitemap named for %s", plan.label, ", ".join(map(str, missing)))
        if len(missing) == self._progress.months_total:
            return  # nothing walked: no progress to report
        self._reporting = True
        self._progress.queued = queued
        self._since = time.monotonic()
        self._outcomes_at_dispatch = outcomes_total(self._run.accounting.counts())
        self._log()
        if queued and self._interval > 0:
            self._task = LoopingCall(self._log)
            self._task.start(self._interval, now=False)

    def stop(self) -> None:
        """The spider closes: the last progress line."""
        if self._task is not None and self._task.running:
            self._task.stop()
        if self._reporting:
            self._log(final=True)

    def _log(self, final: bool = False) -> None:
        done = outcomes_total(self._run.accounting.counts()) - self._outcomes_at_dispatch
        line = self._progress.line(done, time.monotonic() - self._since)
        logger.info("%s%s: %s", self.plan.label, " done" if final else "", line)
