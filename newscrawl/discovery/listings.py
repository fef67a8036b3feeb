"""Entries of every listing source merged per article (pure): one ``Listing`` per canonical URL.

Several entries (in several feeds and sitemaps, under an old and a new link) may point at one
article; they are merged before the page is requested, so that the full text of any of them can
rescue the article and the record's provenance is the first source that listed it: feeds before
sitemaps, each in configuration order (``discovery.sitemap_walk.SourceOrder``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from newscrawl.discovery.feeds import FeedEntry
from newscrawl.discovery.sitemaps import SitemapEntry
from newscrawl.discovery.urls import canonical_url, classify
from newscrawl.extract.text import clean_text

if TYPE_CHECKING:
    from newscrawl.discovery.sitemap_walk import SourceOrder
    from newscrawl.items import FeedProvenance

ListedEntry = FeedEntry | SitemapEntry


def listed_by(entry: ListedEntry) -> str:
    """The URL of the listing (feed or sitemap) the entry is in."""
    return entry.feed_url if isinstance(entry, FeedEntry) else entry.sitemap_url


def changed_at(entry: ListedEntry) -> str | None:
    """When the listing says the article last changed: a feed entry's updated date, a sitemap's
    ``<lastmod>`` (either as written when it cannot be read, for the revisits to count)."""
    if isinstance(entry, FeedEntry):
        return entry.updated
    return entry.lastmod or entry.unreadable_lastmod


def link_of(entry: ListedEntry) -> str | None:
    return entry.link if isinstance(entry, FeedEntry) else entry.loc


@dataclass
class Listing:
    """One article to fetch: its canonical URL and every listed entry that points at it."""

    url: str
    entries: list[tuple[SourceOrder, ListedEntry]] = field(default_factory=list)  # (source order, entry), in order

    def add(self, order: SourceOrder, entry: ListedEntry) -> None:
        self.entries.append((order, entry))
        self.entries.sort(key=lambda pair: (pair[0], pair[1].position))

    @property
    def first(self) -> ListedEntry:
        return self.entries[0][1]

    def order(self) -> tuple[SourceOrder, int]:
        """Sources' order, then position in the source: the order articles are requested in."""
        return self.entries[0][0], self.first.position

    def feed_entries(self) -> list[FeedEntry]:
        """The feed entries, in order (only feeds can carry an article's full text)."""
        return [entry for _, entry in self.entries if isinstance(entry, FeedEntry)]

    def provenance(self) -> FeedProvenance:
        entry = self.first
        if isinstance(entry, FeedEntry):
            return {
                "url": entry.feed_url,
                "entry_id": clean_text(entry.entry_id),
                "entry_title": clean_text(entry.title),
                "entry_published": entry.published,
                "position": entry.position,
            }
        return {
            "url": entry.sitemap_url,
            "entry_id": None,
            "entry_title": clean_text(entry.title),
            "entry_published": entry.listed_at,
            "position": entry.position,
        }


class Decision(NamedTuple):
    """What became of an entry that starts no listing of its own (an outcome and its reason)."""

    outcome: str  # "lost" | "skipped" | "duplicate"
    reason: str
    url: str | None = None
    detail: str | None = None


class Listings:
    def __init__(self) -> None:
        self._by_url: dict[str, Listing] = {}

    def take(self, order: SourceOrder, entry: ListedEntry) -> Decision | None:
        """Merge one entry; None when it starts a new listing, else what became of it."""
        link = link_of(entry)
        if not link:
            return Decision("lost", "no_link", detail=f"{listed_by(entry)} entry {entry.position}")
        url = canonical_url(link)
        kind = classify(url) if url else "offsite"
        if url is None or kind not in ("article", "maybe_article"):
            return Decision("skipped", kind, url=url or link)
        listing = self._by_url.get(url)
        decision = None
        if listing is None:
            self._by_url[url] = listing = Listing(url)
        else:
            decision = Decision("duplicate", "merged", url=url)
        listing.add(order, entry)
        return decision

    def __len__(self) -> int:
        return len(self._by_url)

    def in_order(self) -> list[Listing]:
        return sorted(self._by_url.values(), key=Listing.order)
