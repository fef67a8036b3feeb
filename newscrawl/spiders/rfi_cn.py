"""rfi_cn: RFI 华语 feeds → article pages. Crawling only; extraction lives in the page objects.

Phase 1 fetches every feed and merges entries that point at one article (canonical URL).
Phase 2 starts when the feeds are done (``spider_idle``): each new article is requested once,
with its merged entries in ``cb_kwargs``. A page that cannot be had is re-fetched with the
browser when it was refused, else rebuilt from a feed's full text, else counted as lost.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newscrawl.config import feed_urls, optional, origin, read
from newscrawl.discovery.feeds import FeedEntry, parse_feed
from newscrawl.discovery.urls import RFI_ORIGIN, canonical_url, classify
from newscrawl.downloader.browser import (
    BROWSER_FLAG,
    BrowserFailure,
    browser_executable,
    browser_mode,
    install_browser_handler,
)
from newscrawl.downloader.hostguard import FEED_ROLE, OffsiteRequestRefused
from newscrawl.downloader.retry import RETRY_AFTER_REFUSED
from newscrawl.extract.dates import format_utc, http_date_to_utc
from newscrawl.extract.pages.feed_fulltext import feed_only_content
from newscrawl.extract.pages.rfi import RfiArticlePage
from newscrawl.items import Article, FeedProvenance
from newscrawl.run.manager import RunManager

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

# Refusals worth a second try with a real browser (503 is also what some script challenges answer),
# and the challenge or empty shell a page object cannot read an article from.
BROWSER_RETRY_REASONS = frozenset({"http_403", "http_429", "http_503", "shell"})


@dataclass
class ArticleLead:
    """One article to fetch: its canonical URL and every feed entry that points at it."""

    url: str
    entries: list[tuple[int, FeedEntry]] = field(default_factory=list)  # (feed index, entry)

    def add(self, feed_index: int, entry: FeedEntry) -> None:
        self.entries.append((feed_index, entry))
        self.entries.sort(key=lambda pair: (pair[0], pair[1].position))

    @property
    def first(self) -> FeedEntry:
        return self.entries[0][1]

    def provenance(self) -> FeedProvenance:
        entry = self.first
        return {
            "url": entry.feed_url,
            "entry_id": entry.entry_id,
            "entry_title": entry.title,
            "entry_published": entry.published,
            "position": entry.position,
        }


class RfiCnSpider(scrapy.Spider):
    name = "rfi_cn"
    fetch_origin: str = ""  # NEWSCRAWL_FETCH_ORIGIN, without a trailing slash
    browser: str = "off"  # see newscrawl.downloader.browser.browser_mode

    def __init__(self, feeds: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arguments: dict[str, Any] = {"feeds": feeds, **kwargs}
        self._feeds_argument = feeds
        self.feed_urls: list[str] = []
        self._leads: dict[str, ArticleLead] = {}
        self._feed_fetched_at: dict[str, str] = {}
        self._dispatched = False

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
        spider.browser = browser_mode(settings)
        logger.info("Browser fallback: %s", spider.browser)
        if spider.browser == "missing":
            logger.warning(
                "Browser fallback is on but no browser was found at %r (set NEWSCRAWL_BROWSER_EXECUTABLE, "
                "or install Debian's chromium): refused pages go straight to the feed-only path",
                browser_executable(settings),
            )
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    @cached_property
    def run(self) -> RunManager:
        """Looked up once (it is used for every feed entry)."""
        assert self.crawler is not None
        return RunManager.of(self.crawler)

    # --- phase 1: feeds -----------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.run.refused:
            return
        logger.info("Reading %d feeds", len(self.feed_urls))
        for index, url in enumerate(self.feed_urls):
            yield Request(
                url,
                callback=self.parse_feed,
                errback=self.feed_failed,
                cb_kwargs={"feed_index": index},
                meta={"newscrawl_role": FEED_ROLE},
                dont_filter=True,
            )

    def parse_feed(self, response: Response, feed_index: int) -> None:
        feed_url = self.feed_urls[feed_index]
        self._feed_fetched_at[feed_url] = fetched_at(response)
        content_type = response.headers.get("Content-Type")
        parsed = parse_feed(response.body, feed_url, content_type.decode("latin-1") if content_type else None)
        ok = bool(parsed.entries) or parsed.problem is None
        self.run.record_feed(
            feed_url, ok=ok, http_status=response.status, entries=len(parsed.entries), problem=parsed.problem
        )
        if parsed.problem:
            self.crawler.stats.inc_value("newscrawl/feeds/malformed")
            logger.warning(
                "Feed %s is malformed (%s): kept %d readable entries", feed_url, parsed.problem, len(parsed.entries)
            )
        self.crawler.stats.inc_value("newscrawl/feeds/ok" if ok else "newscrawl/feeds/failed")
        logger.info("Feed %s: %d entries", feed_url, len(parsed.entries))
        for entry in parsed.entries:
            self._take_entry(feed_index, entry)

    def feed_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        feed_url = self.feed_urls[request.cb_kwargs["feed_index"]]
        reason, status = failure_reason(failure)
        self.run.record_feed(feed_url, ok=False, http_status=status, entries=0, problem=reason)
        self.crawler.stats.inc_value("newscrawl/feeds/failed")
        logger.error("Feed %s could not be fetched: %s", feed_url, reason)

    def _take_entry(self, feed_index: int, entry: FeedEntry) -> None:
        run = self.run
        run.entry_seen()
        if not entry.link:
            run.count("lost", "no_link", detail=f"{entry.feed_url} entry {entry.position}")
            return
        url = canonical_url(entry.link)
        kind = classify(url) if url else "offsite"
        if url is None or kind not in ("article", "maybe_article"):
            run.count("skipped", kind, url=entry.link)
            return
        lead = self._leads.get(url)
        if lead is None:
            self._leads[url] = lead = ArticleLead(url)
        else:
            run.count("duplicate", "merged")
        lead.add(feed_index, entry)

    # --- phase 2: articles --------------------------------------------------------------------

    def spider_idle(self) -> None:
        if self._dispatched or self.run.refused:
            return
        self._dispatched = True
        assert self.crawler.engine is not None
        to_fetch = 0
        for lead in sorted(self._leads.values(), key=lambda lead: (lead.entries[0][0], lead.first.position)):
            if self.run.is_published(lead.url):
                self.run.count("duplicate", "already_stored")
                continue
            to_fetch += 1
            self.crawler.engine.crawl(self._article_request(lead))
        logger.info(
            "Feeds done: %d distinct articles, %d to fetch, %d already published",
            len(self._leads),
            to_fetch,
            len(self._leads) - to_fetch,
        )
        if to_fetch:
            raise DontCloseSpider

    def _fetch_url(self, url: str) -> str:
        if self.fetch_origin and url.startswith(RFI_ORIGIN + "/"):
            return self.fetch_origin + url[len(RFI_ORIGIN) :]
        return url

    def _canonical_response_url(self, response: Response) -> str | None:
        url = response.url
        if self.fetch_origin and url.startswith(self.fetch_origin + "/"):
            url = RFI_ORIGIN + url[len(self.fetch_origin) :]
        return canonical_url(url)

    def _article_request(self, lead: ArticleLead, *, browser: bool = False) -> Request:
        # A browser re-fetch asks for a URL already requested (dont_filter), once: plain HTTP has
        # had its retries, and a challenge that still answers 429/503 is not worth three more.
        return Request(
            self._fetch_url(lead.url),
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"lead": lead},
            meta={"newscrawl_role": "page", BROWSER_FLAG: browser, "dont_retry": browser},
            dont_filter=browser,
        )

    def parse_article(self, response: Response, lead: ArticleLead) -> Iterator[Any]:
        via_browser = bool(response.meta.get(BROWSER_FLAG))
        # The final URL, after redirects (the browser's too: a playwright response's URL is the page's).
        url = self._canonical_response_url(response)
        if url is None or classify(url) == "offsite":
            yield from self._page_unavailable(lead, "offsite_redirect", via_browser=via_browser)
            return
        if not isinstance(response, TextResponse):
            yield from self._page_unavailable(lead, "not_text", via_browser=via_browser)
            return
        # UTF-8 pages (all of rfi.fr) go to lxml as bytes, without a decode/encode round trip.
        html = response.body if response.encoding in ("utf-8", "utf8") else response.text
        result = RfiArticlePage(url, html).extract()
        stats = self.crawler.stats
        for problem in result.problems:
            stats.inc_value(f"newscrawl/page_problem/{problem}")
        if via_browser and result.kind != "shell":  # a shell's outcome is counted as the page's failure
            stats.inc_value(f"newscrawl/browser/outcome/{result.kind}")
        if result.kind == "not_article":
            self.run.count("skipped", "not_article_page", url=url)
            return
        if result.kind == "shell" or result.content is None:
            yield from self._page_unavailable(lead, "shell", via_browser=via_browser)
            return
        for name, source in result.sources.items():
            stats.inc_value(f"newscrawl/field_source/{name}/{source}")
        self.run.note_alias(lead.url, result.content.url)
        yield Article.from_content(
            result.content,
            content_source="page",
            fetched_with="browser" if via_browser else "http",
            feed=lead.provenance(),
            fetched_at=fetched_at(response),
        )

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        reason, _ = failure_reason(failure)
        yield from self._page_unavailable(
            request.cb_kwargs["lead"], reason, via_browser=bool(request.meta.get(BROWSER_FLAG))
        )

    def _page_unavailable(self, lead: ArticleLead, reason: str, *, via_browser: bool) -> Iterator[Any]:
        """A page that could not be had: browser re-fetch if it was refused, else feed text, else lost."""
        stats = self.crawler.stats
        stats.inc_value(f"newscrawl/page_failed/{reason}")
        if via_browser:
            stats.inc_value(f"newscrawl/browser/outcome/{reason}")
        elif reason in BROWSER_RETRY_REASONS and self.browser in ("live", "replay"):
            stats.inc_value("newscrawl/browser/requested")
            logger.info("Page %s refused (%s): trying the browser", lead.url, reason)
            yield self._article_request(lead, browser=True)
            return
        for _, entry in lead.entries:
            content = feed_only_content(lead.url, [entry])
            if content is None:
                continue
            logger.info("Page %s unavailable (%s): using the full text of %s", lead.url, reason, entry.feed_url)
            yield Article.from_content(
                content,
                content_source="feed",
                fetched_with="http",
                feed=lead.provenance(),
                fetched_at=self._feed_fetched_at.get(entry.feed_url),
            )
            return
        logger.warning("Lost %s: page unavailable (%s) and no feed carries its full text", lead.url, reason)
        self.run.count("lost", "no_fulltext", url=lead.url, detail=reason)


def fetched_at(response: Response) -> str:
    """When the response was produced: its Date header (the recorded date in replay), else now."""
    header = response.headers.get("Date")
    return http_date_to_utc(header.decode("latin-1") if header else None) or format_utc(datetime.now(UTC))


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """A short, stable reason for a failed request (used in stats and the manifest)."""
    if failure.check(HttpError):
        response = failure.value.response  # type: ignore[union-attr]
        status = int(response.status)
        if response.meta.get(RETRY_AFTER_REFUSED) is not None:
            return "retry_after_too_long", status
        return f"http_{status}", status
    if failure.check(BrowserFailure):
        return failure.value.reason, None  # type: ignore[union-attr]
    if failure.check(OffsiteRequestRefused):
        return "offsite_redirect", None
    if failure.check(IgnoreRequest):
        return "ignored", None
    return type(failure.value).__name__, None
