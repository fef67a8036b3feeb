"""Heartbeats, lost processes, and the fleet summary built from them (real Redis)."""

from __future__ import annotations

import time

from newscrawl.fleet.config import connect
from newscrawl.fleet.frontier import LeasedQueue
from newscrawl.fleet.roster import BUSY, IDLE, Roster
from newscrawl.fleet.summary import fleet_summary, format_summary
from newscrawl.store.redis_seen import RedisSeenStore
from tests.fleet.fakespider import FleetSpider, article_request

PREFIX = "newscrawl:{fleet_test}:"


def report(state: str, **counts: int) -> dict[str, object]:
    return {"state": state, "host": "node1", "pid": 42, "reported_ms": int(time.time() * 1000), **counts}


def test_a_process_that_stops_beating_is_lost_and_one_that_left_is_closed(redis_url: str) -> None:
    roster = Roster(connect(redis_url), PREFIX)
    roster.beat("run-a", report(BUSY), lease=0.3)
    roster.beat("run-b", report(IDLE), lease=30)
    roster.beat("run-c", report(BUSY), lease=30)
    roster.leave("run-c", {**report("closing"), "status": "finished"})
    members = {member.run_id: member for member in roster.members()}
    assert members["run-a"].alive
    assert members["run-b"].state == IDLE
    assert not members["run-c"].alive
    assert not members["run-c"].lost
    time.sleep(0.4)
    members = {member.run_id: member for member in roster.members()}
    assert members["run-a"].lost
    assert not roster.is_alive("run-a")
    assert roster.is_alive("run-b")


def test_the_summary_counts_what_redis_holds(redis_url: str) -> None:
    client = connect(redis_url)
    spider = FleetSpider()
    queue = LeasedQueue(client, spider, PREFIX + "frontier", seen_key=PREFIX + "seen", owner="run-a", lease=60)
    for n in range(5):
        queue.push(article_request(spider, f"https://www.rfi.fr/cn/x/{n}"))
    queue.pop()
    queue.pop()
    store = RedisSeenStore(client, PREFIX)
    store.claim("https://www.rfi.fr/cn/x/9", "run-a", 60)
    store.add([("https://www.rfi.fr/cn/x/8", "https://www.rfi.fr/cn/x/8")], "run-0", "2024-04-01T00:00:00Z")
    roster = Roster(client, PREFIX)
    roster.beat("run-a", report(BUSY, entries=12, articles=7, errors=1), lease=30)
    roster.leave("run-0", {**report(IDLE, entries=3, articles=1), "status": "finished"})

    summary = fleet_summary(client, PREFIX)
    assert (summary.queued, summary.in_flight, summary.expired) == (3, 2, 0)
    assert (summary.claims, summary.published) == (1, 1)
    rows = {row.run_id: row for row in summary.processes}
    assert (rows["run-a"].state, rows["run-a"].entries, rows["run-a"].articles, rows["run-a"].errors) == (
        BUSY,
        12,
        7,
        1,
    )
    assert rows["run-a"].leases == 2
    assert rows["run-a"].heartbeat_age is not None
    assert rows["run-0"].state == "finished"
    assert rows["run-0"].heartbeat_age is None
    text = format_summary(summary, "redis://***@127.0.0.1/0")
    assert "3 queued, 2 in flight (0 past their lease); claims: 1; published URLs: 1" in text
    assert any(line.startswith("run-a") and " busy " in line for line in text.splitlines())


def test_closed_processes_are_forgotten_after_a_week(redis_url: str) -> None:
    roster = Roster(connect(redis_url), PREFIX)
    week_ago = int(time.time() * 1000) - 8 * 86400 * 1000
    roster.leave("run-old", {**report("closing"), "reported_ms": week_ago})
    roster.leave("run-recent", report("closing"))
    roster.beat("run-alive", {**report(BUSY), "reported_ms": week_ago}, lease=30)
    assert roster.prune() == 1
    assert sorted(member.run_id for member in roster.members()) == ["run-alive", "run-recent"]
