"""Item pipelines: normalise → validate (schema) → de-duplicate. Storage is Scrapy's FEEDS.

Each pipeline has one job, is built in ``from_crawler`` and counts what it does. Records that
fail validation go to ``rejects/`` through their own writer (a dropped item never reaches FEEDS).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import IO, TYPE_CHECKING, Any

from newscrawl.extract.normalize import normalize_article
from newscrawl.items import Article
from newscrawl.run.extension import Run
from newscrawl.run.outcomes import Outcome, OutcomeDropped
from newscrawl.schema import record_validator
from newscrawl.store.atomic import AtomicFile

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


def _stats_of(crawler: Crawler) -> StatsCollector:
    assert crawler.stats is not None
    return crawler.stats


class RunPipeline:
    """Base of the pipelines: built from the crawler, counting in its stats and its run."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = _stats_of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self, spider: Spider) -> None:
        self.run = Run.of(self.crawler)


class NormalizePipeline(RunPipeline):
    """Unicode NFC, whitespace, title suffixes, author/tag lists, date format, id from the URL."""

    def process_item(self, item: Article) -> Article:
        normalized = normalize_article(item)
        self.stats.inc_value("newscrawl/pipeline/normalized")
        return normalized


class ValidatePipeline(RunPipeline):
    """Checks every record against the shipped JSON Schema (formats enforced); rejects go to a file."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.validator = record_validator()
        self._target: AtomicFile | None = None
        self._file: IO[bytes] | None = None

    def process_item(self, item: Article) -> Article:
        record = asdict(item)
        errors = sorted(self.validator.iter_errors(record), key=lambda e: list(e.absolute_path))
        if not errors:
            return item
        problems = [
            {"field": ".".join(str(p) for p in error.absolute_path) or "(record)", "message": error.message}
            for error in errors
        ]
        self._write_reject({"reason": "schema", "errors": problems, "record": record})
        self.stats.inc_value("newscrawl/dropped/invalid")
        raise OutcomeDropped(
            Outcome("rejected", url=item.url, detail="; ".join(p["field"] for p in problems)),
            f"record {item.url} fails the schema: {problems}",
        )

    def _write_reject(self, reject: dict[str, Any]) -> None:
        if self._file is None:
            self._target = AtomicFile(self.run.identity.rejects_path())
            self._file = self._target.open()
        self._file.write(json.dumps(reject, ensure_ascii=False).encode("utf-8") + b"\n")

    def close_spider(self, spider: Spider) -> None:
        if self._file is None or self._target is None:
            return
        path = self._target.publish(self._file)
        self.run.record_rejects(path)
        logger.warning("Rejected records written to %s", path)


class DeduplicatePipeline(RunPipeline):
    """Drops a record whose canonical URL was published by an earlier run or already in this one."""

    def process_item(self, item: Article) -> Article:
        duplicate = self.run.publication.claim(item.url)
        if duplicate is not None:
            self.stats.inc_value("newscrawl/dropped/duplicate")
            raise OutcomeDropped(
                Outcome("duplicate", duplicate, url=item.url), f"duplicate ({duplicate}): {item.url}", log_level="INFO"
            )
        return item
