"""Which months a run reads and which contents entries it takes; expected values worked out by hand
(Paris is UTC+1 until 31 Mar 2024 02:00 UTC, then UTC+2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from newscrawl.discovery.backfill import (
    BackfillPlan,
    BackfillProgress,
    format_duration,
    in_window,
    month_span,
    months_covering,
    plan_backfill,
    since_horizon,
)
from newscrawl.discovery.sitemaps import Month

NOW = datetime(2024, 4, 2, 6, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_since_is_the_start_of_a_paris_day() -> None:
    assert since_horizon(date(2024, 3, 1)) == utc(2024, 2, 29, 23, 0)  # CET
    assert since_horizon(date(2024, 4, 1)) == utc(2024, 3, 31, 22, 0)  # CEST


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (utc(2024, 3, 10), utc(2024, 3, 20), [(2024, 3)]),
        (utc(2024, 1, 31, 12), utc(2024, 4, 2), [(2024, 1), (2024, 2), (2024, 3), (2024, 4)]),
        (utc(2023, 11, 15), utc(2024, 2, 1), [(2023, 11), (2023, 12), (2024, 1), (2024, 2)]),
        # 31 Mar 22:30 UTC is already 1 Apr in Paris: April's map may hold it.
        (utc(2024, 3, 5), utc(2024, 3, 31, 22, 30), [(2024, 3), (2024, 4)]),
        # 29 Feb 23:00 UTC is 1 Mar in Paris: February is read in case RFI names months in UTC.
        (utc(2024, 2, 29, 23), utc(2024, 3, 10), [(2024, 2), (2024, 3)]),
        (utc(2024, 3, 10), utc(2024, 3, 1), []),
    ],
)
def test_months_covering(start: datetime, end: datetime, months: list[tuple[int, int]]) -> None:
    assert months_covering(start, end) == tuple(Month(*m) for m in months)


def test_runs_closer_than_the_news_window_need_no_catch_up() -> None:
    assert plan_backfill(NOW, since=None, last_finished=NOW - timedelta(minutes=15), max_days=31) is None
    assert plan_backfill(NOW, since=None, last_finished=NOW - timedelta(days=2), max_days=31) is None
    assert plan_backfill(NOW, since=None, last_finished=NOW + timedelta(days=3), max_days=31) is None


def test_a_gap_longer_than_the_news_window_is_caught_up_from_one_window_before_it() -> None:
    last = utc(2024, 3, 25, 18, 0)  # a week before NOW: the crawler host was down
    plan = plan_backfill(NOW, since=None, last_finished=last, max_days=31)
    assert plan == BackfillPlan("catch_up", utc(2024, 3, 23, 18, 0), (Month(2024, 3), Month(2024, 4)), bounded=False)


def test_a_gap_longer_than_the_bound_is_cut() -> None:
    last = utc(2023, 12, 1)
    plan = plan_backfill(NOW, since=None, last_finished=last, max_days=31)
    assert plan == BackfillPlan("catch_up", utc(2024, 3, 2, 6, 0), (Month(2024, 3), Month(2024, 4)), bounded=True)


def test_a_first_run_catches_up_the_bound() -> None:
    plan = plan_backfill(NOW, since=None, last_finished=None, max_days=45)
    assert plan == BackfillPlan(
        "first_run", utc(2024, 2, 17, 6, 0), (Month(2024, 2), Month(2024, 3), Month(2024, 4)), bounded=True
    )


def test_zero_days_turns_the_catch_up_off_but_not_since() -> None:
    assert plan_backfill(NOW, since=None, last_finished=None, max_days=0) is None
    assert plan_backfill(NOW, since=None, last_finished=utc(2020, 1, 1), max_days=0) is None
    plan = plan_backfill(NOW, since=date(2024, 1, 15), last_finished=NOW, max_days=0)
    assert plan == BackfillPlan(
        "since",
        utc(2024, 1, 14, 23, 0),
        (Month(2024, 1), Month(2024, 2), Month(2024, 3), Month(2024, 4)),
        bounded=False,
        since=date(2024, 1, 15),
    )


def test_since_is_not_bounded_by_max_days() -> None:
    plan = plan_backfill(NOW, since=date(2023, 10, 2), last_finished=None, max_days=31)
    assert plan is not None
    assert plan.reason == "since"
    assert plan.months[0] == Month(2023, 10)
    assert len(plan.months) == 7


@pytest.mark.parametrize(
    ("lastmod", "taken"),
    [
        (None, True),
        ("2024-03-23T18:00:00Z", True),  # exactly the horizon
        ("2024-03-23T17:59:59Z", False),
        ("2024-03-30T00:00:00Z", True),
        ("2024-03-23", True),  # the horizon's own day
        ("2024-03-22", False),
    ],
)
def test_contents_entries_in_the_window(lastmod: str | None, taken: bool) -> None:
    assert in_window(lastmod, utc(2024, 3, 23, 18, 0)) is taken


def test_a_bare_day_counts_from_the_horizons_utc_day() -> None:
    horizon = since_horizon(date(2024, 3, 1))  # 29 Feb 23:00 UTC
    assert in_window("2024-02-29", horizon)
    assert not in_window("2024-02-28", horizon)


def test_progress_line() -> None:
    progress = BackfillProgress(months_total=12, months_walked=12, queued=900)
    assert progress.line(done=300, elapsed=600.0) == (
        "months 12/12 walked, 900 articles queued, 300 done (30.0/min), ETA 20m00s"
    )
    assert BackfillProgress(months_total=3, months_walked=1).line(done=0, elapsed=30.0) == (
        "months 1/3 walked, 0 articles queued, 0 done (0.0/min), ETA 0s"
    )
    assert BackfillProgress(months_total=3, months_walked=3, queued=10).line(done=0, elapsed=0.0) == (
        "months 3/3 walked, 10 articles queued, 0 done (0.0/min), ETA unknown"
    )


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (59.4, "59s"), (60, "1m00s"), (400, "6m40s"), (7500, "2h05m")]
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_labels_and_the_manifest_summary() -> None:
    since = plan_backfill(NOW, since=date(2024, 3, 1), last_finished=None, max_days=31)
    first = plan_backfill(NOW, since=None, last_finished=None, max_days=31)
    catch_up = plan_backfill(NOW, since=None, last_finished=utc(2024, 3, 25, 18, 0), max_days=31)
    assert since is not None
    assert first is not None
    assert catch_up is not None
    assert since.label == "Back-fill (since 2024-03-01)"
    assert first.label == "Back-fill (first run, since 2024-03-02T06:00:00Z)"
    assert catch_up.label == "Back-fill (catch-up since 2024-03-23T18:00:00Z)"
    assert since.summary([Month(2024, 4)]) == {
        "reason": "since",
        "horizon": "2024-02-29T23:00:00Z",
        "months": ["2024-02", "2024-03", "2024-04"],
        "bounded": False,
        "missing_months": ["2024-04"],
    }


def test_a_months_span_is_what_its_utc_and_paris_readings_share() -> None:
    assert month_span(Month(2024, 3)) == (utc(2024, 3, 1), utc(2024, 3, 31, 22, 0))  # ends in CEST
    assert month_span(Month(2024, 12)) == (utc(2024, 12, 1), utc(2024, 12, 31, 23, 0))  # CET
