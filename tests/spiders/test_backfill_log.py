"""A back-fill's progress line: which months count, when it is logged, what a missing month does."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

from newscrawl.discovery.backfill import BackfillPlan
from newscrawl.discovery.sitemaps import Month
from newscrawl.spiders.backfill_log import BackfillLog

if TYPE_CHECKING:
    import pytest

    from newscrawl.run.extension import Run

MARCH, APRIL, MAY = Month(2024, 3), Month(2024, 4), Month(2024, 5)


class FakeAccounting:
    def __init__(self) -> None:
        self.new = 0

    def counts(self) -> dict[str, Any]:
        return {"new": self.new, "lost": {"no_fulltext": 1}}


class FakeRun:
    def __init__(self) -> None:
        self.accounting = FakeAccounting()
        self.backfill: dict[str, object] | None = None


def backfill_log(*, catch_up: bool = False) -> tuple[BackfillLog, FakeRun]:
    run = FakeRun()
    horizon = datetime(2024, 2, 29, 23, tzinfo=UTC)
    plan = (
        BackfillPlan("catch_up", horizon, (MARCH, APRIL), bounded=False)
        if catch_up
        else BackfillPlan("since", horizon, (MARCH, APRIL), bounded=False, since=date(2024, 3, 1))
    )
    return BackfillLog(plan, cast("Run", run), interval=0.0), run


def test_only_the_plans_months_count_as_walked_and_done_counts_from_the_dispatch(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log, run = backfill_log()
    run.accounting.new = 5  # outcomes before the articles were queued (feed-only entries…)
    for month in (MARCH, MAY, None):
        log.month_walked(month)
    with caplog.at_level(logging.INFO, logger="newscrawl.spiders.backfill_log"):
        log.start(queued=3, missing=[])
        run.accounting.new = 8
        log.stop()
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0].startswith("Back-fill (since 2024-03-01): months 1/2 walked, 3 articles queued, 0 done")
    assert lines[1].startswith("Back-fill (since 2024-03-01) done: months 1/2 walked, 3 articles queued, 3 done")
    assert lines[1].endswith("ETA 0s")
    assert run.backfill is None, "no month missing: the run's summary is left as planned"


def test_a_month_no_map_was_named_for_is_summarised_and_warned_for_an_explicit_back_fill(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log, run = backfill_log()
    log.month_walked(MARCH)
    with caplog.at_level(logging.INFO, logger="newscrawl.spiders.backfill_log"):
        log.start(queued=0, missing=[APRIL])
    warning = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert [record.getMessage() for record in warning] == [
        "Back-fill (since 2024-03-01): no contents sitemap named for 2024-04"
    ]
    assert run.backfill is not None
    assert run.backfill["missing_months"] == ["2024-04"]


def test_nothing_walked_no_progress_line_and_a_catch_up_missing_months_is_only_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log, _ = backfill_log(catch_up=True)
    with caplog.at_level(logging.INFO, logger="newscrawl.spiders.backfill_log"):
        log.start(queued=0, missing=[MARCH, APRIL])
        log.stop()
    assert [record.levelno for record in caplog.records] == [logging.INFO]
    assert "no contents sitemap named for 2024-03, 2024-04" in caplog.records[0].getMessage()
