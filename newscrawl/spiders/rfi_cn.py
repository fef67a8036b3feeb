"""rfi_cn: RFI 华语 feeds and sitemaps → article pages. Crawling only; extraction lives in the page objects.

Phase 1 reads the listings: every feed, and the sitemaps (``NEWSCRAWL_SITEMAPS``: the news sitemap,
robots.txt files whose ``Sitemap:`` lines name more, and the monthly contents maps when a catch-up
or a back-fill needs them: ``discovery.backfill``, ``discovery.sitemap_walk``). Each listing is
requested with the validators of the last finished run; a 304 is an unchanged listing. Entries
that point at one article are merged (``discovery.listings``), feeds before sitemaps.
Phase 2 starts when every listing is done (``spider_idle``): each new article is requested once,
with its ``Listing`` (merged entries) in ``cb_kwargs``. A page that cannot be had is re-fetched with the
browser when it was refused, else rebuilt from a feed's full text, else counted as lost. Articles
already in the dataset that are due (age schedule; a listing saying they changed, or a news
sitemap no longer listing them) are revisited with a conditional request after the new ones
(``newscrawl.run.revisits``): a new version, a tombstone once a removal is confirmed, or an
outcome without a record.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import (
    DontCloseSpider,
    DownloadCancelledError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from newscrawl.config import feed_urls, optional, origin, read
from newscrawl.discovery import sitemaps
from newscrawl.discovery.backfill import (
    BackfillPlan,
    BackfillProgress,
    in_window,
    month_span,
    months_covering,
    plan_backfill,
)
from newscrawl.discovery.feeds import FeedEntry, parse_feed
from newscrawl.discovery.listings import ListedEntry, Listing, Listings, changed_at, listed_by
from newscrawl.discovery.options import sitemap_options
from newscrawl.discovery.sitemap_walk import INDEX_KIND, MapToRead, SitemapWalk, SourceOrder, feed_order
from newscrawl.discovery.sitemaps import SitemapEntry, SitemapImage
from newscrawl.discovery.urls import RFI_ORIGIN, canonical_url, classify
from newscrawl.downloader.browser import (
    BROWSER_FLAG,
    browser_executable,
    browser_mode,
    install_browser_handler,
)
from newscrawl.downloader.hostguard import FEED_ROLE
from newscrawl.downloader.reachability import HostUnreachable
from newscrawl.extract.dates import format_utc, http_date_to_utc
from newscrawl.extract.pages.feed_fulltext import feed_only_content
from newscrawl.extract.pages.rfi import RfiArticlePage
from newscrawl.extract.text import counted
from newscrawl.items import REMOVED, Article, content_hash
from newscrawl.run.accounting import outcomes_total
from newscrawl.run.clock import RunClock
from newscrawl.run.counters import incrementer
from newscrawl.run.extension import Run
from newscrawl.run.history import last_finished_start
from newscrawl.run.outcomes import ENTRY_REQUEST, ListingSource, SourceStatus, report_outcome
from newscrawl.run.revisits import REVISIT_REQUEST, Ticket
from newscrawl.spiders.failures import failure_reason, revisit_failure_reason
from newscrawl.store.listings import ListingState, ListingStateStore, header_value

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from newscrawl.discovery.options import SitemapOptions
    from newscrawl.discovery.sitemaps import Month

logger = logging.getLogger(__name__)

# Refusals worth a second try with a real browser (503 is also what some script challenges answer),
# and the challenge or empty shell a page object cannot read an article from.
BROWSER_RETRY_REASONS = frozenset({"http_403", "http_429", "http_503", "shell"})
NOT_MODIFIED = 304
# Statuses a revisit's callback reads itself: not modified, and the two that say a page is gone.
GONE_STATUSES = frozenset({404, 410})
REVISIT_STATUSES = [NOT_MODIFIED, *sorted(GONE_STATUSES)]
GONE_REASONS = frozenset(f"http_{status}" for status in GONE_STATUSES)
SITEMAP_ROLE = "sitemap"  # meta["newscrawl_role"] of sitemap and robots.txt requests


class RfiCnSpider(scrapy.Spider):
    name = "rfi_cn"
    # What an article request may carry through a fleet's shared frontier (newscrawl.fleet.request_json):
    # the methods it may name, and the types its cb_kwargs hold.
    frontier_callbacks = frozenset({"parse_article", "article_failed"})
    frontier_types = (Listing, FeedEntry, SitemapEntry, SitemapImage)
    fetch_origin: str = ""  # NEWSCRAWL_FETCH_ORIGIN, without a trailing slash
    browser: str = "off"  # see newscrawl.downloader.browser.browser_mode

    def __init__(self, feeds: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arguments: dict[str, Any] = {"feeds": feeds, **kwargs}
        self._feeds_argument = feeds
        self.feed_urls: list[str] = []
        self._listings = Listings()
        self._dispatched = False
        self.sitemaps: SitemapOptions | None = None
        self._walk: SitemapWalk | None = None
        self._plan: BackfillPlan | None = None
        self._progress: BackfillProgress | None = None
        self._progress_task: LoopingCall | None = None
        self._progress_since = 0.0  # time.monotonic() when the back-fill's articles were queued
        self._outcomes_at_dispatch = 0

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        install_browser_handler(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        # Checked by the crawl command before the crawl starts (newscrawl.config).
        spider.feed_urls = feed_urls(settings, spider._feeds_argument)
        spider.fetch_origin = read(settings, "NEWSCRAWL_FETCH_ORIGIN", optional(origin)) or ""
        spider.sitemaps = sitemap_options(settings, spider.arguments, RunClock.from_settings(settings).now())
        spider.browser = browser_mode(settings)
        logger.info("Browser fallback: %s", spider.browser)
        if spider.browser == "missing":
            logger.warning(
                "Browser fallback is on but no browser was found at %r (set NEWSCRAWL_BROWSER_EXECUTABLE, "
                "or install Debian's chromium): refused pages go straight to the feed-only path",
                browser_executable(settings),
            )
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.spider_closed, signal=signals.spider_closed)
        return spider

    @cached_property
    def run(self) -> Run:
        """Looked up once (it is used for every feed entry)."""
        assert self.crawler is not None
        return Run.of(self.crawler)

    @cached_property
    def _increment(self) -> Callable[[str], None]:
        """The stats' inc_value, bound once: parse_article counts ~12 stats an article."""
        assert self.crawler is not None
        return incrementer(self.crawler.stats)

    def _listing_state(self) -> ListingStateStore:
        state = self.run.listing_state
        assert state is not None, "the run opens it with the data dir, before any request"
        return state

    # --- phase 1: listings --------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.run.refused:
            return
        logger.info("Reading %s", counted(len(self.feed_urls), "feed"))
        for index, url in enumerate(self.feed_urls):
            yield self._listing_request(url, self.parse_feed, self.feed_failed, {"feed_index": index}, FEED_ROLE)
        assert self.sitemaps is not None
        if not self.sitemaps.urls:
            return
        self._plan_backfill(self.sitemaps)
        self._walk = SitemapWalk(
            self.sitemaps.urls, self._plan, self._known_kind, self._watched_months(), self._remembered_maps
        )
        for document in self._walk.start():
            yield self._map_request(document)

    def _plan_backfill(self, options: SitemapOptions) -> None:
        run = self.run
        self._plan = plan = plan_backfill(
            run.started,
            since=options.since,
            last_finished=last_finished_start(run.identity.runs_dir),
            max_days=options.backfill_max_days,
        )
        if plan is None:
            return
        run.backfill = plan.summary(missing_months=[])
        self._progress = BackfillProgress(months_total=len(plan.months))
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

    def _watched_months(self) -> tuple[Month, ...]:
        """The months whose articles are still on the revisit schedule: their contents maps are read
        every run, for the lastmods and absences that are revisit signals (none without revisits)."""
        policy = self.run.revisits.policy
        if not policy.ages or not policy.max_per_run or not self.run.revisits.makes_revisits:
            return ()
        now = self.run.started
        return months_covering(now - policy.last_age, now)

    def _known_kind(self, url: str) -> str | None:
        state = self._listing_state().get(url)
        return state.kind if state is not None else None

    def _remembered_maps(self, index_url: str) -> sitemaps.EditionMaps | None:
        """The maps a sitemap index named when the last finished run read it (or None)."""
        state = self._listing_state().get(index_url)
        if state is None or state.kind != INDEX_KIND:
            return None
        return sitemaps.edition_maps(state.children, index_url)

    def _listing_request(
        self, url: str, callback: Any, errback: Any, cb_kwargs: dict[str, Any], role: str, *, robots: bool = False
    ) -> Request:
        """A listing's request, conditional on the validators the last finished run kept for it.

        robots.txt is not conditional: the run's one request for it also answers Scrapy's robots
        middleware (``downloader.robots_once``), which needs the file itself, not a 304.
        """
        state = None if robots else self._listing_state().get(url)
        return Request(
            self._fetch_url(url),
            callback=callback,
            errback=errback,
            headers=state.request_headers() if state is not None else None,
            cb_kwargs=cb_kwargs,
            meta={"newscrawl_role": role, "handle_httpstatus_list": [NOT_MODIFIED], "dont_obey_robotstxt": robots},
            dont_filter=True,
        )

    def _keep_validators(self, url: str, response: Response, kind: str, children: tuple[str, ...] = ()) -> None:
        """Remember a listing read whole for the next run (committed only if this run finishes)."""
        etag = header_value(response.headers.get("ETag"))
        last_modified = header_value(response.headers.get("Last-Modified"))
        self._listing_state().put(url, ListingState(etag, last_modified, kind, children))

    def _unchanged(self, url: str, kind: str) -> None:
        """A 304: the listing is as the last finished run read it."""
        self.run.accounting.record_source(ListingSource(url, kind, "ok", http_status=NOT_MODIFIED, not_modified=True))
        logger.info("%s %s: unchanged (304)", kind.capitalize(), url)

    def parse_feed(self, response: Response, feed_index: int) -> None:
        feed_url = self.feed_urls[feed_index]
        if response.status == NOT_MODIFIED:
            self._unchanged(feed_url, "feed")
            return
        content_type = response.headers.get("Content-Type")
        parsed = parse_feed(
            response.body,
            feed_url,
            content_type.decode("latin-1") if content_type else None,
            self._fetched_at(response),
        )
        status: SourceStatus = "ok" if parsed.problem is None else "malformed" if parsed.entries else "failed"
        self.run.accounting.record_source(
            ListingSource(
                feed_url,
                "feed",
                status,
                http_status=response.status,
                entries=len(parsed.entries),
                problem=parsed.problem,
            )
        )
        if parsed.problem:
            self._listing_state().forget(feed_url)
            # INFO: the feed's problem is its publisher's; it is counted and named in the manifest.
            logger.info(
                "Feed %s is malformed (%s): kept %s",
                feed_url,
                parsed.problem,
                counted(len(parsed.entries), "readable entry", "readable entries"),
            )
        else:
            self._keep_validators(feed_url, response, "feed")
        logger.info("Feed %s: %s", feed_url, counted(len(parsed.entries), "entry", "entries"))
        for entry in parsed.entries:
            self._take_entry(feed_order(feed_index), entry)

    def feed_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        feed_url = self.feed_urls[request.cb_kwargs["feed_index"]]
        reason, status = failure_reason(failure)
        self.run.accounting.record_source(ListingSource(feed_url, "feed", "failed", http_status=status, problem=reason))
        # An unreachable host was named once, as an ERROR, by the downloader.
        level = logging.INFO if failure.check(HostUnreachable) else logging.ERROR
        logger.log(level, "Feed %s could not be fetched: %s", feed_url, reason)

    def _map_request(self, document: MapToRead) -> Request:
        robots = document.role == "robots"
        callback = self.parse_robots if robots else self.parse_map
        return self._listing_request(
            document.url, callback, self.map_failed, {"document": document}, SITEMAP_ROLE, robots=robots
        )

    def parse_robots(self, response: Response, document: MapToRead) -> Iterator[Request]:
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

    def parse_map(self, response: Response, document: MapToRead) -> Iterator[Request]:
        """A sitemap (news, contents) or a sitemap index; a monthly map's entries are kept to the plan's window."""
        kind = "contents" if document.role == "month" else "sitemap"
        if document.role == "month":
            self._month_walked(document)
        if response.status == NOT_MODIFIED:
            known = self._known_kind(document.url)
            self._unchanged(document.url, "sitemap_index" if known == INDEX_KIND else kind)
            remembered = self._remembered_maps(document.url) if document.role != "month" else None
            if remembered is not None:
                yield from self._follow(document, remembered)
            return
        max_size = int(response.meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE")))
        assert self.sitemaps is not None
        parsed = sitemaps.parse_sitemap(response.body, document.url, max_size=max_size, max_urls=self.sitemaps.max_urls)
        if parsed.kind == INDEX_KIND and document.role != "month":
            maps = sitemaps.maps_from_index(parsed.children, document.url)
            named = counted(len(maps.months), "monthly contents map") + " named"
            self._record_map(
                document.url, "sitemap_index", response, parsed.problem, found=named, skipped=dict(maps.skipped)
            )
            if parsed.problem is None:
                self._keep_validators(document.url, response, INDEX_KIND, tuple(maps.months.values()))
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
            self._keep_validators(document.url, response, "urlset")
        if problem is None:
            self._note_complete(document, entries)
        elif document.role == "month":
            self._month_unreadable(document)
        for entry in taken:
            self._take_entry(document.order, entry)

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
            self._listing_state().forget(url)
            # WARNING: a map that cannot be read (wholly) leaves articles undiscovered.
            logger.warning("Sitemap %s: %s; kept %s", url, problem, found)
        else:
            logger.info("Sitemap %s: %s", url, found)

    def map_failed(self, failure: Failure) -> None:
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
            self._month_walked(document)
            self._month_unreadable(document)
        # A site may have no robots.txt; a sitemap that cannot be had leaves articles undiscovered.
        level = logging.INFO if document.role == "robots" or failure.check(HostUnreachable) else logging.WARNING
        logger.log(level, "%s %s could not be fetched: %s", kind.capitalize(), document.url, reason)

    def _follow(self, parent: MapToRead, maps: sitemaps.EditionMaps) -> Iterator[Request]:
        walk = self._walk
        assert walk is not None
        remembered_before = len(walk.remembered)
        for document in walk.named(parent, maps):
            yield self._map_request(document)
        for index_url in walk.remembered[remembered_before:]:
            logger.info("Sitemap index %s: not requested, its monthly maps as the last finished run read it", index_url)

    def _month_unreadable(self, document: MapToRead) -> None:
        """A monthly map that could not be read whole: the next run reads its index again, in case it moved."""
        if document.named_by is not None:
            self._listing_state().forget(document.named_by)

    def _month_walked(self, document: MapToRead) -> None:
        planned = self._plan is not None and document.month in self._plan.months  # not only watched
        if self._progress is not None and planned:
            self._progress.months_walked += 1

    def _take_entry(self, order: SourceOrder, entry: ListedEntry) -> None:
        decision = self._listings.take(order, entry)
        if decision is not None:
            report_outcome(self.crawler, decision.outcome, decision.reason, url=decision.url, detail=decision.detail)

    # --- phase 2: articles --------------------------------------------------------------------

    def spider_idle(self) -> None:
        if self._dispatched or self.run.refused:
            return
        self._dispatched = True
        assert self.crawler.engine is not None
        revisits = self.run.revisits
        to_fetch = 0
        for listing in self._listings.in_order():
            if self.run.publication.is_published(listing.url) or revisits.state(listing.url) is not None:
                report_outcome(self.crawler, "duplicate", "already_stored")
                for _, entry in listing.entries:
                    revisits.note_listing(listing.url, changed_at(entry))
                continue
            to_fetch += 1
            self.crawler.engine.crawl(self._article_request(listing))
        tickets = revisits.plan()
        for ticket in tickets:
            self.crawler.engine.crawl(self._revisit_request(ticket))
        logger.info(
            "Listings done: %s, %d to fetch, %d already published; %s (%d deferred to later runs)",
            counted(len(self._listings), "distinct article"),
            to_fetch,
            len(self._listings) - to_fetch,
            counted(len(tickets), "revisit"),
            revisits.deferred,
        )
        self._start_progress(to_fetch)
        if to_fetch or tickets:
            raise DontCloseSpider

    def _start_progress(self, queued: int) -> None:
        """A back-fill logs its progress now, every LOGSTATS_INTERVAL seconds, and when the spider closes."""
        plan, progress = self._plan, self._progress
        if plan is None or progress is None or self._walk is None:
            return
        missing = self._walk.missing_months()
        if missing:
            self.run.backfill = plan.summary(missing)
            # An explicit back-fill that cannot reach a month is a problem; a catch-up on a site
            # (or an archive) without an index only reads what there is.
            level = logging.WARNING if plan.reason == "since" else logging.INFO
            logger.log(level, "%s: no contents sitemap named for %s", plan.label, ", ".join(map(str, missing)))
        if len(missing) == progress.months_total:
            self._progress = None  # nothing walked: no progress to report
            return
        progress.queued = queued
        self._progress_since = time.monotonic()
        self._outcomes_at_dispatch = outcomes_total(self.run.accounting.counts())
        self._log_progress()
        interval = self.settings.getfloat("LOGSTATS_INTERVAL")
        if queued and interval > 0:
            self._progress_task = LoopingCall(self._log_progress)
            self._progress_task.start(interval, now=False)

    def _log_progress(self, final: bool = False) -> None:
        assert self._plan is not None
        assert self._progress is not None
        done = outcomes_total(self.run.accounting.counts()) - self._outcomes_at_dispatch
        line = self._progress.line(done, time.monotonic() - self._progress_since)
        logger.info("%s%s: %s", self._plan.label, " done" if final else "", line)

    def spider_closed(self) -> None:
        if self._progress_task is not None and self._progress_task.running:
            self._progress_task.stop()
        if self._progress is not None and self._dispatched:
            self._log_progress(final=True)

    def _fetch_url(self, url: str) -> str:
        if self.fetch_origin and url.startswith(RFI_ORIGIN + "/"):
            return self.fetch_origin + url[len(RFI_ORIGIN) :]
        return url

    def _canonical_fetched_url(self, url: str) -> str | None:
        if self.fetch_origin and url.startswith(self.fetch_origin + "/"):
            url = RFI_ORIGIN + url[len(self.fetch_origin) :]
        return canonical_url(url)

    def _article_request(self, listing: Listing, *, browser: bool = False) -> Request:
        # A browser re-fetch asks for a URL already requested (dont_filter), once: plain HTTP has
        # had its retries, and a challenge that still answers 429/503 is not worth three more.
        return Request(
            self._fetch_url(listing.url),
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"listing": listing},
            meta={"newscrawl_role": "page", ENTRY_REQUEST: listing.url, BROWSER_FLAG: browser, "dont_retry": browser},
            dont_filter=browser,
        )

    def parse_article(self, response: Response, listing: Listing) -> Iterator[Any]:
        via_browser = bool(response.meta.get(BROWSER_FLAG))
        # The final URL, after redirects (the browser's too: a playwright response's URL is the page's).
        url = self._canonical_fetched_url(response.url)
        if url is None or classify(url) == "offsite":
            yield from self._page_unavailable(listing, "offsite_redirect", via_browser=via_browser)
            return
        if not isinstance(response, TextResponse):
            yield from self._page_unavailable(listing, "not_text", via_browser=via_browser)
            return
        # UTF-8 pages (all of rfi.fr) go to lxml as bytes, without a decode/encode round trip.
        html = response.body if response.encoding in ("utf-8", "utf8") else response.text
        result = RfiArticlePage(url, html).extract()
        increment = self._increment
        for problem in result.problems:
            increment(f"newscrawl/page_problem/{problem}")
        if via_browser and result.kind != "shell":  # a shell's outcome is counted as the page's failure
            increment(f"newscrawl/browser/outcome/{result.kind}")
        if result.kind == "not_article":
            report_outcome(self.crawler, "skipped", "not_article_page", url=url)
            return
        if result.kind == "shell" or result.content is None:
            yield from self._page_unavailable(listing, "shell", via_browser=via_browser)
            return
        for name, source in result.sources.items():
            increment(f"newscrawl/field_source/{name}/{source}")
        self.run.publication.note_alias(listing.url, result.content.url)
        self.run.revisits.note_validators(result.content.url, response)
        yield Article.from_content(
            result.content,
            content_source="page",
            fetched_with="browser" if via_browser else "http",
            feed=listing.provenance(),
            fetched_at=self._fetched_at(response),
        )

    def request_dropped(self, request: Request) -> None:
        """An article request (or its redirect) to a URL this run already requested: the run counts it
        a duplicate; its listing's link is remembered as a link to that article."""
        listing_url = request.meta.get(ENTRY_REQUEST)
        target = self._canonical_fetched_url(request.url)
        if listing_url is not None and target is not None:
            self.run.publication.note_alias(listing_url, target)

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        reason, _ = failure_reason(failure)
        yield from self._page_unavailable(
            request.cb_kwargs["listing"], reason, via_browser=bool(request.meta.get(BROWSER_FLAG))
        )

    def _page_unavailable(self, listing: Listing, reason: str, *, via_browser: bool) -> Iterator[Any]:
        """A page that could not be had: browser re-fetch if it was refused, else feed text, else lost."""
        stats = self.crawler.stats
        stats.inc_value(f"newscrawl/page_failed/{reason}")
        if via_browser:
            stats.inc_value(f"newscrawl/browser/outcome/{reason}")
        elif reason in BROWSER_RETRY_REASONS and self.browser in ("live", "replay"):
            stats.inc_value("newscrawl/browser/requested")
            logger.info("Page %s refused (%s): trying the browser", listing.url, reason)
            yield self._article_request(listing, browser=True)
            return
        for entry in listing.feed_entries():
            content = feed_only_content(listing.url, [entry])
            if content is None:
                continue
            logger.info("Page %s unavailable (%s): using the full text of %s", listing.url, reason, entry.feed_url)
            if reason in GONE_REASONS:
                self.run.revisits.gone_at_first_fetch(content.url, reason)
            yield Article.from_content(
                content,
                content_source="feed",
                fetched_with="http",
                feed=listing.provenance(),
                fetched_at=entry.fetched_at,
            )
            return
        # INFO: an entry lost is an outcome like the others (listed in the manifest, tried again next run:
        # the listings that had it are read in full again, not answered by a 304).
        logger.info("Lost %s: page unavailable (%s) and no feed carries its full text", listing.url, reason)
        for _, listed in listing.entries:
            self._listing_state().forget(listed_by(listed))
        report_outcome(self.crawler, "lost", "no_fulltext", url=listing.url, detail=reason)

    # --- revisits -------------------------------------------------------------------------------

    def _revisit_request(self, ticket: Ticket) -> Request:
        # After the new articles (lower priority); never filtered as a URL seen before; 304/404/410
        # reach the callback, which tells a removal from the rest.
        return Request(
            self._fetch_url(ticket.url),
            callback=self.parse_revisit,
            errback=self.revisit_failed,
            cb_kwargs={"revisit": ticket},
            headers=ticket.request_headers(),
            meta={"newscrawl_role": "page", REVISIT_REQUEST: ticket.url, "handle_httpstatus_list": REVISIT_STATUSES},
            priority=-1,
            dont_filter=True,
        )

    def parse_revisit(self, response: Response, revisit: Ticket) -> Iterator[Any]:
        revisits = self.run.revisits
        if response.status == NOT_MODIFIED:
            if revisit.request_headers():
                revisits.not_modified(revisit, response)
            else:  # a 304 to a request that had nothing to compare with says nothing about the page
                revisits.failed(revisit, "http_304_unasked")
            return
        if response.status in GONE_STATUSES:
            yield from self._gone(revisit, f"http_{response.status}", response)
            return
        url = self._canonical_fetched_url(response.url)
        redirected = url != revisit.url
        if url is None or classify(url) == "offsite":
            revisits.failed(revisit, "offsite_redirect")
            return
        if not isinstance(response, TextResponse):
            revisits.failed(revisit, "not_text")
            return
        html = response.body if response.encoding in ("utf-8", "utf8") else response.text
        result = RfiArticlePage(url, html).extract()
        if result.kind == "not_article":
            if redirected:  # sent to a home page or a section front: the article is gone
                yield from self._gone(revisit, "redirect", response)
            else:
                revisits.failed(revisit, "not_article")
            return
        content = result.content
        if result.kind == "shell" or content is None:
            revisits.failed(revisit, "challenge")
            return
        if redirected or content.url != revisit.url:  # another article now: not this one's new version
            revisits.failed(revisit, "moved")
            return
        state = revisit.state
        if state.status != REMOVED and content_hash(asdict(content)) == state.content_hash:
            revisits.unchanged(revisit, response)
            return
        revisits.note_validators(revisit.url, response)
        yield Article.from_content(
            content,
            content_source="page",
            fetched_with="http",
            feed=json.loads(state.feed) if state.feed else None,
            fetched_at=self._fetched_at(response),
            version=state.version + 1,
            first_seen=state.first_seen,
        )

    def _gone(self, revisit: Ticket, reason: str, response: Response) -> Iterator[Any]:
        tombstone = self.run.revisits.gone(revisit, reason, self._fetched_at(response))
        if tombstone is not None:
            logger.info("Article %s gone (%s) since %s: tombstone", revisit.url, reason, tombstone.removed_at)
            yield tombstone

    def revisit_failed(self, failure: Failure) -> None:
        ticket: Ticket = failure.request.cb_kwargs["revisit"]  # type: ignore[attr-defined]
        reason = revisit_failure_reason(failure)
        logger.info("Revisit of %s failed (%s): tried again later", ticket.url, reason)
        self.run.revisits.failed(ticket, reason)

    def _fetched_at(self, response: Response) -> str:
        """When the response was produced: the frozen run clock, else its Date header (the recorded
        date in replay), else now."""
        clock = self.run.clock
        if clock.frozen is not None:
            return clock.stamp()
        header = response.headers.get("Date")
        return http_date_to_utc(header.decode("latin-1") if header else None) or clock.stamp()
