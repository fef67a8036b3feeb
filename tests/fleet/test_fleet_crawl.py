"""Several real `scrapy crawl rfi_cn` processes sharing one real redis-server, against a local site.

Each process has its own data dir (as on separate machines). What must hold: every article
fetched and published once across the fleet, nothing lost when a process is killed, one clear
error when Redis goes away, the request rate and a 429 pause shared by every process.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import pytest
import redis

from newscrawl.fleet.config import key_prefix
from newscrawl.fleet.rate import JITTER
from tests.archive import article_page, article_url
from tests.conftest import REPO, crawl_command, crawl_env, dataset, manifests, run_crawl, run_scrapy
from tests.localserver import FeedItem, LocalServer, Reply, Seen, crawl_arguments, feed_reply, html, path_of
from tests.redisserver import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.redisserver import RedisServer

pytestmark = pytest.mark.slow
PREFIX = key_prefix("rfi_cn")


@dataclass
class Site:
    server: LocalServer
    urls: list[str]

    def page_requests(self) -> Counter[str]:
        paths = {unquote(path_of(url)) for url in self.urls}
        return Counter(seen.path for seen in self.server.requests if seen.path in paths)


@pytest.fixture
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    """A feed of ``articles`` pages (parametrize indirectly to change it), each answered after ``delay``."""
    articles, delay = getattr(request, "param", (24, 0.15))
    urls = [article_url(n) for n in range(articles)]
    with LocalServer() as server:
        server.route("/robots.txt", Reply(404, "none"))
        server.route("/cn/rss", feed_reply(FeedItem(f"文章{n}", url) for n, url in enumerate(urls)))
        for n, url in enumerate(urls):
            server.route(path_of(url), replace(html(article_page(n, url)), delay=delay))
        yield Site(server, urls)


def fleet_arguments(site: Site, redis_url: str, *settings: str) -> list[str]:
    return crawl_arguments(
        site.server.origin,
        f"NEWSCRAWL_REDIS_URL={redis_url}",
        "NEWSCRAWL_GLOBAL_RATE=0",
        "NEWSCRAWL_BROWSER_FALLBACK=False",
        # The cap per process is CONCURRENT_REQUESTS: with DOWNLOAD_DELAY=0, Scrapy 2.19's download slot
        # starts every queued request at once, whatever CONCURRENT_REQUESTS_PER_DOMAIN says.
        "CONCURRENT_REQUESTS=2",
        *settings,
    )


def start(data_dir: Path, arguments: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        crawl_command(data_dir, *arguments),
        cwd=REPO,
        env=crawl_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(processes: list[subprocess.Popen[str]], timeout: float = 180) -> list[tuple[int, str]]:
    results = []
    for process in processes:
        _, stderr = process.communicate(timeout=timeout)
        results.append((process.returncode, stderr))
    return results


def union_urls(data_dirs: list[Path]) -> Counter[str]:
    return Counter(record["url"] for data_dir in data_dirs for record in dataset(data_dir))


def fleet_summary(redis_url: str) -> dict[str, Any]:
    result = run_scrapy([sys.executable, "-m", "scrapy", "fleet", "--json", "--redis", redis_url])
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_three_processes_share_the_work_and_publish_each_article_once(
    site: Site, redis_url: str, tmp_path: Path
) -> None:
    data_dirs = [tmp_path / f"node{n}" for n in range(3)]
    results = finish([start(d, fleet_arguments(site, redis_url)) for d in data_dirs])
    for code, stderr in results:
        assert code == 0, stderr[-3000:]
        assert "Traceback" not in stderr
    published = union_urls(data_dirs)
    assert sorted(published) == sorted(site.urls)
    assert set(published.values()) == {1}, "no article twice in the union of the files"
    assert set(site.page_requests().values()) == {1}, "each page fetched by one process, once"

    runs = [run for d in data_dirs for run in manifests(d)]
    assert [run["status"] for run in runs] == ["finished"] * 3
    assert all(run["counts"]["add_up"] for run in runs)
    flows = [run["counts"].get("fleet", {"handed_over": 0, "taken_over": 0}) for run in runs]
    assert sum(f["handed_over"] for f in flows) == sum(f["taken_over"] for f in flows) == len(site.urls)
    assert sum(run["counts"]["new"] for run in runs) == len(site.urls)
    assert "test-pass" not in json.dumps(runs), "the manifest never shows the Redis password"

    summary = fleet_summary(redis_url)
    assert (summary["queued"], summary["in_flight"], summary["claims"]) == (0, 0, 0)
    assert summary["published"] == len(site.urls)
    assert sorted(row["state"] for row in summary["processes"]) == ["finished"] * 3
    assert sum(row["articles"] for row in summary["processes"]) == len(site.urls)

    # The next crawl of the fleet finds everything published: nothing fetched again.
    again = finish([start(d, fleet_arguments(site, redis_url)) for d in data_dirs[:2]])
    assert [code for code, _ in again] == [0, 0]
    assert set(site.page_requests().values()) == {1}
    assert union_urls(data_dirs) == published


@pytest.mark.parametrize("site", [(60, 0.3)], indirect=True)
def test_a_killed_processs_articles_are_done_by_the_others_after_its_lease(
    site: Site, redis_url: str, tmp_path: Path
) -> None:
    data_dirs = [tmp_path / f"node{n}" for n in range(3)]
    processes = [start(d, fleet_arguments(site, redis_url, "NEWSCRAWL_REDIS_LEASE=2s")) for d in data_dirs]
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline:  # kill a process while it holds leases
        owners = Counter(client.hvals(PREFIX + "frontier:owners"))
        reports = {run_id: json.loads(report) for run_id, report in client.hgetall(PREFIX + "fleet:procs").items()}
        holders = [reports[owner]["pid"] for owner, count in owners.items() if count >= 2 and owner in reports]
        victim = next((p for p in processes if p.pid in holders), None)
        time.sleep(0.05)
    assert victim is not None, "no process ever held two leases"
    os.kill(victim.pid, signal.SIGKILL)
    survivors = [p for p in processes if p is not victim]
    for code, stderr in finish(survivors):
        assert code == 0, stderr[-3000:]
    victim.wait()
    published = union_urls(data_dirs)
    assert sorted(published) == sorted(site.urls), "nothing lost"
    assert set(published.values()) == {1}, "nothing published twice"
    assert fleet_summary(redis_url)["in_flight"] == 0
    # The victim's manifest (if it wrote one) still says running; the next run of its data dir,
    # in the fleet, marks it killed: its heartbeat is gone.
    victim_dir = data_dirs[processes.index(victim)]
    if manifests(victim_dir):
        assert [run["status"] for run in manifests(victim_dir)] == ["running"]
        finish([start(victim_dir, fleet_arguments(site, redis_url))])
        assert sorted(run["status"] for run in manifests(victim_dir)) == ["finished", "killed"]


def test_redis_lost_mid_run_is_one_error_and_nothing_is_published(
    site: Site, redis_url: str, redis_server: RedisServer, tmp_path: Path
) -> None:
    process = start(tmp_path / "data", fleet_arguments(site, redis_url))
    deadline = time.monotonic() + 60
    while sum(site.page_requests().values()) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    redis_server.stop()
    ((code, stderr),) = finish([process])
    assert code == 1
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if " ERROR: " in line]
    lost = [line for line in errors if "is unreachable" in line and "Run " not in line]
    assert len(lost) == 1, errors
    assert "test-pass" not in stderr
    (run,) = manifests(tmp_path / "data")
    assert run["status"] == "failed"
    assert "is unreachable" in run["errors"][0]
    assert run["output"]["dataset_published"] is False
    assert dataset(tmp_path / "data") == [], "nothing published"
    assert not list((tmp_path / "data").rglob("*.part")), "no temporary file left"


def test_redis_unreachable_at_start_is_one_clear_error_and_no_request(site: Site, tmp_path: Path) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    ((code, stderr),) = finish([start(tmp_path / "data", fleet_arguments(site, closed))])
    assert code == 1
    assert "Traceback" not in stderr
    assert len([line for line in stderr.splitlines() if "is unreachable" in line and "Run " not in line]) == 1
    assert site.server.requests == [], "not one request to the site"
    (run,) = manifests(tmp_path / "data")
    assert run["status"] == "failed"


@pytest.mark.parametrize("site", [(16, 0.0)], indirect=True)
def test_the_global_rate_holds_across_processes_at_the_server(site: Site, redis_url: str, tmp_path: Path) -> None:
    rate = 4
    arguments = fleet_arguments(site, redis_url)
    arguments[arguments.index("NEWSCRAWL_GLOBAL_RATE=0")] = f"NEWSCRAWL_GLOBAL_RATE={rate}"
    results = finish([start(tmp_path / f"node{n}", arguments) for n in range(2)])
    assert [code for code, _ in results] == [0, 0], results[0][1][-2000:]
    arrivals = sorted(seen.at for seen in site.server.requests if seen.path != "/robots.txt")
    assert len(arrivals) == 2 + len(site.urls)  # each process's feed, every page once
    busiest = max(sum(1 for t in arrivals if first <= t < first + 1) for first in arrivals)
    assert busiest <= rate
    assert arrivals[-1] - arrivals[0] >= (len(arrivals) - 1) * (1 + JITTER) / rate - 0.1


@pytest.mark.parametrize("site", [(30, 0.1)], indirect=True)
def test_a_429_pauses_every_process(site: Site, redis_url: str, tmp_path: Path) -> None:
    # Once both processes are under way (3 pages each: their connections are open), the next page
    # request gets a 429 asking to wait 2 s; each process names itself in its User-Agent.
    lock = threading.Lock()
    told: list[Seen] = []
    pages = {unquote(path_of(url)): html(article_page(n, url)) for n, url in enumerate(site.urls)}

    def answer(seen: Seen) -> Reply:
        with lock:
            per_process = Counter(s.headers["user-agent"] for s in site.server.requests if s.path in pages)
            if not told and len(per_process) == 2 and min(per_process.values()) >= 3:
                told.append(seen)
                return html("slow down", 429, Retry_After="2")
        return replace(pages[seen.path], delay=0.1)

    for url in site.urls:
        site.server.route(path_of(url), answer)
    results = finish(
        [start(tmp_path / f"node{n}", fleet_arguments(site, redis_url, f"NEWSCRAWL_CONTACT=node{n}")) for n in range(2)]
    )
    assert [code for code, _ in results] == [0, 0]
    assert told, "the 429 was sent"
    # Until the 429 has reached its process and the pause is in Redis (a few tens of ms), the other
    # process may still send; after that, nothing from either process until the 2 s are over.
    since = told[0].at + 0.3
    during = [round(seen.at - since, 3) for seen in site.server.requests if seen.path in pages and seen.at > since]
    assert not [t for t in during if t < 1.5], during
    assert len(union_urls([tmp_path / f"node{n}" for n in range(2)])) == len(site.urls)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("NEWSCRAWL_REDIS_LEASE=soon", "NEWSCRAWL_REDIS_LEASE: 'soon' is not a duration"),
        ("NEWSCRAWL_GLOBAL_RATE=-1", "NEWSCRAWL_GLOBAL_RATE: '-1' is not a number of 0 or more"),
        (
            "NEWSCRAWL_REDIS_URL=http://:s3cret@10.0.0.5/",
            "NEWSCRAWL_REDIS_URL: 'http://***@10.0.0.5/' is not a Redis URL",
        ),
    ],
)
def test_a_bad_fleet_setting_is_one_line_and_exit_2(site: Site, tmp_path: Path, setting: str, message: str) -> None:
    result = run_crawl(tmp_path / "data", *crawl_arguments(site.server.origin, setting))
    assert result.returncode == 2
    assert f"ERROR: Not crawling: {message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr
    assert site.server.requests == []


def test_without_redis_nothing_of_the_fleet_is_loaded(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    result = run_crawl(tmp_path / "data", *crawl_arguments(site.server.origin, "LOG_LEVEL=DEBUG"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert not re.search(r"newscrawl\.fleet\.(extension|scheduler|rate)", result.stderr)
    assert len(dataset(tmp_path / "data")) == len(site.urls)


def test_one_process_of_a_data_dir_makes_its_revisits_the_others_none(redis_url: str, tmp_path: Path) -> None:
    """The version store is the data dir's own: while another process of the fleet holds the data
    dir's revisits lock, a process makes no revisit (one INFO line says so); once it is free, the
    next process makes the revisits the listing's signal asks for."""
    urls = [article_url(n) for n in range(3)]
    first = "2024-04-02T00:00:00Z"
    changed = "2024-04-02T01:00:00Z"  # later than the first run: each article is due from the next run on
    data_dir = tmp_path / "node"
    with LocalServer() as server:
        server.route("/robots.txt", Reply(404, "none"))
        server.route("/cn/rss", feed_reply(FeedItem(f"文章{n}", url, updated=changed) for n, url in enumerate(urls)))
        for n, url in enumerate(urls):
            server.route(path_of(url), html(article_page(n, url)))
        site = Site(server, urls)

        def crawl(now: str) -> tuple[dict[str, Any], str]:
            result = run_crawl(data_dir, *fleet_arguments(site, redis_url, f"NEWSCRAWL_NOW={now}"))
            assert result.returncode == 0, result.stderr[-3000:]
            return manifests(data_dir)[-1], result.stderr

        one, _ = crawl(first)
        assert one["counts"]["new"] == 3
        lock_path = data_dir / "rfi_cn" / ".revisits.lock"
        with lock_path.open("a") as held:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # another process of the fleet makes the revisits
            two, log = crawl("2024-04-02T02:00:00Z")
        assert (two["revisits"]["due"], two["revisits"]["requested"]) == (0, 0)
        assert log.count("another process of the fleet makes this data dir's revisits") == 1
        three, _ = crawl("2024-04-02T03:00:00Z")
        assert three["revisits"]["requested"] == 3
        assert three["revisits"]["not_modified"] + three["revisits"]["unchanged"] == 3
    assert set(site.page_requests().values()) == {2}, "each page: its first fetch, one revisit"
    assert len(dataset(data_dir)) == 3, "nothing changed: no new version"
