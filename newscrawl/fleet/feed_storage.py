"""The dataset file of a process in a fleet: published only while its claims still hold.

Between accepting an article (its claim) and publishing the file, a process may stall longer
than its lease; another process may then have claimed and published the same article. Just
before the rename, the run's claims are extended for the time it takes to record them
(``Publication.before_publishing``); if any was lost, or Redis cannot be reached, the file is
discarded and the run fails: its articles are fetched again later, never published twice.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from newscrawl.run.extension import Run
from newscrawl.store.feed_storage import AtomicFileFeedStorage

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


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
            raise OSError(problem)
        super().store(file)
