"""Copying the seen-store SQLite → Redis → SQLite, with the real `scrapy migrate` command too."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from newscrawl.fleet.config import connect, key_prefix
from newscrawl.store.migrate import copy_seen
from newscrawl.store.redis_seen import RedisSeenStore
from newscrawl.store.seen import SeenStore
from tests.conftest import run_scrapy

if TYPE_CHECKING:
    from pathlib import Path


BASE = "https://www.rfi.fr/cn/x/"


def filled_sqlite(path: Path, runs: int = 3, per_run: int = 4_000) -> SeenStore:
    store = SeenStore(path)
    for run in range(runs):
        rows = [
            (f"https://www.rfi.fr/cn/x/{run}-{n}", f"https://www.rfi.fr/cn/x/{run}-{n - n % 2}") for n in range(per_run)
        ]
        store.add(rows, f"run-{run}", f"2024-04-0{run + 1}T00:00:00Z")
    return store


def test_rows_survive_a_round_trip_with_their_runs_and_times(tmp_path: Path, redis_url: str) -> None:
    sqlite = filled_sqlite(tmp_path / "a.sqlite3")
    shared = RedisSeenStore(connect(redis_url), key_prefix("rfi_cn"))
    copied = copy_seen(sqlite, shared)
    assert (copied.read, copied.added) == (12_000, 12_000)
    assert copy_seen(sqlite, shared).added == 0, "copying again adds nothing"
    back = SeenStore(tmp_path / "b.sqlite3")
    assert copy_seen(shared, back).added == 12_000
    assert sorted(back.rows()) == sorted(sqlite.rows())
    for store in (sqlite, shared, back):
        store.close()


def migrate(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_scrapy([sys.executable, "-m", "scrapy", "migrate", "-s", f"NEWSCRAWL_DATA_DIR={data_dir}", *args])


def test_the_migrate_command_copies_both_ways_and_hides_the_password(tmp_path: Path, redis_url: str) -> None:
    filled_sqlite(tmp_path / "one" / "rfi_cn" / "seen.sqlite3", runs=2, per_run=10).close()
    to_redis = migrate(tmp_path / "one", "--to", redis_url)
    assert to_redis.returncode == 0, to_redis.stderr
    assert "Copied 20 rows" in to_redis.stdout
    assert "20 new" in to_redis.stdout
    assert "test-pass" not in to_redis.stdout + to_redis.stderr
    back = migrate(tmp_path / "two", "--from", redis_url)
    assert back.returncode == 0, back.stderr
    copy = SeenStore(tmp_path / "two" / "rfi_cn" / "seen.sqlite3")
    assert len(copy) == 20
    copy.close()


def test_the_migrate_command_says_what_is_wrong(tmp_path: Path, redis_url: str) -> None:
    missing = migrate(tmp_path, "--to", redis_url)
    assert missing.returncode == 1
    assert "no seen-store at" in missing.stderr
    bad_url = migrate(tmp_path, "--to", "http://127.0.0.1:1/")
    assert bad_url.returncode == 2
    assert "is not a Redis URL" in bad_url.stderr
