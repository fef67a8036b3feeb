"""Back-fill at scale: 100k sitemap URLs of which 99 % are already published, against fetching them.

A replay archive of RFI's sitemaps as the sitemap walk reads them (robots.txt naming the news
sitemap and the index; the index naming twelve monthly contents maps, ≤ 10,000 URLs each, which
is ``NEWSCRAWL_SITEMAP_MAX_URLS``), an empty feed, and the pages of the new articles only: the
generated corpus's first ``new`` pages, whose URLs sit in the months of their dates. The other
URLs are in the seen-store before the run (``SeenStore.add``), as published by earlier runs.

Replay crawls with ``-a since=<first month>`` and a frozen clock, each in a fresh data dir, the
three interleaved and best of ``repeats`` by CPU:

- ``backfill``: every map listing all ``total`` URLs, ``total - new`` of them published;
- ``new_only``: the maps listing only the ``new`` URLs, none published: what fetching them costs;
- ``empty``: the maps listing nothing: the run's fixed cost.

Per-article fetch cost ``m = (new_only - empty) / new``; fetching all ``total`` would cost
``total × m``. The back-fill's own cost is ``backfill - empty`` (its ``new`` fetches included), and
the target is ``(backfill - empty) / (total × m) <= 0.05``; ``(backfill - new_only) / (total - new)``
is the cost of one URL that needs no fetch.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bench.corpus import ORIGIN, SECTIONS, WORDS, make_pages, write_archive
from bench.crawl import SHARED_SETTINGS, CrawlRun, crawl_once
from newscrawl.store.seen import SeenStore

if TYPE_CHECKING:
    from pathlib import Path

    from bench.corpus import Page

ROBOTS_URL = f"{ORIGIN}/robots.txt"
NEWS_URL = f"{ORIGIN}/sitemaps/cn/news.xml"
INDEX_URL = f"{ORIGIN}/sitemaps/cn/index.xml"
MONTHS = (*(f"2023{month:02d}" for month in range(5, 13)), *(f"2024{month:02d}" for month in range(1, 5)))
SINCE = "2023-05-01"
NOW = "2024-04-02T06:00:00Z"  # an hour after the newest page of the generated corpus
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
RUNS = ("backfill", "new_only", "empty")


def month_map_url(month: str) -> str:
    return f"{ORIGIN}/sitemaps/cn/contents_{month}.xml"


def published_url(index: int) -> str:
    """The ``index``-th already published URL (percent-encoded, dated in its month, unique)."""
    rng = random.Random(index)
    month = MONTHS[index % len(MONTHS)]
    day = f"{month}{1 + index // len(MONTHS) % 28:02d}"
    slug = "".join(rng.choices(WORDS, k=4))
    return f"{ORIGIN}/cn/{quote(rng.choice(SECTIONS))}/{day}-{quote(slug)}-{index}"


def _month_of(url: str) -> str:
    return url.rsplit("/", 1)[1][:6]


def _lastmod(url: str) -> str:
    """The day of the URL's dated slug, 08:00 UTC."""
    day = url.rsplit("/", 1)[1][:8]
    return f"{day[:4]}-{day[4:6]}-{day[6:]}T08:00:00Z"


def _urlset(entries: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{escape(url)}</loc><lastmod>{_lastmod(url)}</lastmod></url>" for url in entries)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SITEMAP_NS}">{urls}</urlset>'.encode()


def _documents(urls: list[str]) -> list[tuple[str, str, bytes]]:
    """robots.txt, the news sitemap, the index and the monthly maps listing ``urls``."""
    by_month: dict[str, list[str]] = {month: [] for month in MONTHS}
    for url in urls:
        by_month[_month_of(url)].append(url)
    maps = "".join(f"<sitemap><loc>{month_map_url(month)}</loc></sitemap>" for month in MONTHS)
    index = f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{SITEMAP_NS}">{maps}</sitemapindex>'
    robots = f"User-agent: *\nAllow: /\nSitemap: {NEWS_URL}\nSitemap: {INDEX_URL}\n"
    xml = "application/xml; charset=utf-8"
    return [
        (ROBOTS_URL, "text/plain", robots.encode()),
        (NEWS_URL, xml, _urlset([])),
        (INDEX_URL, xml, index.encode()),
        *((month_map_url(month), xml, _urlset(entries)) for month, entries in by_month.items()),
    ]


def _empty_feed(_: list[Page]) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>RFI</title></channel></rss>'


def build(folder: Path, total: int, new: int) -> dict[str, Any]:
    """The three archives and the seen-store of the ``total - new`` published URLs."""
    pages = make_pages(new)
    published = [published_url(i) for i in range(total - new)]
    listed = {"backfill": published + [p.url for p in pages], "new_only": [p.url for p in pages], "empty": []}
    archives = {}
    for run, urls in listed.items():
        archives[run] = write_archive(
            folder / f"backfill-{run}", pages if run != "empty" else [], _empty_feed, extra=_documents(urls)
        )
    store_path = folder / "backfill-seen.sqlite3"
    store = SeenStore(store_path)
    store.add(((url, url) for url in sorted(published)), "20240101T000000Z-bench000", "2024-01-01T00:00:00Z")
    store.close()
    return {"archives": archives, "seen_store": store_path, "listed": {run: len(urls) for run, urls in listed.items()}}


def measure(folder: Path, total: int, new: int, repeats: int) -> dict[str, Any]:
    built = build(folder, total, new)
    extra = {
        "NEWSCRAWL_NOW": NOW,
        "NEWSCRAWL_SITEMAPS": f"{NEWS_URL},{ROBOTS_URL}",
    }
    best: dict[str, CrawlRun] = {}
    for repeat in range(repeats):
        for run in RUNS if repeat % 2 == 0 else RUNS[::-1]:
            result = crawl_once(
                "ours",
                "replay",
                built["archives"][run],
                new if run != "empty" else 0,
                folder / f"backfill-run-{run}",
                seen_store=built["seen_store"] if run == "backfill" else None,
                extra=extra,
                arguments=["-a", f"since={SINCE}"],
            )
            if run not in best or result.cpu < best[run].cpu:
                best[run] = result
    cpu = {run: best[run].cpu for run in RUNS}
    per_article = (cpu["new_only"] - cpu["empty"]) / new
    per_seen_url = (cpu["backfill"] - cpu["new_only"]) / (total - new)
    fetch_all = total * per_article
    return {
        "total_urls": total,
        "new_urls": new,
        "repeats": repeats,
        "settings": {**SHARED_SETTINGS, **extra, "since": SINCE},
        "cpu_s": {run: round(value, 2) for run, value in cpu.items()},
        "peak_rss_mib": {run: round(best[run].peak_rss / 2**20, 1) for run in RUNS},
        "fetch_cpu_ms_per_article": round(per_article * 1000, 3),
        "cpu_us_per_published_url": round(per_seen_url * 1e6, 1),
        "cpu_fetching_all_s": round(fetch_all, 1),
        "ratio_backfill_fetch_all": round((cpu["backfill"] - cpu["empty"]) / fetch_all, 4),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
