"""Setting and argument values in the DESIGN.md formats; a bad one names its setting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newscrawl.values import BadValue, parse_day, parse_list, parse_timestamp, parse_whole_number


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ("a,b", ["a", "b"]),
        (" a , ,b ", ["a", "b"]),
        ("", []),
        (None, []),
        ("['a', 'b']", ["a", "b"]),
        ("[]", []),
        (["a", " b "], ["a", "b"]),
        (("a",), ["a"]),
    ],
)
def test_lists(value: object, items: list[str]) -> None:
    assert parse_list(value, "NEWSCRAWL_SITEMAPS") == items


@pytest.mark.parametrize("value", ["['a', 1]", "[unclosed", {"a": "b"}, 5, [1]])
def test_bad_lists_name_the_setting(value: object) -> None:
    with pytest.raises(BadValue, match=r"^NEWSCRAWL_SITEMAPS: not a list"):
        parse_list(value, "NEWSCRAWL_SITEMAPS")


@pytest.mark.parametrize(("value", "number"), [(31, 31), ("31", 31), (" 0 ", 0)])
def test_whole_numbers(value: object, number: int) -> None:
    assert parse_whole_number(value, "NEWSCRAWL_BACKFILL_MAX_DAYS") == number


@pytest.mark.parametrize("value", ["-1", -1, "3.5", 3.5, "31d", "", True, None])
def test_bad_whole_numbers(value: object) -> None:
    with pytest.raises(BadValue, match=r"^NEWSCRAWL_BACKFILL_MAX_DAYS: "):
        parse_whole_number(value, "NEWSCRAWL_BACKFILL_MAX_DAYS")


def test_days() -> None:
    assert parse_day("2024-03-01", "since") == date(2024, 3, 1)
    assert parse_day(" 2024-02-29 ", "since") == date(2024, 2, 29)


@pytest.mark.parametrize("value", ["2024-3-1", "2024/03/01", "01-03-2024", "2023-02-29", "2024-13-01", "yesterday", ""])
def test_bad_days(value: str) -> None:
    with pytest.raises(BadValue, match=r"^since: not a "):
        parse_day(value, "since")


@pytest.mark.parametrize(
    ("value", "instant"),
    [
        ("2024-04-02T06:00:00Z", datetime(2024, 4, 2, 6, 0, tzinfo=UTC)),
        ("2024-04-02t06:00:00z", datetime(2024, 4, 2, 6, 0, tzinfo=UTC)),
        ("2024-04-02T08:00:00+02:00", datetime(2024, 4, 2, 6, 0, tzinfo=UTC)),
        ("2024-04-02T06:00Z", datetime(2024, 4, 2, 6, 0, tzinfo=UTC)),
        ("2024-04-02 06:00:00.250Z", datetime(2024, 4, 2, 6, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_timestamps(value: str, instant: datetime) -> None:
    parsed = parse_timestamp(value, "NEWSCRAWL_NOW")
    assert parsed == instant
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize(
    "value", ["2024-04-02T06:00:00", "2024-04-02", "now", "2024-04-31T06:00:00Z", "2024-04-02T25:00Z"]
)
def test_bad_timestamps(value: str) -> None:
    with pytest.raises(BadValue, match=r"^NEWSCRAWL_NOW: not "):
        parse_timestamp(value, "NEWSCRAWL_NOW")
