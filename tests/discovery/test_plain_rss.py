"""The plain-RSS fast path gives what feedparser gives, or declines the document."""

from __future__ import annotations

import random
from html import escape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.discovery import feeds
from newscrawl.discovery.feeds import ParsedFeed, parse_feed
from newscrawl.discovery.plain_rss import _NotPlain, _rfc822_date, plain_rss_entries
from tests.conftest import REPO

FEED_URL = "https://www.rfi.fr/cn/rss"
FIXTURE_FEEDS = sorted([*(REPO / "fixtures").glob("*/feeds/*.xml"), *(REPO / "fixtures" / "feeds").glob("*")])
# The RFI feeds of the fixtures are plain: the fast path must read them (or it saves nothing).
PLAIN_FIXTURES = {"rfi-cn.xml", "rfi-cn-zhongguo.xml", "rfi-cn-faguo.xml", "rfi-cn-jingmao.xml", "feedx-rfi.xml"}


def through_feedparser(body: bytes, content_type: str | None, monkeypatch: pytest.MonkeyPatch) -> ParsedFeed:
    with monkeypatch.context() as patch:
        patch.setattr(feeds, "plain_rss_entries", lambda document: None)
        return parse_feed(body, FEED_URL, content_type)


def is_plain(body: bytes) -> bool:
    return plain_rss_entries(body.lstrip()) is not None


@pytest.mark.parametrize("path", FIXTURE_FEEDS, ids=lambda path: f"{path.parent.parent.name}/{path.name}")
def test_every_fixture_feed_reads_the_same_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = path.read_bytes()
    content_type = "application/rss+xml; charset=utf-8"
    assert parse_feed(body, FEED_URL, content_type) == through_feedparser(body, content_type, monkeypatch)
    if path.name in PLAIN_FIXTURES:
        assert is_plain(body)


# Texts the fast path reads, and texts it must leave to feedparser (each drawn now and then).
PLAIN_TEXTS = [
    "国务院发布新一轮稳外资行动方案",
    "  spaced out \n ",
    "",
    "<![CDATA[<p>段落 &amp; <b>粗体</b></p>]]>",
    "<![CDATA[x &lt; y]]>",
    "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-a",
    "/cn/relative/20240101-b",
    "https://www.rfi.fr/cn/d?xtor=RSS&amp;utm_source=x",
    "Tue, 02 Apr 2024 07:15:00 +0200",
    "Tue, 02 Apr 2024 07:15:00 GMT",
    "tue, 2 apr 2024 07:15 -0130",
    "02 Apr 2024 23:59:60 Z",
    "Sun, 31 Mar 2024 02:30:00 UT",
    "Fri, 30 Feb 2024 10:00:00 +0000",
    "Mon, 01 Jan 0001 00:30:00 +0100",
    "Tuesday, 02 April 2024 07:15:00 EST",
    "2024-04-02T07:15:00+02:00",
    "02/04/2024",
    "not a date",
]
TRICKY_TEXTS = [
    "A &amp; B",
    "A &amp;amp; B",
    "a &lt;b&gt; c",
    "café",
    "caf\u00c3\u00a9",
    "smart\u0092quote",
    "name@example.com (Name)",
    "(Name)",
    "http:///www.rfi.fr/cn/c",
    "https://www.rfi.fr/cn/e?a=1&amp;amp;b=2",
]
ELEMENTS = ["title", "link", "guid", "pubDate", "description", "content:encoded", "dc:creator", "author", "category"]
PLAIN_EXTRAS = [
    '<guid isPermaLink="false">g-1</guid>',
    '<guid isPermaLink="true">https://www.rfi.fr/cn/g</guid>',
    '<enclosure url="https://s.rfi.fr/a.JPG" type="Image/JPEG" length="0"/>',
    '<enclosure url="" type="image/jpeg"/>',
    '<enclosure url="/relative.mp3"/>',
    '<category domain="rfi">中国</category>',
    '<category domain="rfi"></category>',
]
TRICKY_EXTRAS = [
    '<guid ispermalink="false">g-2</guid>',
    '<title type="html">A &lt;b&gt;</title>',
    "<comments>https://www.rfi.fr/cn/c</comments>",
    '<media:content xmlns:media="http://search.yahoo.com/mrss/" url="https://s.rfi.fr/v.mp4"/>',
    "<description><p>nested</p></description>",
    "<!-- a comment -->",
]


@st.composite
def items(draw: st.DrawFn) -> str:
    """An item of some of the elements in any order (a tricky text or extra one time in 25)."""
    parts = []
    for name in draw(st.permutations(ELEMENTS))[: draw(st.integers(0, len(ELEMENTS)))]:
        tricky = draw(st.integers(0, 24)) == 0
        parts.append(f"<{name}>{draw(st.sampled_from(TRICKY_TEXTS if tricky else PLAIN_TEXTS))}</{name}>")
    for _ in range(draw(st.integers(0, 2))):
        tricky = draw(st.integers(0, 24)) == 0
        parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(TRICKY_EXTRAS if tricky else PLAIN_EXTRAS)))
    return "<item>" + "".join(parts) + "</item>"


@settings(max_examples=400, deadline=None)
@given(
    entries=st.lists(items(), max_size=4), declaration=st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8"?>'])
)
def test_generated_feeds_read_the_same_both_ways(entries: list[str], declaration: str) -> None:
    body = (
        f'{declaration}<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{escape("法广")}</title>'
        f"{''.join(entries)}</channel></rss>"
    ).encode()
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert parse_feed(body, FEED_URL, None) == through_feedparser(body, None, monkeypatch)


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0" encoding="GBK"?><rss version="2.0"><channel></channel></rss>',
        '<!DOCTYPE rss [<!ENTITY x "y">]><rss version="2.0"><channel><item><title>&x;</title></item></channel></rss>',
        '<rss version="2.0" xml:base="https://www.rfi.fr/"><channel><item><link>a</link></item></channel></rss>',
        '<rss version="2.0"><channel><item><title>x</title></item></channel><item><title>y</title></item></rss>',
        '<rss version="2.0"><channel></channel><channel></channel></rss>',
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title></entry></feed>',
        '<rss version="2.0"><channel><item><title>x</title><title>y</title></item></channel></rss>',
        '<rss version="2.0"><channel><item><title>unclosed</item></channel></rss>',
    ],
)
def test_what_is_not_plain_rss_is_left_to_feedparser(document: str) -> None:
    assert not is_plain(document.encode())


def test_dates_are_read_as_feedparser_reads_them_or_left_to_it() -> None:
    from feedparser.datetimes import _parse_date  # feedparser's own date rules, as its path uses them

    rng = random.Random(17)
    zones = ["GMT", "UT", "Z", "gmt", "+0000", "+0200", "-0500", "+0530", "-0130", "+1400", "+9959", "EST"]
    read = 0
    for _ in range(5000):
        day = f"{rng.choice(['Mon, ', 'tue, ', 'Sun ', ''])}{rng.randint(0, 32):0{rng.choice([1, 2])}d}"
        month = rng.choice(["Jan", "feb", "APR", "Dec", "April"])
        when = f"{rng.randint(1, 9999):04d} {rng.randint(0, 25):02d}:{rng.randint(0, 61):02d}:{rng.randint(0, 61):02d}"
        text = f"{day} {month} {when} {rng.choice(zones)}"
        try:
            parsed = _rfc822_date(text)
        except _NotPlain:
            continue
        read += 1
        assert tuple(parsed) == tuple(_parse_date(text)), text
    assert read > 1000
