"""Entries merged per article: the decisions the spider reports, the request order, the provenance."""

from __future__ import annotations

from newscrawl.discovery.feeds import FeedEntry
from newscrawl.discovery.listings import Decision, Listings

FEED_A = "https://www.rfi.fr/cn/rss"
FEED_B = "https://feedx.net/rss/rfi.xml"
ARTICLE = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240401-%E6%B5%8B%E8%AF%95"


def entry(feed: str, position: int, link: str | None, **fields: str) -> FeedEntry:
    return FeedEntry(
        feed_url=feed,
        position=position,
        link=link,
        entry_id=fields.get("entry_id"),
        title=fields.get("title"),
        published=fields.get("published"),
    )


def test_entries_pointing_at_one_article_are_merged_and_the_first_source_gives_the_provenance() -> None:
    listings = Listings()
    assert listings.take(1, entry(FEED_B, 0, "https://www.rfi.fr/cn/中国/20240401-测试?xtor=RSS-1")) is None
    merged = listings.take(0, entry(FEED_A, 3, ARTICLE, entry_id=" guid\u3000 1 ", title=" 标题 "))
    assert merged == Decision("duplicate", "merged", url=ARTICLE)
    (listing,) = listings.in_order()
    assert listing.url == ARTICLE
    assert [feed_index for feed_index, _ in listing.entries] == [0, 1]
    assert listing.provenance() == {
        "url": FEED_A,
        "entry_id": "guid 1",
        "entry_title": "标题",
        "entry_published": None,
        "position": 3,
    }


def test_entries_that_start_no_listing_say_why() -> None:
    listings = Listings()
    assert listings.take(0, entry(FEED_A, 4, None)) == Decision("lost", "no_link", detail=f"{FEED_A} entry 4")
    assert listings.take(0, entry(FEED_A, 5, "https://example.com/x")) == Decision(
        "skipped", "offsite", url="https://example.com/x"
    )
    assert listings.take(0, entry(FEED_A, 6, "https://www.rfi.fr/cn/中国/")) == Decision(
        "skipped", "not_article_url", url="https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/"
    )
    assert len(listings) == 0


def test_articles_are_requested_in_source_order_then_position() -> None:
    listings = Listings()
    urls = [f"{ARTICLE}-{n}" for n in range(3)]
    listings.take(1, entry(FEED_B, 0, urls[0]))
    listings.take(0, entry(FEED_A, 2, urls[1]))
    listings.take(0, entry(FEED_A, 1, urls[2]))
    assert [listing.url for listing in listings.in_order()] == [urls[2], urls[1], urls[0]]
