"""The run's publication with a shared (Redis) seen-store: claims, the check before publishing,
and what happens when Redis cannot be reached at each step."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from newscrawl.fleet.config import connect, key_prefix
from newscrawl.run.publication import Publication
from newscrawl.store.backend import StoreUnavailable
from newscrawl.store.redis_seen import RedisSeenStore
from tests.redisserver import free_port

if TYPE_CHECKING:
    from pathlib import Path

PREFIX = key_prefix("rfi_cn")
A = "https://www.rfi.fr/cn/x/a"
B = "https://www.rfi.fr/cn/x/b"
LINK = "https://www.rfi.fr/cn/x/a?old"


def publication(run_id: str, redis_url: str, tmp_path: Path, lease: float = 60) -> tuple[Publication, list[str]]:
    lost: list[str] = []
    pub = Publication(run_id, pending_dir=tmp_path / "seen-pending", on_unavailable=lost.append)
    pub.open(RedisSeenStore(connect(redis_url), PREFIX), lease)
    return pub, lost


def test_two_runs_never_accept_the_same_article(redis_url: str, tmp_path: Path) -> None:
    first, _ = publication("run-1", redis_url, tmp_path)
    second, _ = publication("run-2", redis_url, tmp_path)
    assert first.claim(A) is None
    assert first.claim(A) == "same_canonical", "twice in one run"
    assert second.claim(A) == "same_canonical", "accepted by another process of the fleet"
    assert first.before_publishing() is None
    first.note_alias(LINK, A)
    first.dataset_stored("articles/2024-04-01/run-1.jsonl")
    assert second.claim(A) == "already_stored"
    assert second.is_published(LINK)
    first.close()
    second.close()


def test_a_file_is_not_published_when_its_claims_were_taken_over(redis_url: str, tmp_path: Path) -> None:
    stalled, _ = publication("run-1", redis_url, tmp_path, lease=0.2)
    assert stalled.claim(A) is None
    assert stalled.claim(B) is None
    time.sleep(0.3)  # the process stalled past its lease without renewing
    other, _ = publication("run-2", redis_url, tmp_path)
    assert other.claim(A) is None
    refusal = stalled.before_publishing()
    assert refusal is not None
    assert "the claims on 2 of its articles lapsed" in refusal
    assert stalled.refused == refusal
    stalled.close()
    other.close()


def test_claims_are_held_long_once_publication_starts(redis_url: str, tmp_path: Path) -> None:
    pub, _ = publication("run-1", redis_url, tmp_path, lease=0.2)
    assert pub.claim(A) is None
    assert pub.before_publishing() is None
    time.sleep(0.3)
    rival, _ = publication("run-2", redis_url, tmp_path)
    assert rival.claim(A) == "same_canonical", "held until recorded, not for the lease only"


def test_an_unreachable_store_fails_once_and_claims_nothing(tmp_path: Path) -> None:
    pub, lost = publication("run-1", f"redis://127.0.0.1:{free_port()}/0", tmp_path)
    assert not pub.is_published(A)
    assert len(lost) == 1
    assert "unreachable" in lost[0]
    with pytest.raises(StoreUnavailable):
        pub.claim(A)
    assert pub.before_publishing() is not None
    assert len(lost) == 1, "reported once"


def test_rows_that_could_not_be_recorded_are_kept_and_recorded_by_the_next_run(
    redis_url: str, redis_server: object, tmp_path: Path
) -> None:
    pub, lost = publication("run-1", redis_url, tmp_path)
    assert pub.claim(A) is None
    assert pub.before_publishing() is None
    pub.store = RedisSeenStore(connect(f"redis://127.0.0.1:{free_port()}/0"), PREFIX)  # Redis gone after the rename
    pub.note_alias(LINK, A)
    pub.dataset_stored("articles/2024-04-01/run-1.jsonl")
    assert lost
    pending = tmp_path / "seen-pending" / "run-1.jsonl"
    assert pending.is_file()
    nxt, _ = publication("run-2", redis_url, tmp_path)
    assert not pending.exists()
    assert nxt.is_published(A)
    assert nxt.is_published(LINK)
    assert nxt.claim(A) == "already_stored"


def test_a_run_that_publishes_nothing_frees_its_articles_at_once(redis_url: str, tmp_path: Path) -> None:
    failed, _ = publication("run-1", redis_url, tmp_path)
    assert failed.claim(A) is None
    failed.close()  # no dataset file stored
    other, _ = publication("run-2", redis_url, tmp_path)
    assert other.claim(A) is None, "not after the 60 s lease: now"
