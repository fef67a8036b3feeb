"""Which URLs this run publishes, committed to the seen-store only once the dataset file is stored.

The de-duplication pipeline claims each record's canonical URL; the spider notes the feed links
(aliases) that led to an article. Both reach the seen-store in one transaction after the run's
dataset file was renamed into place, so an article fetched by a run that died (or whose file
could not be stored) is fetched again by the next run.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from newscrawl.extract.text import counted
from newscrawl.run.clock import RunClock

if TYPE_CHECKING:
    from newscrawl.store.seen import SeenStore

logger = logging.getLogger(__name__)


class Publication:
    def __init__(self, run_id: str, clock: RunClock | None = None) -> None:
        self.run_id = run_id
        self.clock = clock or RunClock()
        self.store: SeenStore | None = None
        self.claimed: set[str] = set()
        self.aliases: dict[str, set[str]] = {}  # article URL -> feed links that led to it
        self.dataset: str | None = None  # the published dataset file, relative to the spider's folder

    def open(self, store: SeenStore) -> None:
        self.store = store

    def is_published(self, url: str) -> bool:
        """Whether an earlier run published ``url`` (an article URL or a link that led to one)."""
        return self.store is not None and url in self.store

    def claim(self, url: str) -> str | None:
        """Claim ``url`` for this run; the duplicate reason when it cannot be claimed."""
        if url in self.claimed:
            return "same_canonical"
        if self.is_published(url):
            return "already_stored"
        self.claimed.add(url)
        return None

    def note_alias(self, alias: str, article_url: str) -> None:
        """Remember a link that led to ``article_url``, so later runs do not fetch it again."""
        if alias != article_url:
            self.aliases.setdefault(article_url, set()).add(alias)

    def dataset_stored(self, relative_path: str) -> None:
        """The dataset file is in place: the claimed URLs and their aliases are published."""
        assert self.store is not None
        self.dataset = relative_path
        rows = [(url, url) for url in self.claimed]
        rows += [(alias, url) for url, aliases in self.aliases.items() if url in self.claimed for alias in aliases]
        added = self.store.add(rows, self.run_id, self.clock.stamp())
        logger.info("Seen-store: %s recorded as published", counted(added, "URL"))

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
