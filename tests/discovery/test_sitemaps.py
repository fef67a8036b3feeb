"""Sitemap documents, robots.txt Sitemap lines and index children against hand-written expectations
(fixtures/sitemaps/expected.json), and every kind of bad input as a problem, never an exception."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from newscrawl.discovery.sitemaps import (
    ChildMap,
    Month,
    SitemapEntry,
    contents_month,
    edition_map,
    maps_from_index,
    maps_from_robots,
    parse_sitemap,
)
from tests.conftest import REPO

FIXTURES = REPO / "fixtures" / "sitemaps"
EXPECTED: dict[str, Any] = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
MAX_SIZE = 10 * 1024 * 1024  # DOWNLOAD_MAXSIZE of settings.py
MAX_URLS = 10_000  # NEWSCRAWL_SITEMAP_MAX_URLS of settings.py


def parse(name: str, served_as: str = "https://www.rfi.fr/sitemaps/cn/news.xml", **limits: int) -> Any:
    return parse_sitemap(
        (FIXTURES / name).read_bytes(),
        served_as,
        max_size=limits.get("max_size", MAX_SIZE),
        max_urls=limits.get("max_urls", MAX_URLS),
    )


def entry_view(entry: SitemapEntry, fields: list[str]) -> dict[str, Any]:
    data = asdict(entry)
    data["keywords"] = list(entry.keywords)
    data["images"] = [asdict(image) for image in entry.images]
    data["listed_at"] = entry.listed_at
    return {name: data[name] for name in fields}


@pytest.mark.parametrize("name", ["news.xml", "contents_202403.xml", "truncated.xml"])
def test_urlset_entries_are_read_as_written_by_hand(name: str) -> None:
    want = EXPECTED[name]
    parsed = parse(name, want["served_as"])
    assert parsed.kind == want["kind"]
    if "problem" in want:
        assert parsed.problem == want["problem"]
    else:
        assert parsed.problem is not None
        assert parsed.problem.startswith(want["problem_starts_with"])
        assert parsed.problem.endswith(want["problem_ends_with"])
    got = [entry_view(entry, sorted(expected)) for entry, expected in zip(parsed.entries, want["entries"], strict=True)]
    assert got == want["entries"]
    assert all(entry.sitemap_url == want["served_as"] for entry in parsed.entries)
    assert parsed.children == []


def test_index_children_and_the_edition_maps_among_them() -> None:
    want = EXPECTED["index.xml"]
    parsed = parse("index.xml", want["served_as"])
    assert (parsed.kind, parsed.problem, parsed.entries) == (want["kind"], want["problem"], [])
    assert [asdict(child) for child in parsed.children] == want["children"]
    maps = maps_from_index(parsed.children, want["served_as"])
    assert maps.maps == want["edition_maps"]["maps"]
    assert {str(month): url for month, url in maps.months.items()} == want["edition_maps"]["months"]
    assert dict(maps.skipped) == want["edition_maps"]["skipped"]
    assert list(maps.months) == sorted(maps.months), "listed order"


def test_robots_sitemap_lines_keep_only_the_editions_maps() -> None:
    want = EXPECTED["robots.txt"]
    maps = maps_from_robots((FIXTURES / "robots.txt").read_bytes(), want["served_as"])
    assert maps.maps == want["edition_maps"]["maps"]
    assert {str(month): url for month, url in maps.months.items()} == want["edition_maps"]["months"]
    assert dict(maps.skipped) == want["edition_maps"]["skipped"]


def test_robots_without_sitemap_lines_names_nothing() -> None:
    maps = maps_from_robots(b"User-agent: *\nDisallow: /api/\n", "https://www.rfi.fr/robots.txt")
    assert (maps.maps, maps.months, dict(maps.skipped)) == ([], {}, {})


@pytest.mark.parametrize(
    "name", ["error-page.html", "rss-as-sitemap.xml", "billion-laughs.xml", "gzip-bomb.xml.gz", "50000-urls.xml.gz"]
)
def test_bad_documents_are_a_problem_of_the_map(name: str) -> None:
    want = EXPECTED[name]
    parsed = parse(name)
    assert parsed.kind == want["kind"]
    assert parsed.problem == want["problem"]
    if "entry_count" in want:
        assert len(parsed.entries) == want["entry_count"]
        last = want["last_entry"]
        assert entry_view(parsed.entries[-1], sorted(last)) == last
    else:
        assert parsed.entries == want["entries"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "empty document"),
        (b"  \n", "empty document"),
        (bytes(range(256)) * 4, "not XML"),
        (b"\x1f\x8b\x08" + b"not really gzip" * 10, "broken gzip data"),
        (gzip.compress(b""), "empty document"),
    ],
)
def test_unreadable_bodies(body: bytes, problem: str) -> None:
    parsed = parse_sitemap(body, "https://www.rfi.fr/sitemaps/cn/news.xml", max_size=MAX_SIZE, max_urls=MAX_URLS)
    assert (parsed.kind, parsed.problem, parsed.entries, parsed.children) == (None, problem, [], [])


def test_a_map_over_the_size_limit_is_refused_unparsed() -> None:
    size = len((FIXTURES / "news.xml").read_bytes())
    parsed = parse("news.xml", max_size=size - 1)
    assert parsed.problem == f"larger than {size - 1} bytes (DOWNLOAD_MAXSIZE)"
    assert parsed.entries == []
    assert parse("news.xml", max_size=size).problem is None


def test_a_gzipped_map_reads_like_the_plain_one() -> None:
    plain = parse("news.xml")
    zipped = parse_sitemap(
        gzip.compress((FIXTURES / "news.xml").read_bytes()),
        "https://www.rfi.fr/sitemaps/cn/news.xml",
        max_size=MAX_SIZE,
        max_urls=MAX_URLS,
    )
    assert zipped == plain


def test_the_url_cap_applies_to_index_children_too() -> None:
    parsed = parse("index.xml", max_urls=3)
    assert [child.loc for child in parsed.children][-1] == "/sitemaps/cn/contents_202404.xml"
    assert len(parsed.children) == 3
    assert parsed.problem == "more than 3 URLs: only the first 3 were read"


def test_the_gzip_bomb_and_the_50000_url_map_stay_in_bounded_memory() -> None:
    """Peak Python memory while reading either stays below what expanding them would take.

    Measured here: the bomb peaks at ~11.8 MB (it stops at DOWNLOAD_MAXSIZE, 10 MiB, and one more
    64 KiB chunk; decompressed whole it is 16.8 MB before any copy); the big map at ~12.5 MB with
    10,000 entries read, ~40 MB if all 50,000 were.
    """
    for name, limit in (("gzip-bomb.xml.gz", 14_000_000), ("50000-urls.xml.gz", 20_000_000)):
        tracemalloc.start()
        parse(name)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < limit, (name, peak)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.rfi.fr/sitemaps/cn/news.xml", ("https://www.rfi.fr/sitemaps/cn/news.xml", None)),
        ("http://rfi.fr/sitemaps/cn/news.xml#x", ("https://www.rfi.fr/sitemaps/cn/news.xml", None)),
        ("/sitemaps/cn/index.xml", ("https://www.rfi.fr/sitemaps/cn/index.xml", None)),
        ("https://www.rfi.fr/sitemaps/cn/../fr/news.xml", (None, "outside_sitemaps_cn")),
        ("https://www.rfi.fr/sitemaps/cnx/news.xml", (None, "outside_sitemaps_cn")),
        ("https://www.rfi.fr/sitemaps/cn", (None, "outside_sitemaps_cn")),
        ("https://www.rfi.fr:8443/sitemaps/cn/news.xml", (None, "offsite")),
        ("https://www.rfi.fr@evil.example/sitemaps/cn/news.xml", (None, "offsite")),
        ("ftp://www.rfi.fr/sitemaps/cn/news.xml", (None, "offsite")),
        ("", (None, "offsite")),
    ],
)
def test_edition_map(url: str, expected: tuple[str | None, str | None]) -> None:
    assert edition_map(url, "https://www.rfi.fr/robots.txt") == expected


@pytest.mark.parametrize(
    ("url", "month"),
    [
        ("https://www.rfi.fr/sitemaps/cn/contents_202403.xml", Month(2024, 3)),
        ("https://www.rfi.fr/sitemaps/cn/contents_199912.xml.gz", Month(1999, 12)),
        ("https://www.rfi.fr/sitemaps/cn/contents_202400.xml", None),
        ("https://www.rfi.fr/sitemaps/cn/contents_202413.xml", None),
        ("https://www.rfi.fr/sitemaps/cn/contents_2024031.xml", None),
        ("https://www.rfi.fr/sitemaps/cn/contents_202403.xml/x", None),
        ("https://www.rfi.fr/sitemaps/cn/news.xml", None),
        ("https://www.rfi.fr/", None),
    ],
)
def test_contents_month(url: str, month: Month | None) -> None:
    assert contents_month(url) == month


def test_duplicate_months_and_maps_are_counted_not_followed_twice() -> None:
    children = [
        ChildMap("https://www.rfi.fr/sitemaps/cn/contents_202403.xml", None),
        ChildMap("https://www.rfi.fr/sitemaps/cn/contents_202403.xml.gz", None),
        ChildMap("https://www.rfi.fr/sitemaps/cn/contents_202404.xml", None),
    ]
    maps = maps_from_index(children, "https://www.rfi.fr/sitemaps/cn/index.xml")
    assert maps.months == {
        Month(2024, 3): "https://www.rfi.fr/sitemaps/cn/contents_202403.xml",
        Month(2024, 4): "https://www.rfi.fr/sitemaps/cn/contents_202404.xml",
    }
    assert dict(maps.skipped) == {"duplicate": 1}


def test_fixture_files_are_all_covered() -> None:
    """Every bad-input fixture has its hand-written expectation."""
    names = {path.name for path in Path(FIXTURES).iterdir()} - {"expected.json", "README.md"}
    assert names == set(EXPECTED) - {"_comment"}
