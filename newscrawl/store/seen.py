"""The persistent de-duplication state: every URL already published, and the links that led to it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from newscrawl.store.backend import SeenRow
from newscrawl.store.sqlite import connect


class SeenStore:
    """SQLite table of published URLs (canonical URLs and feed links that point at them).

    Lookups are primary-key reads, so memory stays flat however many URLs are stored. Writes
    happen once per run, in one transaction, after the dataset file was published.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS seen ("
            " url TEXT PRIMARY KEY,"
            " article_url TEXT NOT NULL,"
            " run_id TEXT NOT NULL,"
            " stored_at TEXT NOT NULL"
            ") WITHOUT ROWID"
        )

    def __contains__(self, url: object) -> bool:
        row = self._db.execute("SELECT 1 FROM seen WHERE url = ?", (url,)).fetchone()
        return row is not None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM seen").fetchone()[0])

    def add(self, rows: Iterable[tuple[str, str]], run_id: str, stored_at: str) -> int:
        """Record (url, article_url) pairs; returns how many were new."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO seen (url, article_url, run_id, stored_at) VALUES (?, ?, ?, ?)",
                ((url, article_url, run_id, stored_at) for url, article_url in rows),
            )
            return self._db.total_changes - before

    def rows(self) -> Iterator[SeenRow]:
        """Every row, grouped by run (migration copies a run's rows in one transaction)."""
        cursor = self._db.execute("SELECT url, article_url, run_id, stored_at FROM seen ORDER BY run_id, stored_at")
        for row in cursor:
            yield SeenRow(*row)

    def close(self) -> None:
        self._db.close()
