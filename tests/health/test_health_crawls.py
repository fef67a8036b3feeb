"""Run health through real crawls: `scrapy crawl rfi_cn` in a subprocess on replay archives that
really break, one data dir, a real SMTP server and a webhook receiver on 127.0.0.1.

One history of runs, in order (each run's articles are new to the data dir):
healthy ×3 → template drift (body from the generic fallback) → drift again → healthy →
a dead feed → healthy → 10× fewer articles than usual. Each broken run fails its named
monitor; the alert goes out once (not again for the second drifted run), and a recovery
message follows the next healthy run.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.archive import ArchiveBuilder, article_page, article_url
from tests.conftest import BUNDLED_ARCHIVE, FEED, manifests, run_crawl
from tests.health.receivers import Mailbox, Webhook, smtp_server, webhook_server

pytestmark = pytest.mark.slow

ROBOTS = "https://www.rfi.fr/robots.txt"
SECOND_FEED = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/rss"
PER_RUN = 10


def drifted_page(index: int, url: str) -> str:
    """The same article after a template change: the body container was renamed."""
    page = article_page(index, url)
    assert 'class="t-content__body u-clearfix"' in page
    return page.replace('class="t-content__body u-clearfix"', 'class="t-article__text"')


def build_archive(folder: Path, indexes: range, *, drift: bool = False, dead_second_feed: bool = False) -> Path:
    builder = ArchiveBuilder(folder)
    builder.add(ROBOTS, "User-agent: *\nAllow: /\n", Content_Type="text/plain")
    urls = [article_url(i) for i in indexes]
    builder.add_feed(FEED, urls)
    if dead_second_feed:
        builder.add(SECOND_FEED, "gone", status=404, Content_Type="text/plain")
    else:
        builder.add_feed(SECOND_FEED, urls[:2])
    for index, url in zip(indexes, urls, strict=True):
        page = drifted_page(index, url) if drift else article_page(index, url)
        builder.add(url, page, Content_Type="text/html; charset=utf-8")
    return builder.write()


@dataclass
class Run:
    name: str
    result: subprocess.CompletedProcess[str]
    manifest: dict[str, Any]

    @property
    def failed_monitors(self) -> list[str]:
        return [f["monitor"] for f in self.manifest["health"]["failed"]]

    def health_warnings(self) -> list[str]:
        return [line for line in self.result.stderr.splitlines() if "[newscrawl.health" in line and "WARNING" in line]


@dataclass
class Story:
    data: Path
    runs: dict[str, Run]
    mailbox: Mailbox
    webhook: Webhook


STEPS: list[tuple[str, dict[str, Any]]] = [
    ("healthy-1", {}),
    ("healthy-2", {}),
    ("healthy-3", {}),
    ("drift", {"drift": True}),
    ("drift-again", {"drift": True}),
    ("healthy-4", {}),
    ("dead-feed", {"dead_second_feed": True}),
    ("healthy-5", {}),
    ("fewer", {"count": PER_RUN // 10}),
]


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    tmp = tmp_path_factory.mktemp("health-story")
    data = tmp / "data"
    runs: dict[str, Run] = {}
    with smtp_server() as mailbox, webhook_server() as webhook:
        settings = [
            "NEWSCRAWL_ALERT_EMAIL_TO=ops@example.org,news@example.org",
            "NEWSCRAWL_ALERT_EMAIL_FROM=crawler@example.org",
            "NEWSCRAWL_ALERT_SMTP_HOST=127.0.0.1",
            f"NEWSCRAWL_ALERT_SMTP_PORT={mailbox.port}",
            "NEWSCRAWL_ALERT_SMTP_TLS=off",
            f"NEWSCRAWL_ALERT_WEBHOOK={webhook.url}",
            "NEWSCRAWL_FAIL_ON_UNHEALTHY=True",
        ]
        # Feeds only (sitemaps off): these archives hold no sitemap, and a missing one is a failed listing.
        arguments = ["-a", f"feeds={FEED},{SECOND_FEED}", "-a", "sitemaps="] + [a for s in settings for a in ("-s", s)]
        first = 0
        for name, options in STEPS:
            count = options.pop("count", PER_RUN)
            archive = build_archive(tmp / name, range(first, first + count), **options)
            first += count
            before = {m["run_id"] for m in manifests(data)}
            result = run_crawl(data, *arguments, replay=archive)
            (manifest,) = [m for m in manifests(data) if m["run_id"] not in before]
            runs[name] = Run(name, result, manifest)
        yield Story(data, runs, mailbox, webhook)


def test_healthy_runs_pass_every_monitor_quietly(story: Story) -> None:
    for name in ("healthy-1", "healthy-2", "healthy-3", "healthy-4", "healthy-5"):
        run = story.runs[name]
        assert run.result.returncode == 0, (name, run.result.stderr[-3000:])
        assert run.manifest["health"] == {"ok": True, "failed": []}, name
        assert run.health_warnings() == [], name
        assert "Traceback" not in run.result.stderr
        assert "Spidermon" not in run.result.stderr, "Spidermon's own runner output stays out of the log"
        assert "spidermon" not in run.result.stderr.lower()


def test_a_template_drift_fails_field_sources(story: Story) -> None:
    run = story.runs["drift"]
    assert run.failed_monitors == ["field_sources"]
    (failure,) = run.manifest["health"]["failed"]
    assert f"body 100% of {PER_RUN} (ceiling 50%)" in failure["detail"]
    assert run.manifest["stats"]["newscrawl/field_source/body/fallback"] == PER_RUN
    assert run.manifest["status"] == "finished", "an unhealthy run still published its articles"
    assert run.result.returncode == 3, "NEWSCRAWL_FAIL_ON_UNHEALTHY makes an unhealthy run exit 3"
    (warning,) = run.health_warnings()
    assert "Run health: field_sources failed: " in warning
    assert "Traceback" not in run.result.stderr


def test_a_dead_feed_fails_listings(story: Story) -> None:
    run = story.runs["dead-feed"]
    assert run.failed_monitors == ["listings", "log_errors"]
    details = {f["monitor"]: f["detail"] for f in run.manifest["health"]["failed"]}
    assert details["listings"] == f"{SECOND_FEED} failed (http_404)"
    assert details["log_errors"] == "ERROR lines in the log: 1 (allowed: 0)", "the spider logs the dead feed at ERROR"
    assert len(run.health_warnings()) == 2


def test_ten_times_fewer_articles_fails_new_articles(story: Story) -> None:
    run = story.runs["fewer"]
    assert run.failed_monitors == ["new_articles"]
    (failure,) = run.manifest["health"]["failed"]
    assert failure["detail"].startswith(f"new articles: 1, usually {PER_RUN} ")
    assert "median of 8 runs" in failure["detail"]


def _subjects(mailbox: Mailbox) -> list[str]:
    return [str(message["Subject"]) for message in mailbox.messages]


def test_alerts_go_out_once_per_change_and_once_on_recovery(story: Story) -> None:
    events = [post["newscrawl"]["event"] for post in story.webhook.posts]
    runs = [post["newscrawl"]["run_id"] for post in story.webhook.posts]
    expected = [
        ("unhealthy", "drift"),
        ("recovered", "healthy-4"),
        ("unhealthy", "dead-feed"),
        ("recovered", "healthy-5"),
        ("unhealthy", "fewer"),
    ]
    assert list(zip(events, runs, strict=True)) == [(e, story.runs[name].manifest["run_id"]) for e, name in expected]
    subjects = _subjects(story.mailbox)
    assert subjects == [
        "[newscrawl] rfi_cn is unhealthy: field_sources",
        "[newscrawl] rfi_cn recovered: every health check passed",
        "[newscrawl] rfi_cn is unhealthy: listings, log_errors",
        "[newscrawl] rfi_cn recovered: every health check passed",
        "[newscrawl] rfi_cn is unhealthy: new_articles",
    ]
    first = story.mailbox.messages[0]
    assert first["To"] == "ops@example.org, news@example.org"
    assert first["From"] == "crawler@example.org"
    body = first.get_content().replace("\r\n", "\n")
    assert f"Run {story.runs['drift'].manifest['run_id']}" in body
    assert f"- field_sources: pages whose field came from fallback/url: body 100% of {PER_RUN}" in body
    assert str(story.data / "rfi_cn" / "report.html") in body
    assert story.webhook.posts[0]["text"] == body.rstrip("\n")
    assert story.runs["drift-again"].manifest["stats"].get("newscrawl/alerts/sent") is None, "no alert storm"
    assert story.runs["drift"].manifest["stats"]["newscrawl/alerts/sent"] == 2  # e-mail and webhook


def test_secrets_never_reach_the_manifest(story: Story) -> None:
    settings = story.runs["drift"].manifest["arguments"]["settings"]
    assert settings["NEWSCRAWL_ALERT_WEBHOOK"] == "(set)"
    for run in story.runs.values():
        assert story.webhook.url not in run.result.stderr


def test_the_report_is_rebuilt_after_every_run(story: Story) -> None:
    report = (story.data / "rfi_cn" / "report.html").read_text(encoding="utf-8")
    for run in story.runs.values():
        assert run.manifest["run_id"] in report
        assert re.search(r"Report \S+report\.html rebuilt: \d+ runs? over 30 days", run.result.stderr)
    assert not list((story.data / "rfi_cn").glob("*.part")), "written atomically"


def test_with_the_report_off_a_run_is_judged_but_builds_no_page(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run_crawl(data, "-s", "NEWSCRAWL_REPORT_AFTER_RUN=False", replay=BUNDLED_ARCHIVE)
    assert result.returncode == 0, result.stderr[-3000:]
    (manifest,) = manifests(data)
    assert manifest["health"] == {"ok": True, "failed": []}
    assert not (data / "rfi_cn" / "report.html").exists()
    assert "rebuilt" not in result.stderr
