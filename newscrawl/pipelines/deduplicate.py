"""Last stage: drop a record whose canonical URL an earlier run published or this run already claimed.

A revision (a revisit's new version or tombstone) is an article already published by definition:
it passes (one revisit per article and run, so (id, version) stays unique).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newscrawl.pipelines.base import RunPipeline
from newscrawl.run.outcomes import Outcome, OutcomeDropped
from newscrawl.run.revisits import is_revision
from newscrawl.store.backend import StoreUnavailable

if TYPE_CHECKING:
    from newscrawl.items import Article


class DeduplicatePipeline(RunPipeline):
    def process_item(self, item: Article) -> Article:
        if is_revision(item):
            return item
        try:
            duplicate = self.run.publication.claim(item.url)
        except StoreUnavailable as error:  # a shared seen-store (Redis) lost: the run stops, this is not published
            raise OutcomeDropped(
                Outcome("lost", "shared_state_lost", url=item.url),
                f"not published ({error}): {item.url}",
                log_level="DEBUG",
            ) from None
        if duplicate is not None:
            self.stats.inc_value("newscrawl/dropped/duplicate")
            raise OutcomeDropped(
                Outcome("duplicate", duplicate, url=item.url), f"duplicate ({duplicate}): {item.url}", log_level="INFO"
            )
        return item
