"""The simulated RFI site (bench/simsite): what it serves, when, how it counts, and short crawls scored.

The site's answers are checked against the newsroom model, recomputed here independently
(sorting and filtering its stories), and its pages and feedx items are read with the crawler's
own extractors: they must give back the model's title, dates and body, which proves the
templates are the real ones as far as the crawler can tell.
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from lxml import etree

from bench.simsite.driver import Driver, RunResult, schedule
from bench.simsite.newsroom import Burst, Newsroom, NewsroomConfig, Story
from bench.simsite.render import http_date
from bench.simsite.run import FEEDS_ONLY
from bench.simsite.score import load, record_format, score
from bench.simsite.server import Failures, ServerConfig, SimSite, Window
from bench.simsite.site import FEEDX_PATH, SiteConfig
from newscrawl.discovery.feeds import parse_feed
from newscrawl.extract.pages.feed_fulltext import feed_only_content
from newscrawl.extract.pages.rfi import RfiArticlePage

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from pathlib import Path

START = datetime(2024, 4, 1, 6, 0, tzinfo=UTC)
NOW = START + timedelta(days=2, hours=5)
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
FEED_SIZE = 10


@dataclass(frozen=True)
class Got:
    status: int
    headers: dict[str, str]
    body: bytes


def get(site: SimSite, path: str, **headers: str) -> Got:
    """One GET on the site, no redirect followed (header names: underscores for dashes)."""
    connection = http.client.HTTPConnection("127.0.0.1", int(site.origin.rsplit(":", 1)[1]), timeout=10)
    try:
        connection.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = connection.getresponse()
        return Got(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def live(newsroom: Newsroom, t: datetime, section: str | None = None) -> list[Story]:
    """The model's live stories at t, newest first (computed without the site's own listing code)."""
    stories = [s for s in newsroom.stories if s.published <= t and not (s.removal and s.removal.at <= t)]
    return sorted(
        (s for s in stories if section is None or s.section == section), key=lambda s: -s.published.timestamp()
    )


def feed_links(body: bytes) -> list[str]:
    return [link.text for link in etree.fromstring(body).iter("link")][1:]  # the first is the channel's


@pytest.fixture(scope="module")
def newsroom() -> Newsroom:
    return Newsroom(NewsroomConfig(start=START, end=START + timedelta(days=3), seed=7, history=timedelta(days=40)))


@pytest.fixture(scope="module")
def site(newsroom: Newsroom) -> Iterator[SimSite]:
    config = SiteConfig(feed_size=FEED_SIZE, feed_lag={"港澳台": timedelta(hours=3)})
    with SimSite(newsroom, config) as served:
        yield served


def test_feeds_list_the_latest_live_articles(newsroom: Newsroom, site: SimSite) -> None:
    site.set_now(NOW)
    home = get(site, "/cn/rss")
    assert home.status == 200
    assert home.headers["Content-Type"].startswith("application/rss+xml")
    assert feed_links(home.body) == [s.url for s in live(newsroom, NOW)[:FEED_SIZE]]
    china = get(site, quote("/cn/中国/rss"))
    assert feed_links(china.body) == [s.url for s in live(newsroom, NOW, "中国")[:FEED_SIZE]]
    programme = next(s.section for s in newsroom.stories if s.programme)
    assert feed_links(get(site, quote(f"/cn/专栏检索/{programme}/rss")).body) == [
        s.url for s in live(newsroom, NOW, programme)[:FEED_SIZE]
    ]
    assert get(site, quote("/cn/没有这个栏目/rss")).status == 404


def test_a_lagging_feed_shows_the_site_as_it_was(newsroom: Newsroom, site: SimSite) -> None:
    site.set_now(NOW)
    lagging = feed_links(get(site, quote("/cn/港澳台/rss")).body)
    assert lagging == [s.url for s in live(newsroom, NOW - timedelta(hours=3), "港澳台")[:FEED_SIZE]]
    assert lagging != [s.url for s in live(newsroom, NOW, "港澳台")[:FEED_SIZE]]  # something was published since


def test_feed_items_carry_the_entry_fields_the_crawler_reads(newsroom: Newsroom, site: SimSite) -> None:
    site.set_now(NOW)
    parsed = parse_feed(get(site, "/cn/rss").body, site.origin + "/cn/rss", "application/rss+xml; charset=utf-8")
    assert parsed.problem is None
    for entry, story in zip(parsed.entries, live(newsroom, NOW), strict=False):
        assert (entry.link, entry.title) == (story.url, story.version_at(NOW).title)
        assert entry.published == record_format(story.published)


def test_feedx_items_rebuild_the_article_as_the_mirror_copied_it(newsroom: Newsroom, site: SimSite) -> None:
    site.set_now(NOW)
    response = get(site, FEEDX_PATH)
    parsed = parse_feed(response.body, site.feedx_url, response.headers["Content-Type"])
    assert parsed.problem is None
    assert len(parsed.entries) == 20
    poll = timedelta(minutes=30)
    for entry in parsed.entries:
        story = next(s for s in newsroom.stories if s.url == entry.link)
        fetched = datetime.fromtimestamp(-(-story.published.timestamp() // poll.total_seconds()) * 1800, UTC)
        assert entry.fulltext_html is not None
        assert entry.fulltext_html.startswith(f"<!--{int(fetched.timestamp()) * 1000}-->\n[")
        content = feed_only_content(story.url, [entry])
        assert content is not None
        copied = story.version_at(fetched)
        assert (content.title, content.lead, content.body) == (copied.title, story.lead, copied.body)
        assert content.published == record_format(story.published.replace(second=0))  # the date line has minutes


def test_news_sitemap_keeps_two_days(newsroom: Newsroom, site: SimSite) -> None:
    site.set_now(NOW)
    root = etree.fromstring(get(site, "/sitemaps/cn/news.xml").body)
    urls = root.findall(f"{SM}url")
    expected = [s for s in live(newsroom, NOW) if s.published > NOW - timedelta(days=2)]
    assert [u.findtext(f"{SM}loc") for u in urls] == [s.url for s in expected]
    first, story = urls[0], expected[0]
    assert datetime.fromisoformat(first.findtext(f"{NEWS}news/{NEWS}publication_date") or "") == story.published
    assert first.findtext(f"{NEWS}news/{NEWS}title") == story.version_at(NOW).title
    assert first.findtext(f"{NEWS}news/{NEWS}keywords") == ", ".join(story.tags)
    assert datetime.fromisoformat(first.findtext(f"{SM}lastmod") or "") == story.version_at(NOW).changed


def test_index_lists_every_month_and_contents_list_every_article_with_its_last_edit(
    newsroom: Newsroom, site: SimSite
) -> None:
    site.set_now(NOW)
    index = etree.fromstring(get(site, "/sitemaps/cn/index.xml").body)
    children = [loc.text for loc in index.iter(f"{SM}loc")]
    months = ["202402", "202403", "202404"]  # 40 days of history before 1 April (Paris months)
    assert children == [f"https://www.rfi.fr/sitemaps/cn/contents_{m}.xml" for m in months] + [
        f"https://www.rfi.fr/sitemaps/cn/{name}" for name in ("tags.xml", "shows.xml", "pagebuilder.xml")
    ]
    march = etree.fromstring(get(site, "/sitemaps/cn/contents_202403.xml").body)
    listed = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in march.iter(f"{SM}url")}
    expected = [s for s in live(newsroom, NOW) if s.month == "202403"]
    assert set(listed) == {s.url for s in expected}
    for story in expected:
        edits = [e.at for e in story.edits if e.at <= NOW]
        assert datetime.fromisoformat(listed[story.url] or "") == max([story.published, *edits])
    assert get(site, "/sitemaps/cn/contents_202405.xml").status == 404  # no such month yet


def test_robots_lists_the_sitemaps(site: SimSite) -> None:
    robots = get(site, "/robots.txt").body.decode()
    assert "Sitemap: https://www.rfi.fr/sitemaps/cn/index.xml" in robots
    assert "Sitemap: https://www.rfi.fr/sitemaps/cn/news.xml" in robots
    assert "Disallow: /cn/\n" not in robots


@pytest.mark.parametrize("path", ["/cn/rss", FEEDX_PATH, "/sitemaps/cn/news.xml", "/sitemaps/cn/index.xml", "page"])
def test_validators_answer_304_until_something_changes(newsroom: Newsroom, site: SimSite, path: str) -> None:
    story = next(s for s in live(newsroom, NOW) if not s.promo_rotation and s.removal is None)
    path = quote(story.path) if path == "page" else path
    site.set_now(NOW)
    first = get(site, path)
    assert first.status == 200
    assert first.headers["Date"] == http_date(NOW)
    again = get(site, path, If_None_Match=first.headers["ETag"])
    assert (again.status, again.body) == (304, b"")
    assert get(site, path, If_Modified_Since=first.headers["Last-Modified"]).status == 304
    assert get(site, path, If_None_Match='"other"', If_Modified_Since=first.headers["Last-Modified"]).status == 200
    later = NOW + timedelta(days=1)  # new articles everywhere, and the mirror polled again
    if path == quote(story.path):
        later = next((e.at for e in story.edits if e.at > NOW), None) or later
    site.set_now(later)
    changed = get(site, path, If_None_Match=first.headers["ETag"], If_Modified_Since=first.headers["Last-Modified"])
    if path == quote(story.path) and not any(e.at > NOW for e in story.edits):
        assert changed.status == 304  # a page nobody touched stays the same
    else:
        assert changed.status == 200
        assert changed.headers["ETag"] != first.headers["ETag"]


def test_pages_parse_with_the_crawlers_page_object_to_the_models_article(newsroom: Newsroom, site: SimSite) -> None:
    site.set_now(NOW)
    stories = live(newsroom, NOW)
    sample = [
        next(s for s in stories if s.programme),
        next(s for s in stories if s.audio and not s.programme),
        next(s for s in stories if any(e.kind == "title_fix" and e.at <= NOW for e in s.edits)),
        next(s for s in stories if any(e.kind == "correction" and e.at <= NOW for e in s.edits)),
        next(s for s in stories if s.modified_before_published and not s.edits),
        next(s for s in stories if s.published_ms),
        *stories[:20],
    ]
    for story in sample:
        response = get(site, quote(story.path))
        result = RfiArticlePage(story.url, response.body).extract()
        assert result.kind == "article", story.url
        assert result.content is not None
        content, version = result.content, story.version_at(NOW)
        assert content.url == story.url
        assert (content.title, content.lead, content.body) == (version.title, story.lead, version.body)
        assert content.published == record_format(story.published)
        assert content.modified == record_format(version.modified)
        assert content.section == story.section
        assert (content.authors, content.tags) == (list(story.authors), list(story.tags))
        assert content.images[0]["url"] == story.image.url(1920)
        assert content.alternates == {"zh-Hant": story.tw_url}
        audio = story.audio
        assert content.media == ([{"type": "audio", "url": audio.url, "duration": audio.duration}] if audio else [])


def test_rotating_promos_change_the_page_but_not_the_article(newsroom: Newsroom, site: SimSite) -> None:
    site.set_now(NOW)
    story = next(s for s in live(newsroom, NOW) if s.promo_rotation)
    first, second, third = (get(site, quote(story.path)) for _ in range(3))
    assert first.headers["ETag"] != second.headers["ETag"]
    assert first.body != second.body
    assert third.body == first.body  # A, B, A
    contents = [RfiArticlePage(story.url, got.body).extract().content for got in (first, second)]
    assert contents[0] == contents[1]
    assert get(site, quote(story.path), If_Modified_Since=first.headers["Last-Modified"]).status == 304


def test_removed_articles_answer_404_410_or_redirect_to_their_section() -> None:
    newsroom = Newsroom(
        NewsroomConfig(start=START, end=START + timedelta(days=1), seed=3, history=timedelta(days=1), removal_share=1)
    )
    with SimSite(newsroom) as site:
        for kind, status in (("404", 404), ("410", 410), ("redirect", 301)):
            story = next(s for s in newsroom.stories if s.removal and s.removal.kind == kind)
            assert story.removal is not None
            site.set_now(story.removal.at - timedelta(seconds=1))
            assert get(site, quote(story.path)).status == 200
            site.set_now(story.removal.at)
            gone = get(site, quote(story.path))
            assert gone.status == status
            if kind == "redirect":
                assert gone.headers["Location"] == quote(story.front_path)
                front = get(site, gone.headers["Location"])
                assert front.status == 200
                assert RfiArticlePage(story.url, front.body).extract().kind == "not_article"
            else:
                assert RfiArticlePage(story.url, gone.body).extract().kind != "article"
            assert story.url not in feed_links(get(site, "/cn/rss").body)
        site.set_now(START)
        unpublished = next(s for s in newsroom.stories if s.published > START)
        assert get(site, quote(unpublished.path)).status == 404


def test_counters_count_every_answer_by_kind_and_status(newsroom: Newsroom) -> None:
    with SimSite(newsroom, now=NOW) as site:
        etag = get(site, "/cn/rss").headers["ETag"]
        get(site, "/cn/rss", If_None_Match=etag)
        get(site, "/sitemaps/cn/news.xml")
        get(site, "/sitemaps/cn/contents_202404.xml")
        get(site, "/sitemaps/cn/tags.xml")
        get(site, quote(live(newsroom, NOW)[0].path))
        get(site, "/robots.txt")
        get(site, FEEDX_PATH)
        get(site, "/nowhere")
        assert site.counters.by_kind() == {
            "contents_sitemap": {"200": 1},
            "feed": {"200": 1, "304": 1},
            "feedx": {"200": 1},
            "news_sitemap": {"200": 1},
            "other": {"404": 1},
            "other_sitemap": {"200": 1},
            "page": {"200": 1},
            "robots": {"200": 1},
        }
        assert site.counters.listing_304_share() == 1 / 5
        assert sum(site.counters.per_second().values()) == 9
        # The feed again without its validators: the same body in full, where a 304 was due.
        assert get(site, "/cn/rss").headers["ETag"] == etag
        assert site.counters.unchanged_listing_304_share() == 1 / 2


def test_sitemaps_are_gzipped_for_clients_that_accept_it(newsroom: Newsroom) -> None:
    with SimSite(newsroom, SiteConfig(gzip_sitemaps=True), now=NOW) as site:
        zipped = get(site, "/sitemaps/cn/news.xml", Accept_Encoding="gzip, deflate")
        plain = get(site, "/sitemaps/cn/news.xml")
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.body) == plain.body
        assert "Content-Encoding" not in get(site, "/cn/rss", Accept_Encoding="gzip").headers


def test_the_site_goes_down_and_fails_a_share_of_requests(newsroom: Newsroom) -> None:
    down = Window(NOW, NOW + timedelta(hours=1))
    reset = Window(NOW + timedelta(hours=1), NOW + timedelta(hours=2), mode="reset")
    with SimSite(newsroom, server_config=ServerConfig(down=(down, reset)), now=NOW) as site:
        unavailable = get(site, "/cn/rss")
        assert (unavailable.status, unavailable.headers["Retry-After"]) == (503, "3600")
        site.set_now(reset.start)
        with pytest.raises((ConnectionError, http.client.HTTPException, socket.error)):
            get(site, "/cn/rss")
        site.set_now(reset.end)
        assert get(site, "/cn/rss").status == 200
        assert site.counters.by_kind()["feed"] == {"200": 1, "503": 1, "reset": 1}
    failures = Failures(share=0.5, kinds=("429",), scope="pages", retry_after=7)
    with SimSite(newsroom, server_config=ServerConfig(failures=failures), now=NOW) as site:
        page = quote(live(newsroom, NOW)[0].path)
        statuses = [get(site, page) for _ in range(40)]
        refused = [got for got in statuses if got.status == 429]
        assert 8 < len(refused) < 32
        assert {got.headers["Retry-After"] for got in refused} == {"7"}
        assert all(get(site, "/cn/rss").status == 200 for _ in range(10))  # out of scope


# --- scoring ------------------------------------------------------------------------------------


def write_dataset(data_dir: Path, records: Sequence[Mapping[str, object]], manifest: Mapping[str, object]) -> None:
    folder = data_dir / "rfi_cn" / "articles" / "2024-04-01"
    folder.mkdir(parents=True)
    (folder / "run.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (data_dir / "rfi_cn" / "runs").mkdir()
    (data_dir / "rfi_cn" / "runs" / "run.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_score_finds_duplicates_wrong_dates_and_manifests_that_do_not_add_up(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    story = newsroom.in_period()[0]
    record = {
        "id": "a",
        "url": story.url,
        "published": record_format(story.published),
        "fetched_at": "2024-04-03T00:00:00Z",
    }
    wrong = {**record, "published": "2024-04-01T00:00:00Z"}
    counts = {"entries_seen": 5, "new": 3, "feed_only": 0, "duplicate": {"merged": 1}, "skipped": {}, "rejected": 0,
              "lost": {}, "add_up": True}  # fmt: skip
    write_dataset(
        tmp_path, [record, wrong], {"run_id": "r1", "status": "finished", "counts": counts,
                                    "output": {"articles": "articles/2024-04-01/run.jsonl"}}
    )  # fmt: skip
    scores = score(tmp_path, newsroom, [])
    assert scores["duplicates"]["count"] == 1
    assert scores["published_right"]["wrong"] == 1
    assert scores["coverage"]["covered"] == 1
    assert scores["coverage"]["missing"] == len(newsroom.in_period()) - 1 - scores["published"]["removed"]
    assert scores["manifests"]["not_adding_up"] == ["r1"]  # 4 outcomes for 5 entries
    assert scores["manifests"]["file_mismatch"] == ["r1"]  # 2 records in the file, 3 new


def test_score_counts_the_revisits_records_in_a_run_file_and_checks_their_own_sum(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    story = newsroom.in_period()[0]
    first = {"id": "a", "url": story.url, "version": 1, "published": record_format(story.published),
             "fetched_at": "2024-04-03T00:00:00Z"}  # fmt: skip
    second = {**first, "version": 2, "fetched_at": "2024-04-03T01:00:00Z"}
    counts = {"entries_seen": 1, "new": 1, "feed_only": 0, "duplicate": {}, "skipped": {}, "rejected": 0,
              "lost": {}, "add_up": True}  # fmt: skip
    revisits = {"due": 3, "requested": 3, "not_modified": 1, "unchanged": 0, "changed": 1, "removed": 0,
                "restored": 0, "failed_by_reason": {"http_503": 1}, "deferred": 0, "add_up": True}  # fmt: skip
    manifest = {"run_id": "r1", "status": "finished", "counts": counts, "revisits": revisits,
                "output": {"articles": "articles/2024-04-01/run.jsonl"}}  # fmt: skip
    write_dataset(tmp_path, [first, second], manifest)
    assert score(tmp_path, newsroom, [])["manifests"]["not_adding_up"] == []
    assert score(tmp_path, newsroom, [])["manifests"]["file_mismatch"] == []  # 1 new + 1 changed
    revisits["failed_by_reason"] = {}
    write_dataset(tmp_path / "again", [first, second], manifest)
    assert score(tmp_path / "again", newsroom, [])["manifests"]["not_adding_up"] == ["r1"]


def test_observable_edits_and_removals_are_timed_from_the_first_run_that_could_see_them(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    """Runs every 15 minutes; an edit captured by the run after the one that first saw it counts as
    within one interval, one captured later does not; an edit superseded before any run is not
    observable; a removal's delay counts from the first run after it."""
    story = next(s for s in newsroom.in_period() if len(s.edits) == 2 and s.removal is None)
    first, second = story.edits[0], story.edits[1]
    grid = timedelta(minutes=15)

    def run_after(t: datetime) -> datetime:
        return START + ((t - START) // grid + 1) * grid

    def record(version: int, at: datetime) -> dict[str, object]:
        state = story.version_at(at)
        return {"id": "a", "url": story.url, "version": version, "title": state.title, "body": state.body,
                "published": record_format(story.published), "fetched_at": record_format(at)}  # fmt: skip

    runs = [RunResult(t, True, "finished") for t in schedule(START, newsroom.config.end, grid)]
    observable_second = run_after(first.at) < second.at
    records = [record(1, story.published), record(2, run_after(first.at) + grid)]
    if observable_second:
        records.append(record(3, run_after(second.at) + 3 * grid))  # two intervals late
    write_dataset(tmp_path, records, {"run_id": "r1", "status": "finished", "counts": {}, "output": {}})
    observable = score(tmp_path, newsroom, runs)["observable"]
    end = newsroom.config.end

    def seen_by_a_run(s: Story, at: datetime) -> bool:
        changes = [e.at for e in s.edits if e.at > at] + ([s.removal.at] if s.removal else [])
        return run_after(at) < min([*changes, end + grid])

    everyone = sum(1 for s in newsroom.in_period() for e in s.edits if e.at <= end and seen_by_a_run(s, e.at))
    assert observable["edits_observable"] == everyone
    assert seen_by_a_run(story, second.at) == observable_second
    assert observable["edits_seen_within_one_interval_of_signal"] == 1
    assert observable["edits_observable_seen"] == 1 + observable_second

    removals = Newsroom(replace(newsroom.config, removal_share=0.5))  # the fixture's period has no removal
    removed = next(s for s in removals.in_period() if s.removal is not None and s.removal.at < newsroom.config.end)
    assert removed.removal is not None
    stone = {"id": "b", "url": removed.url, "version": 2, "status": "removed", "title": "", "body": "",
             "published": record_format(removed.published),
             "fetched_at": record_format(run_after(removed.removal.at) + timedelta(hours=6))}  # fmt: skip
    write_dataset(tmp_path / "removal", [stone], {"run_id": "r1", "status": "finished", "counts": {}, "output": {}})
    delays = score(tmp_path / "removal", removals, runs)["observable"]["removal_delay_after_first_run"]
    assert delays["max"] == 6 * 3600


# --- short crawls -------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_quiet_day_with_feeds_alone_is_fully_covered_once(tmp_path: Path) -> None:
    day = datetime(2024, 4, 2, tzinfo=UTC)
    newsroom = Newsroom(NewsroomConfig(start=day, end=day + timedelta(days=1), seed=11, history=timedelta(days=2)))
    crawler_down = (Window(day + timedelta(hours=7), day + timedelta(hours=12)),)
    with SimSite(newsroom) as site:
        driver = Driver(site, tmp_path, interval=timedelta(hours=2), mode="inprocess", arguments=FEEDS_ONLY)
        runs = driver.run(day, day + timedelta(days=1), crawler_down)
        scores = score(tmp_path, newsroom, runs, outages=crawler_down, counters=site.counters, interval=driver.interval)
    assert [r.at.hour for r in runs if not r.executed] == [8, 10]
    assert scores["runs"]["statuses"] == {"finished": 11}
    assert scores["coverage"]["share"] == 1.0
    assert scores["coverage"]["unknown_records"] == 0
    assert scores["duplicates"]["count"] == 0
    # Every record right, versions included (edited articles have more than one record).
    assert scores["published_right"]["wrong"] == 0
    assert scores["published_right"]["checked"] >= scores["coverage"]["covered"]
    assert 0 < scores["delay"]["outside_outages"]["max"] <= 2 * 3600
    [catch_up] = scores["catch_up"]
    assert catch_up["first_run_after"] == "2024-04-02T12:00:00Z"
    assert catch_up["caught_by_first_run"] == catch_up["articles"] > 0
    assert scores["requests"]["first_fetch_requests_per_new_article"] == 1.0
    assert scores["manifests"]["not_adding_up"] == scores["manifests"]["file_mismatch"] == []


@pytest.mark.slow
def test_a_burst_larger_than_the_feeds_is_not_fully_covered_and_the_score_says_which(tmp_path: Path) -> None:
    start = datetime(2024, 4, 2, 2, 0, tzinfo=UTC)
    burst = Burst(start + timedelta(minutes=20), 80, within=timedelta(minutes=10), section="体育")  # no feed of its own
    config = NewsroomConfig(
        start=start, end=start + timedelta(hours=1), seed=5, history=timedelta(days=1), bursts=(burst,)
    )
    newsroom = Newsroom(config)
    with SimSite(newsroom, SiteConfig(feed_size=25)) as site:
        driver = Driver(site, tmp_path, interval=timedelta(hours=1), mode="subprocess", arguments=FEEDS_ONLY)
        runs = driver.run(config.start, config.end)
        scores = score(tmp_path, newsroom, runs, counters=site.counters, interval=driver.interval)
    coverage = scores["coverage"]
    assert [r.status for r in runs] == ["finished"] * 2
    recorded = {json.loads(line)["url"] for p in tmp_path.glob("rfi_cn/articles/*/*.jsonl") for line in p.open()}
    expected = {s.url for s in newsroom.in_period() if not s.removed_at(config.end)}
    burst_urls = {s.url for s in newsroom.stories if burst.at <= s.published <= burst.at + burst.within}
    missing = expected - recorded
    assert 10 <= len(missing) <= 50  # a real gap, and all of it listed by URL
    assert missing <= burst_urls
    assert {item["url"] for item in coverage["missing_listed"]} == missing
    assert (coverage["missing"], coverage["covered"]) == (len(missing), len(expected) - len(missing))
    assert coverage["share"] < 1
    assert scores["duplicates"]["count"] == 0


@pytest.mark.slow
def test_a_day_and_a_half_of_edits_removals_and_failing_revisits_ends_in_versions_and_tombstones(
    tmp_path: Path,
) -> None:
    """Issue 13's month in small: every 3 hours for 36 hours, many edits, removals and rotating promos,
    a fifth of the revisits failing transiently (5xx, 429, resets). Every edit a run could see is a
    version by the run after it, no promo flip mints one, no tombstone is false, and every removal
    is tombstoned within CONFIRM_AFTER (6 h) + one run of the first run that could see it."""
    start = START
    end = start + timedelta(hours=36)
    config = NewsroomConfig(
        start=start, end=end, seed=6, history=timedelta(hours=6), hourly_rate=(0.6,) * 24,
        edit_counts=(0.3, 0.4, 0.3), edit_ages=(timedelta(minutes=10), timedelta(hours=12)),
        removal_share=0.3, removal_ages=(timedelta(minutes=30), timedelta(hours=6)), promo_rotation_share=0.3,
    )  # fmt: skip
    newsroom = Newsroom(config)
    failures = Failures(share=0.2, kinds=("500", "503", "429", "reset"), scope="revisits", seed=6)
    interval = timedelta(hours=3)
    with SimSite(newsroom, server_config=ServerConfig(failures=failures)) as site:
        driver = Driver(site, tmp_path, interval=interval, mode="inprocess")
        runs = driver.run(start, end)
        scores = score(tmp_path, newsroom, runs, counters=site.counters, interval=interval)
    assert scores["runs"]["statuses"] == {"finished": len(runs)}
    assert scores["coverage"]["share"] == 1.0
    assert scores["duplicates"]["count"] == 0
    assert scores["manifests"]["not_adding_up"] == scores["manifests"]["file_mismatch"] == []
    injected = set(scores["requests"]["by_kind"]["page"]) & {"500", "503", "429", "reset"}
    assert len(injected) >= 3, scores["requests"]["by_kind"]["page"]  # revisits did fail, most retried
    revisits, observable = scores["revisits"], scores["observable"]
    assert observable["edits_observable"] >= 10
    assert observable["share_within_one_interval"] == 1.0, observable["edits_late_listed"]
    assert revisits["versions_without_edit"] == 0
    assert revisits["false_tombstones"] == 0
    # Removals a run saw while the page was still there, or whose page was gone at the first fetch
    # (the record then comes from the feedx mirror's full text), early enough to be confirmed.
    published = {record["url"] for record in load(tmp_path).records}
    last_confirmable = end - timedelta(hours=6) - 2 * interval
    confirmable = [
        s
        for s in newsroom.in_period()
        if s.removal is not None and s.removal.at <= last_confirmable and s.url in published
    ]
    assert len(confirmable) >= 3
    assert revisits["removals_tombstoned"] == len(confirmable)
    assert observable["removal_delay_after_first_run"]["max"] <= (timedelta(hours=6) + interval).total_seconds()


def test_score_reads_versions_and_tombstones(tmp_path: Path) -> None:
    config = NewsroomConfig(
        start=START, end=START + timedelta(days=2), seed=3, history=timedelta(days=1), removal_share=0.3,
        edit_counts=(0.5, 0.5),
    )  # fmt: skip
    newsroom = Newsroom(config)
    in_period = newsroom.in_period()
    edited = next(s for s in in_period if s.removal is None and s.edits and s.edits[0].at < config.end)
    removed = next(s for s in in_period if s.removal is not None and s.removal.at < config.end)
    never_removed = next(s for s in in_period if s.removal is None and s is not edited)
    edit = edited.edits[0].at
    assert removed.removal is not None

    def record(story: Story, version: int, at: datetime, status: str = "live") -> dict[str, object]:
        state = story.version_at(at)
        return {
            **{"id": story.url, "url": story.url, "version": version, "status": status},
            **{"title": state.title, "body": state.body, "published": record_format(story.published)},
            "fetched_at": record_format(at),
        }

    write_dataset(
        tmp_path,
        [
            record(edited, 1, edited.published + timedelta(seconds=1)),
            record(edited, 2, edit + timedelta(minutes=15)),  # the edit, seen 15 min after it was made
            record(edited, 3, edit + timedelta(minutes=16)),  # the same content again: minted without an edit
            record(removed, 1, removed.published + timedelta(seconds=1)),
            record(removed, 2, removed.removal.at + timedelta(minutes=10), "removed"),
            record(never_removed, 1, never_removed.published + timedelta(seconds=1)),
            record(never_removed, 2, never_removed.published + timedelta(minutes=5), "removed"),
        ],
        {"run_id": "r1", "counts": {}},
    )
    revisits = score(tmp_path, newsroom, [])["revisits"]
    assert revisits["edits_seen"] == 1
    assert revisits["edit_delay"] == {"n": 1, "median": 900, "p99": 900, "max": 900}
    assert revisits["versions_without_edit"] == 1
    assert revisits["versions_without_edit_on_rotating_pages"] == int(edited.promo_rotation)
    assert revisits["false_tombstones"] == 1
    assert revisits["removals"] == sum(1 for s in in_period if s.removal and s.removal.at <= config.end)
    assert revisits["removals_tombstoned"] == 1
    assert revisits["removal_delay"]["max"] == 600
