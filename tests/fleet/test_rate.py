"""The global request rate and the shared pause, on a real Redis, from several clients at once."""

from __future__ import annotations

import threading
import time

import pytest

from newscrawl.fleet.config import connect
from newscrawl.fleet.rate import JITTER, GlobalRate, rate_limited_host

PREFIX = "newscrawl:{rfi_cn}:"
HOST = "www.rfi.fr"


def test_processes_sharing_a_rate_never_crowd_a_second(redis_url: str) -> None:
    rate = 20.0
    sent: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(3)

    def process() -> None:
        limiter = GlobalRate(connect(redis_url), PREFIX, rate)
        start.wait()
        for _ in range(15):
            wait = limiter.reserve(HOST)
            time.sleep(wait)
            with lock:
                sent.append(time.monotonic())

    threads = [threading.Thread(target=process) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent.sort()
    assert len(sent) == 45
    busiest = max(sum(1 for t in sent if first <= t < first + 1.0) for first in sent)
    assert busiest <= rate
    # Slots are spaced whoever asks: 45 sends take at least 44 intervals (sleeping late only adds).
    assert sent[-1] - sent[0] >= 44 * (1 + JITTER) / rate - 0.05


def test_a_pause_holds_every_client_and_is_never_shortened(redis_url: str) -> None:
    told, other = GlobalRate(connect(redis_url), PREFIX, 0.0), GlobalRate(connect(redis_url), PREFIX, 0.0)
    assert other.reserve(HOST) == 0.0, "no rate, no pause: no wait"
    assert told.pause(HOST, 0.6)
    assert not told.pause(HOST, 0.1), "a shorter pause does not shorten the running one"
    assert 0.45 < other.reserve(HOST) <= 0.6
    assert other.reserve("feedx.net") == 0.0, "other hosts are not paused"
    time.sleep(0.65)
    assert other.reserve(HOST) == 0.0


def test_the_pause_delays_the_rate_slots_too(redis_url: str) -> None:
    limiter = GlobalRate(connect(redis_url), PREFIX, 10.0)
    limiter.pause(HOST, 0.5)
    first, second = limiter.reserve(HOST), limiter.reserve(HOST)
    assert first == pytest.approx(0.5, abs=0.05)
    assert second == pytest.approx(0.5 + (1 + JITTER) / 10, abs=0.05)


@pytest.mark.parametrize(
    ("url", "fetch_origin", "host"),
    [
        ("https://www.rfi.fr/cn/rss", "", "www.rfi.fr"),
        ("http://127.0.0.1:8080/cn/x", "http://127.0.0.1:8080", "www.rfi.fr"),
        ("http://127.0.0.1:8080/cn/x", "", None),
        ("https://feedx.net/rss/rfi.xml", "http://127.0.0.1:8080", None),
    ],
)
def test_only_the_sites_requests_take_slots(url: str, fetch_origin: str, host: str | None) -> None:
    assert rate_limited_host(url, fetch_origin) == host
