"""Which sitemap documents a run reads, and their provenance order."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from newscrawl.discovery.backfill import BackfillPlan
from newscrawl.discovery.sitemap_walk import MapToRead, SitemapWalk, feed_order
from newscrawl.discovery.sitemaps import EditionMaps, Month

ROBOTS = "https://www.rfi.fr/robots.txt"
NEWS = "https://www.rfi.fr/sitemaps/cn/news.xml"
INDEX = "https://www.rfi.fr/sitemaps/cn/index.xml"
MARCH, APRIL, MAY = Month(2024, 3), Month(2024, 4), Month(2024, 5)
PLAN = BackfillPlan("catch_up", datetime(2024, 3, 20, tzinfo=UTC), (MARCH, APRIL), bounded=False)


def contents(month: Month) -> str:
    return f"https://www.rfi.fr/sitemaps/cn/contents_{month.year}{month.month:02d}.xml"


def known(url: str) -> str | None:
    """What an earlier run found each URL to be: the index an index, the rest url sets."""
    return "sitemapindex" if url == INDEX else "urlset"


def maps(*urls: str, months: tuple[Month, ...] = ()) -> EditionMaps:
    return EditionMaps(maps=list(urls), months={month: contents(month) for month in months}, skipped=Counter())


def test_configured_urls_come_first_in_their_order_after_every_feed() -> None:
    walk = SitemapWalk([NEWS, ROBOTS], None, lambda url: None)
    assert walk.start() == [MapToRead(NEWS, (1, 0), "listed"), MapToRead(ROBOTS, (1, 1), "robots")]
    assert feed_order(99) < (1, 0) < (1, 0, 5) < (1, 1)


def test_robots_maps_are_read_once_and_rank_right_after_robots() -> None:
    walk = SitemapWalk([NEWS, ROBOTS], PLAN, lambda url: None)
    news, robots = walk.start()
    named = walk.named(robots, maps(NEWS, INDEX, months=(APRIL, MAY)))
    assert named == [MapToRead(INDEX, (1, 1, 1), "listed"), MapToRead(contents(APRIL), (1, 1, 2), "month", APRIL)]
    assert news.order < named[0].order


def test_anknown_from_an_earlier_run_is_read_only_for_a_back_fill() -> None:
    robots = MapToRead(ROBOTS, (1, 1), "robots")
    assert SitemapWalk([ROBOTS], None, known).named(robots, maps(NEWS, INDEX)) == [MapToRead(NEWS, (1, 1, 0), "listed")]
    assert [m.url for m in SitemapWalk([ROBOTS], PLAN, known).named(robots, maps(NEWS, INDEX))] == [NEWS, INDEX]
    assert [m.url for m in SitemapWalk([ROBOTS], None, lambda url: None).named(robots, maps(NEWS, INDEX))] == [
        NEWS,
        INDEX,
    ]


def test_only_the_plans_months_are_read_first_map_of_a_month_wins_and_missing_ones_are_named() -> None:
    walk = SitemapWalk([ROBOTS], PLAN, lambda url: None)
    index = MapToRead(INDEX, (1, 0, 0), "listed")
    first = walk.named(index, maps(months=(Month(2024, 2), MAY, APRIL)))
    assert first == [MapToRead(contents(APRIL), (1, 0, 0, 2), "month", APRIL, named_by=INDEX)]
    other_index = MapToRead("https://www.rfi.fr/sitemaps/cn/index2.xml", (1, 0, 1), "listed")
    again = EditionMaps(months={APRIL: "https://www.rfi.fr/sitemaps/cn/contents_202404.xml.gz"})
    assert walk.named(other_index, again) == []
    assert walk.missing_months() == [MARCH]


def test_without_a_plan_no_month_is_read() -> None:
    walk = SitemapWalk([ROBOTS], None, lambda url: None)
    robots = MapToRead(ROBOTS, (1, 0), "robots")
    assert walk.named(robots, maps(months=(MARCH, APRIL))) == []
    assert walk.missing_months() == []


def test_watched_months_are_read_every_run_with_their_index_and_without_a_plan() -> None:
    walk = SitemapWalk([ROBOTS], None, known, watched=(MARCH, APRIL))
    robots = MapToRead(ROBOTS, (1, 0), "robots")
    assert [m.url for m in walk.named(robots, maps(NEWS, INDEX))] == [NEWS, INDEX]
    index = MapToRead(INDEX, (1, 0, 1), "listed")
    assert [m.month for m in walk.named(index, maps(months=(Month(2024, 2), MARCH, APRIL)))] == [MARCH, APRIL]
    assert walk.missing_months() == []


def test_an_index_whose_remembered_maps_name_every_watched_month_is_not_requested() -> None:
    walk = SitemapWalk([ROBOTS], None, known, (MARCH, APRIL), lambda url: maps(months=(MARCH, APRIL)))
    robots = MapToRead(ROBOTS, (1, 0), "robots")
    named = walk.named(robots, maps(NEWS, INDEX))
    assert named == [
        MapToRead(NEWS, (1, 0, 0), "listed"),
        MapToRead(contents(MARCH), (1, 0, 1, 0), "month", MARCH, named_by=INDEX),
        MapToRead(contents(APRIL), (1, 0, 1, 1), "month", APRIL, named_by=INDEX),
    ]
    assert walk.remembered == [INDEX]
    assert walk.named(robots, maps(INDEX)) == [], "nothing twice"


def test_an_index_is_requested_when_its_remembered_maps_miss_a_watched_month_or_for_a_back_fill() -> None:
    robots = MapToRead(ROBOTS, (1, 0), "robots")
    only_march = SitemapWalk([ROBOTS], None, known, (MARCH, APRIL), lambda url: maps(months=(MARCH,)))
    assert [m.url for m in only_march.named(robots, maps(INDEX))] == [INDEX]
    forgotten = SitemapWalk([ROBOTS], None, lambda url: None, (APRIL,), lambda url: None)  # kind and maps gone
    assert [m.url for m in forgotten.named(robots, maps(INDEX))] == [INDEX]
    back_fill = SitemapWalk([ROBOTS], PLAN, known, (APRIL,), lambda url: maps(months=(MARCH, APRIL)))
    assert [m.url for m in back_fill.named(robots, maps(INDEX))] == [INDEX]
    assert only_march.remembered == forgotten.remembered == back_fill.remembered == []


def test_months_named_by_an_index_that_was_read_know_their_index_and_robots_months_do_not() -> None:
    walk = SitemapWalk([ROBOTS], None, lambda url: None, (APRIL,))
    index = MapToRead(INDEX, (1, 0, 1), "listed")
    assert [m.named_by for m in walk.named(index, maps(months=(APRIL,)))] == [INDEX]
    walk = SitemapWalk([ROBOTS], None, lambda url: None, (APRIL,))
    assert [m.named_by for m in walk.named(MapToRead(ROBOTS, (1, 0), "robots"), maps(months=(APRIL,)))] == [None]


def test_without_months_to_watch_a_known_index_is_neither_requested_nor_remembered() -> None:
    walk = SitemapWalk([ROBOTS], None, known, (), lambda url: maps(months=(MARCH, APRIL)))
    assert walk.named(MapToRead(ROBOTS, (1, 0), "robots"), maps(NEWS, INDEX)) == [MapToRead(NEWS, (1, 0, 0), "listed")]
    assert walk.remembered == []


def test_a_month_robots_txt_names_itself_wins_over_the_same_month_of_an_index_read_or_remembered() -> None:
    own_april = "https://www.rfi.fr/sitemaps/cn/contents_202404.xml.gz"
    robots = MapToRead(ROBOTS, (1, 0), "robots")
    named_by_robots = EditionMaps(maps=[INDEX], months={APRIL: own_april})
    remembered = SitemapWalk([ROBOTS], None, known, (APRIL,), lambda url: maps(months=(APRIL,)))
    assert remembered.named(robots, named_by_robots) == [MapToRead(own_april, (1, 0, 1), "month", APRIL)]
    read = SitemapWalk([ROBOTS], None, lambda url: None, (APRIL,))
    assert read.named(robots, named_by_robots) == [
        MapToRead(INDEX, (1, 0, 0), "listed"),
        MapToRead(own_april, (1, 0, 1), "month", APRIL),
    ]
    assert read.named(MapToRead(INDEX, (1, 0, 0), "listed"), maps(months=(APRIL,))) == []
