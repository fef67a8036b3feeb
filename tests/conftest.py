from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.redisserver import RedisServer

if TYPE_CHECKING:
    from newscrawl.run.extension import Run

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"
BUNDLED_ARCHIVE = REPO / "fixtures" / "replay"
SPIDER = "rfi_cn"
FEED = "https://www.rfi.fr/cn/rss"


def crawl_command(data_dir: Path, *args: str, replay: Path | None = None) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", SPIDER, "-s", f"NEWSCRAWL_DATA_DIR={data_dir}"]
    if replay is not None:
        command += ["-s", f"NEWSCRAWL_REPLAY_DIR={replay}"]
    return [*command, *args]


def crawl_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}


def run_crawl(
    data_dir: Path, *args: str, replay: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """One real `scrapy crawl rfi_cn` in a subprocess (the real engine, settings and command)."""
    return run_scrapy(crawl_command(data_dir, *args, replay=replay), timeout=timeout)


def run_scrapy(command: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A project command (``python -m scrapy …``) in a subprocess, from the checkout."""
    return subprocess.run(
        command, cwd=REPO, env=crawl_env(), capture_output=True, text=True, timeout=timeout, check=False
    )


def dataset(data_dir: Path) -> list[dict[str, Any]]:
    records = []
    for path in sorted((data_dir / SPIDER / "articles").glob("*/*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            records += [json.loads(line) for line in lines]
    return records


def manifests(data_dir: Path) -> list[dict[str, Any]]:
    """The manifests in run id order."""
    return _read_manifests(sorted((data_dir / SPIDER / "runs").glob("*.json")))


def manifests_as_written(data_dir: Path) -> list[dict[str, Any]]:
    """The manifests in the order they were last written: for runs one after the other, the order
    they ran. (Run ids start with the start time to the second only: two short runs can start within
    one second, and their random suffixes then decide the name order.)"""
    paths = (data_dir / SPIDER / "runs").glob("*.json")
    return _read_manifests(sorted(paths, key=lambda p: (p.stat().st_mtime_ns, p.name)))


def _read_manifests(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def flat_total(counts: dict[str, Any]) -> int:
    return sum(
        sum(v.values()) if isinstance(v, dict) else v for k, v in counts.items() if k not in ("entries_seen", "add_up")
    )


@pytest.fixture
def crawl(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    data_dir = tmp_path / "data"

    def _crawl(
        *args: str, replay: Path | None = BUNDLED_ARCHIVE, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return run_crawl(data_dir, *args, replay=replay, timeout=timeout)

    return _crawl


def run_extension(data_dir: Path, **settings: Any) -> Run:
    """The run extension of an rfi_cn crawler that is never started (for pipelines and the run's parts)."""
    from scrapy.utils.test import get_crawler

    from newscrawl.run.extension import Run
    from newscrawl.spiders.rfi_cn import RfiCnSpider

    crawler = get_crawler(RfiCnSpider, settings_dict={"NEWSCRAWL_DATA_DIR": str(data_dir), **settings})
    assert crawler.stats is not None
    crawler.stats.open_spider()
    run = Run.from_crawler(crawler)
    crawler.get_extension = lambda cls: run  # type: ignore[method-assign,assignment,return-value]
    return run


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One real redis-server for the whole session (password required); tests use ``redis_url``."""
    with RedisServer(password="test-pass") as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    if redis_server.process is None:  # a test stopped it to play "Redis lost"
        redis_server.start()
    redis_server.client().flushall()
    return redis_server.url


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Crawls cache the report's Vega bundle under $XDG_CACHE_HOME: one per test session, not the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
