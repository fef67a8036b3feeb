"""Replay archives other than the bundled one: recorded from a live crawl, hostile, or where a
page appears only in a later run."""

from __future__ import annotations

import json
from pathlib import Path

from newscrawl.schema import record_validator
from tests.archive import ArchiveBuilder, article_page, article_url
from tests.conftest import FEED, dataset, flat_total, manifests, manifests_as_written, run_crawl
from tests.localserver import FeedItem, LocalServer, Reply, crawl_arguments, feed_reply, html, path_of

ROBOTS = "https://www.rfi.fr/robots.txt"


def test_a_recorded_live_crawl_replays_to_the_same_dataset(tmp_path: Path) -> None:
    first, second = article_url(1), article_url(2)
    moved = first + "-moved"
    archive = tmp_path / "recorded"
    with LocalServer() as server:
        server.route("/robots.txt", Reply(200, "User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}))
        server.route("/cn/rss", feed_reply([FeedItem("一", first), FeedItem("二", second)]))
        # The first article answers with a redirect; its page names the original URL as canonical.
        server.route(path_of(first), Reply(301, b"", {"Location": path_of(moved)}))
        server.route(path_of(moved), html(article_page(1, first)))
        server.route(path_of(second), html(article_page(2, second)))
        live = run_crawl(
            tmp_path / "live", *crawl_arguments(server.origin, f"NEWSCRAWL_RECORD_DIR={archive}"), replay=None
        )
        arguments = crawl_arguments(server.origin)
    assert live.returncode == 0, live.stderr[-4000:]
    lines = [json.loads(line) for line in (archive / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {
        "url": server.origin + path_of(first),
        "status": 301,
        "headers": {"Location": server.origin + path_of(moved)},
    } in lines
    # The server is gone: the replay touches no network.
    replayed = run_crawl(tmp_path / "replayed", *arguments, replay=archive)
    assert replayed.returncode == 0, replayed.stderr[-4000:]
    live_records = sorted(dataset(tmp_path / "live"), key=lambda r: r["url"])
    assert [r["url"] for r in live_records] == sorted([first, second])
    assert sorted(dataset(tmp_path / "replayed"), key=lambda r: r["url"]) == live_records
    (manifest,) = manifests(tmp_path / "replayed")
    assert "newscrawl/replay/missing" not in manifest["stats"]


def test_a_hostile_archive_is_crawled_safely_and_accounted_for(tmp_path: Path) -> None:
    good = article_url(1)
    binary, broken, redirected, escaping = article_url(2), article_url(3), article_url(4), article_url(5)
    builder = ArchiveBuilder(tmp_path / "hostile")
    builder.add(ROBOTS, "User-agent: *\nAllow: /\n")
    garbage_feed = "https://www.rfi.fr/cn/garbage/rss"
    builder.add(garbage_feed, bytes(range(256)) * 40, Content_Type="application/rss+xml")
    links = [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://evil.example/cn/%E4%B8%AD%E5%9B%BD/20240401-x",
        "https://www.rfi.fr@evil.example/cn/%E4%B8%AD%E5%9B%BD/20240401-y",
        "/cn/%E4%B8%AD%E5%9B%BD/20240401-%E6%B5%8B%E8%AF%95%E6%96%87%E7%AB%A01",  # relative: the good article
        good,
        binary,
        broken,
        redirected,
        escaping,
    ]
    builder.add_feed(FEED, links)
    builder.add_article(1)
    builder.add(binary, bytes(range(256)), Content_Type="image/png")
    builder.add(broken, article_page(3, broken)[:700] + "<div><p>未闭合", Content_Type="text/html; charset=utf-8")
    builder.add(redirected, status=302, Location="https://evil.example/steal")
    archive = builder.write()
    with (archive / "manifest.jsonl").open("a", encoding="utf-8") as manifest:
        manifest.write(json.dumps({"url": escaping, "body": "../../etc/passwd"}) + "\n")
        manifest.write("this line is not JSON\n")
    data = tmp_path / "data"
    result = run_crawl(data, "-a", f"feeds={garbage_feed},{FEED}", replay=archive)
    assert result.returncode == 0, result.stderr[-4000:]
    (run,) = manifests(data)
    counts = run["counts"]
    assert flat_total(counts) == counts["entries_seen"] == len(links)
    assert counts["skipped"] == {"offsite": 2}  # evil.example, and evil.example behind a userinfo
    assert counts["lost"] == {"no_link": 2, "no_fulltext": 4}  # javascript: and file: are no usable link
    lost = {entry["url"]: entry["detail"] for entry in run["listed"]["lost"] if entry["reason"] == "no_fulltext"}
    assert lost == {binary: "not_text", broken: "shell", redirected: "offsite_redirect", escaping: "http_404"}
    # Every lost entry is listed, those without a usable link too (no URL: which entry it was).
    without_link = [(e["url"], e["detail"]) for e in run["listed"]["lost"] if e["reason"] == "no_link"]
    assert without_link == [(None, f"{FEED} entry 0"), (None, f"{FEED} entry 1")]
    assert counts["duplicate"] == {"merged": 1}  # the relative link is the good article
    assert run["stats"]["newscrawl/blocked/offsite_request"] == 1  # the redirect to evil.example
    assert run["stats"]["newscrawl/replay/broken_record"] == 1  # the body path leaving the archive
    assert [feed["ok"] for feed in run["feeds"]] == [False, True]
    records = dataset(data)
    assert good in {r["url"] for r in records}
    validator = record_validator()
    for record in records:
        assert record["url"].startswith("https://www.rfi.fr/cn/")
        assert not list(validator.iter_errors(record))


def test_a_lost_article_is_fetched_by_a_later_run(tmp_path: Path) -> None:
    def archive(folder: str, second_page: bool) -> Path:
        builder = ArchiveBuilder(tmp_path / folder)
        builder.add(ROBOTS, "User-agent: *\nAllow: /\n")
        builder.add_feed(FEED, [article_url(1), article_url(2)])
        builder.add_article(1)
        if second_page:
            builder.add_article(2)
        return builder.write()

    data = tmp_path / "data"
    assert run_crawl(data, "-a", f"feeds={FEED}", replay=archive("a", second_page=False)).returncode == 0
    assert run_crawl(data, "-a", f"feeds={FEED}", replay=archive("b", second_page=True)).returncode == 0
    first, second = manifests_as_written(data)
    assert first["counts"]["lost"] == {"no_fulltext": 1}
    assert first["listed"]["lost"][0]["url"] == article_url(2)
    assert second["counts"]["new"] == 1
    assert second["counts"]["duplicate"] == {"already_stored": 1}
    assert sorted(r["url"] for r in dataset(data)) == [article_url(1), article_url(2)]
