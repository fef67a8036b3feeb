"""The run's parts on their own: lock and crash recovery, accounting, publication, the end checks."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from newscrawl.items import Article
from newscrawl.run.accounting import Accounting
from newscrawl.run.extension import Run, run_closed
from newscrawl.run.lock import DataDirLock
from newscrawl.run.outcomes import ListingSource, Outcome, OutcomeDropped
from newscrawl.store.feed_storage import AtomicFileFeedStorage
from newscrawl.store.seen import SeenStore
from tests.conftest import run_extension

ARTICLE = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-a"
OLD_LINK = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-old"


def started_run(tmp_path: Path) -> Run:
    run = run_extension(tmp_path)
    run.spider_opened(None)  # type: ignore[arg-type]
    assert not run.refused
    return run


def manifest_of(run: Run) -> dict[str, Any]:
    path = run.identity.runs_dir / f"{run.identity.run_id}.json"
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def feed_slot(run: Run, published: bool) -> SimpleNamespace:
    path = run.identity.articles_dir / run.identity.run_date / f"{run.identity.run_id}.jsonl"
    storage = AtomicFileFeedStorage(str(path))
    if published:
        path.parent.mkdir(parents=True)
        path.write_text("{}\n", encoding="utf-8")
        storage.published_path = path
    return SimpleNamespace(uri=str(path), storage=storage)


def seen_urls(tmp_path: Path) -> set[str]:
    store = SeenStore(tmp_path / "rfi_cn" / "seen.sqlite3")
    try:
        return {url for url in (ARTICLE, OLD_LINK) if url in store}
    finally:
        store.close()


# --- publication -----------------------------------------------------------------------------------


def test_claims_and_aliases_reach_the_seen_store_once_the_dataset_is_stored(tmp_path: Path) -> None:
    run = started_run(tmp_path)
    assert run.publication.claim(ARTICLE) is None
    assert run.publication.claim(ARTICLE) == "same_canonical"
    run.publication.note_alias(OLD_LINK, ARTICLE)
    run.publication.note_alias("https://www.rfi.fr/cn/x-old", "https://www.rfi.fr/cn/x")  # x never claimed
    run.feed_slot_closed(feed_slot(run, published=True))  # type: ignore[arg-type]
    run.engine_stopped()
    assert seen_urls(tmp_path) == {ARTICLE, OLD_LINK}
    assert manifest_of(run)["output"]["dataset_published"] is True
    assert run.errors == []


def test_a_dataset_that_could_not_be_stored_publishes_nothing_and_fails_the_run(tmp_path: Path) -> None:
    run = started_run(tmp_path)
    run.accounting.item_scraped(Article(url=ARTICLE))
    run.publication.claim(ARTICLE)
    run.publication.note_alias(OLD_LINK, ARTICLE)
    run.feed_slot_closed(feed_slot(run, published=False))  # type: ignore[arg-type]
    run.engine_stopped()
    assert seen_urls(tmp_path) == set(), "the next run must fetch the article again"
    manifest = manifest_of(run)
    assert manifest["status"] == "failed"
    assert manifest["output"]["dataset_published"] is False
    assert any("could not be stored" in error for error in manifest["errors"])


def test_accepted_articles_without_a_dataset_file_fail_the_run(tmp_path: Path) -> None:
    """FEEDS replaced (Scrapyd's items_dir): no slot for the dataset ever closes."""
    run = started_run(tmp_path)
    run.accounting.record_source(ListingSource("https://www.rfi.fr/cn/rss", "feed", "ok", 200, entries=1))
    run.accounting.item_scraped(Article(url=ARTICLE))
    run.publication.claim(ARTICLE)
    run.engine_stopped()
    manifest = manifest_of(run)
    assert manifest["status"] == "failed"
    assert manifest["errors"] == [
        f"new articles were accepted but no dataset file was published under {run.identity.articles_dir}"
        " (FEEDS replaced, e.g. by Scrapyd's items_dir?)"
    ]
    assert seen_urls(tmp_path) == set()


# --- the equation ------------------------------------------------------------------------------------


def test_a_run_whose_counts_do_not_add_up_fails_loudly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    run = started_run(tmp_path)
    run.accounting.record_source(ListingSource("https://www.rfi.fr/cn/rss", "feed", "ok", 200, entries=2))
    run.accounting.outcome_reported(Outcome("skipped", "offsite", url="https://example.com/x"))
    caplog.set_level(logging.INFO, logger="newscrawl")
    run.engine_stopped()
    manifest = manifest_of(run)
    assert manifest["status"] == "failed"
    assert manifest["counts"]["add_up"] is False
    error = "the counts do not add up: 2 entries seen, 1 with an outcome"
    assert any(error in message for message in manifest["errors"])
    assert any(r.levelno == logging.ERROR and error in r.getMessage() for r in caplog.records)
    assert run.stats.get_value("newscrawl/run/status") == "failed"


def test_outcomes_come_from_the_item_and_request_signals(tmp_path: Path) -> None:
    accounting = Accounting(started_run(tmp_path).stats, max_listed=10)
    accounting.record_source(ListingSource("https://www.rfi.fr/cn/rss", "feed", "malformed", 200, 6, "bad XML"))
    accounting.item_scraped(Article(url=ARTICLE))
    accounting.item_scraped(Article(url=ARTICLE, content_source="feed"))
    accounting.item_dropped(Article(url=ARTICLE), OutcomeDropped(Outcome("rejected", url=ARTICLE), "schema"))
    accounting.item_dropped(Article(url=ARTICLE), OutcomeDropped(Outcome("duplicate", "already_stored"), "dup"))
    request = SimpleNamespace(url=ARTICLE, meta={"newscrawl_entry": OLD_LINK})
    accounting.request_dropped(request)  # type: ignore[arg-type]
    failure = SimpleNamespace(value=ValueError("boom"), request=request)
    accounting.spider_error(SimpleNamespace(value=ValueError("boom")), failure)  # type: ignore[arg-type]
    accounting.request_dropped(SimpleNamespace(url=ARTICLE, meta={}))  # type: ignore[arg-type]  # not an entry's
    assert accounting.counts() == {
        "entries_seen": 6,
        "new": 1,
        "feed_only": 1,
        "duplicate": {"already_stored": 1, "same_canonical": 1},
        "skipped": {},
        "rejected": 1,
        "lost": {"spider_error": 1},
        "add_up": True,
    }
    assert accounting.stats.get_value("newscrawl/sources/feed/malformed") == 1


def test_the_manifest_lists_up_to_the_cap_and_says_how_many_it_left_out(tmp_path: Path) -> None:
    accounting = Accounting(started_run(tmp_path).stats, max_listed=2)
    for n in range(3):
        accounting.outcome_reported(Outcome("lost", "no_fulltext", url=f"https://www.rfi.fr/cn/中国/{n}"))
    accounting.outcome_reported(Outcome("lost", "no_link", detail="feed entry 4"))
    assert accounting.listed["lost"] == [
        {"url": "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/0", "reason": "no_fulltext", "detail": None},
        {"url": "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/1", "reason": "no_fulltext", "detail": None},
    ]
    assert accounting.left_out == {"lost": 2, "skipped": 0, "rejected": 0}


def test_an_outcome_that_does_not_exist_is_refused_where_it_is_sent() -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        Outcome("gone")
    with pytest.raises(ValueError, match="needs"):
        Outcome("lost")
    with pytest.raises(ValueError, match="takes no"):
        Outcome("new", "fresh")


# --- the lock ----------------------------------------------------------------------------------------


def write_running_manifest(root: Path, run_id: str) -> Path:
    (root / "runs").mkdir(parents=True, exist_ok=True)
    path = root / "runs" / f"{run_id}.json"
    path.write_text(json.dumps({"run_id": run_id, "status": "running"}), encoding="utf-8")
    return path


def test_a_stale_lock_is_taken_over_with_one_info_line_naming_the_dead_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dead_run = "20240101T000000Z-deadbeef"
    manifest = write_running_manifest(tmp_path, dead_run)
    part = tmp_path / "articles" / "2024-01-01" / f"{dead_run}.jsonl.part"
    part.parent.mkdir(parents=True)
    part.write_text("{", encoding="utf-8")
    (tmp_path / ".lock").write_text(f"4194301 {dead_run}\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG, logger="newscrawl")
    lock = DataDirLock(tmp_path, "20240102T000000Z-00000000")
    assert lock.acquire()
    lock.recover_dead_runs()
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", f"Took over the lock left by dead process 4194301: its run {dead_run} is marked killed")
    ]
    assert json.loads(manifest.read_text(encoding="utf-8"))["status"] == "killed"
    assert not part.exists()
    assert (tmp_path / ".lock").read_text(encoding="utf-8") == f"{os.getpid()} 20240102T000000Z-00000000\n"
    lock.release()
    assert (tmp_path / ".lock").read_text(encoding="utf-8") == "", "a clean release leaves nothing stale"


def test_a_held_lock_is_refused(tmp_path: Path) -> None:
    holder = DataDirLock(tmp_path, "a")
    assert holder.acquire()
    assert not DataDirLock(tmp_path, "b").acquire()
    holder.release()
    assert DataDirLock(tmp_path, "b").acquire()


# --- manifest --------------------------------------------------------------------------------------


def test_the_final_manifest_is_sent_with_run_closed_and_carries_the_health_verdict(tmp_path: Path) -> None:
    run = started_run(tmp_path)
    sent: list[dict[str, Any]] = []

    def closed(manifest: dict[str, Any]) -> None:
        sent.append(manifest)

    run.crawler.signals.connect(closed, signal=run_closed, weak=False)
    assert manifest_of(run)["health"] is None, "the running manifest has no verdict yet"
    run.health = {"ok": False, "failed": [{"monitor": "listings", "detail": "x failed"}]}
    run.engine_stopped()
    assert sent == [manifest_of(run)]
    assert sent[0]["status"] == "finished"
    assert sent[0]["health"] == run.health


def test_secret_settings_are_recorded_only_as_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_ALERT_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("NEWSCRAWL_ALERT_SMTP_HOST", "mail.internal")
    webhook = "https://hooks.example/services/T0/B0/XXXX"
    run = run_extension(
        tmp_path,
        NEWSCRAWL_ALERT_WEBHOOK=webhook,
        NEWSCRAWL_ALERT_SMTP_PASSWORD="",
        NEWSCRAWL_ALERT_SMTP_HOST="localhost",
        NEWSCRAWL_REDIS_URL="redis://:pw@10.0.0.5:6379/0",
        NEWSCRAWL_ALERT_EMAIL_TO="",
    )
    snapshot = run.settings_snapshot
    assert snapshot["NEWSCRAWL_ALERT_WEBHOOK"] == "(set)"
    assert snapshot["NEWSCRAWL_ALERT_SMTP_PASSWORD"] == "(set)", "set in the environment"
    assert snapshot["NEWSCRAWL_REDIS_URL"] == "(set)"
    assert snapshot["NEWSCRAWL_ALERT_SMTP_HOST"] == "mail.internal", "what the run really used"
    assert snapshot["NEWSCRAWL_ALERT_EMAIL_TO"] == ""
    run.spider_opened(None)  # type: ignore[arg-type]
    text = (run.identity.runs_dir / f"{run.identity.run_id}.json").read_text(encoding="utf-8")
    assert "s3cret" not in text
    assert "XXXX" not in text
    assert "pw@" not in text
