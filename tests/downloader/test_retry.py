from __future__ import annotations

from datetime import UTC, datetime

from scrapy.utils.test import get_crawler

from newscrawl.downloader.retry import PoliteRetryMiddleware, retry_after_seconds


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2024, 4, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds(" 120 ") == 120.0
    assert retry_after_seconds("Mon, 01 Apr 2024 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Mon, 01 Apr 2024 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("") is None
    assert retry_after_seconds(None) is None


def test_the_retry_settings_take_durations() -> None:
    settings = {
        "NEWSCRAWL_RETRY_AFTER_MAX": "2m",
        "NEWSCRAWL_RETRY_BACKOFF_BASE": "1.5",
        "NEWSCRAWL_RETRY_BACKOFF_MAX": 90,
    }
    middleware = PoliteRetryMiddleware.from_crawler(get_crawler(settings_dict=settings))
    assert (middleware.retry_after_max, middleware.backoff_base, middleware.backoff_max) == (120.0, 1.5, 90.0)
