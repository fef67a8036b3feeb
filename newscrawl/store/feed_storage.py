"""A feed storage that publishes a run's dataset file atomically (for Scrapy's FEEDS)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from w3lib.url import file_uri_to_path

from newscrawl.store.atomic import AtomicFile

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class AtomicFileFeedStorage:
    """Writes to ``<file>.part``, then fsync and rename: the ``.jsonl`` is complete or absent.

    Scrapy's FileFeedStorage appends to the final path directly, so a crash leaves a partial
    file that looks finished. ``published_path`` tells the run manager that the file really
    was stored (``feed_slot_closed`` fires even when storing failed).
    """

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        path = file_uri_to_path(uri) if uri.startswith("file://") else uri
        self.target = AtomicFile(Path(path))
        self.published_path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None) -> Self:
        return cls(uri, feed_options=feed_options)

    def open(self, spider: Spider) -> IO[bytes]:
        return self.target.open()

    def store(self, file: IO[bytes]) -> None:
        try:
            self.published_path = self.target.publish(file)
        except OSError:
            self.target.discard(file)
            raise
