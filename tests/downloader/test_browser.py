"""The browser fallback, for real: `scrapy crawl rfi_cn` in a subprocess, headless Chromium, a local
site on 127.0.0.1 (and a second one, the 'evil' host, on another port).

One shared crawl covers the live fallback: a script challenge, a page whose body is built by a
script, pages refused even to the browser (rescued by a feed's full text, or lost), a 429 that
outlasts the retries, redirects to another host, and the blocking of heavy and off-origin
resources. Smaller crawls cover the fallback switched off, a missing browser, a browser that
cannot start, and replay (none of which may start the Playwright driver).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newscrawl.config import SettingError
from newscrawl.downloader.browser import PLAYWRIGHT_HANDLER, browser_executable, browser_mode
from newscrawl.spiders.rfi_cn import RfiCnSpider
from tests.archive import ArchiveBuilder, article_page, article_url
from tests.conftest import FEED, dataset, flat_total, manifests, run_crawl
from tests.localserver import (
    FeedItem,
    LocalServer,
    Reply,
    Seen,
    crawl_arguments,
    feed_reply,
    feedx_fulltext,
    html,
    path_of,
)

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = "needs Debian's chromium at /usr/bin/chromium (make system-deps)"
DRIVER_STARTED = "Starting download handler"  # scrapy-playwright's line when it starts the Node driver
UA_PREFIX = "newscrawl/1.0 ("
CHALLENGE_COOKIE = "newscrawl_challenge"

# Served with 403 until the cookie that only running this script sets is there.
CHALLENGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Just a moment...</title>
</head><body><h1>www.rfi.fr</h1><h2>Checking if the site connection is secure</h2>
<noscript><p>Enable JavaScript and cookies to continue</p></noscript>
<script>document.cookie = "{CHALLENGE_COOKIE}=passed; path=/"; location.reload();</script></body></html>"""
# Refused for good: a challenge page whose script never passes.
FORBIDDEN = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Access denied</title></head>
<body><h1>Access denied</h1><script>window.blocked = true;</script></body></html>"""

SCRIPT_TITLE = "脚本生成的文章：巴黎与北京的对话"
SCRIPT_LEAD = "这篇文章的正文由脚本生成。"
SCRIPT_PARAGRAPHS = ["第一段：法国国际广播电台报道，双方继续对话。", "第二段：正文只在脚本运行后出现。"]
FEED_ONLY_TITLE = "被拒绝的文章：只有全文摘要"
FEED_ONLY_LEAD = "导语：页面一直被拒绝。"
FEED_ONLY_PARAGRAPHS = ["正文第一段，来自镜像的全文。", "正文第二段，同样来自镜像。"]


def script_built_page(url: str, evil_origin: str) -> str:
    """An empty shell (200) that a script fills from an inline JSON blob; it also asks for an image,
    a font, a script and a popup from another host, none of which the browser may fetch."""
    data = json.dumps({"title": SCRIPT_TITLE, "lead": SCRIPT_LEAD, "paragraphs": SCRIPT_PARAGRAPHS}, ensure_ascii=False)
    return f"""<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>RFI</title>
<link rel="canonical" href="{url}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-04-01T10:00:00+02:00">
<style>@font-face {{ font-family: rfi; src: url("/fonts/rfi.woff2"); }} body {{ font-family: rfi; }}</style>
<script src="{evil_origin}/tracker.js"></script>
</head><body><div id="main-content"></div><img src="/images/banner.jpg" alt="">
<script id="article-data" type="application/json">{data}</script>
<script>
const data = JSON.parse(document.getElementById("article-data").textContent);
const article = document.createElement("article");
const title = document.createElement("h1");
title.className = "t-content__title a-page-title";
title.textContent = data.title;
const lead = document.createElement("p");
lead.className = "t-content__chapo";
lead.textContent = data.lead;
const body = document.createElement("div");
body.className = "t-content__body u-clearfix";
for (const text of data.paragraphs) {{
  const p = document.createElement("p");
  p.textContent = text;
  body.append(p);
}}
article.append(title, lead, body);
document.getElementById("main-content").append(article);
window.open("{evil_origin}/popup");
</script></body></html>"""


def by_browser(seen: Seen) -> bool:
    """Chromium marks its navigations; Scrapy sends no Sec-Fetch headers."""
    return seen.headers.get("sec-fetch-mode") == "navigate"


def passed_challenge(seen: Seen) -> bool:
    return seen.cookie(CHALLENGE_COOKIE) == "passed"


def answer_when(passes: Callable[[Seen], bool], page: str, refusal: Reply) -> Callable[[Seen], Reply]:
    """The page to the requests that pass, the refusal to the others."""

    def answer(seen: Seen) -> Reply:
        return html(page) if passes(seen) else refusal

    return answer


def scrapy_stat(log: str, name: str) -> int:
    """A value of Scrapy's stats dump at the end of the log (stats outside newscrawl/)."""
    match = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(match.group(1)) if match else 0


@dataclass
class Site:
    server: LocalServer
    evil: LocalServer
    urls: dict[str, str]  # page name -> canonical URL (the feed's link)


def build_site(server: LocalServer, evil: LocalServer, names: list[str]) -> Site:
    """One feed entry per name; each page behaves as its name says. Only ``refused_fulltext`` has a full text."""
    urls = {name: article_url(index) for index, name in enumerate(names, 1)}
    server.route("/robots.txt", Reply(200, "User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}))
    items = [
        FeedItem(f"条目{name}", url, feedx_fulltext(url, FEED_ONLY_TITLE, FEED_ONLY_LEAD, FEED_ONLY_PARAGRAPHS))
        if name == "refused_fulltext"
        else FeedItem(f"条目{name}", url)
        for name, url in urls.items()
    ]
    server.route("/cn/rss", feed_reply(items))
    evil_port = evil.origin.rsplit(":", 1)[1]
    for index, (name, url) in enumerate(urls.items(), 1):
        page = article_page(index, url)
        path = path_of(url)
        if name == "challenge":
            server.route(path, answer_when(passed_challenge, page, html(CHALLENGE, 403)))
        elif name == "script_built":
            server.route(path, html(script_built_page(url, evil.origin)))
        elif name == "refused_fulltext":
            server.route(path, html(FORBIDDEN, 403))
        elif name == "refused":  # a 503 challenge that never passes: retried over HTTP, then the browser
            server.route(path, html(FORBIDDEN, 503))
        elif name == "rate_limited":
            server.route(path, answer_when(by_browser, page, html("slow down", 429, Retry_After="0")))
        elif name == "redirect_by_name":  # refused, then the browser is sent to another host, by name
            server.route(
                path, html(FORBIDDEN, 403), Reply(302, headers={"Location": f"http://localhost:{evil_port}{path}"})
            )
        elif name == "redirect_by_ip":  # ... by address: the browser gets there, the spider refuses it
            server.route(path, html(FORBIDDEN, 403), Reply(302, headers={"Location": f"{evil.origin}{path}"}))
            evil.route(path, html(page))  # a valid article page, even claiming the RFI URL as canonical
    return Site(server, evil, urls)


def assert_counts_add_up(manifest: dict[str, Any]) -> None:
    counts = manifest["counts"]
    assert counts["add_up"] is True, counts
    assert flat_total(counts) == counts["entries_seen"], counts


# --- the live fallback: one crawl, many assertions ------------------------------------------------

LIVE_PAGES = [
    "challenge",
    "script_built",
    "refused_fulltext",
    "refused",
    "rate_limited",
    "redirect_by_name",
    "redirect_by_ip",
]


@dataclass
class LiveRun:
    site: Site
    result: subprocess.CompletedProcess[str]
    records: dict[str, dict[str, Any]]  # by page name
    manifest: dict[str, Any]

    def requests(self, name: str) -> list[Seen]:
        return self.site.server.requests_to(path_of(self.site.urls[name]))

    @property
    def stats(self) -> dict[str, int]:
        return dict(self.manifest["stats"])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> LiveRun:
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    data = tmp_path_factory.mktemp("browser") / "data"
    with LocalServer() as server, LocalServer() as evil:
        site = build_site(server, evil, LIVE_PAGES)
        result = run_crawl(
            data,
            *crawl_arguments(
                server.origin,
                "NEWSCRAWL_BROWSER_SETTLE_TIMEOUT=2",
                "NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT=2",
            ),
        )
    assert result.returncode == 0, result.stderr[-5000:]
    names = {url: name for name, url in site.urls.items()}
    records = {names[record["url"]]: record for record in dataset(data)}
    (manifest,) = manifests(data)
    return LiveRun(site, result, records, manifest)


@pytest.mark.browser
def test_a_script_challenge_is_passed_by_the_browser(live: LiveRun) -> None:
    record = live.records["challenge"]
    assert record["fetched_with"] == "browser"
    assert record["content_source"] == "page"
    assert record["title"] == "测试文章1：法国与中国的对话"
    assert record["body"].startswith("第1篇文章的第1段。")
    plain, *browser = live.requests("challenge")
    assert not by_browser(plain)
    assert plain.cookie(CHALLENGE_COOKIE) is None
    # The browser got the challenge (403), ran it, and reloaded with the cookie.
    assert [by_browser(seen) for seen in browser] == [True, True]
    assert browser[0].cookie(CHALLENGE_COOKIE) is None
    assert browser[1].cookie(CHALLENGE_COOKIE) == "passed"
    # The browser identifies itself as the crawler too.
    assert all(seen.headers["user-agent"].startswith(UA_PREFIX) for seen in live.requests("challenge"))


@pytest.mark.browser
def test_a_body_built_by_a_script_is_extracted(live: LiveRun) -> None:
    record = live.records["script_built"]
    assert record["fetched_with"] == "browser"
    assert record["title"] == SCRIPT_TITLE
    assert record["lead"] == SCRIPT_LEAD
    assert record["body"] == "\n\n".join(SCRIPT_PARAGRAPHS)
    assert record["published"] == "2024-04-01T08:00:00Z"
    assert [by_browser(seen) for seen in live.requests("script_built")] == [False, True]


@pytest.mark.browser
def test_heavy_and_off_origin_resources_are_never_fetched(live: LiveRun) -> None:
    server, evil = live.site.server, live.site.evil
    assert not server.requests_to("/images/banner.jpg")
    assert not server.requests_to("/fonts/rfi.woff2")
    assert not evil.requests_to("/tracker.js")
    assert not evil.requests_to("/popup")
    assert scrapy_stat(live.result.stderr, "playwright/request_count/aborted") >= 2  # the image and the script


@pytest.mark.browser
def test_a_page_refused_even_to_the_browser_ends_feed_only_or_lost(live: LiveRun) -> None:
    record = live.records["refused_fulltext"]
    assert record["content_source"] == "feed"
    assert record["title"] == "条目refused_fulltext"
    assert record["lead"] == FEED_ONLY_LEAD
    assert record["body"] == "\n\n".join(FEED_ONLY_PARAGRAPHS)
    assert record["published"] == "2024-04-01T08:00:00Z"
    assert "refused" not in live.records
    lost = {entry["url"]: entry for entry in live.manifest["listed"]["lost"]}
    assert lost[live.site.urls["refused"]] == {
        "url": live.site.urls["refused"],
        "reason": "no_fulltext",
        "detail": "http_503",
    }
    assert [by_browser(seen) for seen in live.requests("refused_fulltext")] == [False, True]
    # 503 is retried over plain HTTP (RETRY_TIMES = 3); the browser tries once.
    assert [by_browser(seen) for seen in live.requests("refused")] == [False] * 4 + [True]


@pytest.mark.browser
def test_a_429_that_outlasts_the_retries_goes_to_the_browser(live: LiveRun) -> None:
    seen = live.requests("rate_limited")
    retry_times = 3  # settings.RETRY_TIMES
    assert [by_browser(s) for s in seen] == [False] * (1 + retry_times) + [True]
    assert live.records["rate_limited"]["fetched_with"] == "browser"


@pytest.mark.browser
def test_a_browser_redirect_to_another_host_is_never_accepted(live: LiveRun) -> None:
    urls = live.site.urls
    assert "redirect_by_name" not in live.records
    assert "redirect_by_ip" not in live.records
    lost = {entry["url"]: entry["detail"] for entry in live.manifest["listed"]["lost"]}
    # By name: the host does not even resolve in the browser, nothing reaches it.
    assert lost[urls["redirect_by_name"]] == "browser_error"
    # By address: the browser follows, the spider sees the final URL and refuses the page.
    assert lost[urls["redirect_by_ip"]] == "offsite_redirect"
    evil = live.site.evil
    assert evil.requests == evil.requests_to(path_of(urls["redirect_by_ip"]))
    assert len(evil.requests) == 1


@pytest.mark.browser
def test_browser_stats_and_manifest_add_up(live: LiveRun) -> None:
    manifest, stats = live.manifest, live.stats
    assert manifest["status"] == "finished"
    assert_counts_add_up(manifest)
    counts = manifest["counts"]
    assert counts["entries_seen"] == len(LIVE_PAGES)
    assert counts["new"] == 3  # challenge, script_built, rate_limited
    assert counts["feed_only"] == 1
    assert counts["lost"] == {"no_fulltext": 3}
    assert stats["newscrawl/browser/requested"] == stats["newscrawl/browser/fetches"] == len(LIVE_PAGES)
    outcomes = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("newscrawl/browser/outcome/")}
    assert outcomes == {"article": 3, "http_403": 1, "http_503": 1, "browser_error": 1, "offsite_redirect": 1}
    assert stats["newscrawl/browser/error/Error"] == 1  # Playwright's error: net::ERR_NAME_NOT_RESOLVED
    # The challenge answered 403 then showed a 200 page: the status is the page's.
    assert stats["newscrawl/browser/status/200"] == 4
    assert stats["newscrawl/browser/status/403"] == 1
    assert stats["newscrawl/browser/status/503"] == 1
    assert DRIVER_STARTED in live.result.stderr


@pytest.mark.browser
def test_pages_and_contexts_are_closed_and_recycled(live: LiveRun) -> None:
    log = live.result.stderr
    pages = scrapy_stat(log, "playwright/page_count")
    assert pages == len(LIVE_PAGES)
    assert scrapy_stat(log, "playwright/page_count/closed") == pages
    assert scrapy_stat(log, "playwright/page_count/max_concurrent") <= 2  # NEWSCRAWL_BROWSER_MAX_PAGES
    # 7 pages, 2 per context: contexts 1-3 were closed during the crawl, the 4th at the end. With
    # two pages at once, a full context may still finish its last page while the next one starts.
    assert scrapy_stat(log, "playwright/context_count") == 4
    assert live.stats["newscrawl/browser/contexts_closed"] == 3
    assert scrapy_stat(log, "playwright/context_count/max_concurrent") <= 2


# --- no browser: switched off, missing, failing, replay ----------------------------------------------


def crawl_without_live_browser(tmp_path: Path, *settings: str) -> tuple[Site, subprocess.CompletedProcess[str]]:
    """The challenge (no full text) and a refused page with a full text, crawled with ``settings``."""
    with LocalServer() as server, LocalServer() as evil:
        site = build_site(server, evil, ["challenge", "refused_fulltext"])
        result = run_crawl(tmp_path / "data", *crawl_arguments(server.origin, *settings))
    assert result.returncode == 0, result.stderr[-5000:]
    return site, result


def assert_feed_only_path(site: Site, data: Path) -> dict[str, Any]:
    """The challenge is lost, the refused page is rebuilt from the feed; the manifest adds up."""
    (record,) = dataset(data)
    assert record["url"] == site.urls["refused_fulltext"]
    assert record["content_source"] == "feed"
    (manifest,) = manifests(data)
    assert manifest["status"] == "finished"
    assert_counts_add_up(manifest)
    assert manifest["counts"]["feed_only"] == 1
    assert manifest["counts"]["lost"] == {"no_fulltext": 1}
    return manifest


def test_fallback_off_takes_the_feed_only_path_without_starting_the_driver(tmp_path: Path) -> None:
    site, result = crawl_without_live_browser(tmp_path, "NEWSCRAWL_BROWSER_FALLBACK=False")
    assert "Browser fallback: off" in result.stderr
    assert DRIVER_STARTED not in result.stderr
    manifest = assert_feed_only_path(site, tmp_path / "data")
    assert not any(key.startswith("newscrawl/browser/") for key in manifest["stats"])
    for name in site.urls:
        assert len(site.server.requests_to(path_of(site.urls[name]))) == 1, name


def test_a_missing_browser_is_logged_and_the_crawl_goes_on(tmp_path: Path) -> None:
    site, result = crawl_without_live_browser(tmp_path, f"NEWSCRAWL_BROWSER_EXECUTABLE={tmp_path / 'no-chromium'}")
    assert "Browser fallback: missing" in result.stderr
    assert f"no browser was found at '{tmp_path / 'no-chromium'}'" in result.stderr
    assert DRIVER_STARTED not in result.stderr
    assert_feed_only_path(site, tmp_path / "data")


def test_a_browser_that_cannot_start_does_not_crash_the_crawl(tmp_path: Path) -> None:
    broken = tmp_path / "broken-chromium"
    broken.write_text("#!/bin/sh\necho 'cannot start' >&2\nexit 1\n")
    broken.chmod(0o755)
    site, result = crawl_without_live_browser(tmp_path, f"NEWSCRAWL_BROWSER_EXECUTABLE={broken}")
    assert "Browser fallback: live" in result.stderr
    assert "The browser could not be started" in result.stderr
    assert result.stderr.count("The browser could not be started") == 1
    manifest = assert_feed_only_path(site, tmp_path / "data")
    stats = manifest["stats"]
    # Both browser requests end as browser_unavailable; the failure is reported once.
    assert stats["newscrawl/browser/unavailable"] == 1
    assert stats["newscrawl/browser/outcome/browser_unavailable"] == 2
    assert "Traceback" not in result.stderr


def test_replay_serves_browser_requests_from_the_archive_without_the_driver(tmp_path: Path) -> None:
    builder = ArchiveBuilder(tmp_path / "archive")
    builder.add("https://www.rfi.fr/robots.txt", "User-agent: *\nAllow: /\n", Content_Type="text/plain")
    url = article_url(1)
    builder.add_feed(FEED, [url])
    builder.add(url, CHALLENGE, status=403, Content_Type="text/html; charset=utf-8")  # plain HTTP: refused
    builder.add_article(1)  # the browser's request takes the next line
    data = tmp_path / "data"
    result = run_crawl(data, "-a", f"feeds={FEED}", replay=builder.write())
    assert result.returncode == 0, result.stderr[-5000:]
    assert "Browser fallback: replay" in result.stderr
    assert DRIVER_STARTED not in result.stderr
    (record,) = dataset(data)
    assert record["fetched_with"] == "browser"
    (manifest,) = manifests(data)
    assert manifest["stats"]["newscrawl/browser/outcome/article"] == 1


@pytest.mark.parametrize("origin", ["http://127.0.0.1:8080", "https://mirror.example.org/"])
def test_the_fetch_origin_is_kept_without_its_slash(origin: str) -> None:
    spider = RfiCnSpider.from_crawler(get_crawler(RfiCnSpider, {"NEWSCRAWL_FETCH_ORIGIN": origin}), feeds=FEED)
    assert spider.fetch_origin == origin.rstrip("/")


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:8080/cn",
        "http://127.0.0.1:8080?x=1",
        "ftp://127.0.0.1",
        "127.0.0.1:8080",
        "http://127.0.0.1:99999",
    ],
)
def test_the_fetch_origin_must_be_a_bare_origin(origin: str) -> None:
    with pytest.raises(SettingError, match="NEWSCRAWL_FETCH_ORIGIN"):
        RfiCnSpider.from_crawler(get_crawler(RfiCnSpider, {"NEWSCRAWL_FETCH_ORIGIN": origin}), feeds=FEED)


def test_no_fetch_origin_rewrites_nothing() -> None:
    spider = RfiCnSpider.from_crawler(get_crawler(RfiCnSpider), feeds=FEED)
    url = article_url(1)
    assert spider._fetch_url(url) == url
    assert spider._canonical_fetched_url("http://127.0.0.1:8080" + path_of(url)) == (
        "http://127.0.0.1:8080" + path_of(url)
    )


@pytest.fixture
def fake_chromium(tmp_path: Path) -> Path:
    executable = tmp_path / "chromium"
    executable.write_text("#!/bin/sh\nexit 1\n")
    executable.chmod(0o755)
    return executable


def spider_settings(**overrides: Any) -> Settings:
    """The project settings with ``-s`` overrides, as the spider's update_settings leaves them."""
    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    RfiCnSpider.update_settings(settings)
    return settings


def test_the_handler_is_installed_only_live_and_only_for_the_page_origin(
    fake_chromium: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSCRAWL_BROWSER_EXECUTABLE", raising=False)
    chromium = str(fake_chromium)
    without = [
        spider_settings(NEWSCRAWL_BROWSER_EXECUTABLE=chromium, NEWSCRAWL_BROWSER_FALLBACK=False),
        spider_settings(NEWSCRAWL_BROWSER_EXECUTABLE=chromium, NEWSCRAWL_REPLAY_DIR="fixtures/replay"),
        spider_settings(NEWSCRAWL_BROWSER_EXECUTABLE=str(fake_chromium.parent / "none")),
    ]
    assert [browser_mode(settings) for settings in without] == ["off", "replay", "missing"]
    for settings in without:
        assert settings.getdict("DOWNLOAD_HANDLERS") == {}
        assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") == {}
    live = spider_settings(NEWSCRAWL_BROWSER_EXECUTABLE=chromium)
    assert browser_mode(live) == "live"
    assert live.getdict("DOWNLOAD_HANDLERS") == {"https": PLAYWRIGHT_HANDLER}
    options = live.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert options["executable_path"] == chromium
    assert "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE www.rfi.fr" in options["args"]
    local = spider_settings(NEWSCRAWL_BROWSER_EXECUTABLE=chromium, NEWSCRAWL_FETCH_ORIGIN="http://127.0.0.1:8080")
    assert local.getdict("DOWNLOAD_HANDLERS") == {"http": PLAYWRIGHT_HANDLER}
    assert "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" in local["PLAYWRIGHT_LAUNCH_OPTIONS"]["args"]


def test_the_executable_comes_from_settings_then_environment_then_command_line(
    fake_chromium: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings({"NEWSCRAWL_BROWSER_EXECUTABLE": "/usr/bin/chromium"}, priority="project")
    monkeypatch.delenv("NEWSCRAWL_BROWSER_EXECUTABLE", raising=False)
    assert browser_executable(settings) == "/usr/bin/chromium"
    monkeypatch.setenv("NEWSCRAWL_BROWSER_EXECUTABLE", str(fake_chromium))
    assert browser_executable(settings) == str(fake_chromium)
    settings.set("NEWSCRAWL_BROWSER_EXECUTABLE", "/opt/chromium", priority="cmdline")
    assert browser_executable(settings) == "/opt/chromium"
