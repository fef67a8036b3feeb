"""The real-browser fallback (scrapy-playwright): when it is on, and how it is configured.

The Playwright download handler starts a Node driver as soon as it is installed, so it is
installed only when the fallback is on, a browser executable exists and we are not replaying
(a replayed browser request is served from the archive like any other).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
BROWSER_CONTEXT = "newscrawl-fallback"
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


def browser_executable(settings: BaseSettings) -> str:
    return os.environ.get("NEWSCRAWL_BROWSER_EXECUTABLE") or str(settings.get("NEWSCRAWL_BROWSER_EXECUTABLE") or "")


def browser_mode(settings: BaseSettings) -> str:
    """``off``, ``replay`` (served from the archive), ``missing`` (no executable) or ``live``."""
    if not settings.getbool("NEWSCRAWL_BROWSER_FALLBACK"):
        return "off"
    if settings.get("NEWSCRAWL_REPLAY_DIR"):
        return "replay"
    executable = browser_executable(settings)
    if not executable or not Path(executable).is_file() or not os.access(executable, os.X_OK):
        return "missing"
    return "live"


def install_browser_handler(settings: BaseSettings) -> None:
    """Add the scrapy-playwright settings when the live browser fallback is usable."""
    if browser_mode(settings) != "live":
        return
    max_pages = settings.getint("NEWSCRAWL_BROWSER_MAX_PAGES")
    overrides: dict[str, Any] = {
        "DOWNLOAD_HANDLERS": {
            **settings.getdict("DOWNLOAD_HANDLERS"),
            "http": PLAYWRIGHT_HANDLER,
            "https": PLAYWRIGHT_HANDLER,
        },
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": browser_executable(settings),
            "headless": True,
            "args": CHROMIUM_ARGS,
            **settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"),
        },
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": max_pages,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": settings.getint("DOWNLOAD_TIMEOUT") * 1000,
    }
    for name, value in overrides.items():
        settings.set(name, value, priority="spider")


def browser_meta() -> dict[str, Any]:
    """Request meta that sends one request through the browser."""
    return {"playwright": True, "playwright_context": BROWSER_CONTEXT, "newscrawl_browser": True}
