"""Revisits through the real engine, one rule at a time: replay archives with several responses per URL.

Each run replays its own archive. A revisit is made due by the feed: an ``<atom:updated>`` date
one second after the previous run ended is later than that run's checks, so the article is
revisited (the age schedule has its own tests: tests/discovery/test_revisits.py; the pages here
were published in 2024, long past their last age).
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from newscrawl.discovery.revisits import instant
from newscrawl.extract.dates import format_utc
from tests.archive import ArchiveBuilder, article_page, article_url, contents_sitemap, news_sitemap, sitemap_index
from tests.conftest import dataset, manifests_as_written, run_crawl
from tests.localserver import FeedItem, LocalServer, Reply, crawl_arguments, feed_reply, html, path_of

if TYPE_CHECKING:
    from pathlib import Path

FEED = "https://www.rfi.fr/cn/rss"
SECTION_FRONT = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/"
HTML = "text/html; charset=utf-8"
CONTENT = ("title", "lead", "body", "authors", "tags", "images", "media")
NO_REVISIT_COUNTS = {"not_modified": 0, "unchanged": 0, "changed": 0, "removed": 0, "restored": 0}


class Runs:
    """Successive crawls of one data dir, each replaying the archive built for it."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.data = tmp_path / "data"
        self.count = 0

    def archive(self) -> ArchiveBuilder:
        self.count += 1
        return ArchiveBuilder(self.tmp_path / f"archive-{self.count}")

    def crawl(self, archive: ArchiveBuilder, *settings: str) -> dict[str, Any]:
        pairs = [arg for setting in settings for arg in ("-s", setting)]
        result = run_crawl(self.data, "-a", f"feeds={FEED}", "-a", "sitemaps=", *pairs, replay=archive.write())
        assert result.returncode == 0, result.stderr[-4000:]
        manifest = manifests_as_written(self.data)[-1]
        assert manifest["status"] == "finished", manifest["errors"]
        assert manifest["counts"]["add_up"], manifest["counts"]
        assert manifest["revisits"]["add_up"], manifest["revisits"]
        return manifest

    def publish(self, count: int, **headers: str) -> tuple[list[str], dict[str, Any]]:
        """A first run that publishes articles 1…``count`` (with these response headers): URLs, manifest."""
        urls = [article_url(n) for n in range(1, count + 1)]
        first = self.archive()
        first.add_feed(FEED, urls)
        for n in range(1, count + 1):
            first.add_article(n, **{name: value.format(n=n) for name, value in headers.items()})
        return urls, self.crawl(first)

    def records_of(self, manifest: dict[str, Any]) -> list[dict[str, Any]]:
        """The records of one run's dataset file (none when it wrote no file)."""
        name = manifest["output"]["articles"]
        if name is None:
            return []
        lines = (self.data / "rfi_cn" / name).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]


def after(manifest: dict[str, Any]) -> str:
    """A listing date one second after a run ended: later than any check that run made, whatever
    instant its checks carry (the run's start, to the second)."""
    return format_utc(instant(manifest["ended"]) + timedelta(seconds=1))


def recipe(record: dict[str, Any]) -> str:
    """The README's content hash, written out again here."""
    content = {name: record[name] for name in CONTENT}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def revisits(manifest: dict[str, Any]) -> dict[str, Any]:
    counts = dict(manifest["revisits"])
    assert counts.pop("add_up") is True
    return counts


def untitled(index: int) -> str:
    """A page of article ``index`` whose record fails the schema (no title anywhere)."""
    url = article_url(index)
    page = article_page(index, url).replace('"headline"', '"alternativeHeadline"')
    page = page.replace('<meta property="og:title"', '<meta property="og:x"')
    page = page.split("<title>")[0] + page.split("</title>")[1]
    return page.replace('<h1 class="t-content__title a-page-title">', '<div class="x">').replace("</h1>", "</div>")


def section_front() -> str:
    return (
        '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>中国 - RFI</title>'
        '<meta property="og:type" content="website"></head><body><div class="m-item-list-article">'
        '<a data-article-item-link href="/cn/x">x</a></div></body></html>'
    )


def test_a_revisit_tells_not_modified_unchanged_changed_promo_flip_and_reject_apart(tmp_path: Path) -> None:
    runs = Runs(tmp_path)
    urls = [article_url(n) for n in range(1, 6)]
    first = runs.archive()
    first.add_feed(FEED, urls)
    first.add_article(1, ETag='"v1-1"', Last_Modified="Mon, 01 Apr 2024 08:00:00 GMT")
    first.add_article(2, ETag='"v1-2"')
    first.add_article(3)
    first.add_article(4, page=article_page(4, urls[3], promo=0))
    first.add_article(5)
    one = runs.crawl(first)
    v1 = {record["url"]: record for record in runs.records_of(one)}
    assert sorted(v1) == sorted(urls)
    assert revisits(one) == {"due": 0, "requested": 0, **NO_REVISIT_COUNTS, "failed_by_reason": {}, "deferred": 0,
                             "signals_ignored": {}}  # fmt: skip

    second = runs.archive()
    second.add_feed(FEED, urls, updated=dict.fromkeys(urls, after(one)))
    second.add(urls[0], status=304, ETag='"v1-1"')
    second.add_article(2, ETag='"v1-2-regenerated"')  # same article, new ETag: the hash decides
    edited = article_page(3, urls[2], title="测试文章3：法国与中国的对话（更正）", extra="【更新】双方同意下月再谈。")
    second.add_article(3, page=edited)
    second.add_article(4, page=article_page(4, urls[3], promo=1))  # only the promo blocks flipped
    second.add(urls[4], untitled(5), Content_Type=HTML)
    two = runs.crawl(second)

    assert revisits(two) == {
        "due": 5,
        "requested": 5,
        "not_modified": 1,
        "unchanged": 2,
        "changed": 1,
        "removed": 0,
        "restored": 0,
        "failed_by_reason": {"rejected": 1},
        "deferred": 0,
        "signals_ignored": {},
    }
    assert two["counts"]["duplicate"] == {"already_stored": 5}, "entries add up as before, on their own"
    (version,) = runs.records_of(two)
    old = v1[urls[2]]
    assert (version["url"], version["id"], version["version"], version["status"]) == (urls[2], old["id"], 2, "live")
    assert version["title"] == "测试文章3：法国与中国的对话（更正）"
    assert version["body"].endswith("【更新】双方同意下月再谈。")
    assert version["content_hash"] == recipe(version) != old["content_hash"]
    assert version["first_seen"] == old["first_seen"] == old["fetched_at"]
    assert version["feed"] == old["feed"]
    assert v1[urls[3]]["content_hash"] == recipe(v1[urls[3]])
    rejects = list((runs.data / "rfi_cn" / "rejects").glob("*/*.jsonl"))
    (line,) = [json.loads(text) for path in rejects for text in path.read_text(encoding="utf-8").splitlines()]
    assert (line["reason"], line["record"]["url"], line["record"]["version"]) == ("schema", urls[4], 2)

    # The rejected revisit kept version 1 and counted as looked at; the others answered: nothing is
    # due without a new signal, and (id, version) stays unique across the dataset.
    third = runs.archive()
    third.add_feed(FEED, urls)
    three = runs.crawl(third)
    assert revisits(three)["due"] == 0
    keys = [(record["id"], record["version"]) for record in dataset(runs.data)]
    assert len(keys) == len(set(keys)) == 6


def test_a_removal_needs_two_runs_confirm_after_apart_and_a_return_is_a_new_live_version(tmp_path: Path) -> None:
    runs = Runs(tmp_path)
    gone, moved = article_url(1), article_url(2)
    first = runs.archive()
    first.add_feed(FEED, [gone, moved])
    first.add_article(1)
    first.add_article(2)
    one = runs.crawl(first)
    v1 = {record["url"]: record for record in runs.records_of(one)}

    def gone_archive(status: int, signal: dict[str, Any] | None) -> ArchiveBuilder:
        archive = runs.archive()
        archive.add_feed(FEED, [gone, moved], updated=dict.fromkeys([gone, moved], after(signal)) if signal else None)
        archive.add(gone, "not found", status)
        archive.add(moved, status=301, Location=SECTION_FRONT)
        archive.add(SECTION_FRONT, section_front(), Content_Type=HTML)
        return archive

    # Found gone (404; a redirect to the section front) by one run, then again too soon: no tombstone.
    two = runs.crawl(gone_archive(404, one), "NEWSCRAWL_REMOVAL_CONFIRM_AFTER=1h")
    assert revisits(two)["failed_by_reason"] == {"gone_unconfirmed": 2}
    three = runs.crawl(gone_archive(410, two), "NEWSCRAWL_REMOVAL_CONFIRM_AFTER=1h")
    assert revisits(three)["failed_by_reason"] == {"gone_unconfirmed": 2}
    assert runs.records_of(two) == runs.records_of(three) == []

    # Once the first finding is CONFIRM_AFTER old, the schedule brings them back (no signal needed).
    four = runs.crawl(gone_archive(404, None), "NEWSCRAWL_REMOVAL_CONFIRM_AFTER=1s")
    assert revisits(four) == {
        "due": 2,
        "requested": 2,
        **NO_REVISIT_COUNTS,
        "removed": 2,
        "failed_by_reason": {},
        "deferred": 0,
        "signals_ignored": {},
    }
    stones = {record["url"]: record for record in runs.records_of(four)}
    for url in (gone, moved):
        stone, last = stones[url], v1[url]
        assert (stone["status"], stone["version"], stone["removed_at"]) == ("removed", 2, two["started"])
        same = {k: v for k, v in last.items() if k not in ("version", "status", "fetched_at")}
        assert {k: v for k, v in stone.items() if k not in ("version", "status", "fetched_at", "removed_at")} == same

    # The article comes back: a new live version (even with the same content); the redirect stays gone.
    five_archive = runs.archive()
    five_archive.add_feed(FEED, [gone, moved], updated=dict.fromkeys([gone, moved], after(four)))
    five_archive.add_article(1)
    five_archive.add(moved, status=301, Location=SECTION_FRONT)
    five_archive.add(SECTION_FRONT, section_front(), Content_Type=HTML)
    five = runs.crawl(five_archive, "NEWSCRAWL_REMOVAL_CONFIRM_AFTER=1s")
    assert revisits(five)["restored"] == 1
    assert revisits(five)["unchanged"] == 1
    (back,) = runs.records_of(five)
    assert (back["url"], back["version"], back["status"]) == (gone, 3, "live")
    assert "removed_at" not in back
    assert back["content_hash"] == v1[gone]["content_hash"]


def test_the_cap_defers_the_newest_signals_and_a_deferred_signal_is_kept(tmp_path: Path) -> None:
    runs = Runs(tmp_path)
    urls, one = runs.publish(5, ETag='"{n}"')
    start = instant(one["started"])
    updated = {url: format_utc(start + timedelta(seconds=6 - n)) for n, url in enumerate(urls, 1)}

    second = runs.archive()
    second.add_feed(FEED, urls, updated=updated)  # the last article's signal is the oldest
    for url in urls:
        second.add(url, status=304)
    two = runs.crawl(second, "NEWSCRAWL_REVISIT_MAX_PER_RUN=2")
    assert revisits(two)["due"] == 5
    assert revisits(two)["requested"] == 2
    assert revisits(two)["deferred"] == 3
    assert revisits(two)["not_modified"] == 2

    # The feed no longer lists them: the three deferred signals (the newest) were kept and are
    # requested now; the two answered ones are not (they would find a 404 here).
    third = runs.archive()
    third.add_feed(FEED, [])
    for url in urls[:3]:
        third.add(url, status=304)
    three = runs.crawl(third)
    assert revisits(three) == {
        "due": 3,
        "requested": 3,
        **NO_REVISIT_COUNTS,
        "not_modified": 3,
        "failed_by_reason": {},
        "deferred": 0,
        "signals_ignored": {},
    }


def test_unreadable_or_future_listing_dates_are_ignored_and_counted(tmp_path: Path) -> None:
    runs = Runs(tmp_path)
    urls, _ = runs.publish(3)
    second = runs.archive()
    second.add_feed(FEED, urls, updated={urls[0]: "not a date", urls[1]: "2099-01-01T00:00:00Z"})
    two = runs.crawl(second)
    assert revisits(two)["due"] == 0
    assert revisits(two)["signals_ignored"] == {"future": 1, "malformed": 1}


def test_transient_failures_never_remove_and_a_tombstone_is_revisited_without_validators(tmp_path: Path) -> None:
    """Over HTTP: eight articles found gone once; when the confirmation is due, seven answer with
    what is no removal (5xx, 403, 429, a timeout, a reset, a robots refusal, a challenge page) and
    one is gone again. Only that one is tombstoned; when it is listed as changed it is fetched
    without validators and comes back as a new live version."""
    names = ["http_503", "http_403", "http_429", "timeout", "connection", "robots", "challenge", "gone"]
    urls = {name: article_url(n) for n, name in enumerate(names, 1)}
    data = tmp_path / "data"
    allow = Reply(200, "User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    with LocalServer() as server:

        def crawl(*settings: str) -> dict[str, Any]:
            arguments = crawl_arguments(
                server.origin,
                "NEWSCRAWL_BROWSER_FALLBACK=False",
                "NEWSCRAWL_REMOVAL_CONFIRM_AFTER=1s",
                "RETRY_TIMES=1",
                "DOWNLOAD_TIMEOUT=1",
                *settings,
            )
            result = run_crawl(data, *arguments, replay=None)
            assert result.returncode == 0, result.stderr[-4000:]
            manifest = manifests_as_written(data)[-1]
            assert manifest["revisits"]["add_up"], manifest["revisits"]
            return manifest

        def listing(updated: str | None = None, *, changed: str | None = None) -> None:
            """The feed of every article, each `updated` (or only the one named `changed`)."""
            items = [
                FeedItem(name, url, updated=updated if changed in (None, name) else None) for name, url in urls.items()
            ]
            server.route("/cn/rss", feed_reply(items))

        server.route("/robots.txt", allow)
        listing()
        for n, (name, url) in enumerate(urls.items(), 1):
            page = html(article_page(n, url), ETag=f'"{name}"', Last_Modified="Mon, 01 Apr 2024 08:00:00 GMT")
            server.route(path_of(url), page)
        one = crawl()
        assert one["counts"]["new"] == 8

        for url in urls.values():
            server.route(path_of(url), Reply(404, "not found", {"Content-Type": "text/plain"}))
        listing(after(one))
        two = crawl()
        assert two["revisits"]["failed_by_reason"] == {"gone_unconfirmed": 8}
        for name, url in urls.items():
            (seen,) = server.requests_to(path_of(url))[1:]
            assert seen.headers.get("if-none-match") == f'"{name}"'
            assert seen.headers.get("if-modified-since") == "Mon, 01 Apr 2024 08:00:00 GMT"

        listing()  # no signal: the confirmation is due by itself
        server.route("/robots.txt", Reply(200, f"User-agent: *\nDisallow: {path_of(urls['robots'])}\n"))
        server.route(path_of(urls["http_503"]), Reply(503, "busy"))
        server.route(path_of(urls["http_403"]), Reply(403, "forbidden"))
        server.route(path_of(urls["http_429"]), Reply(429, "slow down", {"Retry-After": "0"}))
        server.route(path_of(urls["timeout"]), Reply(200, "late", delay=2.5))
        server.route(path_of(urls["connection"]), Reply(drop=True))
        challenge = "<html><head><title>Just a moment...</title></head><body><script>check()</script></body></html>"
        server.route(path_of(urls["challenge"]), html(challenge))
        three = crawl()
        failures = {name: 1 for name in names if name != "gone"}
        assert (three["revisits"]["removed"], three["revisits"]["failed_by_reason"]) == (1, failures)
        (stone,) = (record for record in dataset(data) if record["status"] == "removed")
        assert (stone["url"], stone["version"], stone["removed_at"]) == (urls["gone"], 2, two["started"])

        server.route("/robots.txt", allow)
        before = len(server.requests)
        server.route(path_of(urls["gone"]), html(article_page(8, urls["gone"]), ETag='"back"'))
        listing(after(three), changed="gone")
        four = crawl()
        later = [seen.path for seen in server.requests[before:]]
        assert later.count(unquote(path_of(urls["gone"]))) == 1
        assert not any(unquote(path_of(urls[n])) in later for n in failures), "the failed ones wait for their back-off"
        returned = server.requests_to(path_of(urls["gone"]))[-1]
        assert "if-none-match" not in returned.headers
        assert "if-modified-since" not in returned.headers

        before = len(server.requests)
        listing(after(four))  # a new signal for each: one try now, back-off or not
        five = crawl()
        later = [seen.path for seen in server.requests[before:]]
        assert all(unquote(path_of(urls[n])) in later for n in failures), later
        assert five["revisits"]["requested"] == len(names)
    assert (four["revisits"]["restored"], four["revisits"]["requested"]) == (1, 1)
    back = [record for record in dataset(data) if record["url"] == urls["gone"]]
    assert [(r["version"], r["status"]) for r in back] == [(1, "live"), (2, "removed"), (3, "live")]


# --- with a frozen clock (NEWSCRAWL_NOW): the age schedule, a news sitemap's signals --------------

PUBLISHED = "2024-04-01T08:00:00Z"  # article_page's datePublished, 10:00 Paris


def at(minutes: float) -> str:
    """The run clock, ``minutes`` after the test articles' publication."""
    return "NEWSCRAWL_NOW=" + format_utc(instant(PUBLISHED) + timedelta(minutes=minutes))


def test_the_age_schedule_revisits_an_article_once_at_each_age(tmp_path: Path) -> None:
    runs = Runs(tmp_path)
    url = article_url(1)
    first = runs.archive()
    first.add_feed(FEED, [url])
    first.add_article(1, ETag='"1"')
    runs.crawl(first, at(10), "NEWSCRAWL_REVISIT_AGES=1h,6h")
    due = []
    for minutes in (40, 65, 80, 300, 365, 370, 2000):
        archive = runs.archive()
        archive.add_feed(FEED, [url])
        archive.add(url, status=304)
        manifest = runs.crawl(archive, at(minutes), "NEWSCRAWL_REVISIT_AGES=1h,6h")
        due.append((minutes, revisits(manifest)["not_modified"]))
    # Due at 60 and 360 minutes; each age once; after the last age, only signals bring it back.
    assert due == [(40, 0), (65, 1), (80, 0), (300, 0), (365, 1), (370, 0), (2000, 0)]


NEWS = "https://www.rfi.fr/sitemaps/cn/news.xml"
Pages = dict[str, str | int]  # a page's HTML, or the status a gone page answers


def test_a_news_sitemap_tells_edits_by_lastmod_and_removals_by_absence(tmp_path: Path) -> None:
    """Run 1 publishes three articles the news sitemap lists; run 2's map says the first changed
    (lastmod) and lists the others; run 3's map no longer lists the second, published between the
    two it lists (a removal), and carries an unreadable and a future lastmod; the removal is
    confirmed CONFIRM_AFTER (6h) later."""
    runs = Runs(tmp_path)
    edited, removed, other = article_url(1), article_url(2), article_url(3)
    published = {edited: "2024-04-01T10:00:00+02:00", removed: "2024-04-01T10:30:00+02:00",
                 other: "2024-04-01T11:00:00+02:00"}  # fmt: skip

    def crawl(minutes: float, listed: list[str], lastmod: dict[str, str], pages: Pages) -> dict[str, Any]:
        archive = runs.archive()
        archive.add_feed(FEED, [])
        archive.add_sitemap(NEWS, news_sitemap([(url, "条目", published[url]) for url in listed], lastmod))
        for url, page in pages.items():
            if isinstance(page, int):
                archive.add(url, "gone", page)
            else:
                archive.add(url, page, Content_Type=HTML, ETag=f'"{minutes}"')
        arguments = ["-a", f"feeds={FEED}", "-a", f"sitemaps={NEWS}", "-s", at(minutes)]
        result = run_crawl(runs.data, *arguments, replay=archive.write())
        assert result.returncode == 0, result.stderr[-4000:]
        manifest = manifests_as_written(runs.data)[-1]
        assert manifest["status"] == "finished", manifest["errors"]
        return manifest

    pages: Pages = {url: article_page(n, url) for n, url in enumerate((edited, removed, other), 1)}
    one = crawl(90, [edited, removed, other], {}, pages)
    assert one["counts"]["new"] == 3
    changed_page = article_page(1, edited, extra="【更新】双方同意下月再谈。")
    two = crawl(105, [edited, removed, other], {edited: "2024-04-01T09:40:00Z"}, {edited: changed_page})
    assert (revisits(two)["requested"], revisits(two)["changed"]) == (1, 1)
    three = crawl(120, [edited, other], {edited: "2030-01-01T00:00:00Z", other: "soon"}, {removed: 404})
    assert revisits(three)["signals_ignored"] == {"future": 1, "malformed": 1}
    assert (revisits(three)["requested"], revisits(three)["failed_by_reason"]) == (1, {"gone_unconfirmed": 1})
    assert three["stats"]["newscrawl/revisits/unlisted"] == 1
    four = crawl(135, [edited, other], {}, {})
    assert revisits(four)["due"] == 0, "one signal per disappearance; the confirmation waits 6h"
    five = crawl(120 + 360, [edited, other], {}, {removed: 404})
    assert revisits(five)["removed"] == 1
    records = {(r["url"], r["version"]): r for r in dataset(runs.data)}
    assert sorted(records) == sorted([(edited, 1), (edited, 2), (removed, 1), (removed, 2), (other, 1)])
    assert records[(edited, 2)]["body"].endswith("【更新】双方同意下月再谈。")
    assert records[(removed, 2)]["status"] == "removed"
    assert records[(removed, 2)]["removed_at"] == "2024-04-01T10:00:00Z"  # run 3's clock


def test_the_contents_map_of_a_watched_month_is_read_every_run_for_its_signals(tmp_path: Path) -> None:
    """No back-fill to do after the first run, yet robots.txt → index → April's contents map is read
    every run while April's articles are on the revisit schedule: its lastmod is a signal."""
    runs = Runs(tmp_path)
    url = article_url(1)
    robots = "https://www.rfi.fr/robots.txt"
    index = "https://www.rfi.fr/sitemaps/cn/index.xml"
    april = "https://www.rfi.fr/sitemaps/cn/contents_202404.xml"

    def crawl(minutes: float, lastmod: str | None, page: str) -> dict[str, Any]:
        archive = runs.archive()
        archive.add_feed(FEED, [url])
        archive.add(robots, f"User-agent: *\nAllow: /\nSitemap: {index}\n", Content_Type="text/plain")
        archive.add_sitemap(index, sitemap_index([april]))
        archive.add_sitemap(april, contents_sitemap([(url, lastmod)]))
        archive.add(url, page, Content_Type=HTML)
        arguments = ["-a", f"feeds={FEED}", "-a", f"sitemaps={robots}", "-s", at(minutes)]
        result = run_crawl(runs.data, *arguments, replay=archive.write())
        assert result.returncode == 0, result.stderr[-4000:]
        return manifests_as_written(runs.data)[-1]

    crawl(90, None, article_page(1, url))
    two = crawl(105, "2024-04-01T09:40:00Z", article_page(1, url, title="测试文章1（更正）"))
    assert two["backfill"] is None
    assert {s["url"]: s["kind"] for s in two["sources"]}[april] == "contents"
    assert (revisits(two)["requested"], revisits(two)["changed"]) == (1, 1)
    assert [r["title"] for r in dataset(runs.data)] == ["测试文章1：法国与中国的对话", "测试文章1（更正）"]


def test_an_index_is_read_again_only_when_its_remembered_maps_miss_a_watched_month_or_fail(tmp_path: Path) -> None:
    """The watched months' maps, as the index named them at its last read, are read without the
    index; a map that is gone (404, 410) sends the next run back to the index (it may have moved),
    unless the index was read in the same run; a 503 does not."""
    runs = Runs(tmp_path)
    url = article_url(1)
    robots = "https://www.rfi.fr/robots.txt"
    index = "https://www.rfi.fr/sitemaps/cn/index.xml"
    march, april = (f"https://www.rfi.fr/sitemaps/cn/contents_2024{month}.xml" for month in ("03", "04"))

    def crawl(minutes: float, named: list[str], april_status: int = 200) -> dict[str, dict[str, Any]]:
        archive = runs.archive()
        archive.add_feed(FEED, [url])
        archive.add(robots, f"User-agent: *\nAllow: /\nSitemap: {index}\n", Content_Type="text/plain")
        archive.add_sitemap(index, sitemap_index(named))
        archive.add_sitemap(march, contents_sitemap([]))
        archive.add_sitemap(april, contents_sitemap([(url, None)]), status=april_status)
        archive.add(url, article_page(1, url), Content_Type=HTML)
        arguments = ["-a", f"feeds={FEED}", "-a", f"sitemaps={robots}", "-s", at(minutes)]
        result = run_crawl(runs.data, *arguments, replay=archive.write())
        assert result.returncode == 0, result.stderr[-4000:]
        manifest = manifests_as_written(runs.data)[-1]
        assert manifest["counts"]["add_up"], manifest["counts"]
        return {source["url"]: source for source in manifest["sources"]}

    assert index in crawl(90, [april])  # the first run reads it: it names April only
    second = crawl(105, [march, april])  # March is watched too (7 days back): not named at the last read
    assert second[index]["kind"] == "sitemap_index"
    third = crawl(120, [march, april], april_status=404)
    assert index not in third, "both watched months named at the last read: the index is not requested"
    assert (third[march]["status"], third[april]["status"]) == ("ok", "failed")
    fourth = crawl(135, [march, april], april_status=404)
    assert fourth[index]["kind"] == "sitemap_index", "April's map failed: read the index again"
    assert fourth[april]["status"] == "failed"
    fifth = crawl(150, [march, april], april_status=503)
    assert index not in fifth, "the index read by the fourth run named April's map as it is: not read again"
    assert fifth[april]["status"] == "failed"
    assert index not in crawl(165, [march, april]), "a 503 says nothing of a move"
