"""What the dataset holds of each article, for revisits: its latest version and how to ask for the next.

One SQLite row per article (canonical URL): the latest version's number, content hash, status
(``live``/``removed``) and dates, the dataset file that holds it, the validators of the last
answer (``ETag``, ``Last-Modified``), when it was last checked, and what revisits observed since
(a removal seen once and waiting for confirmation; failures in a row). Times are UTC
``YYYY-MM-DDTHH:MM:SSZ`` strings, which compare in time order as text.

Like the seen-store, it is written once per run, in one transaction, and only with what the run
published or observed (the run commits it before the seen-store, after the dataset file is stored).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from typing import TYPE_CHECKING

from newscrawl.store.sqlite import connect

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path


@dataclass(frozen=True)
class ArticleState:
    url: str  # canonical URL (the key)
    version: int  # of the latest record published
    content_hash: str
    status: str  # "live" | "removed"
    first_seen: str | None
    published: str | None
    fetched_at: str | None  # of the latest record
    record_file: str | None  # the dataset file holding the latest record (relative to the spider's folder)
    feed: str | None  # the record's ``feed`` (the listing that first listed it), as JSON
    checked_at: str  # the run that last had an answer about the page (first fetch, 200, 304, gone)
    signal_at: str | None = None  # a listing said the article changed then (kept until a revisit answers)
    listed_at: str | None = None  # since when complete listings (news, contents maps) list it; None: not now
    etag: str | None = None
    last_modified: str | None = None
    gone_since: str | None = None  # the run that first found the page gone; None once it answers again
    gone_reason: str | None = None  # "http_404", "http_410", "redirect"
    failures: int = 0  # revisits in a row that failed (5xx, timeout, refusal...)
    failed_at: str | None = None  # the run of the last of them
    removed_at: str | None = None  # of the tombstone, while status is "removed"


COLUMNS = tuple(f.name for f in fields(ArticleState))
_ROW = attrgetter(*COLUMNS)  # a state as its row (dataclasses.astuple deep-copies every value)


class VersionStore:
    """SQLite table of article states; primary-key reads, one transaction per run for writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS articles ("
            " url TEXT PRIMARY KEY, version INTEGER NOT NULL, content_hash TEXT NOT NULL, status TEXT NOT NULL,"
            " first_seen TEXT, published TEXT, fetched_at TEXT, record_file TEXT, feed TEXT, checked_at TEXT NOT NULL,"
            " signal_at TEXT, listed_at TEXT,"
            " etag TEXT, last_modified TEXT, gone_since TEXT, gone_reason TEXT,"
            " failures INTEGER NOT NULL DEFAULT 0, failed_at TEXT, removed_at TEXT"
            ") WITHOUT ROWID"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS articles_by_published ON articles (published)")

    def get(self, url: str) -> ArticleState | None:
        row = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM articles WHERE url = ?", (url,)).fetchone()
        return ArticleState(*row) if row is not None else None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None

    def scheduled(self, last_age: float) -> Iterator[ArticleState]:
        """Articles a revisit schedule may still name: with a listing's signal not yet answered, or live
        and not checked since their last age (``last_age`` seconds after publication, or after first
        seen without a publication date), waiting for a removal's confirmation, or whose last revisit
        failed. Articles past their schedule are not read."""
        cursor = self._db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM articles WHERE signal_at > checked_at OR status = 'live' AND ("
            " gone_since IS NOT NULL OR failed_at IS NOT NULL"
            " OR checked_at < strftime('%Y-%m-%dT%H:%M:%SZ', coalesce(published, first_seen, checked_at), ?))",
            (f"+{int(last_age)} seconds",),
        )
        for row in cursor:
            yield ArticleState(*row)

    def live_published_between(self, start: str, end: str) -> Iterator[ArticleState]:
        """Live articles published from ``start`` to ``end`` (both included)."""
        cursor = self._db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM articles WHERE published BETWEEN ? AND ? AND status = 'live'",
            (start, end),
        )
        for row in cursor:
            yield ArticleState(*row)

    def put(self, states: Iterable[ArticleState]) -> int:
        """Write (insert or replace) article states in one transaction; returns how many."""
        placeholders = ", ".join("?" for _ in COLUMNS)
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            before = self._db.total_changes
            self._db.executemany(
                f"INSERT OR REPLACE INTO articles ({', '.join(COLUMNS)}) VALUES ({placeholders})",
                (_ROW(state) for state in states),
            )
            return self._db.total_changes - before

    def close(self) -> None:
        self._db.close()
