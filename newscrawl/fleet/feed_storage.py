"""The dataset file of a process in a fleet: published only while its claims still hold.

Between accepting an article (its claim) and publishing the file, a process may stall longer
than its lease; another process may then have claimed and published the same article. Just
before the rename, the run's claims are extended for the time it takes to record them
(``Publication.before_publishing``); if any was lost, or Redis cannot be reached, the file is
discarded and the run fails: its articles are fetched again later, never published twice.

Scrapy's feed exporter logs a storage's exception with its traceback; a refusal is a decision,
not a crash, so its record is logged without one (the run says why, once).
"""

from __future__ import annotations

import logging
from typing import IO, TYPE_CHECKING, Any

from newscrawl.run.extension import Run
from newscrawl.store.feed_storage import AtomicFileFeedStorage

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class PublicationRefused(OSError):
    """The dataset file was discarded: publishing it could publish articles twice."""


class _RefusalWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PublicationRefused):
            record.exc_info = None
            record.exc_text = None
        return True


logging.getLogger("scrapy.extensions.feedexport").addFilter(_RefusalWithoutTraceback())


class ClaimCheckedFeedStorage(AtomicFileFeedStorage):
    def __init__(self, uri: str, crawler: Crawler, *, feed_options: dict[str, Any] | None = None) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None) -> Self:
        return cls(uri, crawler, feed_options=feed_options)

    def store(self, file: IO[bytes]) -> None:
        problem = Run.of(self.crawler).publication.before_publishing()
        if problem is not None:
            self.target.discard(file)
            raise PublicationRefused(problem)
        super().store(file)
