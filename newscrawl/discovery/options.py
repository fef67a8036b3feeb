"""The sitemap settings and spider arguments, read and checked once (before any request).

``NEWSCRAWL_SITEMAPS`` (a list; ``-a sitemaps=URL[,URL...]`` replaces it, ``-a sitemaps=`` turns
sitemaps off), ``-a since=YYYY-MM-DD``, ``NEWSCRAWL_BACKFILL_MAX_DAYS`` and
``NEWSCRAWL_SITEMAP_MAX_URLS``. A bad value raises ``newscrawl.values.BadValue`` naming it: the
crawl command prints that line and exits 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newscrawl.discovery.urls import RFI_HOST, canonical_url
from newscrawl.values import BadValue, parse_day, parse_list, parse_whole_number

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
    urls: tuple[str, ...]  # canonical www.rfi.fr URLs of maps and robots.txt files, in priority order
    since: date | None
    backfill_max_days: int  # 0: no automatic catch-up
    max_urls: int  # per sitemap document


def sitemap_options(settings: BaseSettings, arguments: Mapping[str, Any], now: datetime) -> SitemapOptions:
    """The run's sitemap options; ``now`` is the run's clock (a ``since`` after it is refused)."""
    argument = arguments.get(SITEMAPS_ARGUMENT)
    name, raw = (
        (SITEMAPS_ARGUMENT, argument) if argument is not None else (SITEMAPS_SETTING, settings.get(SITEMAPS_SETTING))
    )
    urls: list[str] = []
    for url in parse_list(raw, name):
        canonical = canonical_url(url)
        if canonical is None or urlsplit(canonical).netloc != RFI_HOST:
            raise BadValue(name, f"not a {RFI_HOST} URL: {url!r}")
        if canonical not in urls:
            urls.append(canonical)
    since = None
    if (since_text := arguments.get(SINCE_ARGUMENT)) is not None:
        since = parse_day(str(since_text), SINCE_ARGUMENT)
        if since > now.date():
            raise BadValue(SINCE_ARGUMENT, f"{since} is after the run's date ({now.date()})")
        if not urls:
            raise BadValue(SINCE_ARGUMENT, "a back-fill reads the sitemaps, and they are off (sitemaps is empty)")
    max_urls = parse_whole_number(settings.get(SITEMAP_MAX_URLS_SETTING), SITEMAP_MAX_URLS_SETTING)
    if max_urls == 0:
        raise BadValue(SITEMAP_MAX_URLS_SETTING, "must be at least 1")
    return SitemapOptions(
        urls=tuple(urls),
        since=since,
        backfill_max_days=parse_whole_number(settings.get(BACKFILL_MAX_DAYS_SETTING), BACKFILL_MAX_DAYS_SETTING),
        max_urls=max_urls,
    )
