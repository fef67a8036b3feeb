"""Two Scrapyd daemons running the deployed egg with the Redis setting: one job on each, scheduled
by `python -m newscrawl.scheduling --url A --url B`, share the work and publish each article once.

Both jobs write into one data dir (they take its lock shared), as two processes of a fleet on one
machine may; the site is a local server whose pages answer slowly enough for the jobs to overlap.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from typing import TYPE_CHECKING
from urllib.parse import unquote

import pytest

from tests.archive import article_page, article_url
from tests.conftest import REPO, SPIDER, dataset, manifests
from tests.localserver import FeedItem, LocalServer, Reply, feed_reply, html, path_of
from tests.test_scrapyd import (
    PROJECT,
    Server,
    api,
    clean_env,
    copy_checkout,
    group_alive,
    scrapyd_deploy,
    start_scrapyd,
    stop,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = [pytest.mark.scrapyd, pytest.mark.slow]


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    """Two Scrapyd daemons, each with the egg deployed by `scrapyd-deploy`."""
    servers = []
    try:
        for n in range(2):
            servers.append(start_scrapyd(tmp_path_factory.mktemp(f"scrapyd{n}") / "server"))
        egg = None
        for server in servers:
            checkout = copy_checkout(tmp_path_factory.mktemp("checkout"), server.url)
            if egg is None:
                egg = checkout.parent / "newscrawl.egg"
                built = scrapyd_deploy(checkout, "--build-egg", str(egg))
                assert built.returncode == 0, built.stderr
            deployed = scrapyd_deploy(checkout, "local", "--egg", str(egg), "--version", "fleet-1")
            assert deployed.returncode == 0, deployed.stderr + deployed.stdout
            assert SPIDER in api(server, f"listspiders.json?project={PROJECT}")["spiders"]
        yield servers
    finally:
        for server in servers:
            stop(server.process)
            assert not group_alive(server.process.pid), "a process started by Scrapyd survived"


def test_one_job_on_each_node_shares_the_work(nodes: list[Server], redis_url: str, tmp_path: Path) -> None:
    urls = [article_url(n) for n in range(30)]
    data = tmp_path / "data"
    with LocalServer() as site:
        site.route("/robots.txt", Reply(404, "none"))
        site.route("/cn/rss", feed_reply(FeedItem(f"文章{n}", url) for n, url in enumerate(urls)))
        for n, url in enumerate(urls):
            page = html(article_page(n, url))
            site.route(path_of(url), Reply(page.status, page.body, page.headers, delay=0.3))
        settings = {
            "NEWSCRAWL_REDIS_URL": redis_url,
            "NEWSCRAWL_FETCH_ORIGIN": site.origin,
            "NEWSCRAWL_GLOBAL_RATE": "0",
            "NEWSCRAWL_BROWSER_FALLBACK": "False",
            "DOWNLOAD_DELAY": "0",
            "AUTOTHROTTLE_ENABLED": "False",
            "CONCURRENT_REQUESTS": "2",
        }
        command = [sys.executable, "-m", "newscrawl.scheduling", "--poll", "0.2", "--wait", "--data-dir", str(data)]
        command += [arg for server in nodes for arg in ("--url", server.url)]
        command += [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
        command += ["-a", f"feeds={site.origin}/cn/rss"]
        env = clean_env(PYTHONPATH=str(REPO), SCRAPYD_USERNAME="newscrawl-test", SCRAPYD_PASSWORD="s3cret%pass")
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=180, check=False)
        page_requests = Counter(
            seen.path for seen in site.requests if seen.path.startswith("/cn/") and "rss" not in seen.path
        )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("succeeded: run") == 2, result.stderr
    records = dataset(data)
    assert sorted(record["url"] for record in records) == sorted(urls), "every article, once"
    assert page_requests == Counter({unquote(path_of(url)): 1 for url in urls}), "each page fetched once"
    runs = manifests(data)
    assert [run["status"] for run in runs] == ["finished", "finished"]
    assert all(run["counts"]["add_up"] for run in runs)
    assert all(run["counts"]["fleet"]["taken_over"] > 0 for run in runs), "both jobs did part of the work"
    assert all(run["arguments"]["spider"].get("_job") for run in runs)
