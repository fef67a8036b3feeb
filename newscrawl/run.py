"""One crawl run: its identity, its lock on the data dir, its manifest and its accounting.

Every feed entry ends in exactly one outcome, counted here (stats ``newscrawl/entries/...``):
``new`` and ``feed_only`` (published records), ``duplicate``, ``skipped``, ``rejected`` and
``lost`` (duplicates, skips and losses with a reason). The manifest ``runs/<run_id>.json`` is written when the
run starts (status ``running``) and when it ends (``finished`` or ``failed``); a run that died
without closing is marked ``killed`` by the next run, which holds the lock.

URLs enter the seen-store only after the run's dataset file was published, so an article
fetched by a run that died is fetched again by the next one.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy import signals

from newscrawl.atomic import TEMP_SUFFIX, write_atomically
from newscrawl.dates import format_utc
from newscrawl.seen_store import SeenStore
from newscrawl.storage import AtomicFileFeedStorage

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.extensions.feedexport import FeedSlot

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "feed_only", "duplicate", "skipped", "rejected", "lost")
_REASONED = ("duplicate", "skipped", "lost")
STATS_PREFIX = "newscrawl/entries/"
STATUS_STAT = "newscrawl/run/status"
# Sent once the final manifest is written (argument: manifest); the run-health report listens.
run_closed = object()
# Settings whose values are credentials: the manifest says whether they are set, never what they are.
SECRET_SETTINGS = frozenset({"NEWSCRAWL_ALERT_SMTP_PASSWORD", "NEWSCRAWL_ALERT_WEBHOOK"})


class RunManager:
    """Extension owning the run (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.spider_name = str(crawler.spidercls.name)
        self.data_dir = Path(settings["NEWSCRAWL_DATA_DIR"] or "data").resolve()
        self.root = self.data_dir / self.spider_name
        now = datetime.now(UTC)
        self.run_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
        self.run_date = f"{now:%Y-%m-%d}"
        self.started = format_utc(now)
        self.max_listed = settings.getint("NEWSCRAWL_MANIFEST_MAX_LISTED")
        self.settings_snapshot = {
            name: ("(set)" if settings[name] else "") if name in SECRET_SETTINGS else settings[name]
            for name in sorted(settings.attributes)
            if name.startswith("NEWSCRAWL_")
        }
        self.errors: list[str] = []
        self.refused = False
        self.close_reason: str | None = None
        self.store: SeenStore | None = None
        self.feeds: list[dict[str, Any]] = []
        self.listed: dict[str, list[dict[str, Any]]] = {"lost": [], "skipped": [], "rejected": []}
        self.output: dict[str, str | None] = {"articles": None, "rejects": None}
        self._lock: IO[str] | None = None
        self._claimed: set[str] = set()
        self._aliases: dict[str, set[str]] = {}
        self._dataset_published = False
        self.health: dict[str, Any] | None = None  # set at spider close by newscrawl.health

    @classmethod
    def of(cls, crawler: Crawler) -> RunManager:
        """The crawl's run manager (for the spider, pipelines and FEEDS, once the engine exists)."""
        run = crawler.get_extension(cls)
        if run is None:
            raise RuntimeError("newscrawl.run.RunManager must be enabled in EXTENSIONS")
        return run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run = cls(crawler)
        crawler.signals.connect(run.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(run.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(run.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(run.engine_stopped, signal=signals.engine_stopped)
        return run

    # --- lifecycle ----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            (self.root / "runs").mkdir(exist_ok=True)
            locked = self._acquire_lock()
        except OSError as exc:
            self.refused = True
            self.fail(f"the data dir {self.root} cannot be used: {exc}")
            return
        if not locked:
            self.refused = True
            self.fail(
                f"another crawl is running on {self.root} (lock {self.root / '.lock'} is held); "
                "this run refuses to start"
            )
            self._write_manifest("running")
            return
        self._mark_dead_runs()
        self.store = SeenStore(self.root / "seen.sqlite3")
        logger.info("Run %s started: data dir %s", self.run_id, self.root)
        self._write_manifest("running")

    def _acquire_lock(self) -> bool:
        lock = (self.root / ".lock").open("a+", encoding="utf-8")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return False
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()} {self.run_id}\n")
        lock.flush()
        self._lock = lock
        return True

    def _mark_dead_runs(self) -> None:
        """Runs still 'running' while we hold the lock died without closing (kill -9, power cut)."""
        for path in sorted((self.root / "runs").glob("*.json")):
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if manifest.get("status") != "running" or manifest.get("run_id") == self.run_id:
                continue
            manifest["status"] = "killed"
            manifest["killed_detected_by"] = self.run_id
            manifest["killed_detected_at"] = format_utc(datetime.now(UTC))
            write_atomically(path, _dump(manifest))
            for temp in self.root.glob(f"*/*/{manifest.get('run_id')}*{TEMP_SUFFIX}"):
                temp.unlink(missing_ok=True)
            logger.warning("Run %s died without closing: marked killed", manifest.get("run_id"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.close_reason = reason

    def feed_slot_closed(self, slot: FeedSlot) -> None:
        if not str(slot.uri).startswith(str(self.root / "articles")):
            return
        storage = slot.storage
        if isinstance(storage, AtomicFileFeedStorage) and storage.published_path is not None:
            self._dataset_published = True
            self.output["articles"] = str(storage.published_path.relative_to(self.root))
            self._commit_published()
        else:
            self.fail(f"the dataset file {slot.uri} could not be stored; its articles stay unpublished")

    def _commit_published(self) -> None:
        assert self.store is not None
        rows = [(url, url) for url in self._claimed]
        rows += [(alias, url) for url, aliases in self._aliases.items() if url in self._claimed for alias in aliases]
        added = self.store.add(rows, self.run_id, format_utc(datetime.now(UTC)))
        logger.info("Seen-store: %d URLs recorded as published", added)

    def engine_stopped(self) -> None:
        if self.close_reason not in (None, "finished"):
            self.fail(f"the crawl was closed early: {self.close_reason}")
        if not self.refused and self.feeds and not any(feed["ok"] for feed in self.feeds):
            self.fail("no feed could be fetched")
        counts = self.counts()
        if counts["new"] + counts["feed_only"] and not self._dataset_published:
            self.fail(
                f"new articles were accepted but no dataset file was published under {self.root / 'articles'}"
                " (FEEDS replaced, e.g. by Scrapyd's items_dir?)"
            )
        status = "failed" if self.errors else "finished"
        try:
            manifest = self._write_manifest(status)
        except OSError as exc:
            self.fail(f"the run manifest could not be written: {exc}")
            status = "failed"
        else:
            self.crawler.signals.send_catch_log(run_closed, manifest=manifest)
        self.stats.set_value(STATUS_STAT, status)
        logger.info(
            "Run %s %s: %d entries → new %d, feed-only %d, duplicate %s, skipped %s, rejected %s, lost %s%s",
            self.run_id,
            status,
            counts["entries_seen"],
            counts["new"],
            counts["feed_only"],
            counts["duplicate"],
            counts["skipped"],
            counts["rejected"],
            counts["lost"],
            f"; dataset {self.output['articles']}" if self.output["articles"] else "; no new dataset file",
        )
        for error in self.errors:
            logger.error("Run %s failed: %s", self.run_id, error)
        if self.store is not None:
            self.store.close()
        if self._lock is not None:
            self._lock.close()

    # --- accounting ---------------------------------------------------------------------------

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def entry_seen(self, count: int = 1) -> None:
        self.stats.inc_value(f"{STATS_PREFIX}seen", count)

    def count(
        self, outcome: str, reason: str | None = None, *, url: str | None = None, detail: str | None = None
    ) -> None:
        """Count one entry's outcome (and list it in the manifest when it was not published)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        if (outcome in _REASONED) != (reason is not None):
            raise ValueError(f"outcome {outcome!r} {'needs' if outcome in _REASONED else 'takes no'} reason")
        self.stats.inc_value(f"{STATS_PREFIX}{outcome}" + (f"/{reason}" if reason else ""))
        listed = self.listed.get(outcome)
        if listed is not None and url and len(listed) < self.max_listed:
            listed.append({"url": url, "reason": reason, "detail": detail})

    def record_feed(self, url: str, *, ok: bool, http_status: int | None, entries: int, problem: str | None) -> None:
        self.feeds.append({"url": url, "ok": ok, "http_status": http_status, "entries": entries, "problem": problem})

    def counts(self) -> dict[str, Any]:
        stats = self.stats.get_stats()
        counts: dict[str, Any] = {"entries_seen": int(stats.get(f"{STATS_PREFIX}seen", 0))}
        for outcome in OUTCOMES:
            if outcome in _REASONED:
                prefix = f"{STATS_PREFIX}{outcome}/"
                counts[outcome] = {k[len(prefix) :]: int(v) for k, v in sorted(stats.items()) if k.startswith(prefix)}
            else:
                counts[outcome] = int(stats.get(f"{STATS_PREFIX}{outcome}", 0))
        total = sum(sum(v.values()) if isinstance(v, dict) else v for k, v in counts.items() if k != "entries_seen")
        counts["add_up"] = total == counts["entries_seen"]
        return counts

    # --- de-duplication -----------------------------------------------------------------------

    def is_published(self, url: str) -> bool:
        return self.store is not None and url in self.store

    def claim(self, url: str) -> str | None:
        """Claim ``url`` for this run; the duplicate reason when it cannot be claimed."""
        if url in self._claimed:
            return "same_canonical"
        if self.is_published(url):
            return "already_stored"
        self._claimed.add(url)
        return None

    def note_alias(self, alias: str, article_url: str) -> None:
        """Remember a feed link that led to ``article_url`` so later runs do not fetch it again."""
        if alias != article_url:
            self._aliases.setdefault(article_url, set()).add(alias)

    # --- files --------------------------------------------------------------------------------

    def rejects_path(self) -> Path:
        return self.root / "rejects" / self.run_date / f"{self.run_id}.jsonl"

    def _write_manifest(self, status: str) -> dict[str, Any]:
        manifest = self.manifest(status)
        write_atomically(self.root / "runs" / f"{self.run_id}.json", _dump(manifest))
        return manifest

    def manifest(self, status: str) -> dict[str, Any]:
        """The run manifest as it stands (what ``runs/<run_id>.json`` gets)."""
        spider = self.crawler.spider
        return {
            "run_id": self.run_id,
            "spider": self.spider_name,
            "status": status,
            "started": self.started,
            "ended": None if status == "running" else format_utc(datetime.now(UTC)),
            "close_reason": self.close_reason,
            "errors": self.errors,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "arguments": {
                "spider": dict(getattr(spider, "arguments", {})),
                "settings": self.settings_snapshot,
            },
            "feeds": self.feeds,
            "counts": self.counts(),
            "output": {**self.output, "dataset_published": self._dataset_published},
            "listed": self.listed,
            "stats": {k: v for k, v in sorted(self.stats.get_stats().items()) if k.startswith("newscrawl/")},
            "health": self.health,
        }


def _dump(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def feed_uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """FEED_URI_PARAMS: the run's data dir, id and date for the FEEDS URI template."""
    assert spider.crawler is not None
    run = RunManager.of(spider.crawler)
    return {**params, "data_dir": str(run.data_dir), "run_id": run.run_id, "run_date": run.run_date}
