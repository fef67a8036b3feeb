"""The seen-store interface, on both backends: SQLite (the default) and Redis (a real server)."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest

from newscrawl.fleet.config import connect
from newscrawl.store.backend import SeenRow, SeenStoreBackend, SharedSeenStoreBackend
from newscrawl.store.redis_seen import RedisSeenStore
from newscrawl.store.seen import SeenStore

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PREFIX = "newscrawl:{rfi_cn}:"
A = "https://www.rfi.fr/cn/中国/20240401-a"
B = "https://www.rfi.fr/cn/中国/20240401-b"
LINK = "https://www.rfi.fr/cn/中国/20240401-a?xtor=RSS"


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SeenStoreBackend]:
    backend: SeenStoreBackend
    if request.param == "sqlite":
        backend = SeenStore(tmp_path / "seen.sqlite3")
    else:
        backend = RedisSeenStore(connect(request.getfixturevalue("redis_url")), PREFIX)
    yield backend
    backend.close()


@pytest.fixture
def shared(redis_url: str) -> Iterator[RedisSeenStore]:
    backend = RedisSeenStore(connect(redis_url), PREFIX)
    yield backend
    backend.close()


def test_both_backends_satisfy_the_interface_and_only_redis_takes_claims(tmp_path: Path, redis_url: str) -> None:
    sqlite = SeenStore(tmp_path / "seen.sqlite3")
    redis_store = RedisSeenStore(connect(redis_url), PREFIX)
    assert isinstance(sqlite, SeenStoreBackend)
    assert not isinstance(sqlite, SharedSeenStoreBackend)
    assert isinstance(redis_store, SharedSeenStoreBackend)
    sqlite.close()
    redis_store.close()


def test_add_records_rows_once_and_rows_gives_them_back(store: SeenStoreBackend) -> None:
    assert A not in store
    assert store.add([(A, A), (LINK, A)], "run-1", "2024-04-01T08:00:00Z") == 2
    assert store.add([(A, A), (B, B)], "run-2", "2024-04-02T08:00:00Z") == 1
    assert A in store
    assert LINK in store
    assert B in store
    assert "https://www.rfi.fr/cn/other" not in store
    assert len(store) == 3
    assert sorted(store.rows()) == sorted(
        [
            SeenRow(A, A, "run-1", "2024-04-01T08:00:00Z"),
            SeenRow(LINK, A, "run-1", "2024-04-01T08:00:00Z"),
            SeenRow(B, B, "run-2", "2024-04-02T08:00:00Z"),
        ]
    )


def test_a_claim_is_exclusive_until_it_lapses(shared: RedisSeenStore) -> None:
    assert shared.claim(A, "run-1", lease=0.3)
    assert shared.claim(A, "run-1", lease=0.3), "claiming again what one holds is fine"
    assert not shared.claim(A, "run-2", lease=0.3)
    time.sleep(0.4)  # run-1 died: nobody renewed its claim
    assert shared.claim(A, "run-2", lease=5)
    assert shared.hold("run-1", 60) == [A], "run-1 must learn that it lost the article before publishing it"
    assert shared.claimed("run-1") == set()
    assert shared.claimed("run-2") == {A}


def test_renewal_keeps_a_claim_alive_past_its_first_lease(shared: RedisSeenStore) -> None:
    assert shared.claim(A, "run-1", lease=0.3)
    for _ in range(3):
        time.sleep(0.15)
        assert shared.renew("run-1", 0.3) == 1
    assert not shared.claim(A, "run-2", lease=0.3)


def test_published_urls_cannot_be_claimed_and_publication_ends_the_claim(shared: RedisSeenStore) -> None:
    assert shared.claim(A, "run-1", lease=60)
    assert shared.claim(B, "run-1", lease=60)
    assert shared.add([(A, A), (LINK, A)], "run-1", "2024-04-01T08:00:00Z") == 2
    assert not shared.client.exists(shared.claim_key(A))
    assert shared.claimed("run-1") == {B}
    assert not shared.claim(A, "run-2", lease=60), "published: nobody may claim it again"
    assert not shared.claim(LINK, "run-2", lease=60)


def test_recording_another_runs_article_leaves_its_claim_alone(shared: RedisSeenStore) -> None:
    assert shared.claim(A, "run-1", lease=60)
    assert shared.add([(A, A)], "run-2", "2024-04-01T08:00:00Z") == 1  # a migration, say
    assert shared.client.get(shared.claim_key(A)) == "run-1"


def test_release_drops_only_the_owners_claims(shared: RedisSeenStore) -> None:
    assert shared.claim(A, "run-1", lease=60)
    assert shared.claim(B, "run-2", lease=60)
    assert shared.release("run-1") == 1
    assert shared.claim(A, "run-3", lease=60)
    assert not shared.claim(B, "run-3", lease=60)


def test_two_stores_racing_for_the_same_urls_claim_each_exactly_once(redis_url: str) -> None:
    urls = [f"https://www.rfi.fr/cn/中国/20240401-{i}" for i in range(200)]
    won: dict[str, list[str]] = {}
    start = threading.Barrier(4)

    def racer(owner: str) -> None:
        store = RedisSeenStore(connect(redis_url), PREFIX)
        start.wait()
        won[owner] = [url for url in urls if store.claim(url, owner, lease=60)]
        store.close()

    threads = [threading.Thread(target=racer, args=(f"run-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [url for urls_won in won.values() for url in urls_won]
    assert sorted(claimed) == sorted(urls)


def test_large_batches_are_split(shared: RedisSeenStore) -> None:
    urls = [f"https://www.rfi.fr/cn/x/{i}" for i in range(1_234)]
    for url in urls:
        assert shared.claim(url, "run-1", lease=60)
    assert shared.hold("run-1", 60) == []
    assert shared.add(((u, u) for u in urls), "run-1", "2024-04-01T08:00:00Z") == len(urls)
    assert shared.claimed("run-1") == set()
    assert len(shared) == len(urls)
    assert sum(1 for _ in shared.rows()) == len(urls)
