"""Coverage on the simulated site with the sitemaps on (issue 12's short variants of the benchmark):
a burst the feeds cannot hold is caught whole, a back-fill costs its articles, its months and a
few listings, and an unchanged site costs 304s only. The expected figures come from the newsroom
model, not from the crawler."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from bench.simsite.driver import Driver
from bench.simsite.newsroom import Burst, Newsroom, NewsroomConfig
from bench.simsite.score import score
from bench.simsite.server import SimSite
from bench.simsite.site import SiteConfig

if TYPE_CHECKING:
    from pathlib import Path

PARIS = ZoneInfo("Europe/Paris")
RFI = "https://www.rfi.fr"
FEEDS = 9  # the crawler's default feeds: /cn/rss, seven sections, the feedx mirror


@pytest.mark.slow
def test_a_burst_larger_than_the_feeds_is_caught_whole_through_the_news_sitemap(tmp_path: Path) -> None:
    start = datetime(2024, 4, 2, 2, 0, tzinfo=UTC)
    burst = Burst(start + timedelta(minutes=20), 80, within=timedelta(minutes=10), section="体育")  # no feed of its own
    config = NewsroomConfig(
        start=start, end=start + timedelta(hours=1), seed=5, history=timedelta(days=1), bursts=(burst,)
    )
    newsroom = Newsroom(config)
    with SimSite(newsroom, SiteConfig(feed_size=25)) as site:
        driver = Driver(site, tmp_path, interval=timedelta(hours=1), mode="inprocess")
        runs = driver.run(config.start, config.end)
        scores = score(tmp_path, newsroom, runs, counters=site.counters, interval=driver.interval)
    assert [r.status for r in runs] == ["finished"] * 2
    assert scores["coverage"]["share"] == 1.0, scores["coverage"]["missing_listed"]
    assert scores["duplicates"]["count"] == 0
    assert scores["published_right"]["wrong"] == 0
    assert scores["requests"]["first_fetch_requests_per_new_article"] <= 1.02
    assert scores["manifests"]["not_adding_up"] == scores["manifests"]["file_mismatch"] == []


@pytest.mark.slow
def test_a_back_fill_costs_its_articles_its_months_and_a_few_listings(tmp_path: Path) -> None:
    at = datetime(2024, 4, 3, 10, 0, tzinfo=UTC)
    newsroom = Newsroom(NewsroomConfig(start=at, end=at + timedelta(hours=1), seed=9, history=timedelta(days=45)))
    since = "2024-03-27"
    horizon = datetime(2024, 3, 27, tzinfo=PARIS)
    # What the back-fill must fetch, from the model: every article live now in the monthly maps that
    # reach the horizon (March and April), whose last change (the map's <lastmod>) is on or after it.
    expected = {
        s.url
        for s in newsroom.stories
        if s.live_at(at) and s.month in ("202403", "202404") and max(s.events_until(at)) >= horizon
    }
    assert 200 < len(expected) < 600
    with SimSite(newsroom) as site:
        driver = Driver(site, tmp_path, mode="inprocess", arguments={"since": since})
        site.set_now(at)
        # The feeds list articles too, some older than the horizon (a quiet section's latest 25).
        for feed in driver.feeds:
            with urllib.request.urlopen(feed, timeout=10) as answer:
                expected |= {link.text for link in etree.fromstring(answer.read()).iter("link")}
        expected.discard(f"{RFI}/cn/")  # the channels' own link
        site.counters.reset()
        [run] = driver.run(at, at)
        by_kind = site.counters.by_kind()
    assert run.status == "finished"
    assert by_kind["page"] == {"200": len(expected)}, "each article once, nothing else"
    assert by_kind["contents_sitemap"] == {"200": 2}
    listings = {
        kind: sum(counts.values()) for kind, counts in by_kind.items() if kind not in ("page", "contents_sitemap")
    }
    assert listings == {"robots": 1, "feed": FEEDS - 1, "feedx": 1, "news_sitemap": 1, "sitemap_index": 1}
    assert run.manifest["counts"]["new"] == len(expected)


@pytest.mark.slow
def test_an_unchanged_site_costs_a_run_only_304s_and_robots_txt_and_no_page(tmp_path: Path) -> None:
    # 03:00 Paris: nothing is published or edited between the two runs (checked on the model).
    first, second = datetime(2024, 4, 3, 1, 0, tzinfo=UTC), datetime(2024, 4, 3, 1, 15, tzinfo=UTC)
    newsroom = Newsroom(NewsroomConfig(start=first, end=second, seed=4, history=timedelta(days=3)))
    assert not [t for s in newsroom.stories for t in s.events_until(second) if first < t <= second]
    with SimSite(newsroom) as site:
        driver = Driver(site, tmp_path, mode="inprocess")
        driver.run(first, first)
        site.counters.reset()
        [run] = driver.run(second, second)
        by_kind = site.counters.by_kind()
    assert run.status == "finished"
    assert by_kind == {
        "robots": {"200": 1},
        "feed": {"304": FEEDS - 1},
        "feedx": {"304": 1},
        "news_sitemap": {"304": 1},
        # The revisits watch the monthly maps still on their schedule (April, and March's tail),
        # read as the index named them at the first run: the index itself is not requested.
        "contents_sitemap": {"304": 2},
    }
    assert run.manifest["counts"]["entries_seen"] == 0
