"""Sitemap settings and arguments: defaults, replacement, switching off, and bad values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from scrapy.utils.project import get_project_settings

from newscrawl.config import SettingError
from newscrawl.discovery.options import SitemapOptions, sitemap_options

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
        ({"since": "2024-3-1"}, {}, "-a since: '2024-3-1' is not a day written YYYY-MM-DD"),
        ({"since": "2024-02-30"}, {}, "-a since: '2024-02-30' is not a calendar day"),
        ({"since": "2024-04-03"}, {}, "-a since: 2024-04-03 is after the run's day (2024-04-02)"),
        ({"since": "2024-03-01", "sitemaps": ""}, {}, "-a since: a back-fill reads the sitemaps, and they are off"),
        (
            {"sitemaps": "https://example.com/sitemap.xml"},
            {},
            "-a sitemaps: 'https://example.com/sitemap.xml' is not a www.rfi.fr URL",
        ),
        ({}, {"NEWSCRAWL_SITEMAPS": "['a'"}, "NEWSCRAWL_SITEMAPS: \"['a'\" is not a Python list"),
        (
            {},
            {"NEWSCRAWL_SITEMAPS": "ftp://www.rfi.fr/x"},
            "NEWSCRAWL_SITEMAPS: 'ftp://www.rfi.fr/x' is not a www.rfi.fr URL",
        ),
        (
            {},
            {"NEWSCRAWL_BACKFILL_MAX_DAYS": "31d"},
            "NEWSCRAWL_BACKFILL_MAX_DAYS: '31d' is not a whole number of 0 or more",
        ),
        ({}, {"NEWSCRAWL_SITEMAP_MAX_URLS": "0"}, "NEWSCRAWL_SITEMAP_MAX_URLS: '0' is not a whole number of 1 or more"),
    ],
)
def test_bad_values_name_the_setting(arguments: dict[str, Any], settings: dict[str, str], message: str) -> None:
    with pytest.raises(SettingError) as raised:
        options(arguments, **settings)
    assert str(raised.value) == message
