"""The whole crawl through the real Scrapy engine, replaying the bundled archive."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

from newscrawl.schema import record_validator
from tests.conftest import REPO, dataset, flat_total, manifests

EXPECTED = REPO / "fixtures" / "expected"

Crawl = Callable[..., CompletedProcess[str]]


def expected_records() -> dict[str, dict[str, Any]]:
    records = {}
    for path in sorted(EXPECTED.glob("*.json")):
        if path.name == "run-counts.json":
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        records[record["url"]] = record
    return records


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CompletedProcess[str]]:
    from tests.conftest import BUNDLED_ARCHIVE, run_crawl

    data = tmp_path_factory.mktemp("bundled") / "data"
    return data, run_crawl(data, replay=BUNDLED_ARCHIVE)


def test_bundled_archive_crawl_succeeds_and_logs_a_summary(bundled_run: tuple[Path, CompletedProcess[str]]) -> None:
    _, result = bundled_run
    assert result.returncode == 0, result.stderr[-4000:]
    log = result.stderr
    assert "Reading 9 feeds" in log
    assert "Listings done:" in log
    assert "finished: 28 entries" in log  # 24 feed entries + 4 news sitemap entries (fixtures/README.md)


def test_bundled_archive_gives_exactly_the_expected_records(bundled_run: tuple[Path, CompletedProcess[str]]) -> None:
    data, _ = bundled_run
    got = {record["url"]: record for record in dataset(data)}
    expected = expected_records()
    assert sorted(got) == sorted(expected)
    for url, want in expected.items():
        record = got[url]
        for name in sorted(want):
            assert record.get(name) == want[name], f"{url}: field {name}"
        assert sorted(record) == sorted(want), f"{url}: unexpected fields"


def test_every_record_is_valid_and_written_as_plain_utf8(bundled_run: tuple[Path, CompletedProcess[str]]) -> None:
    data, _ = bundled_run
    validator = record_validator()
    (path,) = (data / "rfi_cn" / "articles").glob("*/*.jsonl")
    text = path.read_text(encoding="utf-8")
    assert "\\u" not in text, "UTF-8 without \\u escapes"
    for line in text.splitlines():
        assert not list(validator.iter_errors(json.loads(line)))


def test_manifest_counts_match_the_archive_and_add_up(bundled_run: tuple[Path, CompletedProcess[str]]) -> None:
    data, _ = bundled_run
    (manifest,) = manifests(data)
    assert manifest["status"] == "finished"
    counts = manifest["counts"]
    want = json.loads((EXPECTED / "run-counts.json").read_text(encoding="utf-8"))
    for name, value in want.items():
        assert counts[name] == value, name
    assert flat_total(counts) == counts["entries_seen"]
    assert manifest["output"]["dataset_published"] is True
    assert {feed["url"] for feed in manifest["feeds"]} == set(manifest["arguments"]["settings"]["NEWSCRAWL_FEEDS"])


def test_the_bundled_news_sitemap_and_robots_txt_are_sources(bundled_run: tuple[Path, CompletedProcess[str]]) -> None:
    """fixtures/README.md, "News sitemap": robots.txt names the news sitemap again and two maps
    outside /sitemaps/cn/; no index, so the first run's catch-up has no month to read."""
    data, _ = bundled_run
    (manifest,) = manifests(data)
    sources = {source["url"]: source for source in manifest["sources"]}
    news = sources["https://www.rfi.fr/sitemaps/cn/news.xml"]
    assert (news["kind"], news["status"], news["entries"], news["problem"]) == ("sitemap", "ok", 4, None)
    robots = sources["https://www.rfi.fr/robots.txt"]
    assert (robots["kind"], robots["status"], robots["skipped"]) == ("robots", "ok", {"outside_sitemaps_cn": 2})
    assert len(sources) == 9 + 2, "the news sitemap is read once, though configured and named by robots.txt"
    assert manifest["backfill"]["reason"] == "first_run"
    assert manifest["backfill"]["missing_months"] == manifest["backfill"]["months"]
    listing = json.loads((data / "rfi_cn" / "listings.json").read_text(encoding="utf-8"))["listings"]
    assert listing["https://www.rfi.fr/sitemaps/cn/news.xml"] == {
        "etag": '"news-20240402T0545"',
        "last_modified": "Tue, 02 Apr 2024 05:45:00 GMT",
        "kind": "urlset",
    }


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_crawl_that_reaches_no_feed_fails_fast_and_cleanly(crawl: Crawl, tmp_path: Path) -> None:
    """Without network: every feed refused. Clear message, manifest failed, exit 1, no output."""
    port = closed_port()
    started = time.monotonic()
    result = crawl(
        "-a",
        f"feeds=http://127.0.0.1:{port}/cn/rss",
        "-a",
        "sitemaps=",  # the default sitemaps are on www.rfi.fr: tests never touch the internet
        "-s",
        "NEWSCRAWL_RETRY_BACKOFF_BASE=0.1",
        replay=None,
    )
    assert time.monotonic() - started < 60
    assert result.returncode == 1
    assert "could not be fetched" in result.stderr
    assert "no feed could be fetched" in result.stderr
    data = tmp_path / "data"
    (manifest,) = manifests(data)
    assert manifest["status"] == "failed"
    assert manifest["feeds"][0]["ok"] is False
    assert not list((data / "rfi_cn").glob("articles/**/*.jsonl"))
