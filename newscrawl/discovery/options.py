"""The sitemap settings and spider arguments of a run, read and checked once (before any request).

``NEWSCRAWL_SITEMAPS`` (a list; ``-a sitemaps=URL[,URL...]`` replaces it, ``-a sitemaps=`` turns
sitemaps off), ``-a since=YYYY-MM-DD``, ``NEWSCRAWL_BACKFILL_MAX_DAYS`` and
``NEWSCRAWL_SITEMAP_MAX_URLS``, parsed with ``newscrawl.config``: a bad value raises
``SettingError`` naming it, and the crawl command prints that line and exits 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newscrawl.config import SettingError, day, non_negative_int, positive_int, read, value_list
from newscrawl.discovery.urls import RFI_HOST, canonical_url

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date, datetime

    from scrapy.settings import BaseSettings

SITEMAPS_SETTING = "NEWSCRAWL_SITEMAPS"
SITEMAPS_ARGUMENT = "sitemaps"
SINCE_ARGUMENT = "since"
BACKFILL_MAX_DAYS_SETTING = "NEWSCRAWL_BACKFILL_MAX_DAYS"
SITEMAP_MAX_URLS_SETTING = "NEWSCRAWL_SITEMAP_MAX_URLS"


@dataclass(frozen=True)
class SitemapOptions:
    urls: tuple[str, ...]  # canonical www.rfi.fr URLs of maps and robots.txt files, in provenance order
    since: date | None
    backfill_max_days: int  # 0: no automatic catch-up
    max_urls: int  # per sitemap document


def sitemap_options(settings: BaseSettings, arguments: Mapping[str, Any], now: datetime) -> SitemapOptions:
    """The run's sitemap options; ``now`` is the run's clock (a ``since`` after its day is refused)."""
    argument = arguments.get(SITEMAPS_ARGUMENT)
    if argument is not None:
        name, listed = f"-a {SITEMAPS_ARGUMENT}", value_list(f"-a {SITEMAPS_ARGUMENT}", argument)
    else:
        name, listed = SITEMAPS_SETTING, read(settings, SITEMAPS_SETTING, value_list)
    urls: list[str] = []
    for url in listed:
        canonical = canonical_url(url)
        if canonical is None or urlsplit(canonical).netloc != RFI_HOST:
            raise SettingError(name, f"{url!r} is not a {RFI_HOST} URL")
        if canonical not in urls:
            urls.append(canonical)
    since = None
    if (since_value := arguments.get(SINCE_ARGUMENT)) is not None:
        since = day(f"-a {SINCE_ARGUMENT}", since_value)
        if since > now.date():
            raise SettingError(f"-a {SINCE_ARGUMENT}", f"{since} is after the run's day ({now.date()})")
        if not urls:
            raise SettingError(f"-a {SINCE_ARGUMENT}", "a back-fill reads the sitemaps, and they are off")
    return SitemapOptions(
        urls=tuple(urls),
        since=since,
        backfill_max_days=read(settings, BACKFILL_MAX_DAYS_SETTING, non_negative_int),
        max_urls=read(settings, SITEMAP_MAX_URLS_SETTING, positive_int),
    )
