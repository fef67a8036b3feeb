"""The scheduler of a process in a fleet: Scrapy's own scheduler for this process's requests, and
the shared, leased frontier (:mod:`newscrawl.fleet.frontier`) for the articles the fleet shares.

Which requests go where:
- a request the spider hands to the fleet (its meta names a frontier key, ``ENTRY_REQUEST``) is
  pushed to Redis, where any process may take it (or counted ``duplicate/fleet`` when the fleet
  already has it, this process included);
- a request derived from one this process took (a retry or a redirect: meta ``LEASED``; the
  browser re-fetch the spider asks for with ``dont_filter``) stays here, under that lease;
- everything else (listings, robots.txt) stays here.

This process's own requests come first (finish what was started, read listings), then the
frontier's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.scheduler import BaseScheduler, Scheduler

from newscrawl.fleet.extension import Fleet
from newscrawl.fleet.frontier import LEASED
from newscrawl.fleet.request_json import FRONTIER_KEY

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred


class FleetScheduler(BaseScheduler):
    def __init__(self, local: Scheduler, fleet: Fleet) -> None:
        self.local = local
        self.fleet = fleet

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(Scheduler.from_crawler(crawler), Fleet.of(crawler))

    def open(self, spider: Spider) -> Deferred[None] | None:
        self.fleet.open_frontier(spider)
        return self.local.open(spider)

    def close(self, reason: str) -> Deferred[None] | None:
        # The frontier outlives this process; its leases end after publication (Fleet.engine_stopped).
        return self.local.close(reason)

    def has_pending_requests(self) -> bool:
        return self.local.has_pending_requests() or self.fleet.frontier_has_requests()

    def enqueue_request(self, request: Request) -> bool:
        key = request.meta.get(FRONTIER_KEY)
        if key is None or LEASED in request.meta or (request.dont_filter and self.fleet.holds(str(key))):
            return self.local.enqueue_request(request)
        return self.fleet.hand_over(request)

    def next_request(self) -> Request | None:
        return self.local.next_request() or self.fleet.take()

    def __len__(self) -> int:
        return len(self.local)
