"""Issues 12 and 13's goals judged on a scenario's scores (what a nightly month run exits with)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from bench.simsite.goals import check, report

INTERVAL, CONFIRM_AFTER = timedelta(minutes=15), timedelta(hours=6)
MINUTE = 60.0


def good_scores() -> dict[str, Any]:
    """A month that meets every goal (the figures of bench/README's month, rounded)."""
    return {
        "period": {"start": "2024-04-01T00:00:00Z", "end": "2024-05-01T00:00:00Z"},
        "coverage": {"covered": 1381, "expected": 1381, "share": 1.0},
        "duplicates": {"count": 0},
        "published_right": {"checked": 2023, "wrong": 0},
        "delay": {"outside_outages": {"n": 1098, "median": 8.2 * MINUTE, "p99": 14.9 * MINUTE, "max": 15 * MINUTE}},
        "catch_up": [
            {"start": "2024-04-07T00:00:00Z", "end": "2024-04-08T00:00:00Z", "articles": 35, "caught_by_first_run": 35}
        ],
        "requests": {
            "first_fetch_requests_per_new_article": 1.018,
            "unchanged_listing_304_share": 1.0,
            "listing_304_share": 0.73,
        },
        "revisits": {
            "versions_without_edit": 0,
            "false_tombstones": 0,
            "removals": 15,
            "removals_tombstoned": 15,
            "removal_delay": {"max": 374 * MINUTE},
        },
        "observable": {
            "edits_observable": 791,
            "edits_seen_within_one_interval_of_signal": 791,
            "share_within_one_interval": 1.0,
            "removal_delay_after_first_run": {"max": 360 * MINUTE},
            "removals_untombstoned": [],
        },
        "manifests": {"count": 2209, "not_adding_up": [], "file_mismatch": []},
    }


# A removal whose first run after it came 7 h before the period's end: it should have been confirmed.
UNCONFIRMED = {
    "url": "https://www.rfi.fr/cn/a",
    "removed": "2024-04-30T16:55:00Z",
    "first_run": "2024-04-30T17:00:00Z",
    "stored": True,
}


def test_a_removal_too_late_to_be_confirmed_or_of_an_article_never_stored_is_not_judged() -> None:
    scores = good_scores()
    late = {**UNCONFIRMED, "removed": "2024-04-30T18:40:00Z", "first_run": "2024-04-30T18:45:00Z"}  # 5 h 15 before
    during_an_outage = {**UNCONFIRMED, "stored": False}
    scores["observable"]["removals_untombstoned"] = [late, {**late, "first_run": None}, during_an_outage]
    assert missed(scores) == []
    [verdict] = [v for v in check(scores, interval=INTERVAL, confirm_after=CONFIRM_AFTER) if "removal" in v.goal]
    assert "(1 never stored, 2 too late in the period to confirm)" in verdict.measured


def missed(scores: dict[str, Any]) -> list[str]:
    return [v.goal for v in check(scores, interval=INTERVAL, confirm_after=CONFIRM_AFTER) if v.holds is False]


def test_a_month_that_meets_every_goal_misses_none_and_the_304_share_is_reported_only() -> None:
    verdicts = check(good_scores(), interval=INTERVAL, confirm_after=CONFIRM_AFTER)
    assert [v.goal for v in verdicts if v.holds is False] == []
    [info] = [v for v in verdicts if v.holds is None]
    assert info.measured == "73.00%"
    assert "met     coverage ≥ 99.9 %: 1381/1381" in report(verdicts)


@pytest.mark.parametrize(
    ("path", "value", "goal"),
    [
        (("coverage", "share"), 0.998, "coverage ≥ 99.9 %"),
        (("duplicates", "count"), 1, "0 duplicates"),
        (("published_right", "wrong"), 1, "every `published` right"),
        (
            ("delay", "outside_outages", "p99"),
            31 * MINUTE,
            "capture delay outside outages: median ≤ 1 interval, p99 ≤ 2",
        ),
        (("catch_up", 0, "caught_by_first_run"), 34, "outage 2024-04-07T00:00:00Z–2024-04-08T00:00:00Z: all caught"),
        (("requests", "first_fetch_requests_per_new_article"), 1.03, "article-page requests per new article ≤ 1.02"),
        (("requests", "unchanged_listing_304_share"), 0.998, "listings unchanged since their last full answer"),
        (("observable", "share_within_one_interval"), 0.98, "≥ 99 % of observable edits as versions"),
        (("revisits", "versions_without_edit"), 1, "0 versions minted without an edit"),
        (("revisits", "false_tombstones"), 1, "0 tombstones for articles never removed"),
        (("observable", "removal_delay_after_first_run", "max"), 376 * MINUTE, "every removal tombstoned within"),
        (("observable", "removals_untombstoned"), [UNCONFIRMED], "every removal tombstoned within CONFIRM_AFTER + one"),
        (("manifests", "not_adding_up"), ["run-1"], "every manifest adds up"),
    ],
)
def test_each_goal_is_missed_on_its_own(path: tuple[Any, ...], value: object, goal: str) -> None:
    scores = copy.deepcopy(good_scores())
    parent: Any = scores
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    [name] = missed(scores)
    assert name.startswith(goal)


def test_a_deliberate_full_reread_in_thousands_of_unchanged_listings_is_within_the_goal() -> None:
    scores = good_scores()
    scores["requests"]["unchanged_listing_304_share"] = 1 - 1 / 10_000  # one deliberate full re-read
    assert missed(scores) == []
    assert "99.99%" in report(check(scores, interval=INTERVAL, confirm_after=CONFIRM_AFTER))
