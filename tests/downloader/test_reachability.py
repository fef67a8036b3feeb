"""No network (or a dead host): one ERROR line per unreachable host, no traceback, a failed run."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import manifests, run_crawl
from tests.test_crawl import closed_port


def test_each_unreachable_host_is_named_once_and_the_run_fails_with_the_reason(tmp_path: Path) -> None:
    hosts = [f"127.0.0.1:{closed_port()}" for _ in range(2)]
    feeds = [f"http://{hosts[0]}/cn/rss", f"http://{hosts[0]}/cn/other/rss", f"http://{hosts[1]}/rss"]
    data = tmp_path / "data"
    result = run_crawl(
        data, "-a", "feeds=" + ",".join(feeds), "-a", "sitemaps=", "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0.05"
    )
    assert result.returncode == 1
    log = result.stderr
    assert "Traceback" not in log
    loud = [line for line in log.splitlines() if re.search(r"\] (ERROR|CRITICAL|WARNING):", line)]
    for host in hosts:
        assert [line for line in loud if f"Host {host} is unreachable" in line] == [
            next(line for line in loud if host in line)
        ], "one line per host, and it is the first to name it"
    errors = [line for line in loud if "] WARNING:" not in line]
    assert len(errors) == len(hosts) + 1  # and the run's own failure
    warnings = [re.search(r"\] WARNING: Run health: (\w+) failed: ", line) for line in loud if line not in errors]
    assert [match[1] if match else None for match in warnings] == ["new_articles", "listings", "log_errors"]
    (manifest,) = manifests(data)
    assert manifest["status"] == "failed"
    (error,) = manifest["errors"]
    problems = [f"host {host} unreachable: it refuses connections" for host in sorted(hosts)]
    assert error == "no feed could be fetched: " + "; ".join(problems)
    by_feed = {feed["url"]: feed["problem"] for feed in manifest["feeds"]}
    assert by_feed == {url: f"host {url.split('/')[2]} unreachable: it refuses connections" for url in feeds}
