"""The Parquet form of a snapshot: typed columns (pyarrow), one row group per batch of records.

Its own module so that pyarrow (≈ 130 ms to import) is loaded only by a Parquet snapshot, not by
every ``scrapy`` command (Scrapy imports every command module, ``snapshot`` included, at start).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from newscrawl.extract.dates import parse_utc

if TYPE_CHECKING:
    from collections.abc import Sequence

PARQUET_BATCH_ROWS = 1000  # rows per Parquet row group: the rows held in memory at once

_TIME = pa.timestamp("ms", tz="UTC")  # Parquet has no second unit; the values are whole seconds
PARQUET_SCHEMA = pa.schema(
    [
        ("schema_version", pa.int16()),
        ("id", pa.string()),
        ("url", pa.string()),
        ("version", pa.int32()),
        ("status", pa.string()),
        ("content_hash", pa.string()),
        ("first_seen", _TIME),
        ("removed_at", _TIME),
        ("edition", pa.string()),
        ("language", pa.string()),
        ("title", pa.string()),
        ("lead", pa.string()),
        ("body", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("tags", pa.list_(pa.string())),
        ("section", pa.string()),
        ("published", _TIME),
        ("modified", _TIME),
        ("images", pa.list_(pa.struct([("url", pa.string()), ("caption", pa.string())]))),
        ("media", pa.list_(pa.struct([("type", pa.string()), ("url", pa.string()), ("duration", pa.int32())]))),
        ("alternates", pa.map_(pa.string(), pa.string())),
        ("content_source", pa.string()),
        ("fetched_with", pa.string()),
        (
            "feed",
            pa.struct(
                [
                    ("url", pa.string()),
                    ("entry_id", pa.string()),
                    ("entry_title", pa.string()),
                    ("entry_published", _TIME),
                    ("position", pa.int32()),
                ]
            ),
        ),
        ("fetched_at", _TIME),
        ("spider", pa.string()),
    ]
)
_TIME_FIELDS = ("first_seen", "removed_at", "published", "modified", "fetched_at")


class ParquetWriter:
    batch_rows = PARQUET_BATCH_ROWS

    def __init__(self, file: IO[bytes]) -> None:
        self.writer = pq.ParquetWriter(file, PARQUET_SCHEMA, compression="zstd")

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        rows = [parquet_row(record) for record in records]
        self.writer.write_table(pa.Table.from_pylist(rows, schema=PARQUET_SCHEMA), row_group_size=len(rows))

    def close(self) -> None:
        self.writer.close()


def parquet_row(record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {name: record.get(name) for name in PARQUET_SCHEMA.names}
    for name in _TIME_FIELDS:
        row[name] = parse_utc(row[name])
    feed = row["feed"]
    if feed is not None:
        row["feed"] = {**feed, "entry_published": parse_utc(feed.get("entry_published"))}
    row["alternates"] = list((row["alternates"] or {}).items())
    return row
