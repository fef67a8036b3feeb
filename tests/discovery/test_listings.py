"""Entries merged per article: the decisions the spider reports, the request order, the provenance."""

from __future__ import annotations

from newscrawl.discovery.feeds import FeedEntry
from newscrawl.discovery.listings import Decision, Listings
from newscrawl.discovery.sitemap_walk import feed_order
from newscrawl.discovery.sitemaps import SitemapEntry

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
    assert listings.take(feed_order(1), entry(FEED_B, 0, "https://www.rfi.fr/cn/中国/20240401-测试?xtor=RSS-1")) is None
    merged = listings.take(feed_order(0), entry(FEED_A, 3, ARTICLE, entry_id=" guid\u3000 1 ", title=" 标题 "))
    assert merged == Decision("duplicate", "merged", url=ARTICLE)
    (listing,) = listings.in_order()
    assert listing.url == ARTICLE
    assert [order for order, _ in listing.entries] == [feed_order(0), feed_order(1)]
    assert listing.provenance() == {
        "url": FEED_A,
        "entry_id": "guid 1",
        "entry_title": "标题",
        "entry_published": None,
        "position": 3,
    }


def test_entries_that_start_no_listing_say_why() -> None:
    listings = Listings()
    assert listings.take(feed_order(0), entry(FEED_A, 4, None)) == Decision(
        "lost", "no_link", detail=f"{FEED_A} entry 4"
    )
    assert listings.take(feed_order(0), entry(FEED_A, 5, "https://example.com/x")) == Decision(
        "skipped", "offsite", url="https://example.com/x"
    )
    assert listings.take(feed_order(0), entry(FEED_A, 6, "https://www.rfi.fr/cn/中国/")) == Decision(
        "skipped", "not_article_url", url="https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/"
    )
    assert len(listings) == 0


def test_articles_are_requested_in_source_order_then_position() -> None:
    listings = Listings()
    urls = [f"{ARTICLE}-{n}" for n in range(3)]
    listings.take(feed_order(1), entry(FEED_B, 0, urls[0]))
    listings.take(feed_order(0), entry(FEED_A, 2, urls[1]))
    listings.take(feed_order(0), entry(FEED_A, 1, urls[2]))
    assert [listing.url for listing in listings.in_order()] == [urls[2], urls[1], urls[0]]


NEWS = "https://www.rfi.fr/sitemaps/cn/news.xml"


def sitemap_entry(position: int, loc: str | None, **fields: str) -> SitemapEntry:
    return SitemapEntry(
        sitemap_url=NEWS,
        position=position,
        loc=loc,
        lastmod=fields.get("lastmod"),
        title=fields.get("title"),
        published=fields.get("published"),
    )


def test_a_sitemap_entry_gives_provenance_only_when_no_feed_lists_the_article() -> None:
    listings = Listings()
    assert (
        listings.take((1, 0), sitemap_entry(2, ARTICLE, title=" 新闻\u3000标题 ", lastmod="2024-04-01T09:00:00Z"))
        is None
    )
    (listing,) = listings.in_order()
    assert listing.provenance() == {
        "url": NEWS,
        "entry_id": None,
        "entry_title": "新闻 标题",
        "entry_published": "2024-04-01T09:00:00Z",
        "position": 2,
    }
    assert listing.feed_entries() == []
    feed = entry(FEED_B, 7, ARTICLE, entry_id="g")
    assert listings.take(feed_order(5), feed) == Decision("duplicate", "merged", url=ARTICLE)
    assert listing.provenance()["url"] == FEED_B
    assert listing.feed_entries() == [feed]


def test_sitemap_provenance_dates_and_bad_entries() -> None:
    listings = Listings()
    listings.take((1, 0), sitemap_entry(0, ARTICLE, published="2024-04-01T08:00:00Z", lastmod="2024-04-02T00:00:00Z"))
    listings.take((1, 0), sitemap_entry(1, ARTICLE + "-2", lastmod="2024-04-02"))
    first, second = listings.in_order()
    assert first.provenance()["entry_published"] == "2024-04-01T08:00:00Z", "news:publication_date first"
    assert second.provenance()["entry_published"] is None, "a bare day is not a time"
    assert listings.take((1, 0), sitemap_entry(4, None)) == Decision("lost", "no_link", detail=f"{NEWS} entry 4")
    assert listings.take((1, 0), sitemap_entry(5, "https://www.rfi.fr/tw/x/20240401-y")) == Decision(
        "skipped", "other_edition", url="https://www.rfi.fr/tw/x/20240401-y"
    )
