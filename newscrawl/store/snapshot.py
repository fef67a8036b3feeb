"""The dataset's current state as one table: the latest version of every article (``scrapy snapshot``).

Built from the dataset files alone (the same answer as the README's duckdb query that keeps the
highest ``version`` per ``id``), in two streaming passes so that memory stays flat however many
articles there are:

1. every record's ``(id, version, status)`` and place (file, line) go into a temporary SQLite
   table that keeps the highest version per id (on disk; SQLite's page cache is bounded);
2. the places of the latest versions are read back in file order and those lines are written,
   as JSON Lines or as Parquet (``newscrawl.store.parquet``: typed columns, one row group per batch).

Tombstones (``status: "removed"``) are left out unless asked for. v1 records (files written
before schema v2) come out in the v2 shape: version 1, live, ``first_seen`` = ``fetched_at``, the
content hash computed. The output is written under a temporary name and renamed: it is complete
or absent.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from newscrawl.items import LIVE, REMOVED, SCHEMA_VERSION, content_hash
from newscrawl.store.atomic import AtomicFile
from newscrawl.store.dataset import dataset_files, parse_line

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "parquet")


@dataclass(frozen=True)
class SnapshotResult:
    path: Path
    articles: int  # rows written
    removed_left_out: int  # articles whose latest version is a tombstone, not written
    records_read: int  # records in the dataset files


def as_v2(record: dict[str, Any]) -> dict[str, Any]:
    """A record in the v2 shape (a v1 record gains version 1, live, first_seen, its content hash)."""
    if record.get("schema_version", 1) >= 2:
        return record
    return {
        **record,
        "schema_version": SCHEMA_VERSION,
        "version": 1,
        "status": LIVE,
        "first_seen": record.get("fetched_at"),
        "content_hash": content_hash(record),
    }


class _Writer(Protocol):
    batch_rows: int

    def write(self, records: Sequence[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


class _JsonLinesWriter:
    batch_rows = 1

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        for record in records:
            self.file.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")

    def close(self) -> None:
        """The file is closed by its publication."""


def _open_writer(fmt: str, file: IO[bytes]) -> _Writer:
    if fmt == "parquet":  # pyarrow only for a Parquet snapshot: every scrapy command loads this module
        from newscrawl.store.parquet import ParquetWriter

        return ParquetWriter(file)
    return _JsonLinesWriter(file)


def write_snapshot(root: Path, out: Path, fmt: str, *, include_removed: bool = False) -> SnapshotResult:
    """The latest version of every article under a spider's folder ``root``, written to ``out``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown snapshot format {fmt!r} (known: {', '.join(FORMATS)})")
    files = dataset_files(root)
    with tempfile.TemporaryDirectory(prefix="newscrawl-snapshot-") as scratch:
        index = sqlite3.connect(Path(scratch) / "latest.sqlite3")
        try:
            read = _index_latest(index, files)
            removed = int(index.execute("SELECT count(*) FROM latest WHERE removed").fetchone()[0])
            query = "SELECT file, line FROM latest" + ("" if include_removed else " WHERE NOT removed")
            places = index.execute(query + " ORDER BY file, line")
            target = AtomicFile(out)
            file = target.open()
            try:
                writer = _open_writer(fmt, file)
                written = 0
                for batch in _batches(_lines_at(files, places), writer.batch_rows):
                    writer.write(batch)
                    written += len(batch)
                writer.close()
                target.publish(file)
            except BaseException:
                target.discard(file)
                raise
        finally:
            index.close()
    return SnapshotResult(out, written, 0 if include_removed else removed, read)


def _index_latest(index: sqlite3.Connection, files: Sequence[Path]) -> int:
    """Pass 1: the place of the highest version of each id; returns how many records were read."""
    index.execute("PRAGMA journal_mode=OFF")
    index.execute("PRAGMA synchronous=OFF")
    index.execute(
        "CREATE TABLE latest (id TEXT PRIMARY KEY, version INTEGER, removed INTEGER, file INTEGER, line INTEGER)"
        " WITHOUT ROWID"
    )
    read = 0
    with index:
        for number, path in enumerate(files):
            rows = []
            with path.open(encoding="utf-8") as lines:
                for line_number, line in enumerate(lines):
                    record = parse_line(path, line_number + 1, line)
                    if record is None:
                        continue
                    read += 1
                    removed = record.get("status") == REMOVED
                    rows.append((record["id"], int(record.get("version", 1)), removed, number, line_number))
            index.executemany(
                "INSERT INTO latest VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " version = excluded.version, removed = excluded.removed, file = excluded.file, line = excluded.line"
                " WHERE excluded.version > latest.version",
                rows,
            )
    return read


def _lines_at(files: Sequence[Path], places: Iterator[tuple[int, int]]) -> Iterator[dict[str, Any]]:
    """Pass 2: the records at the given (file, line) places, which come in file order."""
    current: int | None = None
    lines: Iterator[tuple[int, str]] = iter(())
    handle: IO[str] | None = None
    try:
        for file_number, wanted in places:
            if file_number != current:
                if handle is not None:
                    handle.close()
                handle = files[file_number].open(encoding="utf-8")
                lines, current = enumerate(handle), file_number
            for line_number, line in lines:
                if line_number == wanted:
                    record = parse_line(files[file_number], line_number + 1, line)
                    if record is not None:
                        yield as_v2(record)
                    break
    finally:
        if handle is not None:
            handle.close()


def _batches(records: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
