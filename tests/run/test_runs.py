"""Runs through the real engine in replay mode: de-duplication across runs, rejects, the
manifest's accounting, crash safety (SIGKILL) and two crawls at once on one data dir."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.archive import ArchiveBuilder, article_page, article_url
from tests.conftest import FEED, REPO, crawl_command, crawl_env, dataset, flat_total, manifests, run_crawl

ROBOTS = "https://www.rfi.fr/robots.txt"


def build_archive(
    folder: Path, indexes: range, *, slow_last: int | None = None, extra: tuple[tuple[str, str], ...] = ()
) -> Path:
    """An archive with one feed listing ``indexes``; ``slow_last`` makes the last page answer 429 first."""
    builder = ArchiveBuilder(folder)
    builder.add(ROBOTS, "User-agent: *\nAllow: /\n", Content_Type="text/plain")
    links = [article_url(i) for i in indexes] + [url for url, _ in extra]
    builder.add_feed(FEED, links)
    for i in indexes:
        if slow_last is not None and i == indexes[-1]:
            builder.add(article_url(i), "slow down", status=429, Retry_After=str(slow_last))
        builder.add_article(i)
    for url, html in extra:
        builder.add(url, html, Content_Type="text/html; charset=utf-8")
    return builder.write()


def feeds_arg() -> list[str]:
    """The archives here hold one feed and no sitemap."""
    return ["-a", f"feeds={FEED}", "-a", "sitemaps="]


def assert_counts_add_up(data_dir: Path) -> None:
    for manifest in manifests(data_dir):
        counts = manifest["counts"]
        assert flat_total(counts) == counts["entries_seen"], counts
        assert counts["add_up"] is True


def test_second_run_adds_nothing_and_requests_only_feeds_and_robots(tmp_path: Path) -> None:
    archive = build_archive(tmp_path / "archive", range(3))
    data = tmp_path / "data"
    first = run_crawl(data, *feeds_arg(), replay=archive)
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(dataset(data)) == 3
    second = run_crawl(data, *feeds_arg(), replay=archive)
    assert second.returncode == 0, second.stderr[-3000:]
    assert len(dataset(data)) == 3, "the second run must add nothing"
    assert len(list((data / "rfi_cn" / "articles").glob("*/*.jsonl"))) == 1, "a run with nothing new writes no file"
    runs = sorted(manifests(data), key=lambda m: m["started"] + m["run_id"])
    last = next(m for m in runs if m["counts"]["duplicate"].get("already_stored"))
    assert last["status"] == "finished"
    assert last["counts"]["duplicate"] == {"already_stored": 3}
    assert last["counts"]["new"] == 0
    # Only the feed and robots.txt were requested.
    assert last["stats"]["newscrawl/replay/served"] == 2
    assert "newscrawl/replay/missing" not in last["stats"]
    assert_counts_add_up(data)


def test_only_new_articles_are_added(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run_crawl(data, *feeds_arg(), replay=build_archive(tmp_path / "a", range(8)))
    assert first.returncode == 0, first.stderr[-3000:]
    second = run_crawl(data, *feeds_arg(), replay=build_archive(tmp_path / "b", range(10)))
    assert second.returncode == 0, second.stderr[-3000:]
    files = sorted((data / "rfi_cn" / "articles").glob("*/*.jsonl"), key=lambda p: p.stat().st_mtime)
    assert len(files) == 2
    added = [json.loads(line) for line in files[1].read_text(encoding="utf-8").splitlines()]
    assert sorted(r["url"] for r in added) == sorted([article_url(8), article_url(9)])
    urls = [r["url"] for r in dataset(data)]
    assert len(urls) == len(set(urls)) == 10
    assert_counts_add_up(data)


def test_invalid_records_land_in_rejects_with_reasons(tmp_path: Path) -> None:
    untitled_url = article_url(99)
    untitled = (
        article_page(99, untitled_url)
        .replace('"headline"', '"alternativeHeadline"')
        .replace('<meta property="og:title"', '<meta property="og:x"')
    )
    untitled = untitled.split("<title>")[0] + untitled.split("</title>")[1]
    untitled = untitled.replace('<h1 class="t-content__title a-page-title">', '<h1 class="x">')
    untitled = untitled.replace("<h1", "<div").replace("</h1>", "</div>")
    archive = build_archive(tmp_path / "archive", range(2), extra=((untitled_url, untitled),))
    data = tmp_path / "data"
    result = run_crawl(data, *feeds_arg(), replay=archive)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(dataset(data)) == 2
    rejects = list((data / "rfi_cn" / "rejects").glob("*/*.jsonl"))
    assert len(rejects) == 1
    lines = [json.loads(line) for line in rejects[0].read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1
    assert lines[0]["reason"] == "schema"
    assert lines[0]["record"]["url"] == untitled_url
    assert [e["field"] for e in lines[0]["errors"]] == ["title"]
    (manifest,) = manifests(data)
    assert manifest["counts"]["rejected"] == 1
    assert manifest["listed"]["rejected"][0]["url"] == untitled_url
    assert_counts_add_up(data)


def _wait_for(predicate, timeout: float, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            raise AssertionError(f"crawl ended early: {process.communicate()[1][-3000:]}")
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the crawl")


def _start(data: Path, archive: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        crawl_command(data, *feeds_arg(), replay=archive),
        cwd=REPO,
        env=crawl_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_sigkill_mid_crawl_then_rerun_gives_each_article_once(tmp_path: Path) -> None:
    archive = build_archive(tmp_path / "archive", range(6), slow_last=60)
    data = tmp_path / "data"
    process = _start(data, archive)
    articles = data / "rfi_cn" / "articles"
    # At least one item was scraped: the run's temporary dataset file exists (opened on the first item).
    _wait_for(lambda: any(articles.glob("*/*.jsonl.part")), 60, process)
    time.sleep(0.5)
    assert not list(articles.glob("*/*.jsonl")), "nothing may be published before the run ends"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    (dead,) = manifests(data)
    assert dead["status"] == "running"

    rerun = run_crawl(data, *feeds_arg(), replay=build_archive(tmp_path / "unthrottled", range(6)))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    statuses = {m["run_id"]: m["status"] for m in manifests(data)}
    assert statuses[dead["run_id"]] == "killed"
    assert sorted(statuses.values()) == ["finished", "killed"]
    assert not list(articles.glob("*/*.part")), "the dead run's temporary file is cleaned up"
    files = list(articles.glob("*/*.jsonl"))
    assert len(files) == 1
    for line in files[0].read_text(encoding="utf-8").splitlines():
        json.loads(line)  # no partial line
    urls = [r["url"] for r in dataset(data)]
    assert sorted(urls) == sorted(article_url(i) for i in range(6))
    assert_counts_add_up(data)


@pytest.mark.slow
def test_two_crawls_at_once_second_refuses(tmp_path: Path) -> None:
    archive = build_archive(tmp_path / "archive", range(4), slow_last=12)
    data = tmp_path / "data"
    first = _start(data, archive)
    # The first crawl is mid-way (items scraped, waiting on Retry-After) when the second starts.
    _wait_for(lambda: any((data / "rfi_cn" / "articles").glob("*/*.jsonl.part")), 60, first)
    second = run_crawl(data, *feeds_arg(), replay=archive)
    _, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err[-3000:]
    assert second.returncode == 1
    assert "another crawl is running" in second.stderr
    assert "database is locked" not in second.stderr + first_err
    by_status = sorted(m["status"] for m in manifests(data))
    assert by_status == ["failed", "finished"]
    urls = [r["url"] for r in dataset(data)]
    assert sorted(urls) == sorted(article_url(i) for i in range(4))
