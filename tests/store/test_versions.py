"""The version store: article states survive the process, and the schedule reads only what may be due."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from newscrawl.store.versions import ArticleState, VersionStore

if TYPE_CHECKING:
    from pathlib import Path

WEEK = 7 * 86400


def state(url: str, published: str | None, checked: str, **changes: object) -> ArticleState:
    base = ArticleState(
        url=url,
        version=1,
        content_hash="a" * 64,
        status="live",
        first_seen="2024-04-01T09:00:00Z",
        published=published,
        fetched_at="2024-04-01T09:00:00Z",
        record_file="articles/2024-04-01/r.jsonl",
        feed=None,
        checked_at=checked,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_states_round_trip_and_are_replaced(tmp_path: Path) -> None:
    store = VersionStore(tmp_path / "versions.sqlite3")
    first = state("u1", "2024-04-01T08:00:00Z", "2024-04-01T09:00:00Z", etag='"abc"', last_modified="Mon, 01 Apr")
    assert store.put([first]) == 1
    store.close()
    store = VersionStore(tmp_path / "versions.sqlite3")
    assert store.get("u1") == first
    assert store.get("u2") is None
    second = replace(first, version=2, content_hash="b" * 64, checked_at="2024-04-01T15:00:00Z")
    store.put([second])
    assert store.get("u1") == second
    assert len(store) == 1
    store.close()


def test_scheduled_reads_live_articles_with_an_age_ahead_or_something_pending(tmp_path: Path) -> None:
    store = VersionStore(tmp_path / "versions.sqlite3")
    store.put(
        [
            state("young", "2024-04-01T08:00:00Z", "2024-04-01T09:00:00Z"),
            state("done", "2024-04-01T08:00:00Z", "2024-04-08T08:00:00Z"),
            state("undated", None, "2024-04-01T09:00:00Z"),
            state("gone", "2024-03-01T08:00:00Z", "2024-03-20T00:00:00Z", gone_since="2024-03-20T00:00:00Z"),
            state(
                "failing", "2024-03-01T08:00:00Z", "2024-03-20T00:00:00Z", failures=1, failed_at="2024-03-21T00:00:00Z"
            ),
            state("removed", "2024-04-01T08:00:00Z", "2024-04-01T09:00:00Z", status="removed"),
            state("signalled", "2024-03-01T08:00:00Z", "2024-04-01T09:00:00Z", signal_at="2024-04-01T09:30:00Z"),
            state("answered", "2024-03-01T08:00:00Z", "2024-04-01T09:00:00Z", signal_at="2024-04-01T08:30:00Z"),
            state(
                "removed-signalled",
                "2024-03-01T08:00:00Z",
                "2024-04-01T09:00:00Z",
                status="removed",
                signal_at="2024-04-01T10:00:00Z",
            ),
        ]
    )
    both = ["failing", "gone", "removed-signalled", "signalled"]
    assert sorted(s.url for s in store.scheduled(WEEK)) == sorted([*both, "undated", "young"])
    # With one age of an hour: "undated" (first seen at 09:00, checked then) still has its 10:00 slot.
    assert sorted(s.url for s in store.scheduled(3600)) == sorted([*both, "undated"])
    store.close()
