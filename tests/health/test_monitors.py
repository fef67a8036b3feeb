"""The health checks on manifests (no crawl), the Spidermon suite around them, and run history."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newscrawl.health.config import Thresholds
from newscrawl.health.measures import measure
from newscrawl.health.monitors import (
    CHECKS,
    Check,
    Past,
    check_browser_rate,
    check_field_coverage,
    check_field_sources,
    check_finish,
    check_listings,
    check_log_errors,
    check_lost_rate,
    check_new_articles,
    check_refused_rate,
    check_rejected_rate,
    judge,
)
from newscrawl.run.history import History, read_history
from tests.health.manifests import manifest, run_id_at, thresholds, write_manifest

NOW = datetime(2024, 4, 2, 8, 15, tzinfo=UTC)
T = thresholds()


def judged(check: Check, run: dict[str, Any], history: History, t: Thresholds = T) -> str | None:
    return check(measure(run), Past.of(history), t)


def runs(count: int, *, hour_step: timedelta = timedelta(days=1), **kwargs: object) -> list[dict[str, object]]:
    """``count`` earlier runs, newest first, ``hour_step`` apart."""
    return [manifest(NOW - hour_step * (n + 1), **kwargs) for n in range(count)]  # type: ignore[arg-type]


def coverage_stats(records: int, **present: int) -> dict[str, int]:
    return {"newscrawl/coverage/records": records, **{f"newscrawl/field_present/{f}": n for f, n in present.items()}}


# --- new articles ---------------------------------------------------------------------------


def test_new_articles_are_judged_against_the_same_hour_of_day() -> None:
    # At 08h UTC the site usually gives 20 per run; at other hours 2.
    history = History(recent=runs(20, hour_step=timedelta(hours=1), new=2), same_hour=runs(20, new=20))
    detail = judged(check_new_articles, manifest(NOW, new=3), history, T)
    # P(X <= 3) for a Poisson count of mean 20: e^-20 * (1 + 20 + 200 + 8000/6) = 3.2e-06
    assert (
        detail == "new articles: 3, usually 20 at 08h UTC (median of 20 runs; alert below 25% of that; chance 3.2e-06)"
    )
    assert judged(check_new_articles, manifest(NOW, new=5), history, T) is None, "5 is 25% of 20: not below"


def test_without_enough_same_hour_runs_the_last_runs_are_the_usual() -> None:
    history = History(recent=runs(5, hour_step=timedelta(minutes=15), new=12), same_hour=runs(2, new=12))
    assert judged(check_new_articles, manifest(NOW, new=1), history, T) == (
        "new articles: 1, usually 12 in the last runs (median of 5 runs; alert below 25% of that; chance 8e-05)"
    )


def test_a_quiet_hour_is_not_an_alarm_but_an_empty_busy_one_is() -> None:
    quiet = History(recent=runs(20, new=3), same_hour=runs(20, new=3))
    assert judged(check_new_articles, manifest(NOW, new=0), quiet) is None, "e^-3 = 5%: every 20th run"
    busy = History(recent=runs(20, new=8), same_hour=runs(20, new=8))
    assert judged(check_new_articles, manifest(NOW, new=0), busy) == (
        "new articles: 0, usually 8 at 08h UTC (median of 20 runs; alert below 25% of that; chance 0.00034)"
    )
    assert judged(check_new_articles, manifest(NOW, new=0), busy, thresholds(new_chance=0.0001)) is None


def test_a_first_run_must_find_articles_and_two_runs_are_not_a_history_yet() -> None:
    assert judged(check_new_articles, manifest(NOW, new=0), History(), T) == (
        "new articles: 0; a run without history should find at least 1"
    )
    assert judged(check_new_articles, manifest(NOW, new=1), History(), T) is None
    # The first run of a data dir takes a feed's whole backlog; one or two runs say nothing yet.
    backlog = History(recent=[manifest(NOW - timedelta(minutes=15), new=40)])
    assert judged(check_new_articles, manifest(NOW, new=0), backlog, T) is None


def test_feed_only_articles_count_as_new() -> None:
    history = History(recent=runs(5, new=20), same_hour=runs(5, new=20))
    assert judged(check_new_articles, manifest(NOW, new=0, feed_only=10), history, T) is None


# --- field coverage and sources ---------------------------------------------------------------


def test_coverage_below_a_floor_fails_even_without_history() -> None:
    run = manifest(NOW, stats=coverage_stats(10, title=10, body=8, published=10))
    assert judged(check_field_coverage, run, History(), T) == "records with a value: body 80% of 10 (floor 90%)"


def test_coverage_that_drops_far_below_history_fails() -> None:
    usual = coverage_stats(10, title=10, body=10, published=10, authors=9)
    history = History(recent=runs(3, stats=usual))
    run = manifest(NOW, stats=coverage_stats(10, title=10, body=10, published=10, authors=5))
    assert judged(check_field_coverage, run, history, T) == "records with a value: authors 50% of 10 (usually 90%)"
    still_close = manifest(NOW, stats=coverage_stats(10, title=10, body=10, published=10, authors=7))
    assert judged(check_field_coverage, still_close, history, T) is None


def test_coverage_of_too_few_records_or_of_an_old_manifest_is_not_judged() -> None:
    assert judged(check_field_coverage, manifest(NOW, stats=coverage_stats(2, title=0)), History(), T) is None
    assert judged(check_field_coverage, manifest(NOW), History(), T) is None


def sources(field: str, **by_source: int) -> dict[str, int]:
    return {f"newscrawl/field_source/{field}/{source}": n for source, n in by_source.items()}


def test_fields_from_the_fallback_above_the_ceiling_fail() -> None:
    run = manifest(NOW, stats={**sources("body", fallback=6, dom=4), **sources("title", jsonld=10)})
    assert judged(check_field_sources, run, History(), T) == (
        "pages whose field came from fallback/url: body 60% of 10 (ceiling 50%)"
    )


def test_a_rise_of_fallback_fields_fails_before_the_ceiling() -> None:
    history = History(recent=runs(3, stats={**sources("body", dom=10), **sources("section", url=1, jsonld=9)}))
    run = manifest(NOW, stats={**sources("body", fallback=4, dom=6), **sources("section", url=1, jsonld=9)})
    assert judged(check_field_sources, run, history, T) == (
        "pages whose field came from fallback/url: body 40% of 10 (usually 0%)"
    )
    # The same share every run is this site's normal, under the ceiling.
    steady = History(recent=runs(3, stats=sources("body", fallback=4, dom=6)))
    assert judged(check_field_sources, run, steady, T) is None


# --- rates ------------------------------------------------------------------------------------


def test_rates_over_the_articles_the_run_tried_to_get() -> None:
    run = manifest(NOW, new=7, lost={"no_fulltext": 3}, duplicate={"already_stored": 50})
    assert judged(check_lost_rate, run, History(), T) == "articles lost 30% of 10 (ceiling 25%)"
    assert judged(check_rejected_rate, manifest(NOW, new=19, rejected=1), History(), T) is None
    assert judged(check_rejected_rate, manifest(NOW, new=18, rejected=2), History(), T) == (
        "articles rejected 10% of 20 (ceiling 5%)"
    )


def test_refusals_count_pages_refused_over_http_not_the_browsers_failures() -> None:
    stats = {
        "newscrawl/page_failed/http_403": 8,  # 6 refused over HTTP, 2 of them again in the browser
        "newscrawl/browser/outcome/http_403": 2,
        "newscrawl/browser/requested": 6,
    }
    run = manifest(NOW, new=8, lost={"no_fulltext": 2}, stats=stats)
    assert judged(check_refused_rate, run, History(), T) == "articles refused 60% of 10 (ceiling 50%)"
    assert judged(check_browser_rate, run, History(), T) == "articles browser 60% of 10 (ceiling 50%)"


def test_a_rate_that_rises_above_the_usual_fails() -> None:
    history = History(recent=runs(3, new=20))
    run = manifest(NOW, new=16, lost={"no_fulltext": 4})
    assert judged(check_lost_rate, run, History(), T) is None, "20% is under the 25% ceiling"
    assert judged(check_lost_rate, run, history, thresholds(rate_rise=0.1)) == "articles lost 20% of 20 (usually 0%)"


# --- listings, log, finish ---------------------------------------------------------------------

RSS = "https://www.rfi.fr/cn/rss"
SECTION = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/rss"


def feed(url: str, entries: int, ok: bool = True, **more: object) -> dict[str, object]:
    return {"url": url, "ok": ok, "http_status": 200 if ok else 404, "entries": entries, "problem": None, **more}


def test_a_failed_feed_fails_listings_at_once() -> None:
    run = manifest(NOW, feeds=[feed(RSS, 20), {**feed(SECTION, 0, ok=False), "problem": "http_404"}])
    assert judged(check_listings, run, History(), T) == f"{SECTION} failed (http_404)"


def test_an_empty_feed_fails_only_when_it_usually_lists_entries() -> None:
    history = History(recent=runs(3, feeds=[feed(RSS, 20), feed(SECTION, 0)]))
    run = manifest(NOW, feeds=[feed(RSS, 0), feed(SECTION, 0)])
    assert judged(check_listings, run, history, T) == f"{RSS} listed no entries (usually 20)"
    assert judged(check_listings, run, History(), T) is None, "without history an empty feed may be normal"


def source(url: str, kind: str, status: str, **more: object) -> dict[str, object]:
    """One entry of the manifest's ``sources`` section (the sitemaps issue), every key present."""
    entry = {"url": url, "kind": kind, "status": status, "http_status": 200, "not_modified": False}
    return {**entry, "entries": 0, "problem": None, **more}


SITEMAP = "https://www.rfi.fr/sitemaps/cn/news.xml"


def test_a_listing_answered_304_is_not_empty() -> None:
    history = History(recent=runs(3, feeds=[feed(RSS, 20)], sources=[source(SITEMAP, "sitemap", "ok", entries=30)]))
    unchanged = source(SITEMAP, "sitemap", "ok", http_status=304, not_modified=True)
    run = manifest(NOW, feeds=[feed(RSS, 20)], sources=[source(RSS, "feed", "ok", entries=20), unchanged])
    assert judged(check_listings, run, history, T) is None
    emptied = source(SITEMAP, "sitemap", "ok")
    run = manifest(NOW, feeds=[feed(RSS, 20)], sources=[emptied])
    assert judged(check_listings, run, history, T) == f"{SITEMAP} listed no entries (usually 30)"


def test_a_failed_source_fails_listings_and_a_malformed_one_that_was_read_does_not() -> None:
    gone = source(SITEMAP, "sitemap", "failed", http_status=None, problem="DNSLookupError")
    malformed = source(SECTION, "feed", "malformed", entries=4, problem="not well-formed (invalid token)")
    run = manifest(NOW, feeds=[feed(RSS, 20)], sources=[gone, malformed])
    assert judged(check_listings, run, History(), T) == f"{SITEMAP} failed (DNSLookupError)"


def test_errors_in_the_log_and_an_early_close_fail() -> None:
    assert judged(check_log_errors, manifest(NOW, stats={"newscrawl/log/errors": 2}), History(), T) == (
        "ERROR lines in the log: 2 (allowed: 0)"
    )
    assert judged(check_log_errors, manifest(NOW), History(), thresholds(max_log_errors=2)) is None
    run = {**manifest(NOW), "close_reason": "shutdown", "errors": ["the crawl was closed early: shutdown"]}
    assert judged(check_finish, run, History(), T) == "closed early: shutdown; the crawl was closed early: shutdown"


# --- the Spidermon suite ----------------------------------------------------------------------


def test_the_suite_names_each_failed_monitor_in_order(caplog: pytest.LogCaptureFixture) -> None:
    history = History(recent=runs(5, new=20), same_hour=runs(5, new=20))
    run = manifest(NOW, new=1, lost={"no_fulltext": 4}, stats={"newscrawl/log/errors": 1})
    with caplog.at_level(logging.DEBUG):
        health = judge(run, Past.of(history), T)
    assert [f.monitor for f in health.failed] == ["new_articles", "lost_rate", "log_errors"]
    assert health.as_dict()["ok"] is False
    assert caplog.records == [], "Spidermon's runner logs nothing; the extension logs the verdict"
    assert judge(manifest(NOW, new=20), Past.of(history), T).as_dict() == {"ok": True, "failed": []}


def test_a_monitor_that_crashes_counts_as_failed_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    broken_past = Past(recent=None, same_hour=None)  # type: ignore[arg-type]
    run = manifest(NOW, stats=coverage_stats(10, title=10, body=10, published=10))
    health = judge(run, broken_past, T)
    crashed = {f.monitor: f.detail for f in health.failed}
    assert crashed["new_articles"] == "the monitor crashed: TypeError: object of type 'NoneType' has no len()"
    assert set(crashed) == {name for name in CHECKS if name not in ("log_errors", "finish")}
    assert any(r.levelno == logging.ERROR and "Traceback" in r.getMessage() for r in caplog.records)


# --- history ----------------------------------------------------------------------------------


def test_history_is_the_last_finished_runs_and_the_last_at_the_same_hour(tmp_path: Path) -> None:
    root = tmp_path / "rfi_cn"
    quarter = timedelta(minutes=15)
    every_quarter = [manifest(NOW - quarter * n, suffix=f"{n:08x}") for n in range(1, 1000)]
    for n, data in enumerate(every_quarter):
        if n % 10 == 3:
            data["status"] = "failed"
        write_manifest(root, data)
    current = manifest(NOW)
    write_manifest(root, current)
    write_manifest(root, manifest(NOW + quarter, suffix="later000"))  # started after: not history
    (root / "runs" / "20240402T081000Z-broken00.json").write_text("{not json", encoding="utf-8")
    (root / "runs" / f"{run_id_at(NOW - quarter, 'partial0')}.json.part").write_text("{}", encoding="utf-8")

    history = read_history(root / "runs", current["run_id"], limit=20)

    finished = [m for m in every_quarter if m["status"] == "finished"]
    assert [m["run_id"] for m in history.recent] == [m["run_id"] for m in finished[:20]]
    same_hour = [m for m in finished if m["run_id"][9:11] == "08"]
    assert [m["run_id"] for m in history.same_hour] == [m["run_id"] for m in same_hour[:20]]
    assert len(history.same_hour) == 20
    assert {m["run_id"][9:11] for m in history.same_hour} == {"08"}


def test_a_run_that_started_in_the_same_second_is_history_whatever_its_suffix(tmp_path: Path) -> None:
    root = tmp_path / "rfi_cn"
    before = manifest(NOW, suffix="ffffffff")  # a short run: the next one started within its second
    current = manifest(NOW, suffix="00000000")
    later = manifest(NOW + timedelta(seconds=1), suffix="00000000")
    for data in (before, current, later):
        write_manifest(root, data)
    history = read_history(root / "runs", current["run_id"], limit=20)
    assert [m["run_id"] for m in history.recent] == [before["run_id"]]
    assert [m["run_id"] for m in history.same_hour] == [before["run_id"]]


def test_no_runs_dir_is_an_empty_history(tmp_path: Path) -> None:
    history = read_history(tmp_path / "runs", run_id_at(NOW), limit=20)
    assert history.recent == []
    assert history.same_hour == []
