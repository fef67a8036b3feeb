"""The revisit schedule (pure): ages, signals, removal confirmation, back-off, the cap."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.settings import Settings

from newscrawl.config import SettingError
from newscrawl.discovery.revisits import (
    Due,
    RevisitPolicy,
    listed_again,
    plan,
    revisit_ages,
    schedule_due,
    signal_time,
    unlisted,
    with_signal,
)
from newscrawl.extract.dates import format_utc
from newscrawl.store.versions import ArticleState

PUBLISHED = datetime(2024, 4, 1, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
POLICY = RevisitPolicy(ages=(1 * H, 6 * H, 24 * H, 7 * 24 * H), max_per_run=100, confirm_after=6 * H)


def state(checked: datetime, **changes: object) -> ArticleState:
    base = ArticleState(
        url="https://www.rfi.fr/cn/a",
        version=1,
        content_hash="0" * 64,
        status="live",
        first_seen=format_utc(PUBLISHED + timedelta(minutes=10)),
        published=format_utc(PUBLISHED),
        fetched_at=format_utc(PUBLISHED + timedelta(minutes=10)),
        record_file="articles/2024-04-01/x.jsonl",
        feed=None,
        checked_at=format_utc(checked),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_default_ages_parse_and_sort() -> None:
    policy = RevisitPolicy.from_settings(Settings({"NEWSCRAWL_REVISIT_AGES": "7d, 1h,24h,6h"}))
    assert policy.ages == POLICY.ages
    assert RevisitPolicy.from_settings(Settings({"NEWSCRAWL_REVISIT_AGES": ""})).ages == ()
    with pytest.raises(SettingError, match="NEWSCRAWL_REVISIT_AGES"):
        revisit_ages("NEWSCRAWL_REVISIT_AGES", "1h,soon")


def test_an_article_is_due_at_each_age_once() -> None:
    first = state(PUBLISHED + timedelta(minutes=10))
    assert schedule_due(first, POLICY, PUBLISHED + 50 * timedelta(minutes=1)) is None
    due = schedule_due(first, POLICY, PUBLISHED + 1 * H + timedelta(minutes=5))
    assert due == Due(PUBLISHED + 1 * H, first.url, "age")
    checked = state(PUBLISHED + 1 * H + timedelta(minutes=5))
    assert schedule_due(checked, POLICY, PUBLISHED + 5 * H) is None
    assert schedule_due(checked, POLICY, PUBLISHED + 6 * H) == Due(PUBLISHED + 6 * H, first.url, "age")


def test_missed_slots_cost_one_revisit_and_after_the_last_age_nothing() -> None:
    first = state(PUBLISHED + timedelta(minutes=10))
    due = schedule_due(first, POLICY, PUBLISHED + 30 * H)  # the crawler was down at 1h and 6h
    assert due is not None
    assert due.at == PUBLISHED + 24 * H
    done = state(PUBLISHED + 7 * 24 * H + timedelta(minutes=1))
    assert schedule_due(done, POLICY, PUBLISHED + 90 * 24 * H) is None


def test_an_article_first_seen_late_skips_the_ages_already_past() -> None:
    backfilled = state(PUBLISHED + 30 * H)
    assert schedule_due(backfilled, POLICY, PUBLISHED + 31 * H) is None
    assert schedule_due(backfilled, POLICY, PUBLISHED + 7 * 24 * H) is not None


def test_without_a_publication_date_the_ages_count_from_first_seen() -> None:
    undated = state(PUBLISHED + timedelta(minutes=10), published=None)
    assert schedule_due(undated, POLICY, PUBLISHED + 1 * H + timedelta(minutes=5)) is None
    assert schedule_due(undated, POLICY, PUBLISHED + 1 * H + timedelta(minutes=10)) is not None


def test_a_page_found_gone_is_due_again_after_the_confirmation_delay_only() -> None:
    gone = state(PUBLISHED + 2 * H, gone_since=format_utc(PUBLISHED + 2 * H), gone_reason="http_404")
    assert schedule_due(gone, POLICY, PUBLISHED + 7 * H) is None  # the 6h age does not bring it back earlier
    assert schedule_due(gone, POLICY, PUBLISHED + 8 * H) == Due(PUBLISHED + 8 * H, gone.url, "confirm_removal")


def test_a_tombstoned_article_is_never_due_by_age() -> None:
    removed = state(PUBLISHED + 2 * H, status="removed", removed_at=format_utc(PUBLISHED + 2 * H))
    assert schedule_due(removed, POLICY, PUBLISHED + 25 * H) is None


def test_failures_back_off_doubling() -> None:
    failed = state(PUBLISHED + timedelta(minutes=10), failures=1, failed_at=format_utc(PUBLISHED + 1 * H))
    assert schedule_due(failed, POLICY, PUBLISHED + 1 * H + timedelta(minutes=14)) is None
    assert schedule_due(failed, POLICY, PUBLISHED + 1 * H + timedelta(minutes=15)) is not None
    twice = replace(failed, failures=3)
    assert schedule_due(twice, POLICY, PUBLISHED + 1 * H + timedelta(minutes=59)) is None
    assert schedule_due(twice, POLICY, PUBLISHED + 2 * H) is not None


def test_a_new_signal_earns_one_try_whatever_the_back_off() -> None:
    """An edit made while the site was down: the revisits failed (six in a row: 8 h of back-off); the
    first listing read after the outage carries the edit's date, and the article is due at once.
    If that try fails too, the back-off goes on doubling."""
    outage_end = PUBLISHED + 10 * H
    failing = state(
        PUBLISHED + 2 * H, signal_at=format_utc(PUBLISHED + 3 * H), failures=6, failed_at=format_utc(outage_end)
    )
    assert schedule_due(failing, POLICY, outage_end + 15 * timedelta(minutes=1)) is None
    signalled = with_signal(failing, PUBLISHED + 4 * H)  # the edit, during the outage
    assert signalled is not None
    assert schedule_due(signalled, POLICY, outage_end + 15 * timedelta(minutes=1)) == Due(
        PUBLISHED + 4 * H, failing.url, "signal"
    )
    assert with_signal(failing, PUBLISHED + 3 * H) is None, "the signal already held does not end it"
    failed_again = replace(signalled, failures=7, failed_at=format_utc(outage_end + 15 * timedelta(minutes=1)))
    assert schedule_due(failed_again, POLICY, outage_end + 12 * H) is None, "16 h after the seventh failure"


def test_a_signal_after_the_last_check_makes_the_article_due_until_a_revisit_answers() -> None:
    checked = state(PUBLISHED + 2 * H)
    now = PUBLISHED + 3 * H
    assert with_signal(checked, PUBLISHED + 1 * H) is None
    assert with_signal(checked, PUBLISHED + 2 * H) is None
    signalled = with_signal(checked, PUBLISHED + 150 * timedelta(minutes=1))
    assert signalled is not None
    assert schedule_due(signalled, POLICY, now) == Due(PUBLISHED + 150 * timedelta(minutes=1), checked.url, "signal")
    assert with_signal(signalled, PUBLISHED + 140 * timedelta(minutes=1)) is None, "an older signal adds nothing"
    answered = replace(signalled, checked_at=format_utc(now))
    assert schedule_due(answered, POLICY, now + H) is None
    removed = replace(checked, status="removed", removed_at=checked.checked_at)
    back = with_signal(removed, now)
    assert back is not None
    assert schedule_due(back, POLICY, now) == Due(now, checked.url, "signal"), "a tombstone listed as changed"
    assert schedule_due(removed, POLICY, now + 30 * 24 * H) is None


def test_signal_dates_in_the_future_or_unreadable_are_ignored_with_a_reason() -> None:
    now = datetime(2024, 4, 2, 6, 0, tzinfo=UTC)
    assert signal_time("2024-04-02T05:00:00Z", now) == (datetime(2024, 4, 2, 5, 0, tzinfo=UTC), None)
    assert signal_time("2024-04-02T06:05:00Z", now)[0] is not None, "a few minutes of clock skew"
    assert signal_time("2024-04-02T07:00:00Z", now) == (None, "future")
    assert signal_time("2099-01-01", now) == (None, "future")
    assert signal_time("2024-04-01", now) == (datetime(2024, 4, 1, tzinfo=UTC), None)
    assert signal_time("yesterday", now) == (None, "malformed")
    assert signal_time("2024-02-30T00:00:00Z", now) == (None, "malformed")
    assert signal_time(None, now) == (None, None)


def test_plan_keeps_one_revisit_per_article_oldest_first_and_defers_the_rest() -> None:
    t = PUBLISHED
    dues = [
        Due(t + 3 * H, "c", "age"),
        Due(t + 1 * H, "a", "age"),
        Due(t + 2 * H, "b", "signal"),
        Due(t + 0 * H, "c", "signal"),
        Due(t + 4 * H, "d", "age"),
    ]
    requested, deferred = plan(dues, 2)
    assert [(d.url, d.reason) for d in requested] == [("c", "signal"), ("a", "age")]
    assert [d.url for d in deferred] == ["b", "d"]
    assert plan(dues, 0) == ([], sorted([dues[3], dues[1], dues[2], dues[4]]))


def test_a_complete_listing_marks_an_article_listed_once_and_its_disappearance_is_one_signal() -> None:
    checked = state(PUBLISHED + 1 * H)
    listed = listed_again(checked, PUBLISHED + 2 * H)
    assert listed is not None
    assert listed.listed_at == format_utc(PUBLISHED + 2 * H)
    assert listed_again(listed, PUBLISHED + 3 * H) is None, "already known to be listed"
    assert unlisted(checked, PUBLISHED + 3 * H) is None, "never seen listed: nothing to tell"
    # A revisit after it was marked listed (an age) does not hide a later disappearance.
    revisited = replace(listed, checked_at=format_utc(PUBLISHED + 2 * H + timedelta(minutes=5)))
    gone = unlisted(revisited, PUBLISHED + 3 * H)
    assert gone is not None
    assert gone.listed_at is None
    assert schedule_due(gone, POLICY, PUBLISHED + 3 * H) == Due(PUBLISHED + 3 * H, checked.url, "signal")
    answered = replace(gone, checked_at=format_utc(PUBLISHED + 3 * H), signal_at=None)
    assert unlisted(answered, PUBLISHED + 4 * H) is None, "one signal per disappearance"
    assert listed_again(answered, PUBLISHED + 5 * H) is not None, "listed again: a next disappearance counts"
