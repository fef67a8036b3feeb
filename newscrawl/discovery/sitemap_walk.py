"""Which sitemap documents a run reads, and in which provenance order (pure).

A run starts from the configured URLs (``NEWSCRAWL_SITEMAPS``): sitemaps, and robots.txt files
whose ``Sitemap:`` lines name more. Maps named by robots.txt are read every run, except a map an
earlier run found to be an index; an index is followed only for its monthly contents maps, and a
monthly map only when the back-fill plan needs its month or its month is watched (its articles
are still on the revisit schedule: the map's lastmods and absences are revisit signals).

A known index is requested when the run has a back-fill to do, or months to watch that the maps
it named at its last read (kept by the last finished run) do not all name (a new month has
begun). Otherwise it is not requested: the watched months' maps are read as it named them (and
none without months to watch). One of those maps that is gone (404, 410) or is not a readable map
makes the spider forget the index's state, so the run after reads it again (the map may have moved).
A month named by a robots.txt itself wins over the same month of an index, read or remembered.
Nothing is read twice, and the walk is at most three deep (robots.txt → index → month).

Provenance order: every sitemap ranks after every feed; among sitemaps, configured ones in their
order, each map named by a document right after that document, in listed order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from newscrawl.discovery.backfill import BackfillPlan
    from newscrawl.discovery.sitemaps import EditionMaps, Month

SourceOrder = tuple[int, ...]
FEEDS_ORDER = 0  # first element of a feed's SourceOrder
SITEMAPS_ORDER = 1  # first element of a sitemap's SourceOrder
INDEX_KIND = "sitemapindex"

MapRole = Literal["robots", "listed", "month"]


def feed_order(index: int) -> SourceOrder:
    return (FEEDS_ORDER, index)


@dataclass(frozen=True)
class MapToRead:
    url: str  # canonical www.rfi.fr URL
    order: SourceOrder
    role: MapRole  # robots.txt; a map read every run (news, index); a monthly contents map
    month: Month | None = None
    named_by: str | None = None  # a monthly map's index, read or remembered


@dataclass
class SitemapWalk:
    configured: Sequence[str]
    plan: BackfillPlan | None
    known_kind: Callable[[str], str | None]  # what an earlier run found a URL to be
    watched: tuple[Month, ...] = ()  # months whose contents maps are read every run (revisits)
    remembered_maps: Callable[[str], EditionMaps | None] = lambda url: None  # an index's maps at its last read
    remembered: list[str] = field(default_factory=list)  # indexes not requested: their remembered maps were
    _queued: set[str] = field(default_factory=set)
    _months: dict[Month, MapToRead] = field(default_factory=dict)

    def start(self) -> list[MapToRead]:
        return [self._queue(url, (SITEMAPS_ORDER, index)) for index, url in enumerate(self.configured)]

    def named(self, parent: MapToRead, maps: EditionMaps) -> list[MapToRead]:
        """The maps to read among those a robots.txt or an index named (not read yet, needed)."""
        # The parent's own months first: they win over the same months of an index it names,
        # whether that index is read or remembered.
        months = []
        named_by = parent.url if parent.role == "listed" else None
        for position, (month, url) in enumerate(maps.months.items(), len(maps.maps)):
            if month in self._months or url in self._queued:
                continue
            self._months[month] = read = MapToRead(url, (*parent.order, position), "month", month, named_by)
            if month in self.watched or (self.plan is not None and month in self.plan.months):
                self._queued.add(url)
                months.append(read)
        found = []
        for position, url in enumerate(maps.maps):
            if url in self._queued:
                continue
            order = (*parent.order, position)
            if self.plan is None and self.known_kind(url) == INDEX_KIND:
                if not self.watched:
                    continue  # nothing to read it for
                remembered = self.remembered_maps(url)
                if remembered is not None and all(month in remembered.months for month in self.watched):
                    self._queued.add(url)
                    self.remembered.append(url)
                    found.extend(self.named(MapToRead(url, order, "listed"), remembered))
                    continue
            found.append(self._queue(url, order))
        return found + months

    def missing_months(self) -> list[Month]:
        """The months the plan needs that no robots.txt or index named a map for."""
        return [month for month in self.plan.months if month not in self._months] if self.plan else []

    def _queue(self, url: str, order: SourceOrder) -> MapToRead:
        self._queued.add(url)
        role: MapRole = "robots" if urlsplit(url).path == "/robots.txt" else "listed"
        return MapToRead(url, order, role)
