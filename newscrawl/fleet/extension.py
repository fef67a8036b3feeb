"""This process's membership in the fleet (extension, on only with NEWSCRAWL_REDIS_URL).

- **Heartbeat** (every ``lease / 3`` s, at most 10 s): renews the leases of the requests this
  process holds and the claims of the articles it accepted, reports its state and counts to the
  roster (``scrapy fleet`` reads them), and reaps the leases of processes that died.
- **Hand-over and take**: the scheduler's side of the frontier (counted: ``handed_over`` /
  ``taken_over`` in the run's counts; a hand-over refused because another process already has
  the article is ``duplicate/fleet``).
- **When to stop**: a process whose own work is done waits while another live process is still
  busy (its pages may fail over to us); the last one (highest run id among the idle) also waits
  for the leases of the others to end — published by them, or back in the queue after their
  lease lapsed (a process killed mid-run). The others close. So the fleet finishes every article,
  unless the last process dies too (then the next crawl takes the leases back).
- **After publication** (engine stopped): ends the leases whose outcome is final — the items in
  the published dataset file, and, when the crawl finished normally, every request it handled —
  and gives back the rest (a crawl stopped early, or whose file could not be stored).
- **Redis lost**: one error, the run fails and stops; nothing it fetched is published (the
  dataset file is only published after the claims were checked in Redis).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import TYPE_CHECKING, Any

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from newscrawl.config import redacted_url as redacted
from newscrawl.fleet import request_json
from newscrawl.fleet.config import FleetConfig
from newscrawl.fleet.frontier import LeasedQueue, Pushed
from newscrawl.fleet.rate import GlobalRate
from newscrawl.fleet.request_json import FRONTIER_KEY, RequestRefused
from newscrawl.fleet.roster import BUSY, CLOSING, IDLE, Member, Roster
from newscrawl.run.accounting import HANDED_OVER, TAKEN_OVER
from newscrawl.run.extension import STATUS_STAT, Run
from newscrawl.run.outcomes import report_outcome
from newscrawl.store.redis_seen import RedisSeenStore

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

REDIS_URL_SETTING = "NEWSCRAWL_REDIS_URL"
MAX_BEAT = 10.0  # seconds between heartbeats at most (fresh counts for `scrapy fleet`)
EMPTY_PAUSE = 0.5  # seconds before asking Redis again after the frontier was found empty
WAIT_POLL = 0.5  # seconds between two looks at the fleet while this process waits


class Fleet:
    def __init__(self, crawler: Crawler, config: FleetConfig) -> None:
        self.crawler = crawler
        self.config = config
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.client = config.connect()
        self.roster = Roster(self.client, config.prefix)
        self.rate = GlobalRate(self.client, config.prefix, config.rate)
        self.queue: LeasedQueue | None = None
        self.state = BUSY
        self.for_publication: set[str] = set()  # leases whose item went to the dataset file
        self._heartbeat = LoopingCall(self.beat)
        self._poll = LoopingCall(self._poll_while_waiting)
        self._empty_until = 0.0
        self._waiting_for = ""

    @classmethod
    def of(cls, crawler: Crawler) -> Fleet:
        fleet = crawler.get_extension(cls)
        if fleet is None:
            raise RuntimeError(f"{cls.__module__}.{cls.__name__} must be enabled (NEWSCRAWL_REDIS_URL set)")
        return fleet

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = FleetConfig.from_settings(crawler.settings, str(crawler.spidercls.name))
        if config is None:
            raise NotConfigured
        fleet = cls(crawler, config)
        crawler.signals.connect(fleet.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(fleet.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(fleet.item_scraped, signal=signals.item_scraped)
        return fleet

    @property
    def run(self) -> Run:
        return Run.of(self.crawler)

    @property
    def owner(self) -> str:
        """This process in the fleet: its run id (owner of its leases and claims)."""
        return self.run.identity.run_id

    @property
    def lost(self) -> str | None:
        """Why Redis is given up (by this extension or by the run's seen-store), once it is."""
        return self.run.shared_lost

    @property
    def lease(self) -> float:
        return self.config.lease

    def open_store(self) -> RedisSeenStore:
        return RedisSeenStore(self.config.connect(), self.config.prefix)

    @property
    def interval(self) -> float:
        return min(MAX_BEAT, self.config.lease / 3)

    # --- lifecycle ----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        """Before the run's own spider_opened (this extension is built first): join the roster before
        the run writes its first manifest (others read liveness from it), and hand the run its
        shared state (lock shared, Redis seen-store, liveness for dead-run recovery)."""
        run = self.run
        run.shared = self
        if run.settings_snapshot.get(REDIS_URL_SETTING):
            run.settings_snapshot[REDIS_URL_SETTING] = redacted(str(run.settings_snapshot[REDIS_URL_SETTING]))
        # Connected now, after the run's handler: the leases end once the run has its final status.
        self.crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        logger.info(
            "Fleet: shared state on %s (lease %.0f s, global rate %s)",
            redacted(self.config.url),
            self.config.lease,
            f"{self.config.rate:g} requests/s" if self.config.rate else "off",
        )
        try:
            self.roster.beat(self.owner, self.report(), self.config.lease)
            self.roster.prune()
        except redis.RedisError as error:
            self.redis_lost(error)  # the run is refused: the spider reads no listing
            return
        self._heartbeat.start(self.interval, now=False)

    def open_frontier(self, spider: Spider) -> None:
        self.queue = LeasedQueue(
            self.client,
            spider,
            f"{self.config.prefix}frontier",
            request_json,
            seen_key=f"{self.config.prefix}seen",
            owner=self.owner,
            lease=self.config.lease,
        )

    def is_alive(self, run_id: str) -> bool:
        """Whether a run of the fleet still beats (dead-run recovery asks before marking it killed)."""
        try:
            return self.roster.is_alive(run_id)
        except redis.RedisError:
            return True  # unknown: never mark a run killed on a guess

    def redis_lost(self, error: Exception) -> None:
        """One clear error; the run fails and stops (nothing it fetched is published)."""
        self.run.shared_state_lost(f"Redis at {redacted(self.config.url)} is unreachable ({error})")

    # --- the scheduler's side -------------------------------------------------------------------

    def holds(self, key: str) -> bool:
        return self.queue is not None and key in self.queue.leased

    def hand_over(self, request: Request) -> bool:
        """Push a request to the frontier; its entry is counted here unless another process takes it."""
        assert self.queue is not None
        key = str(request.meta[FRONTIER_KEY])
        if self.lost is not None:
            report_outcome(self.crawler, "lost", "shared_state_lost", url=key)
            return True
        if self.holds(key):  # listed here too, but this process already took it from the frontier
            report_outcome(self.crawler, "duplicate", "fleet", url=key)
            return True
        try:
            pushed = self.queue.push(request)
        except RequestRefused as error:  # a spider bug: the request does not fit the schema
            logger.error("Cannot hand %s to the fleet: %s", key, error)
            report_outcome(self.crawler, "lost", "not_shareable", url=key, detail=str(error))
            return True
        except redis.RedisError as error:
            self.redis_lost(error)
            report_outcome(self.crawler, "lost", "shared_state_lost", url=key)
            return True
        if pushed is Pushed.QUEUED:
            self.stats.inc_value(HANDED_OVER)
            self._empty_until = 0.0
        elif pushed is Pushed.IN_FRONTIER:
            report_outcome(self.crawler, "duplicate", "fleet", url=key)
        else:
            report_outcome(self.crawler, "duplicate", "already_stored", url=key)
        return True

    def take(self) -> Request | None:
        if self.queue is None or self.lost is not None or time.monotonic() < self._empty_until:
            return None
        try:
            request = self.queue.pop()
        except redis.RedisError as error:
            self.redis_lost(error)
            return None
        if request is None:
            self._empty_until = time.monotonic() + EMPTY_PAUSE
            return None
        self.stats.inc_value(TAKEN_OVER)
        if self.state != BUSY:
            self.state = BUSY
            self._beat_now()
        return request

    def frontier_has_requests(self) -> bool:
        if self.queue is None or self.lost is not None or time.monotonic() < self._empty_until:
            return False
        try:
            queued = len(self.queue)
        except redis.RedisError as error:
            self.redis_lost(error)
            return False
        if not queued:
            self._empty_until = time.monotonic() + EMPTY_PAUSE
        return queued > 0

    # --- the download side ----------------------------------------------------------------------

    def reserve_slot(self, host: str) -> float:
        """Seconds to wait before sending to ``host`` (the global rate and any shared pause)."""
        if self.lost is not None:
            raise IgnoreRequest(self.lost)
        try:
            return self.rate.reserve(host)
        except redis.RedisError as error:
            self.redis_lost(error)
            raise IgnoreRequest(str(self.lost)) from None

    def pause_host(self, host: str, seconds: float) -> bool:
        if self.lost is not None:
            return False
        try:
            return self.rate.pause(host, seconds)
        except redis.RedisError as error:
            self.redis_lost(error)
            return False

    # --- heartbeat --------------------------------------------------------------------------------

    def beat(self) -> None:
        if self.lost is not None:
            return
        engine = self.crawler.engine
        if self.state == IDLE and engine is not None and engine.spider is not None and not engine.spider_is_idle():
            self.state = BUSY
        try:
            lapsed = self.queue.renew() if self.queue is not None else []
            self.run.publication.renew_claims(self.config.lease)
            self.roster.beat(self.owner, self.report(), self.config.lease)
            self._reap()
        except redis.RedisError as error:
            self.redis_lost(error)
            return
        if lapsed:
            logger.warning(
                "Fleet: %d lease(s) lapsed before this process renewed them (it stalled longer than "
                "NEWSCRAWL_REDIS_LEASE): another process may fetch them again",
                len(lapsed),
            )

    def _beat_now(self) -> None:
        try:
            self.roster.beat(self.owner, self.report(), self.config.lease)
        except redis.RedisError as error:
            self.redis_lost(error)

    def _reap(self) -> None:
        if self.queue is None:
            return
        for owner, count in self.queue.reap().items():
            logger.warning("Fleet: %d request(s) of %s came back to the queue: its lease lapsed", count, owner or "?")
            self._empty_until = 0.0

    def report(self) -> dict[str, Any]:
        counts = self.run.accounting.counts()
        spider = self.crawler.spider
        return {
            "state": self.state,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": self.run.identity.started,
            "reported_ms": int(time.time() * 1000),
            "data_dir": str(self.run.identity.root),
            "job": dict(getattr(spider, "arguments", {})).get("_job") if spider is not None else None,
            "entries": counts["entries_seen"],
            "articles": counts["new"] + counts["feed_only"],
            "errors": len(self.run.errors) + int(self.stats.get_value("log_count/ERROR", 0)),
            "leases": len(self.queue.leased) if self.queue is not None else 0,
        }

    # --- when to stop -------------------------------------------------------------------------------

    def spider_idle(self) -> None:
        if self.lost is not None or self.queue is None or self.run.refused:
            return
        if self._settle():
            self.state = CLOSING
            self._beat_now()
            return
        if not self._poll.running:
            self._poll.start(WAIT_POLL, now=False)
        raise DontCloseSpider

    def _poll_while_waiting(self) -> None:
        """While waiting, look again every WAIT_POLL seconds (the engine's own idle check is every 5 s)."""
        engine = self.crawler.engine
        if self.lost is not None or engine is None or engine.spider is None or not engine.spider_is_idle():
            self._poll.stop()  # busy again (the engine calls spider_idle when it is idle again), or closing
            return
        if self._settle():
            self._poll.stop()
            self.state = CLOSING
            self._beat_now()
            deferred_from_coro(engine.close_spider_async(reason="finished"))

    def _settle(self) -> bool:
        """An idle process: take work if the frontier has some, else tell whether it may close."""
        assert self.queue is not None
        self._empty_until = 0.0
        request = self.take()
        if request is not None:
            # Scheduled here (it is leased, so it stays in this process): the engine resumes at once.
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(request)
            return False
        try:
            self._reap()
            if len(self.queue):
                return False
            self.state = IDLE
            self.roster.beat(self.owner, self.report(), self.config.lease)
            waiting = self._waiting_reason(self.roster.members())
        except redis.RedisError as error:
            self.redis_lost(error)
            return True
        if waiting and waiting != self._waiting_for:
            logger.info("Fleet: nothing left here; waiting for %s", waiting)
        self._waiting_for = waiting
        return not waiting

    def _waiting_reason(self, members: list[Member]) -> str:
        """Why this idle process must stay ('' when it may close)."""
        others = [m for m in members if m.alive and m.run_id != self.owner]
        busy = [m.run_id for m in others if m.state == BUSY]
        if busy:
            return f"{len(busy)} busy process(es): {', '.join(busy)}"
        assert self.queue is not None
        foreign = {owner: n for owner, n in self.queue.summary().leases_by_owner.items() if owner != self.owner}
        idle = [m.run_id for m in others if m.state == IDLE] + [self.owner]
        if foreign and max(idle) == self.owner:
            return f"the leases of {', '.join(sorted(foreign))} ({sum(foreign.values())} requests) to end"
        return ""

    # --- after publication --------------------------------------------------------------------------

    def item_scraped(self, item: Any, response: Response | Failure) -> None:
        request = response.request if isinstance(response, Response) else getattr(response, "request", None)
        key = request.meta.get(FRONTIER_KEY) if request is not None else None
        if key is not None and self.holds(str(key)):
            self.for_publication.add(str(key))

    def engine_stopped(self) -> None:
        for loop in (self._heartbeat, self._poll):
            if loop.running:
                loop.stop()
        if self.lost is not None:
            self.client.close()
            return
        run = self.run
        try:
            if self.queue is not None:
                self._end_leases(published=run.publication.dataset is not None, finished=run.close_reason == "finished")
            status = self.stats.get_value(STATUS_STAT)
            self.roster.leave(self.owner, {**self.report(), "state": CLOSING, "status": status})
        except redis.RedisError as error:
            logger.error(
                "Fleet: Redis at %s is unreachable at the end of the run (%s): this run's requests come back to "
                "the queue when their lease lapses",
                redacted(self.config.url),
                error,
            )
        finally:
            self.client.close()

    def _end_leases(self, *, published: bool, finished: bool) -> None:
        assert self.queue is not None
        held = set(self.queue.leased)
        in_file = held & self.for_publication
        done = (in_file if published else set()) | (held - in_file if finished else set())
        acked = self.queue.ack(done)
        released = self.queue.release(held - done)
        logger.info("Fleet: %d request(s) done, %d given back to the queue", acked, released)
