"""Politeness, measured on the server side: real `scrapy crawl rfi_cn` runs against a local site.

One crawl covers Retry-After, back-off, timeouts, the per-host spacing, the User-Agent, robots.txt
and a redirect to another host; a second one a Retry-After longer than we are willing to wait.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newscrawl.downloader.retry import PoliteRetryMiddleware
from newscrawl.downloader.useragent import ContactUserAgentMiddleware
from tests.archive import article_page, article_url
from tests.conftest import dataset, flat_total, manifests, run_crawl
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

CONTACT = "ops@example.org"
USER_AGENT = f"newscrawl/1.0 (+https://github.com/newscrawl/newscrawl; news archive crawler) (contact: {CONTACT})"
DELAY = 0.3  # DOWNLOAD_DELAY of the crawl, not randomised
TIMEOUT = 1  # DOWNLOAD_TIMEOUT of the crawl
BACKOFF = 0.5  # NEWSCRAWL_RETRY_BACKOFF_BASE of the crawl
DISALLOWED_SECTION = "法国"


@dataclass
class PoliteRun:
    server: LocalServer
    evil: LocalServer
    urls: dict[str, str]
    result: subprocess.CompletedProcess[str]
    records: dict[str, dict[str, Any]]
    manifest: dict[str, Any]

    def requests(self, name: str) -> list[Seen]:
        return self.server.requests_to(path_of(self.urls[name]))


@pytest.fixture(scope="module")
def polite(tmp_path_factory: pytest.TempPathFactory) -> PoliteRun:
    urls = {
        "retry_after": article_url(1),
        "backoff": article_url(2),
        "timeout": article_url(3),
        "disallowed": article_url(4, section=DISALLOWED_SECTION),
        "redirect": article_url(5),
    }
    data = tmp_path_factory.mktemp("polite") / "data"
    with LocalServer() as server, LocalServer() as evil:
        robots = f"User-agent: *\nDisallow: /cn/{DISALLOWED_SECTION}/\n"
        server.route("/robots.txt", Reply(200, robots, {"Content-Type": "text/plain; charset=utf-8"}))
        fulltext = feedx_fulltext(urls["disallowed"], "禁止抓取的文章", "导语。", ["第一段。", "第二段。"])
        items = [FeedItem(name, url, fulltext if name == "disallowed" else "摘要") for name, url in urls.items()]
        server.route("/cn/rss", feed_reply(items))
        pages = {name: html(article_page(index, url)) for index, (name, url) in enumerate(urls.items(), 1)}
        server.route(path_of(urls["retry_after"]), html("slow down", 429, Retry_After="2"), pages["retry_after"])
        server.route(path_of(urls["backoff"]), html("unavailable", 503), pages["backoff"])
        server.route(path_of(urls["timeout"]), Reply(200, "late", delay=TIMEOUT + 2), pages["timeout"])
        server.route(path_of(urls["disallowed"]), pages["disallowed"])
        server.route(
            path_of(urls["redirect"]), Reply(302, headers={"Location": evil.origin + path_of(urls["redirect"])})
        )
        evil.route(path_of(urls["redirect"]), pages["redirect"])
        result = run_crawl(
            data,
            *crawl_arguments(
                server.origin,
                "ROBOTSTXT_OBEY=True",
                f"NEWSCRAWL_CONTACT={CONTACT}",
                f"DOWNLOAD_DELAY={DELAY}",
                "RANDOMIZE_DOWNLOAD_DELAY=False",
                f"DOWNLOAD_TIMEOUT={TIMEOUT}",
                f"NEWSCRAWL_RETRY_BACKOFF_BASE={BACKOFF}",
            ),
        )
    assert result.returncode == 0, result.stderr[-5000:]
    by_url = {url: name for name, url in urls.items()}
    (manifest,) = manifests(data)
    return PoliteRun(server, evil, urls, result, {by_url[r["url"]]: r for r in dataset(data)}, manifest)


def test_retry_after_is_honoured_and_the_retry_succeeds_over_http(polite: PoliteRun) -> None:
    first, second = polite.requests("retry_after")
    assert second.at - first.at >= 2.0
    record = polite.records["retry_after"]
    assert record["fetched_with"] == "http"
    assert record["content_source"] == "page"
    assert polite.manifest["stats"]["newscrawl/retry/retry_after_honoured"] == 1
    assert not any(key.startswith("newscrawl/browser/") for key in polite.manifest["stats"])


def test_5xx_and_timeouts_are_retried_after_a_back_off(polite: PoliteRun) -> None:
    first, second = polite.requests("backoff")
    assert second.at - first.at >= BACKOFF
    slow, retry = polite.requests("timeout")
    assert retry.at - slow.at >= TIMEOUT + BACKOFF
    assert polite.records["backoff"]["fetched_with"] == "http"
    assert polite.records["timeout"]["fetched_with"] == "http"


def test_one_request_at_a_time_per_host_with_a_delay(polite: PoliteRun) -> None:
    arrivals = [seen.at for seen in polite.server.requests]
    gaps = [later - earlier for earlier, later in pairwise(arrivals)]
    # Arrival times jitter a little (more so after a timeout); without the delay the gaps are ~1 ms.
    assert min(gaps) >= DELAY / 2, gaps
    # While the slow page holds the host's one slot (until its timeout), nothing else is sent.
    slow = polite.requests("timeout")[0]
    after = [seen.at for seen in polite.server.requests if seen.at > slow.at]
    assert after[0] - slow.at >= TIMEOUT * 0.9


def test_the_user_agent_names_the_project_and_the_contact(polite: PoliteRun) -> None:
    agents = {seen.headers.get("user-agent") for seen in polite.server.requests}
    assert agents == {USER_AGENT}
    assert polite.server.requests[0].path == "/robots.txt"


def test_robots_txt_disallow_is_obeyed_and_the_entry_accounted_for(polite: PoliteRun) -> None:
    assert polite.requests("disallowed") == []
    record = polite.records["disallowed"]
    assert record["content_source"] == "feed"  # the feed's full text, as for any page not had
    assert polite.manifest["stats"]["newscrawl/page_failed/ignored"] >= 1


def test_a_redirect_to_another_host_is_refused_before_it_is_requested(polite: PoliteRun) -> None:
    assert len(polite.requests("redirect")) == 1
    assert polite.evil.requests == []
    assert "redirect" not in polite.records
    lost = {entry["url"]: entry for entry in polite.manifest["listed"]["lost"]}
    assert lost[polite.urls["redirect"]]["reason"] == "no_fulltext"
    assert polite.manifest["stats"]["newscrawl/blocked/offsite_request"] == 1


def test_the_run_accounts_for_every_entry(polite: PoliteRun) -> None:
    counts = polite.manifest["counts"]
    assert polite.manifest["status"] == "finished"
    assert counts["add_up"] is True
    assert flat_total(counts) == counts["entries_seen"] == len(polite.urls)
    assert counts["new"] == 3
    assert counts["feed_only"] == 1
    assert counts["lost"] == {"no_fulltext": 1}


def test_a_retry_after_longer_than_the_cap_gives_up_at_once(tmp_path: Path) -> None:
    url = article_url(1)
    with LocalServer() as server:
        server.route("/robots.txt", Reply(200, "User-agent: *\nAllow: /\n"))
        server.route("/cn/rss", feed_reply([FeedItem("条目", url)]))
        server.route(path_of(url), html("come back tomorrow", 429, Retry_After="86400"), html(article_page(1, url)))
        # The browser fallback is on, but a server that asked us to wait is not asked again by the browser.
        result = run_crawl(tmp_path / "data", *crawl_arguments(server.origin, "NEWSCRAWL_RETRY_AFTER_MAX=60"))
    assert result.returncode == 0, result.stderr[-5000:]
    assert len(server.requests_to(path_of(url))) == 1
    assert "asks to retry after 86400 s (more than NEWSCRAWL_RETRY_AFTER_MAX=60): giving up" in result.stderr
    (manifest,) = manifests(tmp_path / "data")
    assert manifest["stats"]["newscrawl/retry/retry_after_too_long"] == 1
    assert manifest["counts"]["lost"] == {"no_fulltext": 1}
    assert manifest["listed"]["lost"][0]["detail"] == "retry_after_too_long"
    assert "newscrawl/browser/requested" not in manifest["stats"]


def test_polite_defaults() -> None:
    settings = get_project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("RETRY_TIMES") == 3
    assert {429, 500, 502, 503, 504, 408} <= {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert "newscrawl.downloader.retry.PoliteRetryMiddleware" in middlewares
    assert middlewares["scrapy.downloadermiddlewares.useragent.UserAgentMiddleware"] is None
    assert "newscrawl.downloader.useragent.ContactUserAgentMiddleware" in middlewares
    assert settings["USER_AGENT"].startswith("newscrawl/1.0 (+")
    assert settings["NEWSCRAWL_CONTACT"] == ""


def test_the_contact_is_appended_to_the_user_agent_when_set() -> None:
    plain = ContactUserAgentMiddleware.from_crawler(get_crawler(settings_dict={"USER_AGENT": "bot/1"}))
    assert plain.user_agent == "bot/1"
    crawler = get_crawler(settings_dict={"USER_AGENT": "bot/1", "NEWSCRAWL_CONTACT": "me@example.org"})
    assert ContactUserAgentMiddleware.from_crawler(crawler).user_agent == "bot/1 (contact: me@example.org)"


def test_back_off_doubles_per_attempt_up_to_its_cap() -> None:
    crawler = get_crawler(
        settings_dict={"NEWSCRAWL_RETRY_BACKOFF_BASE": 2.0, "NEWSCRAWL_RETRY_BACKOFF_MAX": 10.0, "RETRY_TIMES": 5}
    )
    middleware = PoliteRetryMiddleware.from_crawler(crawler)
    waits = [middleware._backoff(Request("https://www.rfi.fr/cn/x", meta={"retry_times": n})) for n in range(5)]
    assert waits == [2.0, 4.0, 8.0, 10.0, 10.0]
