"""The run extension: one crawl run from the spider's opening to the engine's stop.

It ties the run's parts together and is the one object the spider and the pipelines look up
(``Run.of(crawler)``): ``clock`` (the run's time, frozen by NEWSCRAWL_NOW), ``identity`` (id,
folders), ``accounting`` (listing sources and entry outcomes), ``publication`` (claims and
aliases, committed after the dataset file is stored), ``revisits`` (what is due, what each revisit
found; the version store, committed before the seen-store once the dataset file is stored, or at
the end of a run that stored none), ``listing_state`` (validators and named maps of each listing,
committed only when the run finished),
``fail()`` (the run ends ``failed`` with that reason) and ``refused`` (the run did not get the
data dir, so nothing may be crawled). The manifest is written when the run starts (``running``)
and when it ends (``finished`` or ``failed``); then `run_closed` is sent with it, still under the
data dir's lock (the health report listens). ``health`` is the verdict ``newscrawl.health`` sets
at spider close; the manifest carries it.

In a fleet (many processes sharing one Redis, ``newscrawl.fleet``) the fleet hands the run its
``shared`` state before the spider opens: the run then takes the data dir's lock shared, marks
killed only the runs the fleet reports dead, and opens the Redis seen-store with claims. Losing
Redis (``shared_state_lost``) is one error: the run fails and stops, and publishes nothing more.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from newscrawl.discovery.revisits import RevisitPolicy
from newscrawl.extract.text import counted
from newscrawl.run.accounting import Accounting, outcomes_total
from newscrawl.run.clock import RunClock
from newscrawl.run.identity import RunIdentity
from newscrawl.run.lock import DataDirLock
from newscrawl.run.manifest import manifest_path, settings_snapshot, write_manifest
from newscrawl.run.publication import Publication
from newscrawl.run.rejects import RejectsFile
from newscrawl.run.revisits import Revisits
from newscrawl.store.feed_storage import AtomicFileFeedStorage
from newscrawl.store.listings import ListingStateStore
from newscrawl.store.seen import SeenStore
from newscrawl.store.versions import VersionStore

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.extensions.feedexport import FeedSlot

    from newscrawl.store.backend import SharedSeenStoreBackend

logger = logging.getLogger(__name__)

STATUS_STAT = "newscrawl/run/status"
# Sent once the run's final manifest is written (argument: ``manifest``, the dict written).
run_closed = object()

SHARED_STATE_LOST = "shared_state_lost"  # the close reason when Redis is lost mid-run


class SharedState(Protocol):
    """What a fleet gives the run (``newscrawl.fleet.extension.Fleet``)."""

    @property
    def lease(self) -> float:
        """Seconds a claim lives without renewal."""

    def open_store(self) -> SharedSeenStoreBackend: ...

    def is_alive(self, run_id: str) -> bool:
        """Whether a run of the fleet still beats (an unknown answer is True)."""


class Run:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.clock = RunClock.from_settings(settings)
        # The run's one "now": its id, "started", the revisits' checks and the back-fill's horizon
        # all read this instant, so no two of them can fall on either side of a second boundary.
        self.started = started = self.clock.now()
        self.identity = RunIdentity.start(
            str(crawler.spidercls.name), Path(settings["NEWSCRAWL_DATA_DIR"] or "data"), started
        )
        self.accounting = Accounting(self.stats, settings.getint("NEWSCRAWL_MANIFEST_MAX_LISTED"))
        self.publication = Publication(
            self.identity.run_id,
            self.clock,
            pending_dir=self.identity.root / "seen-pending",
            on_unavailable=self.shared_state_lost,
        )
        self.revisits = Revisits(self.stats, RevisitPolicy.from_settings(settings), started, self.identity.root)
        self.lock = DataDirLock(self.identity.root, self.identity.run_id, self.clock)
        # In a fleet, the one process of this data dir that makes its revisits holds it (exclusive).
        self.revisits_lock = DataDirLock(self.identity.root, self.identity.run_id, self.clock, name=".revisits.lock")
        self.listing_state: ListingStateStore | None = None  # opened with the data dir
        self.backfill: dict[str, Any] | None = None  # the spider's catch-up or back-fill plan, for the manifest
        self.settings_snapshot = settings_snapshot(settings)
        self.errors: list[str] = []
        self.refused = False
        self.shared: SharedState | None = None  # set by the fleet before the spider opens
        self.shared_lost: str | None = None
        self.close_reason: str | None = None
        self.rejects = RejectsFile(self.identity.rejects_path())
        self.health: dict[str, Any] | None = None  # {"ok", "failed"}, set at spider close by newscrawl.health

    @classmethod
    def of(cls, crawler: Crawler) -> Run:
        """The crawl's run (for the spider, the pipelines and FEEDS, once the engine exists)."""
        run = crawler.get_extension(cls)
        if run is None:
            raise RuntimeError(f"{cls.__module__}.{cls.__name__} must be enabled in EXTENSIONS")
        return run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run = cls(crawler)
        run.accounting.connect(crawler)
        run.revisits.connect(crawler)
        crawler.signals.connect(run.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(run.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(run.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(run.engine_stopped, signal=signals.engine_stopped)
        return run

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def shared_state_lost(self, message: str) -> None:
        """Redis is gone: one error; the run fails, reads no more listings, stops, publishes nothing more."""
        if self.shared_lost is not None:
            return
        self.shared_lost = message
        self.publication.store_unavailable(message)
        logger.error("%s: this run stops, and publishes nothing it fetched", message)
        self.fail(message)
        self.refused = True
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None and engine.running:
            deferred_from_coro(engine.close_spider_async(reason=SHARED_STATE_LOST))

    # --- lifecycle ----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        root = self.identity.root
        shared = self.shared
        try:
            self.identity.runs_dir.mkdir(parents=True, exist_ok=True)
            locked = not self.refused and self.lock.acquire(shared=shared is not None)
        except OSError as exc:
            self.refused = True
            self.fail(f"the data dir {root} cannot be used: {exc}")
            return
        if self.refused:  # the fleet could not reach Redis
            self._write_manifest("running")
            return
        if not locked:
            self.refused = True
            holder = "another crawl is running" if shared is None else "a single-machine crawl is running"
            self.fail(f"{holder} on {root} (lock {self.lock.path} is held); this run refuses to start")
            self._write_manifest("running")
            return
        self.lock.recover_dead_runs(shared.is_alive if shared is not None else None)
        if shared is None:
            self.publication.open(SeenStore(root / "seen.sqlite3"))
        else:
            self.publication.open(shared.open_store(), shared.lease)
        self.revisits.open(VersionStore(root / "versions.sqlite3"), makes_revisits=self._makes_revisits())
        self.listing_state = ListingStateStore(root / "listings.json")
        logger.info("Run %s started: data dir %s", self.identity.run_id, root)
        self._write_manifest("running")

    def _makes_revisits(self) -> bool:
        """Whether this run makes the data dir's revisits: always alone on it; in a fleet, the one
        process that takes the revisits lock (the version store is this data dir's own SQLite file,
        so two processes revisiting it would both publish an article's next version)."""
        if self.shared is None or self.revisits_lock.acquire():
            return True
        logger.info(
            "Revisits: another process of the fleet makes this data dir's revisits (%s is held); this one makes none",
            self.revisits_lock.path,
        )
        return False

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.close_reason = reason
        try:
            self.rejects.publish()
        except OSError as exc:
            self.fail(f"the rejects file could not be stored: {exc}")

    def feed_slot_closed(self, slot: FeedSlot) -> None:
        if not str(slot.uri).startswith(str(self.identity.articles_dir)):
            return
        storage = slot.storage
        if isinstance(storage, AtomicFileFeedStorage) and storage.published_path is not None:
            dataset = str(storage.published_path.relative_to(self.identity.root))
            # Versions first: an article in the version store is never fetched again as new, so a
            # crash between the two commits cannot publish a second version 1.
            self.revisits.commit(dataset)
            self.publication.dataset_stored(dataset)
        elif self.shared_lost is None:  # else the run already failed, for that reason
            refused = self.publication.refused
            self.fail(refused or f"the dataset file {slot.uri} could not be stored; its articles stay unpublished")

    def engine_stopped(self) -> None:
        if not self.refused:
            self.revisits.commit(None)  # a run without a dataset file: what its revisits observed
        self._check_outcome()
        if not self.errors and self.listing_state is not None:
            try:
                self.listing_state.commit()
            except OSError as exc:
                self.fail(f"the listing state {self.listing_state.path} could not be stored: {exc}")
        status = "failed" if self.errors else "finished"
        manifest: dict[str, Any] | None = None
        try:
            manifest = self._write_manifest(status)
        except OSError as exc:
            self.fail(f"the run manifest could not be written: {exc}")
            status = "failed"
        self.stats.set_value(STATUS_STAT, status)
        self._log_summary(status)
        if manifest is not None:
            self.crawler.signals.send_catch_log(run_closed, manifest=manifest)
        self.publication.close()
        self.revisits.close()
        self.revisits_lock.release()
        self.lock.release()

    def _check_outcome(self) -> None:
        if self.close_reason not in (None, "finished", SHARED_STATE_LOST):
            self.fail(f"the crawl was closed early: {self.close_reason}")
        feeds = [source for source in self.accounting.sources if source.kind == "feed"]
        if not self.refused and feeds and not any(source.ok for source in feeds):
            problems = sorted({str(source.problem) for source in feeds})
            self.fail(f"no feed could be fetched: {'; '.join(problems)}")
        counts = self.accounting.counts()
        if not counts["add_up"]:
            self.fail(
                f"the counts do not add up: {counted(counts['entries_seen'], 'entry', 'entries')} seen, "
                f"{outcomes_total(counts)} with an outcome (a path that does not report its entries' outcome)"
            )
        revisits = self.revisits.counts()
        if not revisits["add_up"]:
            self.fail(
                f"the revisit counts do not add up: {revisits['requested']} requested, "
                f"{len(self.revisits.outcomes)} with an outcome"
            )
        if counts["new"] + counts["feed_only"] and self.publication.dataset is None:
            self.fail(
                f"new articles were accepted but no dataset file was published under {self.identity.articles_dir}"
                " (FEEDS replaced, e.g. by Scrapyd's items_dir?)"
            )

    def _log_summary(self, status: str) -> None:
        counts = self.accounting.counts()
        dataset = self.publication.dataset
        logger.info(
            "Run %s %s: %s → new %d, feed-only %d, duplicate %s, skipped %s, rejected %s, lost %s%s",
            self.identity.run_id,
            status,
            counted(counts["entries_seen"], "entry", "entries"),
            counts["new"],
            counts["feed_only"],
            counts["duplicate"],
            counts["skipped"],
            counts["rejected"],
            counts["lost"],
            f"; dataset {dataset}" if dataset else "; no new dataset file",
        )
        revisits = self.revisits.counts()
        if revisits["due"] or revisits["signals_ignored"]:
            logger.info(
                "Run %s revisits: %d due, %d requested → not modified %d, unchanged %d, changed %d, removed %d, "
                "restored %d, failed %s; %d deferred; listing dates ignored %s",
                self.identity.run_id,
                revisits["due"],
                revisits["requested"],
                revisits["not_modified"],
                revisits["unchanged"],
                revisits["changed"],
                revisits["removed"],
                revisits["restored"],
                revisits["failed_by_reason"],
                revisits["deferred"],
                revisits["signals_ignored"],
            )
        for error in self.errors:
            logger.error("Run %s failed: %s", self.identity.run_id, error)

    def _write_manifest(self, status: str) -> dict[str, Any]:
        manifest = self.manifest(status)
        write_manifest(manifest_path(self.identity.runs_dir, self.identity.run_id), manifest)
        return manifest

    def manifest(self, status: str) -> dict[str, Any]:
        """The run manifest as it stands (what ``runs/<run_id>.json`` gets)."""
        identity = self.identity
        accounting = self.accounting
        return {
            "run_id": identity.run_id,
            "spider": identity.spider,
            "status": status,
            "started": identity.started,
            "ended": None if status == "running" else self.clock.stamp(),
            "close_reason": self.close_reason,
            "errors": self.errors,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "arguments": {
                "spider": dict(getattr(self.crawler.spider, "arguments", {})),
                "settings": self.settings_snapshot,
            },
            "feeds": [
                {
                    "url": source.url,
                    "ok": source.ok,
                    "http_status": source.http_status,
                    "entries": source.entries,
                    "problem": source.problem,
                }
                for source in accounting.sources
                if source.kind == "feed"
            ],
            "sources": [asdict(source) for source in accounting.sources],
            "backfill": self.backfill,
            "counts": accounting.counts(),
            "revisits": self.revisits.counts(),
            "output": {
                "articles": self.publication.dataset,
                "rejects": self._relative(self.rejects.published),
                "dataset_published": self.publication.dataset is not None,
            },
            "listed": accounting.listed,
            "listed_left_out": accounting.left_out,
            "stats": {k: v for k, v in sorted(self.stats.get_stats().items()) if k.startswith("newscrawl/")},
            "health": self.health,
        }

    def _relative(self, path: Path | None) -> str | None:
        return str(path.relative_to(self.identity.root)) if path is not None else None


def feed_uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """FEED_URI_PARAMS: the run's data dir, id and date for the FEEDS URI template."""
    assert spider.crawler is not None
    identity = Run.of(spider.crawler).identity
    return {**params, "data_dir": str(identity.data_dir), "run_id": identity.run_id, "run_date": identity.run_date}
