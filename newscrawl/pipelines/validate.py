"""Second stage: every record against the shipped JSON Schema (formats enforced); rejects go to a file."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from newscrawl.items import as_record
from newscrawl.pipelines.base import RunPipeline
from newscrawl.run.outcomes import Outcome, OutcomeDropped
from newscrawl.schema import record_check, record_validator

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from scrapy.crawler import Crawler

    from newscrawl.items import Article


class ValidatePipeline(RunPipeline):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.passes = record_check()

    @cached_property
    def validator(self) -> Draft202012Validator:
        """jsonschema, built for the first record that fails the fast check: it lists every error."""
        return record_validator()

    def process_item(self, item: Article) -> Article:
        record = as_record(item)
        if self.passes(record):
            return item
        errors = sorted(self.validator.iter_errors(record), key=lambda e: list(e.absolute_path))
        if not errors:  # stricter than jsonschema on a final newline (newscrawl.schema): jsonschema decides
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
