"""Sitemap settings and arguments: defaults, replacement, switching off, and bad values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from scrapy.utils.project import get_project_settings

from newscrawl.discovery.options import SitemapOptions, sitemap_options
from newscrawl.values import BadValue

NOW = datetime(2024, 4, 2, 6, 0, tzinfo=UTC)
NEWS = "https://www.rfi.fr/sitemaps/cn/news.xml"
ROBOTS = "https://www.rfi.fr/robots.txt"


def options(arguments: dict[str, Any] | None = None, **settings: object) -> SitemapOptions:
    project = get_project_settings()
    project.setdict(settings, priority="cmdline")
    return sitemap_options(project, arguments or {}, NOW)


def test_defaults_read_the_news_sitemap_and_robots_txt() -> None:
    assert options() == SitemapOptions(urls=(NEWS, ROBOTS), since=None, backfill_max_days=31, max_urls=10_000)


def test_the_argument_replaces_the_setting_and_empty_switches_sitemaps_off() -> None:
    assert options({"sitemaps": NEWS}).urls == (NEWS,)
    assert options({"sitemaps": ""}).urls == ()
    assert options({"sitemaps": " , "}).urls == ()
    assert options(NEWSCRAWL_SITEMAPS=f"{ROBOTS},{NEWS}").urls == (ROBOTS, NEWS)
    assert options(NEWSCRAWL_SITEMAPS=f"['{ROBOTS}']").urls == (ROBOTS,)


def test_urls_are_canonical_and_listed_once() -> None:
    given = "http://rfi.fr/sitemaps/cn/news.xml,https://www.rfi.fr/sitemaps/cn/news.xml#x"
    assert options({"sitemaps": given}).urls == (NEWS,)


def test_since_and_the_numbers() -> None:
    got = options({"since": "2024-03-01"}, NEWSCRAWL_BACKFILL_MAX_DAYS="0", NEWSCRAWL_SITEMAP_MAX_URLS="500")
    assert (got.since, got.backfill_max_days, got.max_urls) == (date(2024, 3, 1), 0, 500)
    assert options({"since": "2024-04-02"}).since == date(2024, 4, 2), "the run's own day"


@pytest.mark.parametrize(
    ("arguments", "settings", "message"),
    [
        ({"since": "2024-3-1"}, {}, "since: not a day in the form YYYY-MM-DD: '2024-3-1'"),
        ({"since": "2024-02-30"}, {}, "since: not a calendar day: '2024-02-30'"),
        ({"since": "2024-04-03"}, {}, "since: 2024-04-03 is after the run's date (2024-04-02)"),
        (
            {"since": "2024-03-01", "sitemaps": ""},
            {},
            "since: a back-fill reads the sitemaps, and they are off (sitemaps is empty)",
        ),
        (
            {"sitemaps": "https://example.com/sitemap.xml"},
            {},
            "sitemaps: not a www.rfi.fr URL: 'https://example.com/sitemap.xml'",
        ),
        ({}, {"NEWSCRAWL_SITEMAPS": "['a'"}, "NEWSCRAWL_SITEMAPS: not a list: \"['a'\""),
        (
            {},
            {"NEWSCRAWL_SITEMAPS": "ftp://www.rfi.fr/x"},
            "NEWSCRAWL_SITEMAPS: not a www.rfi.fr URL: 'ftp://www.rfi.fr/x'",
        ),
        ({}, {"NEWSCRAWL_BACKFILL_MAX_DAYS": "31d"}, "NEWSCRAWL_BACKFILL_MAX_DAYS: not a whole number: '31d'"),
        ({}, {"NEWSCRAWL_SITEMAP_MAX_URLS": "0"}, "NEWSCRAWL_SITEMAP_MAX_URLS: must be at least 1"),
    ],
)
def test_bad_values_name_the_setting(arguments: dict[str, Any], settings: dict[str, str], message: str) -> None:
    with pytest.raises(BadValue) as raised:
        options(arguments, **settings)
    assert str(raised.value) == message
