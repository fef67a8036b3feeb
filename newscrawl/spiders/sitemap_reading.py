"""The sitemap half of phase 1: robots.txt, news and contents maps, indexes → entries.

Which documents a run reads is decided by ``discovery.backfill`` (a catch-up or back-fill plan)
and ``discovery.sitemap_walk`` (pure); this reads them for the spider. It asks for their requests
(the spider's callbacks call back here), parses each answer, records it as a source of the run,
hands its entries to the listings, tells the revisits which maps listed every live article of a
span, and logs a back-fill's progress (``spiders.backfill_log``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest

from newscrawl.discovery import sitemaps
from newscrawl.discovery.backfill import in_window, month_span, months_covering, plan_backfill
from newscrawl.discovery.sitemap_walk import INDEX_KIND, MapToRead, SitemapWalk
from newscrawl.discovery.urls import canonical_url
from newscrawl.downloader.reachability import HostUnreachable
from newscrawl.extract.dates import format_utc
from newscrawl.extract.text import counted
from newscrawl.run.history import last_finished_start
from newscrawl.run.outcomes import ListingSource, SourceStatus
from newscrawl.spiders.backfill_log import BackfillLog
from newscrawl.spiders.failures import GONE_STATUSES, failure_reason
from newscrawl.spiders.listing_requests import NOT_MODIFIED

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from scrapy import Request
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

    from newscrawl.discovery.backfill import BackfillPlan
    from newscrawl.discovery.listings import ListedEntry
    from newscrawl.discovery.options import SitemapOptions
    from newscrawl.discovery.sitemap_walk import SourceOrder
    from newscrawl.discovery.sitemaps import Month
    from newscrawl.run.extension import Run
    from newscrawl.spiders.listing_requests import ListingRequests

logger = logging.getLogger(__name__)


class SitemapReading:
    def __init__(
        self,
        run: Run,
        settings: BaseSettings,
        options: SitemapOptions,
        listings: ListingRequests,
        *,
        request_for: Callable[[MapToRead], Request],  # the spider's request for a document (its callbacks)
        take_entry: Callable[[SourceOrder, ListedEntry], None],
    ) -> None:
        self.run = run
        self._settings = settings
        self._options = options
        self._listings = listings
        self._request_for = request_for
        self._take_entry = take_entry
        self._plan = self._plan_backfill()
        self._backfill_log = (
            BackfillLog(self._plan, run, settings.getfloat("LOGSTATS_INTERVAL")) if self._plan is not None else None
        )
        self._walk = SitemapWalk(
            options.urls, self._plan, listings.known_kind, self._watched_months(), listings.remembered_maps
        )

    def start(self) -> Iterator[Request]:
        """The configured documents' requests."""
        for document in self._walk.start():
            yield self._request_for(document)

    def articles_queued(self, queued: int) -> None:
        """The listings are done; a back-fill starts its progress log."""
        if self._backfill_log is not None:
            self._backfill_log.start(queued, self._walk.missing_months())

    def closed(self) -> None:
        """The spider closes: a back-fill's last progress line."""
        if self._backfill_log is not None:
            self._backfill_log.stop()

    def _plan_backfill(self) -> BackfillPlan | None:
        run, options = self.run, self._options
        plan = plan_backfill(
            run.started,
            since=options.since,
            last_finished=last_finished_start(run.identity.runs_dir),
            max_days=options.backfill_max_days,
        )
        if plan is None:
            return None
        run.backfill = plan.summary(missing_months=[])
        logger.info(
            "%s: reading the contents sitemaps of %s, entries modified since %s",
            plan.label,
            ", ".join(str(month) for month in plan.months),
            format_utc(plan.horizon),
        )
        if plan.reason == "catch_up" and plan.bounded:
            logger.warning(
                "The last finished run is older than NEWSCRAWL_BACKFILL_MAX_DAYS (%d): catching up from %s only; "
                "back-fill the rest with -a since=YYYY-MM-DD",
                options.backfill_max_days,
                format_utc(plan.horizon),
            )
        return plan

    def _watched_months(self) -> tuple[Month, ...]:
        """The months whose articles are still on the revisit schedule: their contents maps are read
        every run, for the lastmods and absences that are revisit signals (none without revisits)."""
        policy = self.run.revisits.policy
        if not policy.ages or not policy.max_per_run or not self.run.revisits.makes_revisits:
            return ()
        now = self.run.started
        return months_covering(now - policy.last_age, now)

    # --- answers ------------------------------------------------------------------------------

    def robots(self, response: Response, document: MapToRead) -> Iterator[Request]:
        """robots.txt: the edition's maps its ``Sitemap:`` lines name."""
        maps = sitemaps.maps_from_robots(response.body, document.url)
        self.run.accounting.record_source(
            ListingSource(document.url, "robots", "ok", http_status=response.status, skipped=dict(maps.skipped))
        )
        logger.info(
            "Robots %s: %s and %s named%s",
            document.url,
            counted(len(maps.maps), "sitemap"),
            counted(len(maps.months), "monthly contents map"),
            f", {sum(maps.skipped.values())} left ({dict(maps.skipped)})" if maps.skipped else "",
        )
        yield from self._follow(document, maps)

    def map(self, response: Response, document: MapToRead) -> Iterator[Request]:
        """A sitemap (news, contents) or a sitemap index; a monthly map's entries are kept to the plan's window."""
        listings = self._listings
        kind = "contents" if document.role == "month" else "sitemap"
        if document.role == "month":
            self._month_answered(document)
        if response.status == NOT_MODIFIED:
            known = listings.known_kind(document.url)
            listings.unchanged(document.url, "sitemap_index" if known == INDEX_KIND else kind)
            remembered = listings.remembered_maps(document.url) if document.role != "month" else None
            if remembered is not None:
                yield from self._follow(document, remembered)
            return
        max_size = int(response.meta.get("download_maxsize", self._settings.getint("DOWNLOAD_MAXSIZE")))
        parsed = sitemaps.parse_sitemap(response.body, document.url, max_size=max_size, max_urls=self._options.max_urls)
        if parsed.kind == INDEX_KIND and document.role != "month":
            maps = sitemaps.maps_from_index(parsed.children, document.url)
            named = counted(len(maps.months), "monthly contents map") + " named"
            self._record_map(
                document.url, "sitemap_index", response, parsed.problem, found=named, skipped=dict(maps.skipped)
            )
            if parsed.problem is None:
                listings.keep_validators(document.url, response, INDEX_KIND, tuple(maps.months.values()))
            yield from self._follow(document, maps)
            return
        problem = parsed.problem
        if parsed.kind == INDEX_KIND:
            problem = "a sitemap index where a monthly contents map was expected (not followed)"
        entries = parsed.entries if parsed.kind == "urlset" else []
        taken = entries
        if document.role == "month" and self._plan is not None:
            horizon = self._plan.horizon
            taken = [entry for entry in entries if in_window(entry.lastmod, horizon)]
        outside = len(entries) - len(taken)
        found = counted(len(taken), "entry", "entries") + (
            f" ({outside} modified before the horizon)" if outside else ""
        )
        self._record_map(document.url, kind, response, problem, found=found, entries=len(taken), outside_window=outside)
        if problem is None and not outside:
            listings.keep_validators(document.url, response, "urlset")
        if problem is None:
            self._note_complete(document, entries)
        elif document.role == "month":
            self._month_unreadable(document)
        for entry in taken:
            self._take_entry(document.order, entry)

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        document: MapToRead = request.cb_kwargs["document"]
        reason, status = failure_reason(failure)
        if failure.check(IgnoreRequest, DownloadCancelledError) and str(failure.value):
            reason = f"{reason}: {failure.value}"  # e.g. over DOWNLOAD_MAXSIZE, once decompressed or not
        kind = {"robots": "robots", "month": "contents"}.get(document.role, "sitemap")
        self.run.accounting.record_source(
            ListingSource(document.url, kind, "failed", http_status=status, problem=reason)
        )
        if document.role == "month":
            self._month_answered(document)
            if status in GONE_STATUSES:  # not there any more; a 5xx or a timeout says nothing of a move
                self._month_unreadable(document)
        # A site may have no robots.txt; a sitemap that cannot be had leaves articles undiscovered.
        level = logging.INFO if document.role == "robots" or failure.check(HostUnreachable) else logging.WARNING
        logger.log(level, "%s %s could not be fetched: %s", kind.capitalize(), document.url, reason)

    def _note_complete(self, document: MapToRead, entries: list[sitemaps.SitemapEntry]) -> None:
        """A map read whole that lists every live article of a span: a monthly contents map (its month)
        or a news sitemap (its entries' publication dates). The revisits learn which held articles
        of that span it lists, and which it no longer does."""
        published = [entry.published for entry in entries if entry.published]
        if document.month is not None:
            start, end = month_span(document.month)
            span = (format_utc(start), format_utc(end - timedelta(seconds=1)))
        elif published and len(published) == len(entries):
            span = (min(published), max(published))
        else:
            return  # neither: no span it is complete for
        listed = {url for entry in entries if entry.loc and (url := canonical_url(entry.loc))}
        self.run.revisits.note_complete_listing(listed, *span)

    def _record_map(
        self,
        url: str,
        kind: str,
        response: Response,
        problem: str | None,
        *,
        found: str,
        entries: int = 0,
        **details: Any,
    ) -> None:
        """One sitemap document read: a source of ``entries`` (``found`` says what it gave, for the log)."""
        status: SourceStatus = "ok" if problem is None else "malformed" if entries else "failed"
        self.run.accounting.record_source(
            ListingSource(url, kind, status, http_status=response.status, entries=entries, problem=problem, **details)
        )
        if problem is not None:
            self._listings.state.forget(url)
            # WARNING: a map that cannot be read (wholly) leaves articles undiscovered.
            logger.warning("Sitemap %s: %s; kept %s", url, problem, found)
        else:
            logger.info("Sitemap %s: %s", url, found)

    def _follow(self, parent: MapToRead, maps: sitemaps.EditionMaps) -> Iterator[Request]:
        walk = self._walk
        remembered_before = len(walk.remembered)
        for document in walk.named(parent, maps):
            yield self._request_for(document)
        for index_url in walk.remembered[remembered_before:]:
            logger.info("Sitemap index %s: not requested, its monthly maps as the last finished run read it", index_url)

    def _month_answered(self, document: MapToRead) -> None:
        """A monthly map answered or failed: one more month walked, if the back-fill planned it."""
        if self._backfill_log is not None:
            self._backfill_log.month_walked(document.month)

    def _month_unreadable(self, document: MapToRead) -> None:
        """A monthly map named by a remembered index (not requested this run) that is gone or is
        not a map: the next run reads the index again, in case the map moved. (An index read this
        run named it as it is: reading it again would tell nothing new.)"""
        if document.named_by is not None and document.named_by in self._walk.remembered:
            self._listings.state.forget(document.named_by)
