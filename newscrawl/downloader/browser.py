"""The real-browser fallback (scrapy-playwright): when it is on, how it is configured, and the
downloader middleware that sends the requests the spider marks through headless Chromium.

The Playwright download handler starts a Node driver as soon as it is built (at engine start),
so it is installed only when the fallback is on, a browser executable exists and we are not
replaying (a replayed browser request is served from the archive like any other), and only for
the scheme of the page origin (the one origin browser requests go to).

Memory: at most ``NEWSCRAWL_BROWSER_MAX_PAGES`` browser requests are in flight at once (held in
the middleware: Scrapy's per-host limit does not hold with ``DOWNLOAD_DELAY = 0``); each gets a
new page, closed by scrapy-playwright once the HTML is read; pages share a browser context
(cookies, so a solved challenge carries over) for at most ``NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT``
pages, then the context is closed once its last page is done and the next request opens a fresh one.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured

from newscrawl.config import duration, flag, positive_int, read, text
from newscrawl.discovery.urls import RFI_ORIGIN
from newscrawl.downloader.hostguard import origin_of

if TYPE_CHECKING:
    from typing import Self

    from playwright.async_api import BrowserContext, Page, Route
    from playwright.async_api import Request as PlaywrightRequest
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)
# Playwright and scrapy-playwright are imported inside the functions that use them: only a live
# browser fallback needs them, and importing them costs every other run (replay, fallback off).

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Request meta set by the spider: fetch this request with the browser.
BROWSER_FLAG = "newscrawl_browser"
_GENERATION = "newscrawl_browser_generation"  # which context generation the request was given
_PAGE_OPENED = "newscrawl_browser_page_opened"  # the browser did open a page for the request
_SETTLE = "newscrawl_settle"
# Chromium as root in a container, without the background traffic a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What a text extractor never needs (PLAYWRIGHT_ABORT_REQUEST also aborts every other origin).
BLOCKED_RESOURCE_TYPES = frozenset({"image", "media", "font"})
# The page holds an article (NewsArticle JSON-LD or body paragraphs): a challenge has been passed,
# a script-built body has been built. A hint to stop waiting; the page object decides for real.
_ARTICLE_READY = """() =>
  [...document.querySelectorAll('script[type="application/ld+json"]')]
    .some((s) => /"(News|Reportage|Analysis)?Article"/.test(s.textContent))
  || document.querySelector(".t-content__body p, article p") !== null"""
# HTTP status of the document the page shows now (after a challenge's reload, not the first one).
_DOCUMENT_STATUS = """() => {
  const [navigation] = performance.getEntriesByType("navigation");
  return navigation && navigation.responseStatus ? navigation.responseStatus : null;
}"""


class BrowserFailure(IgnoreRequest):
    """A browser fetch that failed (navigation error, timeout); ``reason`` names it in stats and manifest."""

    reason = "browser_error"


class BrowserUnavailable(BrowserFailure):
    """The browser could not be started: no browser request is tried again in this run."""

    reason = "browser_unavailable"


def browser_executable(settings: BaseSettings) -> str:
    """``NEWSCRAWL_BROWSER_EXECUTABLE``: a ``-s`` setting beats the environment variable, which beats settings.py."""
    return read(settings, "NEWSCRAWL_BROWSER_EXECUTABLE", text)


def _executable_path(settings: BaseSettings) -> str | None:
    """The browser executable as an absolute path (a bare name is looked up in PATH), if it exists."""
    executable = browser_executable(settings)
    return shutil.which(executable) if executable else None


def browser_mode(settings: BaseSettings) -> str:
    """``off``, ``replay`` (served from the archive), ``missing`` (no executable) or ``live``."""
    if not read(settings, "NEWSCRAWL_BROWSER_FALLBACK", flag):
        return "off"
    if settings.get("NEWSCRAWL_REPLAY_DIR"):
        return "replay"
    return "live" if _executable_path(settings) else "missing"


def page_origin(settings: BaseSettings) -> str:
    """Where article pages (and so browser requests) are fetched from."""
    return str(settings.get("NEWSCRAWL_FETCH_ORIGIN") or RFI_ORIGIN).rstrip("/")


def install_browser_handler(settings: BaseSettings) -> None:
    """Add the scrapy-playwright settings when the live browser fallback is usable."""
    if browser_mode(settings) != "live":
        return
    origin = urlsplit(page_origin(settings))
    # Chromium follows redirects without asking the request router: a host other than the page
    # origin's does not resolve, so a redirect to another host fails in the browser too.
    resolver_rules = f"MAP * ~NOTFOUND , EXCLUDE {origin.hostname}"
    overrides: dict[str, Any] = {
        "DOWNLOAD_HANDLERS": {**settings.getdict("DOWNLOAD_HANDLERS"), origin.scheme: PLAYWRIGHT_HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": _executable_path(settings),
            "headless": True,
            "args": [*CHROMIUM_ARGS, f"--host-resolver-rules={resolver_rules}"],
            **settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"),
        },
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": read(settings, "NEWSCRAWL_BROWSER_MAX_PAGES", positive_int),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": settings.getint("DOWNLOAD_TIMEOUT") * 1000,
        "PLAYWRIGHT_ABORT_REQUEST": f"{__name__}.should_abort_request",
    }
    for name, value in overrides.items():
        settings.set(name, value, priority="spider")


def should_abort_request(request: PlaywrightRequest) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: heavy resources, and anything off the page's own origin.

    The page's origin is its main frame's document; before the first document is there (the
    navigation Scrapy asked for, already checked by the host guard), the navigation's own URL.
    """
    from playwright.async_api import Error as PlaywrightError

    if request.resource_type in BLOCKED_RESOURCE_TYPES:
        return True
    try:
        document = request.frame.page.main_frame.url
    except PlaywrightError:  # no frame (a service worker's request): nobody's page
        return True
    anchor = document if document.startswith(("http://", "https://")) else request.url
    return origin_of(request.url) != origin_of(anchor)


async def settle(page: Page, timeout_ms: float) -> int | None:
    """Give the page's scripts up to ``timeout_ms`` to show an article; the status of what it shows."""
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError

    try:
        await page.wait_for_function(_ARTICLE_READY, timeout=timeout_ms)
    except PlaywrightTimeoutError:
        logger.debug("No article in %s after %.0f ms: taking the page as it is", page.url, timeout_ms)
    await page.wait_for_load_state()
    status = await page.evaluate(_DOCUMENT_STATUS)
    return status if isinstance(status, int) else None


def _page_method(method: Any, *args: Any) -> Any:
    from scrapy_playwright.page import PageMethod

    return PageMethod(method, *args)


async def _refuse(route: Route) -> None:
    await route.abort()


def _first_line(exception: Exception) -> str:
    """Playwright's messages run on with a call log: the class and the first line are enough."""
    lines = str(exception).strip().splitlines()
    return f"{type(exception).__name__}: {lines[0]}" if lines else type(exception).__name__


@dataclass
class _Generation:
    """One browser context: the requests given to it and the context once the browser made it."""

    number: int
    given: int = 0
    in_flight: int = 0
    context: BrowserContext | None = None

    @property
    def name(self) -> str:
        return f"newscrawl-browser-{self.number}"


class BrowserFallbackMiddleware:
    """Sends the requests the spider marks (``meta["newscrawl_browser"]``) through the browser.

    Enabled only in live browser mode. It holds a request until one of the
    ``NEWSCRAWL_BROWSER_MAX_PAGES`` browser places is free, sets the scrapy-playwright meta
    (context, a page method that waits for the page to settle), takes the status of the document
    the page finally shows (a challenge answers 403, then reloads into the article), recycles the
    browser context every ``NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT`` pages, and counts fetches under
    ``newscrawl/browser/``.
    When the browser cannot even open a page (Chromium fails to launch), the fallback is switched
    off for the rest of the run: later browser requests fail at once with ``BrowserUnavailable``.
    """

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        settings = crawler.settings
        self.pages_per_context = read(settings, "NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT", positive_int)
        self.settle_timeout_ms = read(settings, "NEWSCRAWL_BROWSER_SETTLE_TIMEOUT", duration) * 1000
        self._places = asyncio.Semaphore(read(settings, "NEWSCRAWL_BROWSER_MAX_PAGES", positive_int))
        self._generations: dict[int, _Generation] = {}
        self._current = 0
        self.unavailable: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mode = browser_mode(crawler.settings)
        if mode != "live":
            logger.debug("Browser middleware off: the browser fallback is %s (not live)", mode)
            raise NotConfigured
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if not request.meta.get(BROWSER_FLAG):
            return
        await self._places.acquire()  # released in _done(), once the request is over either way
        if self.unavailable is not None:
            self._places.release()
            self.stats.inc_value("newscrawl/browser/skipped_unavailable")
            raise BrowserUnavailable(f"browser unavailable: {self.unavailable}")
        request.meta.pop(_PAGE_OPENED, None)  # a retry's copy of an earlier attempt's meta
        generation = self._generations.setdefault(self._current, _Generation(self._current))
        generation.given += 1
        generation.in_flight += 1
        if generation.given >= self.pages_per_context:
            self._current += 1
        self.stats.inc_value("newscrawl/browser/fetches")
        request.meta.update(
            {
                "playwright": True,
                "playwright_context": generation.name,
                # Service workers fetch outside the request router (and the abort rules).
                "playwright_context_kwargs": {"service_workers": "block"},
                "playwright_page_init_callback": self._page_opened,
                "playwright_page_methods": {_SETTLE: _page_method(settle, self.settle_timeout_ms)},
                _GENERATION: generation.number,
            }
        )

    async def _page_opened(self, page: Page, request: Request) -> None:
        request.meta[_PAGE_OPENED] = True
        generation = self._generations[request.meta[_GENERATION]]
        if generation.context is None:
            generation.context = page.context
            # Our pages have scrapy-playwright's page route (and should_abort_request); pages the
            # site opens itself (popups) only this one: nothing of theirs leaves the browser.
            await page.context.route("**", _refuse)

    async def process_response(self, request: Request, response: Response) -> Response:
        if _GENERATION not in request.meta:
            return response
        await self._done(request)
        settled = request.meta["playwright_page_methods"][_SETTLE].result
        if isinstance(settled, int) and settled != response.status:
            logger.debug("Browser: %s answered %d, then showed a %d page", request.url, response.status, settled)
            response = response.replace(status=settled)
        self.stats.inc_value(f"newscrawl/browser/status/{response.status}")
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        if _GENERATION not in request.meta:
            return
        await self._done(request)
        if request.meta.get(_PAGE_OPENED):
            self.stats.inc_value(f"newscrawl/browser/error/{type(exception).__name__}")
            logger.warning("Browser fetch of %s failed: %s", request.url, _first_line(exception))
            raise BrowserFailure(_first_line(exception)) from exception
        if self.unavailable is None:  # requests already on their way fail the same way: say it once
            self.unavailable = _first_line(exception)
            self.stats.inc_value("newscrawl/browser/unavailable")
            logger.error(
                "The browser could not be started (%s): browser fallback off for the rest of this run, "
                "refused pages take the feed-only path. Check NEWSCRAWL_BROWSER_EXECUTABLE.",
                self.unavailable,
            )
        raise BrowserUnavailable(self.unavailable) from exception

    async def _done(self, request: Request) -> None:
        """One request is over: free its place; close a full generation's context when it was the last."""
        self._places.release()
        generation = self._generations[request.meta.pop(_GENERATION)]
        generation.in_flight -= 1
        if generation.number == self._current or generation.in_flight:
            return
        del self._generations[generation.number]
        if generation.context is None:
            return
        from playwright.async_api import Error as PlaywrightError

        try:
            await generation.context.close()
        except PlaywrightError as exc:
            logger.warning("Closing browser context %s failed: %s", generation.name, exc)
            return
        self.stats.inc_value("newscrawl/browser/contexts_closed")
