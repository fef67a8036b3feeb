"""rfi_cn: RFI 华语 feeds and sitemaps → article pages. Crawling only; extraction lives in the page objects.

Phase 1 reads the listings: every feed, and the sitemaps (``NEWSCRAWL_SITEMAPS``: the news sitemap,
robots.txt files whose ``Sitemap:`` lines name more, and the monthly contents maps when a catch-up,
a back-fill or the revisits need them: ``spiders.sitemap_reading``). Each listing is requested
with the validators of the last finished run; a 304 is an unchanged listing (``spiders.listing_requests``).
Entries that point at one article are merged (``discovery.listings``), feeds before sitemaps.
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
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict
from functools import cached_property
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newscrawl.config import feed_urls, optional, origin, read
from newscrawl.discovery.feeds import FeedEntry, parse_feed
from newscrawl.discovery.listings import ListedEntry, Listing, Listings, changed_at, listed_by
from newscrawl.discovery.options import sitemap_options
from newscrawl.discovery.sitemap_walk import MapToRead, SourceOrder, feed_order
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
from newscrawl.extract.dates import http_date_to_utc
from newscrawl.extract.pages.feed_fulltext import feed_only_content
from newscrawl.extract.pages.rfi import RfiArticlePage
from newscrawl.extract.text import counted
from newscrawl.items import REMOVED, Article, content_hash
from newscrawl.run.clock import RunClock
from newscrawl.run.counters import incrementer
from newscrawl.run.extension import Run
from newscrawl.run.outcomes import ENTRY_REQUEST, ListingSource, SourceStatus, report_outcome
from newscrawl.run.revisits import REVISIT_REQUEST, Ticket
from newscrawl.spiders.failures import GONE_STATUSES, failure_reason, revisit_failure_reason
from newscrawl.spiders.listing_requests import NOT_MODIFIED, ListingRequests
from newscrawl.spiders.sitemap_reading import SitemapReading

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from newscrawl.discovery.options import SitemapOptions

logger = logging.getLogger(__name__)

# Refusals worth a second try with a real browser (503 is also what some script challenges answer),
# and the challenge or empty shell a page object cannot read an article from.
BROWSER_RETRY_REASONS = frozenset({"http_403", "http_429", "http_503", "shell"})
# Statuses a revisit's callback reads itself: not modified, and the two that say a page is gone.
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
        self._sitemap_reading: SitemapReading | None = None  # when sitemaps are read

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

    @cached_property
    def _listing_requests(self) -> ListingRequests:
        return ListingRequests(self.run, self._fetch_url)

    # --- phase 1: listings --------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.run.refused:
            return
        logger.info("Reading %s", counted(len(self.feed_urls), "feed"))
        for index, url in enumerate(self.feed_urls):
            yield self._listing_requests.request(
                url, self.parse_feed, self.feed_failed, {"feed_index": index}, FEED_ROLE
            )
        assert self.sitemaps is not None
        if not self.sitemaps.urls:
            return
        self._sitemap_reading = reading = SitemapReading(
            self.run,
            self.settings,
            self.sitemaps,
            self._listing_requests,
            request_for=self._map_request,
            take_entry=self._take_entry,
        )
        for request in reading.start():
            yield request

    def parse_feed(self, response: Response, feed_index: int) -> None:
        feed_url = self.feed_urls[feed_index]
        if response.status == NOT_MODIFIED:
            self._listing_requests.unchanged(feed_url, "feed")
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
            self._listing_requests.state.forget(feed_url)
            # INFO: the feed's problem is its publisher's; it is counted and named in the manifest.
            logger.info(
                "Feed %s is malformed (%s): kept %s",
                feed_url,
                parsed.problem,
                counted(len(parsed.entries), "readable entry", "readable entries"),
            )
        else:
            self._listing_requests.keep_validators(feed_url, response, "feed")
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
        return self._listing_requests.request(
            document.url, callback, self.map_failed, {"document": document}, SITEMAP_ROLE, robots=robots
        )

    def parse_robots(self, response: Response, document: MapToRead) -> Iterator[Request]:
        assert self._sitemap_reading is not None
        yield from self._sitemap_reading.robots(response, document)

    def parse_map(self, response: Response, document: MapToRead) -> Iterator[Request]:
        assert self._sitemap_reading is not None
        yield from self._sitemap_reading.map(response, document)

    def map_failed(self, failure: Failure) -> None:
        assert self._sitemap_reading is not None
        self._sitemap_reading.failed(failure)

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
        if self._sitemap_reading is not None:
            self._sitemap_reading.articles_queued(to_fetch)
        if to_fetch or tickets:
            raise DontCloseSpider

    def spider_closed(self) -> None:
        if self._sitemap_reading is not None:
            self._sitemap_reading.closed()

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
            self._listing_requests.state.forget(listed_by(listed))
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
