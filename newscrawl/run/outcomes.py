"""What discovery sources, the spider and the pipelines tell the run: entry outcomes and listing sources.

Every entry a listing source (feed, sitemap) lists ends in exactly one outcome. Most outcomes are
counted from Scrapy's own signals (an item scraped is ``new``/``feed_only``, an item dropped with
:class:`OutcomeDropped` is its outcome, an entry request dropped as a duplicate is
``duplicate/same_canonical``, a callback that raised is ``lost/spider_error``); a decision taken
without an item (merged, skipped, lost) is sent with :func:`report_outcome`, the project's one
outcome signal. Nothing else counts, so a new source cannot forget to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from scrapy.exceptions import DropItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

OUTCOMES = ("new", "feed_only", "duplicate", "skipped", "rejected", "lost")
# Outcomes counted per reason; the others take no reason.
REASONED = frozenset({"duplicate", "skipped", "lost"})
# Outcomes listed by URL in the manifest.
LISTED = ("lost", "skipped", "rejected")

# Request meta key marking a request that stands for one entry's outcome (its value: the listing's
# URL). Scrapy signals about such a request (dropped as a duplicate, callback error) count it.
ENTRY_REQUEST = "newscrawl_entry"

# The project's signal for an entry's outcome; receivers get ``outcome`` (an Outcome).
entry_outcome = object()

SourceStatus = Literal["ok", "malformed", "failed"]


@dataclass(frozen=True)
class Outcome:
    """One entry's outcome; ``url`` and ``detail`` say which entry (listed in the manifest)."""

    kind: str
    reason: str | None = None
    url: str | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.kind!r}")
        if (self.kind in REASONED) != (self.reason is not None):
            raise ValueError(f"outcome {self.kind!r} {'needs' if self.kind in REASONED else 'takes no'} reason")


@dataclass(frozen=True)
class ListingSource:
    """One listing document read by the run (a feed, a sitemap): its entries count as seen.

    ``status``: ``ok``; ``malformed`` (read with a ``problem``, the readable entries kept);
    ``failed`` (nothing could be read: ``problem`` says why). ``not_modified``: the server answered
    304 to a conditional request (no entries, and not a failure).
    """

    url: str
    kind: str  # "feed", "robots", "sitemap", "sitemap_index", "contents" (a monthly contents sitemap)
    status: SourceStatus
    http_status: int | None = None
    entries: int = 0
    problem: str | None = None
    not_modified: bool = False
    # Maps a robots.txt or an index named and the run did not read, by reason (off-site, outside
    # /sitemaps/cn/, a month not needed, ...), and contents entries modified before the back-fill's horizon.
    skipped: dict[str, int] = field(default_factory=dict)
    outside_window: int = 0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


class OutcomeDropped(DropItem):
    """A pipeline's DropItem that says which outcome the dropped item's entry has."""

    def __init__(self, outcome: Outcome, message: str, log_level: str | None = None) -> None:
        super().__init__(message, log_level=log_level)
        self.outcome = outcome


def report_outcome(
    crawler: Crawler, kind: str, reason: str | None = None, *, url: str | None = None, detail: str | None = None
) -> None:
    """Send one entry's outcome (raises ValueError at once for an outcome that does not exist)."""
    crawler.signals.send_catch_log(entry_outcome, outcome=Outcome(kind, reason, url, detail))
