"""Every expected record under fixtures/expected, rebuilt from the recorded responses.

Page records: the recorded page → RfiArticlePage → Article, with the provenance
(which feed, when, how) taken from the expected record itself, since it comes from the crawl and
not from the page. Feed-only records: the recorded feeds → feed_only_content. Every field is
compared, then the whole record; the expected files are reviewed by hand, never regenerated.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from pprint import pformat
from typing import Any

import pytest
from w3lib.encoding import html_to_unicode

from newscrawl.discovery.feeds import FeedEntry, parse_feed
from newscrawl.discovery.urls import canonical_url
from newscrawl.extract.pages.feed_fulltext import feed_only_content
from newscrawl.extract.pages.rfi import RfiArticlePage
from newscrawl.items import Article, PageContent
from tests.conftest import REPO

FIXTURES = REPO / "fixtures"
ARCHIVE = FIXTURES / "replay"


def expected_records() -> list[Path]:
    """The expected files that hold a record (others, like the run counts, belong to other tests)."""
    paths = sorted((FIXTURES / "expected").glob("*.json"))
    return [p for p in paths if "schema_version" in json.loads(p.read_text(encoding="utf-8"))]


EXPECTED = expected_records()
RECORD_FIELDS = {f.name for f in fields(Article)}
PROVENANCE = ("content_source", "fetched_with", "feed", "fetched_at")


def manifest() -> list[dict[str, Any]]:
    with (ARCHIVE / "manifest.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def decoded_body(line: dict[str, Any]) -> str:
    """The body as Scrapy's TextResponse.text would decode it (HTTP charset, BOM, <meta>)."""
    content_type = line.get("headers", {}).get("Content-Type")
    _, text = html_to_unicode(content_type, (ARCHIVE / line["body"]).read_bytes())
    return text


def page_content(url: str) -> PageContent:
    lines = [line for line in manifest() if "body" in line and canonical_url(line["url"]) == url]
    assert lines, f"no recorded response for {url} in {ARCHIVE / 'manifest.jsonl'}"
    response = lines[-1]  # several lines for one URL are served in order: the last is the final answer
    assert response.get("status", 200) == 200, f"the last recorded response for {url} is not a 200"
    result = RfiArticlePage(canonical_url(response["url"]) or url, decoded_body(response)).extract()
    assert result.kind == "article", f"{response['body']}: extracted as {result.kind} {result.problems}"
    assert result.content is not None
    return result.content


def feed_content(url: str) -> PageContent:
    entries: list[FeedEntry] = []
    for line in manifest():
        if line.get("body", "").startswith("feeds/"):
            content_type = line.get("headers", {}).get("Content-Type")
            parsed = parse_feed((ARCHIVE / line["body"]).read_bytes(), line["url"], content_type)
            entries += [e for e in parsed.entries if e.link and canonical_url(e.link) == url]
    content = feed_only_content(url, entries)
    assert content is not None, f"no recorded feed entry carries usable full text for {url}"
    return content


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_fixture(path: Path) -> None:
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert set(expected) == RECORD_FIELDS, (
        f"{path.name}: fields missing {sorted(RECORD_FIELDS - set(expected))}, "
        f"unexpected {sorted(set(expected) - RECORD_FIELDS)}"
    )
    source = expected["content_source"]
    assert source in ("page", "feed"), f"{path.name}: content_source {source!r}"
    content = page_content(expected["url"]) if source == "page" else feed_content(expected["url"])
    # No cleaning between the extractor and the record: its values are final.
    article = Article.from_content(content, **{k: expected[k] for k in PROVENANCE})
    actual = json.loads(json.dumps(asdict(article), ensure_ascii=False, sort_keys=True))

    mismatches = {
        name: {"actual": actual.get(name), "expected": expected.get(name)}
        for name in sorted(RECORD_FIELDS)
        if actual.get(name) != expected.get(name)
    }
    assert not mismatches, f"{path.name}: fields that differ:\n{pformat(mismatches, width=110)}"
    assert actual == expected
