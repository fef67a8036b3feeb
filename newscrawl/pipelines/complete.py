"""First stage: fill what a record may leave to the pipeline and check what the schema cannot.

The extractors (page objects, the feed-only extractor) return final values: clean text, UTC dates,
canonical URLs. This stage does not clean them again; it fills the ``id`` when a record came
without one and checks that ``url`` is canonical and ``id`` is its hash. A record that fails is
an extractor's bug: it is rejected (rejects file, reason ``inconsistent``), never repaired.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from newscrawl.discovery.urls import canonical_url
from newscrawl.items import Article, article_id, as_record
from newscrawl.pipelines.base import RunPipeline
from newscrawl.run.outcomes import Outcome, OutcomeDropped

logger = logging.getLogger(__name__)


def inconsistencies(item: Article) -> list[dict[str, str]]:
    """The cross-field rules of a final record that its JSON Schema cannot express."""
    errors = []
    if canonical_url(item.url) != item.url:
        errors.append({"field": "url", "message": f"not canonical (canonical: {canonical_url(item.url)})"})
    if item.id != article_id(item.url):
        errors.append({"field": "id", "message": "not the SHA-256 of url"})
    return errors


class CompletePipeline(RunPipeline):
    def process_item(self, item: Article) -> Article:
        if not item.id:
            item = replace(item, id=article_id(item.url))
        errors = inconsistencies(item)
        if not errors:
            return item
        self.run.rejects.write("inconsistent", errors, as_record(item))
        self.stats.inc_value("newscrawl/dropped/inconsistent")
        logger.error("Record %s is inconsistent (an extractor bug): %s", item.url, errors)
        raise OutcomeDropped(
            Outcome("rejected", url=item.url, detail="; ".join(e["field"] for e in errors)),
            f"record {item.url} is inconsistent: {errors}",
        )
