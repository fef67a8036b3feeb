"""One run's revisits: which articles are due, what each revisit found, and what the version store learns.

The spider asks for the plan (:meth:`Revisits.plan`: the schedule's due articles and the listings'
signals, oldest first, capped), makes one request per :class:`Ticket`, and reports what a revisit
found without a record (:meth:`not_modified`, :meth:`unchanged`, :meth:`gone`, :meth:`failed`). A
revisit that found a new version or a confirmed removal yields a record; its outcome (``changed``,
``restored``, ``removed``, or ``failed``/``rejected`` when a pipeline drops it) is counted from
Scrapy's item signals, like the entries' outcomes. Every ticket ends in exactly one outcome:
``requested = not_modified + unchanged + changed + removed + restored + failed``.

State changes wait in memory; :meth:`commit` writes them once, after the dataset file is stored
(records' states then name that file), or at the end of a run that stored no file (observations
only: a 304, an unchanged page, a page found gone, a failure).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from scrapy import signals

from newscrawl.discovery.revisits import (
    instant,
    listed_again,
    plan,
    schedule_due,
    signal_time,
    unlisted,
    with_signal,
)
from newscrawl.extract.dates import format_utc
from newscrawl.items import LIVE, REMOVED, Article, Tombstone, article_id, content_hash
from newscrawl.run.outcomes import OutcomeDropped
from newscrawl.store.dataset import dataset_files, find_record, records
from newscrawl.store.listings import header_value
from newscrawl.store.versions import ArticleState

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure

    from newscrawl.discovery.revisits import Due, RevisitPolicy
    from newscrawl.store.versions import VersionStore

logger = logging.getLogger(__name__)

STATS_PREFIX = "newscrawl/revisits/"
OUTCOMES = ("not_modified", "unchanged", "changed", "removed", "restored", "failed")
# Request meta key marking a revisit request (its value: the article's URL).
REVISIT_REQUEST = "newscrawl_revisit"


@dataclass(frozen=True)
class Ticket:
    """One revisit: why it is due, and what the dataset holds of the article."""

    due: Due
    state: ArticleState

    @property
    def url(self) -> str:
        return self.state.url

    def request_headers(self) -> dict[str, str]:
        """Conditional request headers; none for a tombstoned article (a 304 must not hide that it is back)."""
        if self.state.status == REMOVED:
            return {}
        headers = {}
        if self.state.etag:
            headers["If-None-Match"] = self.state.etag
        if self.state.last_modified:
            headers["If-Modified-Since"] = self.state.last_modified
        return headers


def is_revision(item: object) -> bool:
    """A record a revisit yields (a new version, a tombstone), as opposed to an entry's first record."""
    return isinstance(item, Article) and (item.version > 1 or item.status != LIVE)


class Revisits:
    def __init__(self, stats: StatsCollector, policy: RevisitPolicy, now: datetime, root: Path) -> None:
        self.stats = stats
        self.policy = policy
        self.now = now
        self.now_text = format_utc(now)
        self.root = root  # the spider's folder (dataset files are relative to it)
        self.store: VersionStore | None = None
        self.makes_revisits = True  # False: this run only adds its new records' states (a fleet's other processes)
        self.tickets: dict[str, Ticket] = {}
        self.deferred = 0
        self.outcomes: dict[str, str] = {}  # URL -> outcome of its revisit
        self.failed_by_reason: Counter[str] = Counter()
        self.signals_ignored: Counter[str] = Counter()
        self._noted: dict[str, ArticleState] = {}  # states changed by this run's listings (signals, listed_at)
        self._observed: dict[str, ArticleState] = {}  # states changed without a record
        self._recorded: dict[str, ArticleState] = {}  # states of records that reached the dataset file
        self._validators: dict[str, tuple[str | None, str | None]] = {}  # of the responses records came from
        self._completely_listed: set[str] = set()  # URLs this run's complete listings list (for new articles)
        self._gone_at_first_fetch: dict[str, str] = {}  # URL -> why the page of a new (feed-only) record is gone
        self.committed = False

    def open(self, store: VersionStore, *, makes_revisits: bool = True) -> None:
        self.store = store
        self.makes_revisits = makes_revisits
        if store.is_empty():
            adopted = adopt_dataset(store, self.root)
            if adopted:
                logger.info("Version store: %d articles taken from the dataset files written before it", adopted)

    def connect(self, crawler: Crawler) -> None:
        connect = crawler.signals.connect
        connect(self.item_scraped, signal=signals.item_scraped)
        connect(self.item_dropped, signal=signals.item_dropped)
        connect(self.item_error, signal=signals.item_error)
        connect(self.spider_error, signal=signals.spider_error)

    def state(self, url: str) -> ArticleState | None:
        return self.store.get(url) if self.store is not None else None

    # --- what is due ----------------------------------------------------------------------------

    def note_listing(self, url: str, changed: str | None) -> None:
        """A listing lists an article already in the dataset, saying it changed at ``changed`` (or not)."""
        if not self.makes_revisits:
            return
        when, ignored = signal_time(changed, self.now)
        if ignored is not None:  # counted; the run's summary line names the counts
            self.signals_ignored[ignored] += 1
            self.stats.inc_value(f"{STATS_PREFIX}signal_ignored/{ignored}")
            logger.debug("Listing date %r of %s ignored (%s)", changed, url, ignored)
            return
        state = (self._noted.get(url) or self.state(url)) if when is not None else None
        signalled = with_signal(state, when) if state is not None and when is not None else None
        if signalled is not None:
            self._noted[url] = signalled

    def note_complete_listing(self, listed: set[str], start: str, end: str) -> None:
        """A listing that lists every live article published from ``start`` to ``end`` was read whole:
        the held articles of that span it lists are remembered as listed, the ones it no longer
        lists are due (a removal shows that way first)."""
        if self.store is None or not self.makes_revisits:
            return
        self._completely_listed.update(listed)  # a new article among them is listed from its first record on
        for held in self.store.live_published_between(start, end):
            state = self._noted.get(held.url, held)
            if held.url in listed:
                noted = listed_again(state, self.now)
            else:
                noted = unlisted(state, self.now)
                if noted is not None:
                    self.stats.inc_value(f"{STATS_PREFIX}unlisted")
            if noted is not None:
                self._noted[held.url] = noted

    def plan(self) -> list[Ticket]:
        """The revisits of this run, oldest due first, at most NEWSCRAWL_REVISIT_MAX_PER_RUN."""
        if self.store is None or not self.makes_revisits:
            return []
        states = {state.url: state for state in self.store.scheduled(self.policy.last_age.total_seconds())}
        states.update(self._noted)
        dues = [due for state in states.values() if (due := schedule_due(state, self.policy, self.now)) is not None]
        requested, deferred = plan(dues, self.policy.max_per_run)
        self.tickets = {due.url: Ticket(due, states[due.url]) for due in requested}
        self.deferred = len(deferred)
        for url, noted in self._noted.items():  # a deferred signal waits in the version store
            if url not in self.tickets:
                self._observed[url] = noted
        for due in requested:
            self.stats.inc_value(f"{STATS_PREFIX}due_by/{due.reason}")
        self.stats.set_value(f"{STATS_PREFIX}requested", len(requested))
        self.stats.set_value(f"{STATS_PREFIX}deferred", len(deferred))
        return list(self.tickets.values())

    # --- what a revisit found without a record --------------------------------------------------

    def not_modified(self, ticket: Ticket, response: Response) -> None:
        self._count(ticket.url, "not_modified")
        self._observed[ticket.url] = self._answered(ticket.state, response)

    def unchanged(self, ticket: Ticket, response: Response) -> None:
        self._count(ticket.url, "unchanged")
        self._observed[ticket.url] = self._answered(ticket.state, response)

    def gone(self, ticket: Ticket, reason: str, fetched_at: str) -> Tombstone | None:
        """The page is gone (404, 410, redirect to a page that is not an article). The tombstone when an
        earlier run, at least NEWSCRAWL_REMOVAL_CONFIRM_AFTER ago, found it gone too; else None (counted
        ``failed``/``gone_unconfirmed`` and remembered)."""
        state = ticket.state
        if state.status == REMOVED:  # still gone: the tombstone is still right
            self._count(ticket.url, "unchanged")
            self._observed[ticket.url] = replace(
                state, checked_at=self.now_text, signal_at=None, failures=0, failed_at=None
            )
            return None
        since = state.gone_since
        if since is not None and self.now - instant(since) >= self.policy.confirm_after:
            last = self._last_record(state)
            if last is not None:
                return Tombstone.of(last, version=state.version + 1, removed_at=since, fetched_at=fetched_at)
            self._count(ticket.url, "failed", "last_version_missing")
            return None
        self._count(ticket.url, "failed", "gone_unconfirmed")
        self._observed[ticket.url] = replace(
            state,
            checked_at=self.now_text,
            signal_at=None,
            gone_since=since or self.now_text,
            gone_reason=reason,
            failures=0,
            failed_at=None,
        )
        return None

    def failed(self, ticket: Ticket, reason: str) -> None:
        """A revisit that could not tell anything about the page (never a removal): tried again later."""
        self._count(ticket.url, "failed", reason)
        state = ticket.state
        self._observed[ticket.url] = replace(state, failures=state.failures + 1, failed_at=self.now_text)

    def note_validators(self, url: str, response: Response) -> None:
        """The validators of the response a record is made from (committed with the record's state)."""
        self._validators[url] = validators(response)

    def gone_at_first_fetch(self, url: str, reason: str) -> None:
        """The page of a new article answered 404/410 and its record comes from a feed's full text: that
        is the first sighting of a removal, confirmed like a revisit's (a run CONFIRM_AFTER later)."""
        self._gone_at_first_fetch[url] = reason

    # --- records, from the item signals ---------------------------------------------------------

    def item_scraped(self, item: Any) -> None:
        if not isinstance(item, Article):
            return
        ticket = self.tickets.get(item.url) if is_revision(item) else None
        if is_revision(item):
            if ticket is None:
                logger.error("Record %s version %d is no revision this run asked for", item.url, item.version)
                return
            kind = "removed" if item.status == REMOVED else "restored" if ticket.state.status == REMOVED else "changed"
            self._count(item.url, kind)
        etag, last_modified = self._validators.pop(item.url, (None, None))
        state = record_state(item, self.now_text, etag, last_modified)
        gone = self._gone_at_first_fetch.pop(item.url, None)
        if gone is not None and ticket is None:
            state = replace(state, gone_since=self.now_text, gone_reason=gone)
        elif item.status == LIVE and item.url in self._completely_listed:
            # Else only the next complete listing read whole would remember it (a new record's state
            # starts unlisted), and a removal before that (a 304 meanwhile) would not show as a disappearance.
            state = replace(state, listed_at=self.now_text)
        elif ticket is not None and item.status == LIVE:
            state = replace(state, listed_at=ticket.state.listed_at)
        self._recorded[item.url] = state

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        ticket = self.tickets.get(item.url) if is_revision(item) else None
        if ticket is None:
            return
        rejected = isinstance(exception, OutcomeDropped) and exception.outcome.kind == "rejected"
        # The last good version stays; the page was looked at (not due again before its next age).
        self._count(item.url, "failed", "rejected" if rejected else "dropped")
        self._observed[item.url] = replace(ticket.state, checked_at=self.now_text, signal_at=None)

    def item_error(self, item: Any, failure: Failure) -> None:
        ticket = self.tickets.get(item.url) if is_revision(item) else None
        if ticket is not None:
            self.failed(ticket, "item_error")

    def spider_error(self, failure: Failure, response: Response | Failure) -> None:
        request = getattr(response, "request", None)
        url = request.meta.get(REVISIT_REQUEST) if request is not None else None
        ticket = self.tickets.get(url) if url is not None else None
        if ticket is not None and url not in self.outcomes:
            self.failed(ticket, "spider_error")

    # --- commit and counts ----------------------------------------------------------------------

    def commit(self, dataset_file: str | None) -> int:
        """Write what this run learnt; the records' states only when their dataset file was stored."""
        if self.store is None or self.committed:
            return 0
        self.committed = True
        states = dict(self._observed)
        if dataset_file is not None:
            states.update({url: replace(s, record_file=dataset_file) for url, s in self._recorded.items()})
        elif self._recorded:
            logger.info("Version store: %d new records not recorded (no dataset file)", len(self._recorded))
        return self.store.put(states.values())

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def counts(self) -> dict[str, Any]:
        by_kind = Counter(self.outcomes.values())
        counts: dict[str, Any] = {"due": len(self.tickets) + self.deferred, "requested": len(self.tickets)}
        counts.update({kind: by_kind[kind] for kind in OUTCOMES if kind != "failed"})
        counts["failed_by_reason"] = dict(sorted(self.failed_by_reason.items()))
        counts["deferred"] = self.deferred
        counts["add_up"] = counts["requested"] == sum(by_kind.values()) and len(self.outcomes) == len(self.tickets)
        counts["signals_ignored"] = dict(sorted(self.signals_ignored.items()))
        return counts

    # --- helpers --------------------------------------------------------------------------------

    def _count(self, url: str, kind: str, reason: str | None = None) -> None:
        if url in self.outcomes:
            logger.error("Revisit of %s has a second outcome %s (first: %s)", url, kind, self.outcomes[url])
            self.stats.inc_value(f"{STATS_PREFIX}second_outcome")
            return
        self.outcomes[url] = kind
        self.stats.inc_value(f"{STATS_PREFIX}{kind}" + (f"/{reason}" if reason else ""))
        if reason is not None:
            self.failed_by_reason[reason] += 1

    def _answered(self, state: ArticleState, response: Response) -> ArticleState:
        etag, last_modified = validators(response)
        return replace(
            state,
            checked_at=self.now_text,
            signal_at=None,
            etag=etag or state.etag,
            last_modified=last_modified or state.last_modified,
            gone_since=None,
            gone_reason=None,
            failures=0,
            failed_at=None,
        )

    def _last_record(self, state: ArticleState) -> dict[str, Any] | None:
        path = self.root / state.record_file if state.record_file else None
        record = find_record(path, article_id(state.url), state.version) if path is not None else None
        if record is None:
            logger.error("The last version (%d) of %s is not in %s: no tombstone", state.version, state.url, path)
        return record


def adopt_dataset(store: VersionStore, root: Path) -> int:
    """A data dir from before revisits: each article's latest record in the run files becomes its state
    (files in run order, so a later version replaces an earlier one). Returns how many articles."""
    for path in dataset_files(root):
        relative = str(path.relative_to(root))
        store.put(record_row(record, relative) for record in records(path))
    return len(store)


def record_row(record: dict[str, Any], record_file: str) -> ArticleState:
    """The state of a published record read back from its file (v1 records: version 1, live, hash computed)."""
    feed = record.get("feed")
    return ArticleState(
        url=record["url"],
        version=int(record.get("version", 1)),
        content_hash=record.get("content_hash") or content_hash(record),
        status=record.get("status", LIVE),
        first_seen=record.get("first_seen", record.get("fetched_at")),
        published=record.get("published"),
        fetched_at=record.get("fetched_at"),
        record_file=record_file,
        feed=json.dumps(feed, ensure_ascii=False) if feed is not None else None,
        checked_at=record.get("fetched_at") or record.get("first_seen") or "1970-01-01T00:00:00Z",
        removed_at=record.get("removed_at"),
    )


def validators(response: Response) -> tuple[str | None, str | None]:
    return header_value(response.headers.get("ETag")), header_value(response.headers.get("Last-Modified"))


def record_state(item: Article, checked_at: str, etag: str | None, last_modified: str | None) -> ArticleState:
    """The version store's row for a record that reached the dataset file (the file is set at commit)."""
    return ArticleState(
        url=item.url,
        version=item.version,
        content_hash=item.content_hash,
        status=item.status,
        first_seen=item.first_seen,
        published=item.published,
        fetched_at=item.fetched_at,
        record_file=None,
        feed=json.dumps(item.feed, ensure_ascii=False) if item.feed is not None else None,
        checked_at=checked_at,
        etag=etag if item.status == LIVE else None,
        last_modified=last_modified if item.status == LIVE else None,
        removed_at=item.removed_at if isinstance(item, Tombstone) else None,
    )
