from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from newscrawl.extract.dates import format_utc, http_date_to_utc, paris_visible_to_utc, struct_time_to_utc, to_utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # With an offset or Z: the offset is applied.
        ("2024-03-31T17:00:00+02:00", "2024-03-31T15:00:00Z"),
        ("2024-01-15T10:00:00+01:00", "2024-01-15T09:00:00Z"),
        ("2024-03-31T15:00:00Z", "2024-03-31T15:00:00Z"),  # already in the record format: unchanged
        ("2024-03-31T15:00:00z", "2024-03-31T15:00:00Z"),
        ("2024-03-31T15:00:00+00:00", "2024-03-31T15:00:00Z"),
        ("2024-03-31T17:00:00+0200", "2024-03-31T15:00:00Z"),
        ("2024-03-31T10:00:00-05:00", "2024-03-31T15:00:00Z"),
        ("2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00Z"),
        # Without seconds, with fractions (dropped, never rounded).
        ("2024-03-31T17:00+02:00", "2024-03-31T15:00:00Z"),
        ("2024-03-31T17:00:59.999+02:00", "2024-03-31T15:00:59Z"),
        ("2024-03-31T17:00:01.123456789Z", "2024-03-31T17:00:01Z"),
        # No offset: Paris local time, CET (+01:00) in winter, CEST (+02:00) in summer.
        ("2024-01-15T10:00:00", "2024-01-15T09:00:00Z"),
        ("2024-07-15T10:00:00", "2024-07-15T08:00:00Z"),
        ("2024-07-15 10:00", "2024-07-15T08:00:00Z"),
        ("2024-07-15T10:00:00.5", "2024-07-15T08:00:00Z"),
        # DST edges (2024: summer time from 31 March 01:00Z, winter time from 27 October 01:00Z).
        ("2024-03-31T01:59:00", "2024-03-31T00:59:00Z"),  # last winter minute
        ("2024-03-31T03:00:00", "2024-03-31T01:00:00Z"),  # first summer minute
        ("2024-03-31T02:30:00", "2024-03-31T01:30:00Z"),  # does not exist: read with the winter offset
        ("2024-10-27T01:59:00", "2024-10-26T23:59:00Z"),
        ("2024-10-27T02:30:00", "2024-10-27T00:30:00Z"),  # happens twice: the first (summer) one
        ("2024-10-27T03:00:00", "2024-10-27T02:00:00Z"),
        # Junk.
        ("2024-03-31", None),  # a day alone would be a made-up midnight
        ("31/03/2024 - 17:00", None),
        ("Sun, 31 Mar 2024 15:00:00 GMT", None),
        ("2024-13-01T00:00:00", None),
        ("2024-02-30T10:00:00", None),
        ("9999-12-31T23:59:59-05:00", None),  # past year 9999 in UTC
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_to_utc(value: str | None, expected: str | None) -> None:
    assert to_utc(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发表时间： 31/03/2024 - 17:00", "2024-03-31T15:00:00Z"),  # CEST
        ("更新时间：05/01/2024 - 09:05", "2024-01-05T08:05:00Z"),  # CET
        ("<div>31/03/2024 - 17:00</div>", "2024-03-31T15:00:00Z"),
        ("1/2/2024-8:05", "2024-02-01T07:05:00Z"),
        ("31/02/2024 - 17:00", None),
        ("2024-03-31", None),
        ("", None),
        (None, None),
    ],
)
def test_paris_visible_to_utc(text: str | None, expected: str | None) -> None:
    assert paris_visible_to_utc(text) == expected


def test_struct_time_to_utc() -> None:
    assert struct_time_to_utc(time.gmtime(1711898102)) == "2024-03-31T15:15:02Z"
    assert struct_time_to_utc((2024, 3, 31, 15, 15, 2, 6, 91, 0)) == "2024-03-31T15:15:02Z"
    assert struct_time_to_utc(None) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Sun, 31 Mar 2024 15:15:02 GMT", "2024-03-31T15:15:02Z"),
        (b"Sun, 31 Mar 2024 15:15:02 GMT", "2024-03-31T15:15:02Z"),
        ("Sunday, 31-Mar-24 15:15:02 GMT", "2024-03-31T15:15:02Z"),  # RFC 850, obsolete but allowed
        ("Sun, 31 Mar 2024 17:15:02 +0200", "2024-03-31T15:15:02Z"),
        ("Sun, 31 Mar 2024 15:15:02 -0000", "2024-03-31T15:15:02Z"),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_http_date_to_utc(header: str | bytes | None, expected: str | None) -> None:
    assert http_date_to_utc(header) == expected


def test_format_utc_drops_fractions_and_converts() -> None:
    dt = datetime(2024, 3, 31, 17, 0, 0, 999999, tzinfo=timezone(timedelta(hours=2)))
    assert format_utc(dt) == "2024-03-31T15:00:00Z"
