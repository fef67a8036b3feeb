"""The leased frontier on a real Redis: hand-over once, leases that lapse, requeue, ack."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

import pytest

from newscrawl.fleet.config import connect
from newscrawl.fleet.frontier import LeasedQueue, Pushed
from tests.fleet.fakespider import FleetSpider, article_request

if TYPE_CHECKING:
    from collections.abc import Callable

PREFIX = "newscrawl:{fleet_test}:"
SEEN = PREFIX + "seen"


def url(n: int) -> str:
    return f"https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240401-{n}"


@pytest.fixture
def make_queue(redis_url: str) -> Callable[..., LeasedQueue]:
    spider = FleetSpider()

    def make(owner: str, lease: float = 60.0) -> LeasedQueue:
        return LeasedQueue(connect(redis_url), spider, PREFIX + "frontier", seen_key=SEEN, owner=owner, lease=lease)

    return make


def test_an_article_is_handed_over_once(make_queue: Callable[..., LeasedQueue]) -> None:
    a, b = make_queue("run-a"), make_queue("run-b")
    assert a.push(article_request(a.spider, url(1))) is Pushed.QUEUED
    assert b.push(article_request(b.spider, url(1))) is Pushed.IN_FRONTIER
    a.server.hset(SEEN, url(2), "x")
    assert b.push(article_request(b.spider, url(2))) is Pushed.PUBLISHED
    assert len(a) == 1
    request = b.pop()
    assert request is not None
    assert request.url == url(1)
    assert request.callback == b.spider.parse_article
    assert request.cb_kwargs == article_request(b.spider, url(1)).cb_kwargs
    assert b.pop() is None
    assert a.push(article_request(a.spider, url(1))) is Pushed.IN_FRONTIER, "in flight is still in the frontier"
    assert b.summary().leases_by_owner == {"run-b": 1}
    assert b.ack([url(1)]) == 1
    assert b.summary().in_flight == 0
    assert a.push(article_request(a.spider, url(1))) is Pushed.QUEUED, "done: a later run may hand it over again"


def test_priority_first_then_push_order(make_queue: Callable[..., LeasedQueue]) -> None:
    queue = make_queue("run-a")
    for n, priority in [(1, 0), (2, 0), (3, 5), (4, 0), (5, 5)]:
        queue.push(article_request(queue.spider, url(n), priority=priority))
    popped = [queue.pop() for _ in range(5)]
    assert [r.url for r in popped if r is not None] == [url(3), url(5), url(1), url(2), url(4)]


def test_a_lease_lapses_when_its_process_stops_renewing(make_queue: Callable[..., LeasedQueue]) -> None:
    dead, alive = make_queue("run-dead", lease=0.3), make_queue("run-alive", lease=0.3)
    dead.push(article_request(dead.spider, url(1)))
    dead.push(article_request(dead.spider, url(2)))
    assert dead.pop() is not None
    assert alive.reap() == {}, "not expired yet"
    time.sleep(0.4)
    assert alive.summary().expired == 1
    assert alive.reap() == {"run-dead": 1}
    first = alive.pop()
    assert first is not None
    assert first.url == url(1), "a requeued request goes to the front"
    assert dead.renew() == [url(1)], "the old owner learns it lost the lease"
    assert dead.ack([url(1)]) == 0, "and cannot end the new owner's lease"
    assert alive.summary().leases_by_owner == {"run-alive": 1}


def test_renewal_keeps_leases_alive(make_queue: Callable[..., LeasedQueue]) -> None:
    owner, other = make_queue("run-a", lease=0.3), make_queue("run-b", lease=0.3)
    owner.push(article_request(owner.spider, url(1)))
    assert owner.pop() is not None
    for _ in range(4):
        time.sleep(0.15)
        assert owner.renew() == []
    assert other.reap() == {}
    assert owner.summary().in_flight == 1


def test_release_gives_requests_back_at_the_front(make_queue: Callable[..., LeasedQueue]) -> None:
    a, b = make_queue("run-a"), make_queue("run-b")
    for n in range(3):
        a.push(article_request(a.spider, url(n)))
    taken = a.pop()
    assert taken is not None
    assert b.release([taken.url]) == 0, "not b's lease"
    assert a.release([taken.url]) == 1
    again = b.pop()
    assert again is not None
    assert again.url == taken.url


def test_a_request_published_meanwhile_is_dropped_not_leased(make_queue: Callable[..., LeasedQueue]) -> None:
    queue = make_queue("run-a")
    queue.push(article_request(queue.spider, url(1)))
    queue.push(article_request(queue.spider, url(2)))
    queue.server.hset(SEEN, url(1), "x")
    popped = queue.pop()
    assert popped is not None
    assert popped.url == url(2)
    assert queue.summary().in_flight == 1
    assert not queue.server.hexists(queue.requests_key, url(1))


def test_a_tampered_entry_is_refused_logged_and_removed(
    make_queue: Callable[..., LeasedQueue], caplog: pytest.LogCaptureFixture
) -> None:
    queue = make_queue("run-a")
    queue.push(article_request(queue.spider, url(1)))
    queue.push(article_request(queue.spider, url(2)))
    forged = '{"v":1,"url":"https://x/","_class":"os.system","callback":"close"}'
    queue.server.hset(queue.requests_key, url(1), forged)
    with caplog.at_level(logging.ERROR):
        popped = queue.pop()
    assert popped is not None
    assert popped.url == url(2)
    assert queue.refused == 1
    assert "Refused a request from the shared frontier" in caplog.text
    assert not queue.server.hexists(queue.requests_key, url(1))
    assert queue.summary().in_flight == 1


def test_processes_racing_hand_over_and_take_each_article_once(make_queue: Callable[..., LeasedQueue]) -> None:
    urls = [url(n) for n in range(300)]
    queued: dict[str, int] = {}
    taken: dict[str, list[str]] = {}
    start = threading.Barrier(4)

    def process(owner: str) -> None:
        queue = make_queue(owner)
        start.wait()
        queued[owner] = sum(queue.push(article_request(queue.spider, u)) is Pushed.QUEUED for u in urls)
        mine = []
        while (request := queue.pop()) is not None:
            mine.append(request.url)
        taken[owner] = mine

    threads = [threading.Thread(target=process, args=(f"run-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(queued.values()) == len(urls)
    assert sorted(u for mine in taken.values() for u in mine) == sorted(urls)
