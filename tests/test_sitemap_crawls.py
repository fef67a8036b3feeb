"""RFI's sitemaps as a second discovery source, through the real engine (`scrapy crawl` subprocesses):
merged with feed entries before any page request, catch-up and back-fill through the monthly
contents maps with a frozen clock, conditional listing requests, and hostile sitemaps."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from tests.archive import ArchiveBuilder, article_page, article_url, contents_sitemap, news_sitemap, sitemap_index
from tests.conftest import FEED, REPO, dataset, flat_total, manifests, run_crawl
from tests.localserver import FeedItem, LocalServer, Reply, Seen, crawl_arguments, feed_reply, html, path_of

ROBOTS = "https://www.rfi.fr/robots.txt"
NEWS = "https://www.rfi.fr/sitemaps/cn/news.xml"
INDEX = "https://www.rfi.fr/sitemaps/cn/index.xml"
BAD_INPUT = REPO / "fixtures" / "sitemaps"
# crawl_arguments() turns sitemaps off for the local test sites; these tests serve them.
DEFAULT_SITEMAPS = ["-a", f"sitemaps={NEWS},{ROBOTS}"]
NOW, LATER = "2024-04-02T06:00:00Z", "2024-04-02T06:15:00Z"


def contents(month: str) -> str:
    return f"https://www.rfi.fr/sitemaps/cn/contents_{month}.xml"


def robots(*sitemaps: str) -> str:
    return "User-agent: *\nAllow: /\n" + "".join(f"Sitemap: {url}\n" for url in sitemaps)


def sources(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {source["url"]: source for source in manifest["sources"]}


def by_url(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["url"]: record for record in records}


def assert_counts_add_up(manifest: dict[str, Any]) -> None:
    counts = manifest["counts"]
    assert counts["add_up"] is True, counts
    assert flat_total(counts) == counts["entries_seen"], counts


def in_order(data: Path) -> list[dict[str, Any]]:
    return sorted(manifests(data), key=lambda manifest: str(manifest["run_id"]))


# --- one run: sitemaps beside the feeds, through the fetch origin -----------------------------------


def page_reply(index: int) -> Reply:
    return html(article_page(index, article_url(index)))


def test_sitemap_entries_join_feed_entries_before_any_page_request(tmp_path: Path) -> None:
    one, two, three, four = (article_url(i) for i in range(1, 5))
    relative_four = "/cn/" + quote("中国") + "/20240401-" + quote("测试文章4")
    news = news_sitemap(
        [
            ("https://www.rfi.fr/cn/中国/20240401-测试文章2", "条目二（新闻地图）", "2024-04-01T09:00:00+02:00"),
            (three, "条目三", "2024-04-01T10:00:00+02:00"),
            ("https://www.rfi.fr/tw/中國/20240401-測試文章3", "條目三", "2024-04-01T10:00:00+02:00"),
            (relative_four, "条目四", "2024-04-01T11:00:00+02:00"),
        ]
    )
    with LocalServer() as server:
        server.route(
            "/robots.txt",
            Reply(
                200,
                robots(
                    NEWS, INDEX, "https://www.rfi.fr/sitemaps/fr/news.xml", "https://evil.example/sitemaps/cn/x.xml"
                ),
                {"Content-Type": "text/plain"},
            ),
        )
        server.route("/cn/rss", feed_reply([FeedItem("条目一", one), FeedItem("条目二", two)]))
        server.route(path_of(NEWS), Reply(200, news, {"Content-Type": "application/xml"}))
        server.route(path_of(INDEX), Reply(200, sitemap_index([contents("202403"), contents("202404")])))
        for index, url in enumerate((one, two, three, four), 1):
            server.route(path_of(url), page_reply(index))
        data = tmp_path / "data"
        result = run_crawl(
            data,
            # No age schedule: no month watched for revisits either (tests/run/test_revisit_runs.py has that).
            *crawl_arguments(
                server.origin,
                "NEWSCRAWL_NOW=2024-04-02T06:00:00Z",
                "NEWSCRAWL_BACKFILL_MAX_DAYS=0",
                "NEWSCRAWL_REVISIT_AGES=",
            ),
            *DEFAULT_SITEMAPS,
            replay=None,
        )
        requests = Counter(seen.path for seen in server.requests)
    assert result.returncode == 0, result.stderr[-4000:]
    records = by_url(dataset(data))
    assert sorted(records) == sorted([one, two, three, four])
    for url in (one, two, three, four):
        assert requests[unquote(path_of(url))] == 1, f"{url} requested {requests[unquote(path_of(url))]} times"
    # Feeds keep priority: article 2 is in both, its provenance is the feed.
    assert records[two]["feed"]["url"] == f"{server.origin}/cn/rss"
    assert records[three]["feed"] == {
        "url": NEWS,
        "entry_id": None,
        "entry_title": "条目三",
        "entry_published": "2024-04-01T08:00:00Z",
        "position": 1,
    }
    assert records[four]["feed"]["position"] == 3
    assert {record["fetched_at"] for record in records.values()} == {"2024-04-02T06:00:00Z"}, "NEWSCRAWL_NOW"
    # Every www.rfi.fr listing went to the fetch origin; the other language's and the off-site map did not.
    assert requests[path_of(NEWS)] == 1
    assert requests["/sitemaps/fr/news.xml"] == 0
    assert requests[path_of(contents("202403"))] == requests[path_of(contents("202404"))] == 0, "no catch-up"
    (manifest,) = manifests(data)
    assert str(manifest["run_id"]).startswith("20240402T060000Z-")
    assert manifest["output"]["articles"].startswith("articles/2024-04-02/")
    found = sources(manifest)
    assert found[ROBOTS]["skipped"] == {"offsite": 1, "outside_sitemaps_cn": 1}
    assert (found[NEWS]["kind"], found[NEWS]["entries"], found[NEWS]["problem"]) == ("sitemap", 4, None)
    assert found[INDEX]["kind"] == "sitemap_index"
    counts = manifest["counts"]
    assert counts["entries_seen"] == 2 + 4
    assert counts["new"] == 4
    assert counts["duplicate"] == {"merged": 1}
    assert counts["skipped"] == {"other_edition": 1}
    assert_counts_add_up(manifest)


# --- catch-up and back-fill through the monthly contents maps -----------------------------------------


def backfill_archive(folder: Path) -> tuple[Path, dict[str, str]]:
    """A site whose index lists contents maps for Feb–May 2024; one article per (lastmod) below."""
    articles = {
        "feb": ("202402", "2024-02-21T08:00:00Z"),
        "mar_early": ("202403", "2024-03-01T10:00:00Z"),
        "mar_late": ("202403", "2024-03-20T10:00:00Z"),
        "mar_undated": ("202403", None),
        "apr_first": ("202404", "2024-04-01T09:00:00+02:00"),
        "apr_fifth": ("202404", "2024-04-05T12:00:00Z"),
        "may": ("202405", "2024-05-05T12:00:00Z"),
    }
    urls = {name: article_url(index, "欧洲") for index, name in enumerate(articles, 10)}
    builder = ArchiveBuilder(folder)
    builder.add(ROBOTS, robots(NEWS, INDEX), Content_Type="text/plain")
    builder.add_feed(FEED, [article_url(1)])
    builder.add_article(1)
    builder.add_sitemap(NEWS, news_sitemap([]))
    months = ["202402", "202403", "202404", "202405"]
    builder.add_sitemap(
        INDEX, sitemap_index([contents(m) for m in months] + ["https://www.rfi.fr/sitemaps/cn/tags.xml"])
    )
    for month in months:
        entries = [(urls[name], lastmod) for name, (m, lastmod) in articles.items() if m == month]
        builder.add_sitemap(contents(month), contents_sitemap(entries))
    for index, name in enumerate(articles, 10):
        builder.add_article(index, urls[name])
    return builder.write(), urls


def requested_maps(manifest: dict[str, Any]) -> list[str]:
    return sorted(url for url, source in sources(manifest).items() if source["kind"] == "contents")


def test_catch_up_walks_the_months_of_the_gap(tmp_path: Path) -> None:
    archive, urls = backfill_archive(tmp_path / "archive")
    data = tmp_path / "data"
    # The catch-up alone: no age schedule, so no month is watched for revisits (tests/run/test_revisit_runs.py).
    feeds = ["-a", f"feeds={FEED}", "-s", "NEWSCRAWL_REVISIT_AGES="]

    # A first run (no finished run before it): the last 31 days, 2 Mar 06:00 UTC to now.
    first = run_crawl(data, *feeds, "-s", "NEWSCRAWL_NOW=2024-04-02T06:00:00Z", replay=archive)
    assert first.returncode == 0, first.stderr[-4000:]
    (run1,) = manifests(data)
    assert requested_maps(run1) == [contents("202403"), contents("202404")]
    assert sources(run1)[contents("202403")]["outside_window"] == 1  # mar_early
    got = {record["url"] for record in dataset(data)}
    assert got == {article_url(1), urls["mar_late"], urls["mar_undated"], urls["apr_first"], urls["apr_fifth"]}
    assert run1["backfill"] == {
        "reason": "first_run",
        "horizon": "2024-03-02T06:00:00Z",
        "months": ["2024-03", "2024-04"],
        "bounded": True,
        "missing_months": [],
    }
    assert_counts_add_up(run1)

    # A day later: the news sitemap covers the gap, no contents map is read.
    second = run_crawl(data, *feeds, "-s", "NEWSCRAWL_NOW=2024-04-03T06:00:00Z", replay=archive)
    assert second.returncode == 0, second.stderr[-4000:]
    run2 = in_order(data)[-1]
    assert requested_maps(run2) == []
    assert run2["backfill"] is None
    assert INDEX not in sources(run2), "an index known from the last run is read only for a catch-up"

    # The crawler was down for five weeks: the gap is cut to 31 days (9 Apr 06:00 → 10 May 06:00).
    third = run_crawl(data, *feeds, "-s", "NEWSCRAWL_NOW=2024-05-10T06:00:00Z", replay=archive)
    assert third.returncode == 0, third.stderr[-4000:]
    run3 = in_order(data)[-1]
    assert requested_maps(run3) == [contents("202404"), contents("202405")]
    assert run3["backfill"]["horizon"] == "2024-04-09T06:00:00Z"
    assert run3["backfill"]["bounded"] is True
    added = {record["url"] for record in dataset(data)} - got
    assert added == {urls["may"]}, "apr_fifth was published by the first run; nothing before the horizon"
    # Only the feed's article was already stored: April's two entries before the horizon are not entries.
    assert run3["counts"]["duplicate"] == {"already_stored": 1}
    assert sources(run3)[contents("202404")]["outside_window"] == 2
    assert (data / "rfi_cn" / "articles" / "2024-05-10").is_dir()
    assert_counts_add_up(run3)


def test_since_back_fills_every_month_from_that_day_and_logs_progress(tmp_path: Path) -> None:
    archive, urls = backfill_archive(tmp_path / "archive")
    data = tmp_path / "data"
    result = run_crawl(
        data,
        "-a",
        f"feeds={FEED}",
        "-a",
        "since=2024-02-20",
        "-s",
        "NEWSCRAWL_NOW=2024-04-02T06:00:00Z",
        replay=archive,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    (manifest,) = manifests(data)
    assert requested_maps(manifest) == [contents("202402"), contents("202403"), contents("202404")]
    assert manifest["backfill"]["reason"] == "since"
    assert manifest["backfill"]["horizon"] == "2024-02-19T23:00:00Z"  # Paris midnight, CET
    got = {record["url"] for record in dataset(data)}
    assert got == {article_url(1)} | {urls[name] for name in urls if name != "may"}
    assert "Back-fill (since 2024-02-20): months 3/3 walked, 7 articles queued" in result.stderr
    assert "Back-fill (since 2024-02-20) done: months 3/3 walked, 7 articles queued, 7 done" in result.stderr
    assert_counts_add_up(manifest)


# --- conditional listing requests ---------------------------------------------------------------------


def test_unchanged_listings_answer_304_on_the_second_run_in_replay(tmp_path: Path) -> None:
    url = article_url(1)
    first = ArchiveBuilder(tmp_path / "first")
    first.add(ROBOTS, robots(NEWS), Content_Type="text/plain", ETag='"r1"')
    first.add(FEED, feed_reply([FeedItem("一", url)]).body, Content_Type="application/rss+xml", ETag='"f1"')
    first.add_sitemap(NEWS, news_sitemap([(url, "一", "2024-04-01T10:00:00Z")]), ETag='"n1"')
    first.add_article(1)
    second = ArchiveBuilder(tmp_path / "second")
    second.add(ROBOTS, robots(NEWS), Content_Type="text/plain", ETag='"r1"')  # read whole every run
    for listing in (FEED, NEWS):
        second.add(listing, status=304)
    data = tmp_path / "data"
    settings = ["-a", f"feeds={FEED}", "-s", "NEWSCRAWL_BACKFILL_MAX_DAYS=0"]
    # Two runs a quarter of an hour apart (the frozen clock orders their ids).
    assert run_crawl(data, *settings, "-s", f"NEWSCRAWL_NOW={NOW}", replay=first.write()).returncode == 0
    result = run_crawl(data, *settings, "-s", f"NEWSCRAWL_NOW={LATER}", replay=second.write())
    assert result.returncode == 0, result.stderr[-4000:]
    run2 = in_order(data)[-1]
    assert run2["status"] == "finished"
    for listing in (FEED, NEWS):
        source = sources(run2)[listing]
        assert (source["not_modified"], source["http_status"], source["entries"]) == (True, 304, 0), listing
    assert (sources(run2)[ROBOTS]["not_modified"], sources(run2)[ROBOTS]["http_status"]) == (False, 200)
    assert run2["counts"]["entries_seen"] == 0
    assert_counts_add_up(run2)
    assert len(dataset(data)) == 1


def conditional(body: str | bytes, etag: str, content_type: str) -> Any:
    """A listing that answers 304 exactly when the request carries its ETag."""

    def reply(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(
            200, body, {"Content-Type": content_type, "ETag": etag, "Last-Modified": "Mon, 01 Apr 2024 08:00:00 GMT"}
        )

    return reply


def test_the_previous_runs_validators_are_sent_and_a_lost_article_forgets_them(tmp_path: Path) -> None:
    kept, refused = article_url(1), article_url(2)
    news = news_sitemap([(refused, "二", "2024-04-01T10:00:00Z")])
    with LocalServer() as server:
        server.route("/robots.txt", conditional(robots(NEWS), '"r1"', "text/plain"))
        server.route("/cn/rss", conditional(feed_reply([FeedItem("一", kept)]).body, '"f1"', "application/rss+xml"))
        server.route(path_of(NEWS), conditional(news, '"n1"', "application/xml"))
        server.route(path_of(kept), page_reply(1))
        server.route(path_of(refused), Reply(403, "refused", {"Content-Type": "text/plain"}))
        data = tmp_path / "data"
        arguments = [
            *crawl_arguments(
                server.origin,
                "NEWSCRAWL_BACKFILL_MAX_DAYS=0",
                "NEWSCRAWL_BROWSER_FALLBACK=False",
                "RETRY_ENABLED=False",
            ),
            *DEFAULT_SITEMAPS,
        ]
        first = run_crawl(data, *arguments, "-s", f"NEWSCRAWL_NOW={NOW}", replay=None)
        assert first.returncode == 0, first.stderr[-4000:]
        second = run_crawl(data, *arguments, "-s", f"NEWSCRAWL_NOW={LATER}", replay=None)
        assert second.returncode == 0, second.stderr[-4000:]
        heard = {
            path: [seen.headers.get("if-none-match") for seen in server.requests_to(path)]
            for path in ("/robots.txt", "/cn/rss", path_of(NEWS))
        }
    # One robots.txt request a run, unconditional: Scrapy's robots middleware and the sitemap
    # listing share it (downloader.robots_once).
    assert heard["/robots.txt"] == [None, None]
    # The feed was handled whole: the second run asks with its ETag and gets a 304.
    assert heard["/cn/rss"] == [None, '"f1"']
    # The news sitemap listed an article that was lost: its validators were not kept, so the second
    # run reads it in full and tries the article again.
    assert heard[path_of(NEWS)] == [None, None]
    run1, run2 = in_order(data)
    assert run1["counts"]["lost"] == {"no_fulltext": 1}
    assert run2["counts"]["lost"] == {"no_fulltext": 1}
    assert sources(run2)[f"{server.origin}/cn/rss"]["not_modified"] is True
    assert sources(run2)[NEWS]["not_modified"] is False


def test_a_robots_request_that_failed_is_not_shared_the_next_one_goes_out(tmp_path: Path) -> None:
    url = article_url(1)
    with LocalServer() as server:
        # The run's first robots.txt request times out; the one waiting for it then asks itself.
        server.route(
            "/robots.txt",
            Reply(200, robots(NEWS), {"Content-Type": "text/plain"}, delay=3),
            Reply(200, robots(NEWS), {"Content-Type": "text/plain"}),
        )
        server.route("/cn/rss", feed_reply([FeedItem("一", url)]))
        server.route(
            path_of(NEWS),
            Reply(200, news_sitemap([(url, "一", "2024-04-01T10:00:00Z")]), {"Content-Type": "application/xml"}),
        )
        server.route(path_of(url), page_reply(1))
        data = tmp_path / "data"
        arguments = crawl_arguments(
            server.origin,
            "NEWSCRAWL_BACKFILL_MAX_DAYS=0",
            "NEWSCRAWL_BROWSER_FALLBACK=False",
            "RETRY_ENABLED=False",
            "DOWNLOAD_TIMEOUT=1",
            f"NEWSCRAWL_NOW={NOW}",
        )
        result = run_crawl(data, *arguments, *DEFAULT_SITEMAPS, replay=None)
        assert result.returncode == 0, result.stderr[-4000:]
        asked = server.requests_to("/robots.txt")
    assert len(asked) == 2
    assert asked[1].at - asked[0].at >= 0.9  # after the first gave up, not beside it
    (manifest,) = manifests(data)
    assert [record["url"] for record in dataset(data)] == [url]
    assert_counts_add_up(manifest)


# --- bad sitemaps ---------------------------------------------------------------------------------------


def test_hostile_sitemaps_are_each_a_problem_and_the_good_one_is_still_used(tmp_path: Path) -> None:
    good = article_url(1)
    maps = {
        "truncated": ("truncated.xml", "malformed XML ("),
        "error-page": ("error-page.html", "not a sitemap: the root element is <html>"),
        "laughs": ("billion-laughs.xml", "refused: a document type declaration"),
        "bomb": ("gzip-bomb.xml.gz", "gzip data decompresses to more than"),
        "many": ("50000-urls.xml.gz", "more than 5 URLs: only the first 5 were read"),
        "oversize": (None, "larger than 6000000 bytes (DOWNLOAD_MAXSIZE)"),
        "rss": ("rss-as-sitemap.xml", "not a sitemap: the root element is <rss>"),
    }
    urls = {name: f"https://www.rfi.fr/sitemaps/cn/{name}.xml" for name in maps}
    builder = ArchiveBuilder(tmp_path / "archive")
    builder.add(ROBOTS, robots(NEWS, *urls.values()), Content_Type="text/plain")
    builder.add_feed(FEED, [])
    builder.add_sitemap(NEWS, news_sitemap([(good, "好", "2024-04-01T10:00:00Z")]))
    builder.add_article(1)
    for name, (fixture, _) in maps.items():
        if fixture is None:
            line = f"<url><loc>{good}</loc></url>\n"
            body = (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + line * 80_000
                + "</urlset>"
            ).encode()
        else:
            body = (BAD_INPUT / fixture).read_bytes()
        builder.add_sitemap(urls[name], body)
    data = tmp_path / "data"
    result = run_crawl(
        data,
        "-a",
        f"feeds={FEED}",
        "-s",
        "NEWSCRAWL_BACKFILL_MAX_DAYS=0",
        "-s",
        "DOWNLOAD_MAXSIZE=6000000",
        "-s",
        "NEWSCRAWL_SITEMAP_MAX_URLS=5",
        replay=builder.write(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Traceback" not in result.stderr
    (manifest,) = manifests(data)
    assert manifest["status"] == "finished"
    found = sources(manifest)
    for name, (_, problem) in maps.items():
        assert found[urls[name]]["problem"] is not None, name
        assert problem in found[urls[name]]["problem"], (name, found[urls[name]]["problem"])
    assert found[NEWS]["problem"] is None
    assert good in {record["url"] for record in dataset(data)}
    # Unreadable: the error page, billion laughs, the bomb, the oversize map and the RSS; read in part:
    # the truncated map and the one over the URL cap.
    assert manifest["stats"]["newscrawl/sources/sitemap/failed"] == 5
    assert manifest["stats"]["newscrawl/sources/sitemap/malformed"] == 2
    # Readable entries of damaged maps are kept and accounted for (their pages are not in the archive).
    assert found[urls["truncated"]]["entries"] == 3
    assert found[urls["many"]]["entries"] == 5
    assert_counts_add_up(manifest)


def test_a_gzipped_map_file_reads_like_a_plain_one(tmp_path: Path) -> None:
    """A gzipped map served without Content-Encoding (a .xml.gz file) reads like the plain one."""
    url = article_url(1)
    builder = ArchiveBuilder(tmp_path / "archive")
    builder.add(ROBOTS, robots(), Content_Type="text/plain")
    builder.add_feed(FEED, [])
    gz = "https://www.rfi.fr/sitemaps/cn/news.xml.gz"
    builder.add(
        gz, gzip.compress(news_sitemap([(url, "一", "2024-04-01T10:00:00Z")]).encode()), Content_Type="application/gzip"
    )
    builder.add_article(1)
    data = tmp_path / "data"
    result = run_crawl(
        data,
        "-a",
        f"feeds={FEED}",
        "-a",
        f"sitemaps={gz}",
        "-s",
        "NEWSCRAWL_BACKFILL_MAX_DAYS=0",
        replay=builder.write(),
    )
    assert result.returncode == 0, result.stderr[-4000:]
    (record,) = dataset(data)
    assert record["feed"]["url"] == gz


def test_a_long_back_fill_logs_its_progress_while_it_runs(tmp_path: Path) -> None:
    """Pages that take a while: besides the line when the articles are queued and the final one, the
    back-fill logs a progress line every LOGSTATS_INTERVAL (30 s by default; 0.4 s here)."""
    urls = [article_url(index) for index in range(1, 5)]
    with LocalServer() as server:
        server.route("/robots.txt", Reply(200, robots(INDEX), {"Content-Type": "text/plain"}))
        server.route("/cn/rss", feed_reply([]))
        server.route(path_of(INDEX), Reply(200, sitemap_index([contents("202403")])))
        march = contents_sitemap([(url, "2024-03-28T10:00:00Z") for url in urls])
        server.route(path_of(contents("202403")), Reply(200, march, {"Content-Type": "application/xml"}))
        for index, url in enumerate(urls, 1):
            server.route(path_of(url), Reply(200, page_reply(index).body, page_reply(index).headers, delay=1.2))
        data = tmp_path / "data"
        result = run_crawl(
            data,
            *crawl_arguments(server.origin, "NEWSCRAWL_NOW=2024-03-31T12:00:00Z", "LOGSTATS_INTERVAL=0.4"),
            "-a",
            f"sitemaps={ROBOTS}",
            "-a",
            "since=2024-03-25",
            replay=None,
        )
    assert result.returncode == 0, result.stderr[-4000:]
    lines = [line for line in result.stderr.splitlines() if "Back-fill (since 2024-03-25)" in line]
    queued = [line for line in lines if "months 1/1 walked, 4 articles queued" in line]
    assert queued[0].endswith("months 1/1 walked, 4 articles queued, 0 done (0.0/min), ETA unknown")
    assert " done: months 1/1 walked, 4 articles queued, 4 done (" in queued[-1]
    assert queued[-1].endswith("ETA 0s")
    assert len(queued) >= 3, "when queued, at least once while the pages take 1.2 s, and when done"
    assert len(dataset(data)) == 4


def test_over_the_size_limit_on_the_wire_too(tmp_path: Path) -> None:
    """Live: a map announced larger than DOWNLOAD_MAXSIZE is cut off by the downloader, a gzip bomb
    sent with Content-Encoding is refused while it inflates; each is its map's problem, no traceback."""
    good = article_url(1)
    big = "https://www.rfi.fr/sitemaps/cn/big.xml"
    bomb = "https://www.rfi.fr/sitemaps/cn/bomb.xml"
    with LocalServer() as server:
        server.route("/robots.txt", Reply(200, robots(NEWS, big, bomb), {"Content-Type": "text/plain"}))
        server.route("/cn/rss", feed_reply([]))
        server.route(path_of(NEWS), Reply(200, news_sitemap([(good, "好", "2024-04-01T10:00:00Z")])))
        server.route(path_of(big), Reply(200, b"<urlset>" + b" " * 1_500_000 + b"</urlset>"))
        bomb_body = (BAD_INPUT / "gzip-bomb.xml.gz").read_bytes()
        server.route(
            path_of(bomb), Reply(200, bomb_body, {"Content-Type": "application/xml", "Content-Encoding": "gzip"})
        )
        server.route(path_of(good), page_reply(1))
        data = tmp_path / "data"
        result = run_crawl(
            data,
            *crawl_arguments(server.origin, "DOWNLOAD_MAXSIZE=1000000", "NEWSCRAWL_BACKFILL_MAX_DAYS=0"),
            *DEFAULT_SITEMAPS,
            replay=None,
        )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Traceback" not in result.stderr
    (manifest,) = manifests(data)
    found = sources(manifest)
    assert found[big]["status"] == found[bomb]["status"] == "failed"
    assert "larger than download max size (1000000)" in found[big]["problem"]
    assert "DOWNLOAD_MAXSIZE (1000000 B) during decompression" in found[bomb]["problem"]
    assert [record["url"] for record in dataset(data)] == [good]
    assert_counts_add_up(manifest)
