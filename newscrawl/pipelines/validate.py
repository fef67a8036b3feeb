"""Second stage: every record against the shipped JSON Schema (formats enforced); rejects go to a file."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from newscrawl.pipelines.base import RunPipeline
from newscrawl.run.outcomes import Outcome, OutcomeDropped
from newscrawl.schema import record_validator

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newscrawl.items import Article


class ValidatePipeline(RunPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.validator = record_validator()

    def process_item(self, item: Article) -> Article:
        record = asdict(item)
        errors = sorted(self.validator.iter_errors(record), key=lambda e: list(e.absolute_path))
        if not errors:
            return item
        problems = [
            {"field": ".".join(str(p) for p in error.absolute_path) or "(record)", "message": error.message}
            for error in errors
        ]
        self.run.rejects.write("schema", problems, record)
        self.stats.inc_value("newscrawl/dropped/invalid")
        raise OutcomeDropped(
            Outcome("rejected", url=item.url, detail="; ".join(p["field"] for p in problems)),
            f"record {item.url} fails the schema: {problems}",
        )
