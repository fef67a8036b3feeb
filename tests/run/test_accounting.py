"""The counts add up on any mix of entries, through the real engine (replay archives built per case).

``entries_seen = new + feed_only + duplicate + skipped + rejected + lost`` is checked on the
bundled redirect fixture and on generated feeds mixing merges, redirects, aliases (rel=canonical),
refusals, full-text rescues, skips, rejects, entries without a link and already-published articles.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl.store.seen import SeenStore
from tests.archive import ArchiveBuilder, article_page, article_url, feed_fulltext
from tests.conftest import BUNDLED_ARCHIVE, REPO, dataset, flat_total, manifests, run_crawl

REDIRECT_FIXTURE = REPO / "fixtures" / "redirect"
EXPECTED = REPO / "fixtures" / "expected"
FEED = "https://www.rfi.fr/cn/rss"
PROVENANCE = ("feed", "fetched_at", "first_seen")


def only_manifest(data: Path) -> dict[str, Any]:
    (manifest,) = manifests(data)
    return manifest


def test_an_old_slug_redirecting_to_a_listed_article_is_a_duplicate(tmp_path: Path) -> None:
    """fixtures/redirect: the feed lists an article under its old slug (301 → new slug) and its new
    slug, and another article only under an old slug (301 → a URL the feed does not list)."""
    data = tmp_path / "data"
    first = run_crawl(data, "-a", f"feeds={FEED}", "-a", "sitemaps=", replay=REDIRECT_FIXTURE)
    assert first.returncode == 0, first.stderr[-3000:]
    manifest = only_manifest(data)
    assert manifest["status"] == "finished"
    assert manifest["counts"] == {
        "entries_seen": 3,
        "new": 2,
        "feed_only": 0,
        "duplicate": {"same_canonical": 1},
        "skipped": {},
        "rejected": 0,
        "lost": {},
        "add_up": True,
    }
    records = {record["url"]: record for record in dataset(data)}
    for name in ("slug-only", "video"):  # the pages of the bundled archive, reached through redirects
        expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
        record = records.pop(expected["url"])
        assert record["first_seen"] == record["fetched_at"]
        assert {k: v for k, v in record.items() if k not in PROVENANCE} == {
            k: v for k, v in expected.items() if k not in PROVENANCE
        }
    assert records == {}

    # The old slugs were remembered as links to the published articles: the next run fetches
    # neither them nor the articles, only robots.txt and the feed.
    second = run_crawl(data, "-a", f"feeds={FEED}", "-a", "sitemaps=", replay=REDIRECT_FIXTURE)
    assert second.returncode == 0, second.stderr[-3000:]
    last = max(manifests(data), key=lambda m: m["run_id"] if m["run_id"] != manifest["run_id"] else "")
    assert last["counts"]["duplicate"] == {"already_stored": 3}
    assert last["stats"]["newscrawl/replay/served"] == 2


def test_the_manifest_lists_every_unpublished_entry_up_to_the_cap_and_counts_the_rest(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run_crawl(data, "-s", "NEWSCRAWL_MANIFEST_MAX_LISTED=1", replay=BUNDLED_ARCHIVE)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = only_manifest(data)
    counts, listed, left_out = manifest["counts"], manifest["listed"], manifest["listed_left_out"]
    for outcome in ("lost", "skipped"):
        assert len(listed[outcome]) == 1
        assert len(listed[outcome]) + left_out[outcome] == sum(counts[outcome].values())
    assert (len(listed["rejected"]), left_out["rejected"], counts["rejected"]) == (0, 0, 0)
    # Listed URLs are percent-encoded like the records' (the bundled feeds list some as raw IRIs).
    assert all(entry["url"] is None or entry["url"].isascii() for entries in listed.values() for entry in entries)


# --- generated feeds ----------------------------------------------------------------------------------

ARTICLES = 5
# What article i's own URL answers (one behaviour per article, whichever entries point at it).
BEHAVIOURS = ("ok", "refused", "refused_fulltext", "missing", "reject", "stored")
# How an entry points at article i (or at nothing usable).
ENTRY_KINDS = ("page", "page", "redirect", "alias", "offsite", "other_edition", "section", "no_link")


def old_url(index: int) -> str:
    return article_url(index).replace("20240401-", "20240401-old-")


def alias_url(index: int) -> str:
    return article_url(index).replace("20240401-", "20240401-alias-")


def link_of(kind: str, index: int) -> str | None:
    return {
        "page": article_url(index),
        "redirect": old_url(index),
        "alias": alias_url(index),
        "offsite": f"https://example.com/{index}",
        "other_edition": f"https://www.rfi.fr/tw/{quote('中國')}/20240401-{index}",
        "section": f"https://www.rfi.fr/cn/{quote('中国')}/",
        "no_link": None,
    }[kind]


def untitled_page(index: int) -> str:
    page = article_page(index, article_url(index))
    page = page.replace('"headline"', '"alternativeHeadline"').replace('<meta property="og:title"', '<meta x="')
    page = page.split("<title>")[0] + page.split("</title>")[1]
    return page.replace("<h1", "<div").replace("</h1>", "</div>")


def build_case(folder: Path, behaviours: list[str], feeds: list[list[tuple[str, int]]]) -> tuple[Path, list[str]]:
    builder = ArchiveBuilder(folder / "archive")
    builder.add("https://www.rfi.fr/robots.txt", "User-agent: *\nAllow: /\n", Content_Type="text/plain")
    feed_urls = [f"{FEED}?n={n}" for n in range(len(feeds))]
    for feed_url, entries in zip(feed_urls, feeds, strict=True):
        links = [link_of(kind, index) for kind, index in entries]
        fulltext = {article_url(i): feed_fulltext(i) for i, b in enumerate(behaviours) if b == "refused_fulltext"}
        builder.add_feed(feed_url, links, fulltext)
    html = "text/html; charset=utf-8"
    for index, behaviour in enumerate(behaviours):
        url = article_url(index)
        builder.add(old_url(index), status=301, Location=url)
        builder.add(alias_url(index), article_page(index, alias_url(index), canonical=url), Content_Type=html)
        if behaviour in ("refused", "refused_fulltext"):
            builder.add(url, "refused", status=403, Content_Type=html)
        elif behaviour == "reject":
            builder.add(url, untitled_page(index), Content_Type=html)
        elif behaviour != "missing":
            builder.add_article(index)
    stored = [article_url(i) for i, b in enumerate(behaviours) if b == "stored"]
    if stored:
        store = SeenStore(folder / "data" / "rfi_cn" / "seen.sqlite3")
        store.add([(url, url) for url in stored], "earlier-run", "2024-04-01T00:00:00Z")
        store.close()
    return builder.write(), feed_urls


entries = st.tuples(st.sampled_from(ENTRY_KINDS), st.integers(0, ARTICLES - 1))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    behaviours=st.lists(st.sampled_from(BEHAVIOURS), min_size=ARTICLES, max_size=ARTICLES),
    feeds=st.lists(st.lists(entries, max_size=7), min_size=1, max_size=3),
)
def test_the_counts_add_up_on_any_mix_of_entries(
    tmp_path_factory: Any, behaviours: list[str], feeds: list[list[tuple[str, int]]]
) -> None:
    folder = tmp_path_factory.mktemp("case")
    archive, feed_urls = build_case(folder, behaviours, feeds)
    result = run_crawl(folder / "data", "-a", "feeds=" + ",".join(feed_urls), replay=archive)
    manifest = only_manifest(folder / "data")
    counts = manifest["counts"]
    assert counts["entries_seen"] == sum(len(entries) for entries in feeds)
    assert flat_total(counts) == counts["entries_seen"], counts
    assert counts["add_up"] is True
    assert (result.returncode, manifest["status"]) == (0, "finished"), manifest["errors"]
    urls = [record["url"] for record in dataset(folder / "data")]
    assert len(urls) == len(set(urls)) == counts["new"] + counts["feed_only"]
    assert set(urls) <= {article_url(i) for i in range(ARTICLES)}
    for index, behaviour in enumerate(behaviours):
        if behaviour == "ok" and ("page", index) in [entry for entries in feeds for entry in entries]:
            assert article_url(index) in urls
