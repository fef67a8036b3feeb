"""How the project's SQLite stores are opened: one writer per data dir (the run lock), readers at any time."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), write-ahead log, fsync at checkpoints."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=60, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db
