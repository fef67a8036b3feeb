"""User mistakes in settings and arguments: one ERROR line naming them, exit code 2, nothing done.

Each case runs the real ``scrapy crawl rfi_cn`` in a subprocess (the project's crawl command).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_ARCHIVE, SPIDER, run_crawl

ERROR_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[newscrawl\.commands\.crawl\] ERROR: Not crawling: (?P<message>.+)$"
)

NOT_A_DURATION = "is not a duration (seconds, or a number followed by s, m, h or d)"


def refused(data: Path, *args: str, replay: Path | None = BUNDLED_ARCHIVE) -> str:
    """Run a crawl that must be refused; the one error message, after checking nothing was done."""
    result = run_crawl(data, *args, replay=replay, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    match = ERROR_LINE.match(lines[0])
    assert match is not None, lines[0]
    assert not data.exists(), "nothing is written before the crawl starts"
    return match["message"]


def test_a_replay_folder_that_does_not_exist(tmp_path: Path) -> None:
    folder = tmp_path / "no-such-archive"
    message = refused(tmp_path / "data", replay=folder)
    assert message == f"NEWSCRAWL_REPLAY_DIR: {folder} does not exist"


def test_a_replay_folder_without_a_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    (folder / "pages").mkdir(parents=True)
    message = refused(tmp_path / "data", replay=folder)
    assert message == f"NEWSCRAWL_REPLAY_DIR: {folder} has no manifest.jsonl (it is not a replay archive)"


def test_a_replay_archive_that_is_a_file(tmp_path: Path) -> None:
    manifest = BUNDLED_ARCHIVE / "manifest.jsonl"
    message = refused(tmp_path / "data", replay=manifest)
    assert message == f"NEWSCRAWL_REPLAY_DIR: {manifest} is not a folder"


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("feeds=not a url", "-a feeds: 'not a url' is not an http(s) URL"),
        (
            "feeds=https://www.rfi.fr/cn/rss,ftp://www.rfi.fr/cn/rss",
            "-a feeds: 'ftp://www.rfi.fr/cn/rss' is not an http(s) URL",
        ),
        ("feeds=", "-a feeds: no feed to read (the list is empty)"),
        ("feeds= , ", "-a feeds: no feed to read (the list is empty)"),
    ],
)
def test_a_malformed_feeds_argument(tmp_path: Path, argument: str, expected: str) -> None:
    assert refused(tmp_path / "data", "-a", argument) == expected


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "NEWSCRAWL_FETCH_ORIGIN=http://127.0.0.1:8080/cn",
            "NEWSCRAWL_FETCH_ORIGIN: 'http://127.0.0.1:8080/cn' is not an http(s) origin (scheme://host[:port])",
        ),
        (
            "NEWSCRAWL_FEEDS=https://www.rfi.fr/cn/rss,www.rfi.fr/cn/rss",
            "NEWSCRAWL_FEEDS: 'www.rfi.fr/cn/rss' is not an http(s) URL",
        ),
        ("NEWSCRAWL_BROWSER_MAX_PAGES=many", "NEWSCRAWL_BROWSER_MAX_PAGES: 'many' is not a whole number of 1 or more"),
        (
            "NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT=0",
            "NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT: '0' is not a whole number of 1 or more",
        ),
        ("NEWSCRAWL_MANIFEST_MAX_LISTED=-1", "NEWSCRAWL_MANIFEST_MAX_LISTED: '-1' is not a whole number of 0 or more"),
        (
            "NEWSCRAWL_RETRY_AFTER_MAX=2 minutes",
            "NEWSCRAWL_RETRY_AFTER_MAX: '2 minutes' " + NOT_A_DURATION,
        ),
        (
            "NEWSCRAWL_BROWSER_SETTLE_TIMEOUT=soon",
            "NEWSCRAWL_BROWSER_SETTLE_TIMEOUT: 'soon' " + NOT_A_DURATION,
        ),
        ("NEWSCRAWL_BROWSER_FALLBACK=maybe", "NEWSCRAWL_BROWSER_FALLBACK: 'maybe' is not True or False"),
    ],
)
def test_a_bad_setting_value(tmp_path: Path, setting: str, expected: str) -> None:
    assert refused(tmp_path / "data", "-s", setting) == expected


def test_a_record_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    folder = blocker / "archive"
    message = refused(tmp_path / "data", "-s", f"NEWSCRAWL_RECORD_DIR={folder}", replay=None)
    assert message == f"NEWSCRAWL_RECORD_DIR: {folder} cannot be a folder: {blocker} is a file"


def test_a_data_dir_that_is_a_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text("a file where the data dir should be")
    result = run_crawl(data, replay=BUNDLED_ARCHIVE, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.endswith(f"Not crawling: NEWSCRAWL_DATA_DIR: {data} cannot be a folder: {data} is a file")
    assert data.read_text() == "a file where the data dir should be"
    assert not (tmp_path / SPIDER).exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-a", "since=2024-3-1"], "-a since: '2024-3-1' is not a day written YYYY-MM-DD"),
        (["-a", "since=yesterday"], "-a since: 'yesterday' is not a day written YYYY-MM-DD"),
        (
            ["-a", "since=2024-04-03", "-s", "NEWSCRAWL_NOW=2024-04-02T06:00:00Z"],
            "-a since: 2024-04-03 is after the run's day (2024-04-02)",
        ),
        (["-a", "since=2024-03-01", "-a", "sitemaps="], "-a since: a back-fill reads the sitemaps, and they are off"),
        (
            ["-a", "sitemaps=https://example.com/sitemap.xml"],
            "-a sitemaps: 'https://example.com/sitemap.xml' is not a www.rfi.fr URL",
        ),
        (
            ["-s", "NEWSCRAWL_NOW=2024-04-02T06:00:00"],
            "NEWSCRAWL_NOW: '2024-04-02T06:00:00' is not an RFC 3339 time with an offset (e.g. 2024-04-02T06:00:00Z)",
        ),
        (
            ["-s", "NEWSCRAWL_BACKFILL_MAX_DAYS=31d"],
            "NEWSCRAWL_BACKFILL_MAX_DAYS: '31d' is not a whole number of 0 or more",
        ),
        (
            ["-s", "NEWSCRAWL_SITEMAPS=['https://www.rfi.fr/robots.txt'"],
            "NEWSCRAWL_SITEMAPS: \"['https://www.rfi.fr/robots.txt'\" is not a Python list",
        ),
        (
            ["-s", "NEWSCRAWL_SITEMAP_MAX_URLS=0"],
            "NEWSCRAWL_SITEMAP_MAX_URLS: '0' is not a whole number of 1 or more",
        ),
    ],
)
def test_a_bad_sitemap_or_clock_value(tmp_path: Path, args: list[str], expected: str) -> None:
    assert refused(tmp_path / "data", *args) == expected
