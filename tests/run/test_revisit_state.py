"""One run's revisit state on its own: a data dir from before revisits, a complete listing's signals."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newscrawl.discovery.revisits import RevisitPolicy
from newscrawl.items import Article, PageContent
from newscrawl.run.revisits import Revisits
from newscrawl.store.versions import ArticleState, VersionStore
from tests.run.test_revisit_runs import recipe

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

URL = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240401-"


def v1(n: int) -> dict[str, Any]:
    article = Article.from_content(
        PageContent(URL + str(n), title=f"标题{n}", body="正文。"), fetched_at="2024-04-01T09:00:00Z"
    )
    record = {k: v for k, v in asdict(article).items() if k not in ("version", "content_hash", "first_seen", "status")}
    return {**record, "schema_version": 1}


def test_an_empty_version_store_adopts_the_latest_record_of_each_article(tmp_path: Path) -> None:
    root = tmp_path / "rfi_cn"
    for day, name, records in [
        ("2024-04-01", "r1", [v1(1), v1(2)]),
        ("2024-04-02", "r2", [{**v1(1), "schema_version": 2, "version": 2, "title": "新标题",
                               "content_hash": "f" * 64, "first_seen": "2024-04-01T09:00:00Z", "status": "live",
                               "fetched_at": "2024-04-02T09:00:00Z"}]),
    ]:  # fmt: skip
        (root / "articles" / day).mkdir(parents=True)
        (root / "articles" / day / f"{name}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
        )
    stats = MemoryStatsCollector(get_crawler())
    policy = RevisitPolicy.from_settings(Settings())
    revisits = Revisits(stats, policy, datetime(2024, 4, 3, tzinfo=UTC), root)
    revisits.open(VersionStore(root / "versions.sqlite3"))
    one, two = revisits.state(URL + "1"), revisits.state(URL + "2")
    assert one is not None
    assert two is not None
    assert (one.version, one.record_file, one.content_hash) == (2, "articles/2024-04-02/r2.jsonl", "f" * 64)
    assert (two.version, two.status, two.first_seen, two.checked_at) == (1, "live", "2024-04-01T09:00:00Z",
                                                                          "2024-04-01T09:00:00Z")  # fmt: skip
    assert two.content_hash == recipe(v1(2))
    revisits.close()
    again = Revisits(stats, policy, datetime(2024, 4, 3, tzinfo=UTC), root)
    (root / "articles" / "2024-04-01" / "r1.jsonl").unlink()
    again.open(VersionStore(root / "versions.sqlite3"))
    assert again.state(URL + "2") == two, "adopted once: a store with rows is not rebuilt"
    again.close()


def test_an_article_a_complete_listing_drops_is_revisited_once(tmp_path: Path) -> None:
    """Run 1 publishes it; run 2's news sitemap lists it; run 3's does not (its span still covers the
    article): due; run 4 (after run 3 answered) still does not: nothing more."""
    root = tmp_path / "rfi_cn"
    store = VersionStore(root / "versions.sqlite3")
    url = URL + "1"
    published = "2024-04-01T08:00:00Z"
    store.put([ArticleState(url=url, version=1, content_hash="a" * 64, status="live", first_seen=published,
                            published=published, fetched_at=published, record_file=None, feed=None,
                            checked_at="2024-04-01T08:15:00Z")])  # fmt: skip
    policy = RevisitPolicy.from_settings(Settings({"NEWSCRAWL_REVISIT_AGES": ""}))
    stats = MemoryStatsCollector(get_crawler())

    def run(minute: int, listed: set[str]) -> Revisits:
        revisits = Revisits(stats, policy, datetime(2024, 4, 1, 8, minute, tzinfo=UTC), root)
        revisits.store = store
        revisits.note_complete_listing(listed, "2024-04-01T07:00:00Z", "2024-04-01T09:00:00Z")
        return revisits

    two = run(30, {url})
    assert two.plan() == []
    two.commit(None)
    three = run(45, {URL + "2"})
    (ticket,) = three.plan()
    assert (ticket.url, ticket.due.reason) == (url, "signal")
    three.not_modified(ticket, HtmlResponse(url, status=304))
    three.commit(None)
    four = run(59, set())
    assert four.plan() == []
    store.close()


def opened_runs(root: Path, store: VersionStore, settings: dict[str, str]) -> Callable[[datetime], Revisits]:
    """Successive runs' revisits over one version store, each opened at its own time."""
    policy = RevisitPolicy.from_settings(Settings(settings))
    stats = MemoryStatsCollector(get_crawler())

    def run(now: datetime) -> Revisits:
        revisits = Revisits(stats, policy, now, root)
        revisits.open(store)
        return revisits

    return run


def test_a_new_articles_page_found_gone_is_a_removal_to_confirm(tmp_path: Path) -> None:
    """A new article whose page answered 410 (its record made from a feed's full text): that run is the
    first sighting of the removal; the first run CONFIRM_AFTER (6 h) later revisits it to confirm."""
    root = tmp_path / "rfi_cn"
    store = VersionStore(root / "versions.sqlite3")
    runs = opened_runs(root, store, {})

    def run(hour: int) -> Revisits:
        return runs(datetime(2024, 4, 1, hour, tzinfo=UTC))

    first = run(12)
    gone = Article.from_content(
        PageContent(URL + "1", title="标题", body="正文。", published="2024-03-01T08:00:00Z"),
        content_source="feed",
        fetched_at="2024-04-01T12:00:00Z",
    )
    kept = Article.from_content(
        PageContent(URL + "2", title="标题", body="正文。", published="2024-03-01T08:00:00Z"),
        fetched_at="2024-04-01T12:00:00Z",
    )
    first.gone_at_first_fetch(gone.url, "http_410")
    first.item_scraped(gone)
    first.item_scraped(kept)
    first.commit("articles/2024-04-01/r1.jsonl")
    state = store.get(gone.url)
    assert state is not None
    assert (state.gone_since, state.gone_reason) == ("2024-04-01T12:00:00Z", "http_410")
    assert store.get(kept.url).gone_since is None  # type: ignore[union-attr]
    assert run(17).plan() == [], "not before CONFIRM_AFTER"
    (ticket,) = run(18).plan()
    assert (ticket.url, ticket.due.reason) == (gone.url, "confirm_removal")
    store.close()


def test_a_new_article_a_complete_listing_lists_is_due_when_the_next_one_drops_it(tmp_path: Path) -> None:
    """The run that publishes an article read it in the news sitemap; the next one gets a 304 for it
    (nothing read); the one after reads it without the article: due at once (a removal shows so)."""
    root = tmp_path / "rfi_cn"
    store = VersionStore(root / "versions.sqlite3")
    runs = opened_runs(root, store, {"NEWSCRAWL_REVISIT_AGES": ""})
    span = ("2024-04-01T00:00:00Z", "2024-04-01T23:59:59Z")

    def run(minute: int) -> Revisits:
        return runs(datetime(2024, 4, 1, 8, minute, tzinfo=UTC))

    first = run(15)
    article = Article.from_content(
        PageContent(URL + "1", title="标题", body="正文。", published="2024-04-01T08:05:00Z"),
        fetched_at="2024-04-01T08:15:00Z",
    )
    first.note_complete_listing({article.url}, *span)
    first.item_scraped(article)
    first.commit("articles/2024-04-01/r1.jsonl")
    assert run(30).plan() == [], "the news sitemap answered 304: nothing new"
    third = run(45)
    third.note_complete_listing(set(), *span)
    (ticket,) = third.plan()
    assert (ticket.url, ticket.due.reason) == (article.url, "signal")
    store.close()
