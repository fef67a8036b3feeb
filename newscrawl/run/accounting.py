"""The run's accounting: every entry a listing source lists ends in exactly one outcome.

``entries_seen`` is the sum of the entries of the listing sources the run read; outcomes come
only from signals (see ``newscrawl.run.outcomes``). Counts live in the crawl stats
(``newscrawl/entries/...``), so they also appear in Scrapy's stats dump. The equation
``entries_seen = new + feed_only + duplicate + skipped + rejected + lost`` is checked at the end.
In a fleet, entries also move between processes (``counts.fleet``, present only then), and each
process's equation becomes ``entries_seen + taken_over = outcomes + handed_over``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.http import Response
from w3lib.url import safe_url_string

from newscrawl.items import Article
from newscrawl.run.counters import incrementer
from newscrawl.run.outcomes import ENTRY_REQUEST, LISTED, OUTCOMES, REASONED, Outcome, OutcomeDropped, entry_outcome
from newscrawl.run.revisits import is_revision

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure

    from newscrawl.run.outcomes import ListingSource

logger = logging.getLogger(__name__)

STATS_PREFIX = "newscrawl/entries/"
# Entries that move between the processes of a fleet (newscrawl.fleet): one this process listed
# but handed to the shared frontier (its outcome is counted where it is taken), and one it took
# from there (listed elsewhere, its outcome counted here).
HANDED_OVER = f"{STATS_PREFIX}handed_over"
TAKEN_OVER = f"{STATS_PREFIX}taken_over"


class Accounting:
    def __init__(self, stats: StatsCollector, max_listed: int) -> None:
        self.stats = stats
        self._increment = incrementer(stats)  # count() runs for every entry
        self.max_listed = max_listed
        self.sources: list[ListingSource] = []
        self.listed: dict[str, list[dict[str, Any]]] = {outcome: [] for outcome in LISTED}
        self.left_out: dict[str, int] = dict.fromkeys(LISTED, 0)

    def connect(self, crawler: Crawler) -> None:
        connect = crawler.signals.connect
        connect(self.outcome_reported, signal=entry_outcome)
        connect(self.item_scraped, signal=signals.item_scraped)
        connect(self.item_dropped, signal=signals.item_dropped)
        connect(self.item_error, signal=signals.item_error)
        connect(self.request_dropped, signal=signals.request_dropped)
        connect(self.spider_error, signal=signals.spider_error)

    # --- what the sources listed --------------------------------------------------------------

    def record_source(self, source: ListingSource) -> None:
        """One listing document read (or not): its entries are counted as seen."""
        self.sources.append(source)
        self.stats.inc_value(f"{STATS_PREFIX}seen", source.entries)
        prefix = f"newscrawl/sources/{source.kind}/"
        self.stats.inc_value(prefix + ("ok" if source.ok else "failed"))
        if source.status == "malformed":
            self.stats.inc_value(prefix + "malformed")
        if source.not_modified:
            self.stats.inc_value(prefix + "not_modified")

    # --- outcomes, from signals ---------------------------------------------------------------

    def count(self, outcome: Outcome) -> None:
        self._increment(f"{STATS_PREFIX}{outcome.kind}" + (f"/{outcome.reason}" if outcome.reason else ""))
        listed = self.listed.get(outcome.kind)
        if listed is None:
            return
        if len(listed) < self.max_listed:
            url = safe_url_string(outcome.url) if outcome.url else None
            listed.append({"url": url, "reason": outcome.reason, "detail": outcome.detail})
        else:
            self.left_out[outcome.kind] += 1

    def outcome_reported(self, outcome: Outcome) -> None:
        self.count(outcome)

    # A revision (new version, tombstone) stands for no entry: newscrawl.run.revisits counts it.

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Article) and not is_revision(item):
            self.count(Outcome("feed_only" if item.content_source == "feed" else "new"))

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if is_revision(item):
            return
        if isinstance(exception, OutcomeDropped):
            self.count(exception.outcome)
        else:  # a DropItem from a pipeline that does not say which outcome
            self.count(Outcome("lost", "dropped", url=getattr(item, "url", None), detail=str(exception)))

    def item_error(self, item: Any, failure: Failure) -> None:
        if is_revision(item):
            return
        detail = f"{type(failure.value).__name__}: {failure.value}"
        self.count(Outcome("lost", "item_error", url=getattr(item, "url", None), detail=detail))

    def request_dropped(self, request: Request) -> None:
        # The scheduler drops a request whose URL this run already requested: an entry whose
        # request (or redirect) lands on an article already handled in this run.
        listing = request.meta.get(ENTRY_REQUEST)
        if listing is not None:
            self.count(Outcome("duplicate", "same_canonical", url=listing, detail=f"request to {request.url} dropped"))

    def spider_error(self, failure: Failure, response: Response | Failure) -> None:
        request = response.request if isinstance(response, Response) else getattr(response, "request", None)
        listing = request.meta.get(ENTRY_REQUEST) if request is not None else None
        if listing is not None:
            detail = f"{type(failure.value).__name__}: {failure.value}"
            self.count(Outcome("lost", "spider_error", url=listing, detail=detail))

    # --- the equation -------------------------------------------------------------------------

    def counts(self) -> dict[str, Any]:
        stats = self.stats.get_stats()
        counts: dict[str, Any] = {"entries_seen": int(stats.get(f"{STATS_PREFIX}seen", 0))}
        for outcome in OUTCOMES:
            if outcome in REASONED:
                prefix = f"{STATS_PREFIX}{outcome}/"
                counts[outcome] = {k[len(prefix) :]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}
            else:
                counts[outcome] = int(stats.get(f"{STATS_PREFIX}{outcome}", 0))
        handed_over, taken_over = int(stats.get(HANDED_OVER, 0)), int(stats.get(TAKEN_OVER, 0))
        if handed_over or taken_over:
            counts["fleet"] = {"handed_over": handed_over, "taken_over": taken_over}
        counts["add_up"] = outcomes_total(counts) + handed_over == counts["entries_seen"] + taken_over
        return counts


def outcomes_total(counts: dict[str, Any]) -> int:
    """The sum of the outcomes of a manifest's ``counts`` (per-reason outcomes summed)."""
    total = 0
    for outcome in OUTCOMES:
        value = counts.get(outcome, 0)
        total += sum(value.values()) if isinstance(value, dict) else int(value)
    return total
