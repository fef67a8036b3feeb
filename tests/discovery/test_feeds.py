from __future__ import annotations

import html
import json
import random
import socket
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from newscrawl.discovery.feeds import FeedEntry, ParsedFeed, parse_feed
from newscrawl.discovery.urls import canonical_url
from newscrawl.extract.pages.feed_fulltext import feed_only_content
from newscrawl.extract.text import element_text, parse_html
from tests.conftest import REPO, TEST_DATA

if TYPE_CHECKING:
    from collections.abc import Callable

FEED_URL = "https://www.rfi.fr/cn/rss"
DATA = TEST_DATA
# The real feedx.net item (its description HTML), copied verbatim from shared/rfi/seed-feedx-item.txt.
SEED_HTML = (DATA / "seed-feedx-item.txt").read_text(encoding="utf-8")
SEED_LINK = (
    "https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/20240331-%E6%97%A5%E7%BE%8E%E8%8F%B2%E5%B0%B1%E5%8A%A0"
    "%E5%BC%BA%E5%85%B3%E9%94%AE%E7%9F%BF%E4%BA%A7%E4%BE%9B%E5%BA%94%E9%93%BE%E8%BE%BE%E6%88%90%E5%8D%8F"
    "%E8%AE%AE-%E5%BC%80%E5%B1%95%E7%BB%8F%E6%B5%8E%E5%AE%89%E4%BF%9D%E5%90%88%E4%BD%9C"
)
SEED_TITLE = "日美菲拟就加强关键矿产供应链达成协议 开展经济安保合作"


def rss(items: str, *, declaration: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return (
        f"{declaration}\n"
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        "<channel><title>法国国际广播电台</title><link>https://www.rfi.fr/cn/</link>\n"
        f"{items}\n"
        "</channel></rss>\n"
    )


def item(n: int, *, link: str | None = None, description: str | None = None) -> str:
    link = link if link is not None else f"https://www.rfi.fr/cn/中国/2024040{n}-第{n}条"
    description = description if description is not None else f"<![CDATA[<p>正文{n}</p>]]>"
    return (
        f'<item><title>标题{n}</title><link>{link}</link><guid isPermaLink="false">id-{n}</guid>'
        f"<pubDate>Mon, 0{n} Apr 2024 08:00:00 +0200</pubDate><description>{description}</description></item>"
    )


def parse(document: str | bytes, content_type: str | None = None) -> ParsedFeed:
    body = document.encode("utf-8") if isinstance(document, str) else document
    return parse_feed(body, FEED_URL, content_type)


def only_entry(document: str | bytes, content_type: str | None = None) -> FeedEntry:
    parsed = parse(document, content_type)
    assert parsed.problem is None
    assert len(parsed.entries) == 1
    return parsed.entries[0]


# --- formats ----------------------------------------------------------------------------------


def test_rss_item_gives_every_field() -> None:
    document = rss(
        "<item><title>中国 &amp; 法国</title>"
        "<link>https://www.rfi.fr/cn/中国/20240331-中法</link>"
        '<guid isPermaLink="false">rfi-42</guid>'
        "<pubDate>Sun, 31 Mar 2024 17:00:00 +0200</pubDate>"
        "<dc:creator>王明</dc:creator><dc:creator>Anne</dc:creator><dc:creator>王明</dc:creator>"
        "<category>中国</category><category>法国</category>"
        '<enclosure url="https://s.rfi.fr/media/a.jpg" type="image/jpeg" length="1234"/>'
        "<description>摘要</description>"
        '<content:encoded><![CDATA[<p data-x="1">全文</p>]]></content:encoded></item>'
    )
    assert only_entry(document) == FeedEntry(
        feed_url=FEED_URL,
        position=0,
        link="https://www.rfi.fr/cn/中国/20240331-中法",
        entry_id="rfi-42",
        title="中国 & 法国",
        published="2024-03-31T15:00:00Z",
        fulltext_html='<p data-x="1">全文</p>',
        authors=("王明", "Anne"),
        tags=("中国", "法国"),
        enclosures=(("https://s.rfi.fr/media/a.jpg", "image/jpeg"),),
    )


def test_rss_positions_count_every_item_in_feed_order() -> None:
    parsed = parse(rss("".join(item(n) for n in range(1, 6))))
    assert parsed.problem is None
    assert [e.position for e in parsed.entries] == [0, 1, 2, 3, 4]
    assert [e.title for e in parsed.entries] == [f"标题{n}" for n in range(1, 6)]
    assert all(e.feed_url == FEED_URL for e in parsed.entries)


def test_atom_entry_gives_every_field() -> None:
    document = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.rfi.fr/cn/">
  <title>RFI</title><id>urn:rfi:cn</id><updated>2024-03-31T17:00:00+02:00</updated>
  <entry>
    <title type="html">法国 &amp;amp; &amp;lt;中国&amp;gt; &lt;b&gt;要闻&lt;/b&gt;</title>
    <id>tag:rfi.fr,2024:1</id>
    <link rel="alternate" href="中国/20240331-a"/>
    <link rel="enclosure" href="https://aod.rfi.fr/a.mp3" type="audio/mpeg" length="1"/>
    <published>2024-03-31T17:00:00+02:00</published>
    <updated>2024-04-01T09:30:15+02:00</updated>
    <author><name>王明</name></author><author><name>Anne</name></author>
    <category term="中国" label="China"/>
    <summary>摘要</summary>
    <content type="html">&lt;p data-selfpromo-x&gt;全文&lt;/p&gt;&lt;!--1--&gt;</content>
  </entry>
</feed>"""
    assert only_entry(document) == FeedEntry(
        feed_url=FEED_URL,
        position=0,
        link="https://www.rfi.fr/cn/中国/20240331-a",
        entry_id="tag:rfi.fr,2024:1",
        title="法国 & <中国> 要闻",
        published="2024-03-31T15:00:00Z",
        updated="2024-04-01T07:30:15Z",
        fulltext_html="<p data-selfpromo-x>全文</p><!--1-->",
        authors=("王明", "Anne"),
        tags=("中国",),
        enclosures=(("https://aod.rfi.fr/a.mp3", "audio/mpeg"),),
    )


def test_an_updated_date_is_kept_as_written_when_it_cannot_be_read() -> None:
    """A revisit signal: an unreadable date must reach the spider to be counted as ignored."""
    document = """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>a</title><id>urn:uuid:1</id><link href="https://www.rfi.fr/cn/中国/20240331-a"/>
<published>2024-03-31T10:00:00Z</published><updated> last tuesday </updated></entry></feed>"""
    entry = only_entry(document)
    assert (entry.published, entry.updated) == ("2024-03-31T10:00:00Z", "last tuesday")


def test_atom_without_published_takes_updated_and_escapes_a_text_summary() -> None:
    document = """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>a</title><id>urn:uuid:1</id><link href="https://www.rfi.fr/cn/中国/20240331-a"/>
<updated>2024-03-31T23:30:00-05:00</updated><summary type="text">5 &lt; 6 &amp; 7</summary></entry></feed>"""
    entry = only_entry(document)
    assert entry.published == "2024-04-01T04:30:00Z"
    assert entry.fulltext_html == "5 &lt; 6 &amp; 7"


def test_atom_entry_without_link_does_not_take_a_non_web_id_for_a_link() -> None:
    document = """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>a</title><id>urn:uuid:1</id></entry>
<entry><title>b</title><id>https://www.rfi.fr/cn/中国/20240331-b</id></entry></feed>"""
    first, second = parse(document).entries
    assert (first.link, first.entry_id) == (None, "urn:uuid:1")
    # feedparser's rule (an id standing in for the missing link), kept when it is a web URL.
    assert second.link == second.entry_id == "https://www.rfi.fr/cn/中国/20240331-b"


# --- descriptions --------------------------------------------------------------------------------

DESCRIPTION = '<div data-selfpromo-newsletter></div><p class="a">中 &amp; 法<br>二</p><!--1711898102000-->'


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(f"<![CDATA[{DESCRIPTION}]]>", id="cdata"),
        pytest.param(html.escape(DESCRIPTION, quote=False), id="escaped"),
        pytest.param(html.escape(DESCRIPTION, quote=True), id="escaped-with-quotes"),
        pytest.param(
            DESCRIPTION.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#x3E;"),
            id="character-references",
        ),
    ],
)
def test_cdata_and_escaped_descriptions_give_the_same_raw_html(written: str) -> None:
    assert only_entry(rss(item(1, description=written))).fulltext_html == DESCRIPTION


def test_content_encoded_wins_over_description() -> None:
    document = rss(
        "<item><title>t</title><link>https://www.rfi.fr/cn/a/20240101-b</link>"
        "<description>short</description><content:encoded><![CDATA[<p>long</p>]]></content:encoded></item>"
    )
    assert only_entry(document).fulltext_html == "<p>long</p>"


def test_item_without_any_text_has_no_fulltext() -> None:
    document = rss(
        "<item><title>t</title><link>https://www.rfi.fr/cn/a/20240101-b</link><description> </description></item>"
    )
    assert only_entry(document).fulltext_html is None


def test_html_title_becomes_plain_text() -> None:
    document = rss(item(1).replace("<title>标题1</title>", "<title>&lt;b&gt;标题&lt;/b&gt; &amp;amp; 更多</title>"))
    assert only_entry(document).title == "标题 & 更多"


# --- links ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("/cn/中国/20240101-a", "https://www.rfi.fr/cn/中国/20240101-a"),
        ("中国/20240101-a", "https://www.rfi.fr/cn/中国/20240101-a"),
        ("//www.rfi.fr/cn/中国/20240101-a", "https://www.rfi.fr/cn/中国/20240101-a"),
        (
            "../cn/%E4%B8%AD%E5%9B%BD/20240101-a?xtor=RSS-1",
            "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-a?xtor=RSS-1",
        ),
        ("https://www.rfi.fr/cn/a/20240101-b?x=1&amp;y=2", "https://www.rfi.fr/cn/a/20240101-b?x=1&y=2"),
        ("  https://www.rfi.fr/cn/a/20240101-b\n", "https://www.rfi.fr/cn/a/20240101-b"),
    ],
)
def test_relative_links_are_joined_against_the_feed_url(written: str, expected: str) -> None:
    entry = only_entry(rss(item(1, link=written)))
    assert entry.link == expected


def test_relative_enclosures_are_joined_too() -> None:
    document = rss(item(1).replace("</item>", '<enclosure url="/media/a.mp3" type="audio/mpeg"/></item>'))
    assert only_entry(document).enclosures == (("https://www.rfi.fr/media/a.mp3", "audio/mpeg"),)


@pytest.mark.parametrize("written", ["javascript:alert(1)", "mailto:a@rfi.fr", "data:text/html,x"])
def test_non_web_links_are_no_links(written: str) -> None:
    assert only_entry(rss(item(1, link=written))).link is None


def test_guid_rules_for_items_without_a_link() -> None:
    document = rss(
        "<item><title>permalink</title><guid>https://www.rfi.fr/cn/a/20240101-a</guid></item>"
        "<item><title>relative permalink</title><guid>12345</guid></item>"
        '<item><title>not a permalink</title><guid isPermaLink="false">https://www.rfi.fr/cn/a/20240101-c</guid></item>'
        "<item><title>nothing</title><description>x</description></item>"
        '<item><title>guid first</title><guid isPermaLink="true">g-5</guid>'
        "<link>/cn/a/20240101-e</link></item>"
    )
    parsed = parse(document)
    assert parsed.problem is None
    assert [(e.link, e.entry_id) for e in parsed.entries] == [
        ("https://www.rfi.fr/cn/a/20240101-a", "https://www.rfi.fr/cn/a/20240101-a"),
        (None, "12345"),
        (None, "https://www.rfi.fr/cn/a/20240101-c"),
        (None, None),
        ("https://www.rfi.fr/cn/a/20240101-e", "g-5"),
    ]


def test_entry_id_falls_back_to_the_link_as_written() -> None:
    document = rss("<item><title>t</title><link>/cn/a/20240101-b</link></item>")
    entry = only_entry(document)
    assert (entry.link, entry.entry_id) == ("https://www.rfi.fr/cn/a/20240101-b", "/cn/a/20240101-b")


# --- authors, dates --------------------------------------------------------------------------------


def test_rss_author_email_and_name() -> None:
    document = rss(item(1).replace("</item>", "<author>news@rfi.fr (王明)</author></item>"))
    assert only_entry(document).authors == ("王明",)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Sun, 31 Mar 2024 17:00:00 +0200", "2024-03-31T15:00:00Z"),
        ("Sun, 31 Mar 2024 17:00:00 GMT", "2024-03-31T17:00:00Z"),
        ("Sun, 31 Mar 2024 23:30:00 -0500", "2024-04-01T04:30:00Z"),
        ("2024-03-31T17:00:00.123+02:00", "2024-03-31T15:00:00Z"),
        # feedparser's readings of dates without an offset, recorded as they are:
        ("2024-03-31T17:00:00", "2024-03-31T17:00:00Z"),  # an ISO date without offset is taken as UTC
        ("Sun, 31 Mar 2024 17:00:00", None),  # an RFC 822 date without zone is not read at all
        ("31/03/2024 - 17:00", None),
        ("", None),
    ],
)
def test_published_is_utc(written: str, expected: str | None) -> None:
    document = rss(f"<item><title>t</title><link>/cn/a/20240101-b</link><pubDate>{written}</pubDate></item>")
    assert only_entry(document).published == expected


# --- broken documents ------------------------------------------------------------------------------


def test_unescaped_ampersand_keeps_every_entry_and_reports_the_problem() -> None:
    document = rss(item(1) + item(2).replace("<title>标题2</title>", "<title>中 & 法</title>") + item(3))
    parsed = parse(document)
    assert parsed.problem is not None
    assert "SAXParseException" in parsed.problem
    assert [e.title for e in parsed.entries] == ["标题1", "中 & 法", "标题3"]
    assert [e.link for e in parsed.entries] == [f"https://www.rfi.fr/cn/中国/2024040{n}-第{n}条" for n in (1, 2, 3)]
    assert [e.fulltext_html for e in parsed.entries] == ["<p>正文1</p>", "<p>正文2</p>", "<p>正文3</p>"]


LAST_ITEM = (
    "<item><title>标题4</title><link>https://www.rfi.fr/cn/中国/20240404-第4条</link>"
    "<pubDate>Thu, 04 Apr 2024 08:00:00 +0200</pubDate>"
    "<description><![CDATA[<p>正文4</p>]]></description></item>"
)


LINK_4 = "https://www.rfi.fr/cn/中国/20240404-第4条"


@pytest.mark.parametrize(
    ("cut_before", "link", "title", "fulltext"),
    [
        # What feedparser really gives for a last item cut short: an entry holding exactly the
        # elements that were closed before the cut. A half-read value is never kept.
        pytest.param("<title>标题4", None, None, None, id="before-the-title"),
        pytest.param("4</title>", None, None, None, id="inside-the-title"),
        pytest.param("20240404", None, "标题4", None, id="inside-the-link"),
        pytest.param("<pubDate>", LINK_4, "标题4", None, id="after-the-link"),
        pytest.param("正文4", LINK_4, "标题4", None, id="inside-the-description"),
        pytest.param("</item>", LINK_4, "标题4", "<p>正文4</p>", id="before-the-end-tag"),
    ],
)
def test_truncated_last_item(cut_before: str, link: str | None, title: str | None, fulltext: str | None) -> None:
    complete = rss(item(1) + item(2) + item(3) + LAST_ITEM)
    document = complete[: complete.index(cut_before, complete.index("<title>标题4"))]
    parsed = parse(document)
    assert parsed.problem is not None
    assert len(parsed.entries) == 4
    *whole, last = parsed.entries
    assert [e.link for e in whole] == [f"https://www.rfi.fr/cn/中国/2024040{n}-第{n}条" for n in (1, 2, 3)]
    assert [e.fulltext_html for e in whole] == ["<p>正文1</p>", "<p>正文2</p>", "<p>正文3</p>"]
    assert (last.position, last.link, last.title, last.fulltext_html) == (3, link, title, fulltext)


def test_truncated_between_items_gives_no_extra_entry() -> None:
    complete = rss(item(1) + item(2) + LAST_ITEM)
    document = complete[: complete.index("<item><title>标题4")]
    parsed = parse(document)
    assert parsed.problem is not None
    assert [e.title for e in parsed.entries] == ["标题1", "标题2"]


def test_empty_feed_is_not_a_problem() -> None:
    assert parse(rss("")) == ParsedFeed(entries=[], problem=None)


@pytest.mark.parametrize("body", [b"", b"   \r\n\t "])
def test_empty_document(body: bytes) -> None:
    assert parse(body) == ParsedFeed(entries=[], problem="empty document")


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>403 Forbidden</title></head>"
            "<body><h1>Forbidden</h1><p>Access denied<br><a href=/cn/>home</a></body></html>",
            id="html",
        ),
        pytest.param(
            '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>429</title></head>'
            "<body><p>Too Many Requests</p></body></html>",
            id="well-formed-xhtml",
        ),
        pytest.param('{"error": "rate limited"}', id="json"),
        pytest.param("Service Unavailable", id="text"),
    ],
)
def test_an_error_page_instead_of_a_feed(page: str) -> None:
    parsed = parse(page, "text/html; charset=utf-8")
    assert parsed.entries == []
    assert parsed.problem is not None
    assert parsed.problem.startswith("not an RSS or Atom feed (served as text/html; charset=utf-8)")


def test_items_outside_an_rss_root_are_kept_with_a_problem() -> None:
    parsed = parse("<channel><item><title>t</title><link>https://www.rfi.fr/cn/a/20240101-b</link></item></channel>")
    assert [e.link for e in parsed.entries] == ["https://www.rfi.fr/cn/a/20240101-b"]
    assert parsed.problem == "no RSS or Atom root element"


def test_a_feed_served_with_a_wrong_content_type_is_still_read() -> None:
    for content_type in ("text/html", "text/xml", "application/octet-stream", "text/plain; charset=utf-8"):
        assert only_entry(rss(item(1)), content_type).link == "https://www.rfi.fr/cn/中国/20240401-第1条"


# --- encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("declared", ["GBK", "gb2312", "GB18030"])
def test_feed_declared_in_a_chinese_encoding(declared: str) -> None:
    document = rss(item(1), declaration=f'<?xml version="1.0" encoding="{declared}"?>').encode("gbk")
    entry = only_entry(document)
    assert (entry.title, entry.link, entry.fulltext_html) == (
        "标题1",
        "https://www.rfi.fr/cn/中国/20240401-第1条",
        "<p>正文1</p>",
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(rss(item(1), declaration="").encode("gbk"), "text/xml; charset=GBK", id="charset-only-in-http"),
        pytest.param(rss(item(1), declaration="").encode("gbk"), None, id="undeclared-gbk"),
        pytest.param(rss(item(1), declaration="").encode("utf-8"), None, id="undeclared-utf8"),
        pytest.param(b"\xef\xbb\xbf" + rss(item(1)).encode("utf-8"), None, id="utf8-bom"),
        pytest.param(b"\xef\xbb\xbf" + rss(item(1)).encode("utf-8"), "text/xml; charset=gbk", id="bom-beats-http"),
        pytest.param(rss(item(1), declaration="").encode("utf-16"), None, id="utf16-bom"),
        pytest.param(b"\n\n  " + rss(item(1)).encode("utf-8"), None, id="blank-lines-before-declaration"),
        pytest.param(rss(item(1)).encode("utf-8"), "application/rss+xml; charset=ISO-8859-1", id="latin1-default"),
        pytest.param(
            rss(item(1), declaration='<?xml version="1.0" encoding="UTF-8"?>').encode("gbk"),
            None,
            id="gbk-declared-as-utf8",
        ),
    ],
)
def test_encodings(body: bytes, content_type: str | None) -> None:
    entry = only_entry(body, content_type)
    assert (entry.title, entry.link) == ("标题1", "https://www.rfi.fr/cn/中国/20240401-第1条")


@pytest.mark.parametrize(
    "label",
    [
        "base64",
        "zlib",
        "rot13",
        "undefined",
        "idna",
        "punycode",
        "unicode_escape",
        "utf-16",
        "utf-32",
        "x-bogus",
    ],
)
def test_charset_labels_that_are_no_document_encoding_are_ignored(label: str) -> None:
    document = rss(item(1), declaration=f'<?xml version="1.0" encoding="{label}"?>')
    for content_type in (f"application/rss+xml; charset={label}", None):
        entry = only_entry(document.encode("utf-8"), content_type)
        assert (entry.title, entry.link) == ("标题1", "https://www.rfi.fr/cn/中国/20240401-第1条")


def test_an_escape_codec_cannot_smuggle_markup() -> None:
    smuggled = rss(r"\u003citem\u003e\u003clink\u003ehttps://evil.example/\u003c/link\u003e\u003c/item\u003e")
    parsed = parse(smuggled, "application/rss+xml; charset=unicode-escape")
    assert parsed == ParsedFeed(entries=[], problem=None)


def test_undecodable_bytes_are_replaced_and_reported() -> None:
    body = rss(item(1)).encode("utf-8").replace("正文".encode(), b"\xff\xfe\x80")
    parsed = parse(body, "text/xml; charset=utf-8")
    assert [e.link for e in parsed.entries] == ["https://www.rfi.fr/cn/中国/20240401-第1条"]
    assert parsed.problem is not None
    assert "undecodable bytes" in parsed.problem


# --- the real feedx item ---------------------------------------------------------------------------


def feedx_channel(description: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>法国国际广播电台</title>
<link>https://www.rfi.fr/cn/</link>
<atom:link href="https://feedx.net/rss/rfi.xml" rel="self" type="application/rss+xml"/>
<description>RFI 华语</description>
<item>
<title>{SEED_TITLE}</title>
<link>{SEED_LINK}</link>
<guid>{SEED_LINK}</guid>
<pubDate>Sun, 31 Mar 2024 15:15:02 GMT</pubDate>
<description>{description}</description>
</item>
</channel>
</rss>
"""


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda text: f"<![CDATA[{text}]]>", id="cdata"),
        pytest.param(lambda text: html.escape(text, quote=False), id="escaped"),
    ],
)
def test_the_real_feedx_item_is_kept_verbatim(wrap: Callable[[str], str]) -> None:
    parsed = parse_feed(feedx_channel(wrap(SEED_HTML)).encode("utf-8"), "https://feedx.net/rss/rfi.xml")
    assert parsed.problem is None
    assert parsed.entries == [
        FeedEntry(
            feed_url="https://feedx.net/rss/rfi.xml",
            position=0,
            link=SEED_LINK,
            entry_id=SEED_LINK,
            title=SEED_TITLE,
            published="2024-03-31T15:15:02Z",
            fulltext_html=SEED_HTML.strip(),
        )
    ]


def test_the_real_feedx_item_keeps_what_feedparser_would_sanitise() -> None:
    parsed = parse_feed(feedx_channel(f"<![CDATA[{SEED_HTML}]]>").encode("utf-8"), "https://feedx.net/rss/rfi.xml")
    assert parsed.problem is None
    fulltext = parsed.entries[0].fulltext_html
    assert fulltext == SEED_HTML.strip()
    assert fulltext.startswith("<!--1711898102000-->\n[日美菲拟就加强关键矿产供应链达成协议")
    assert "<div data-selfpromo-newsletter></div><div data-selfpromo-app></div>" in fulltext
    assert '<span data-root-share><share-button v-on:open="openModal"></share-button>' in fulltext
    assert 'href="https://www.facebook.com/dialog/share?app_id=113191652055439&amp;href=' in fulltext
    assert "<div>31/03/2024 - 17:00</div>" in fulltext


# --- robustness ------------------------------------------------------------------------------------


def test_a_large_feed_parses_in_reasonable_time() -> None:
    body = rss("".join(item(1, description=f"<![CDATA[<p>{n}</p>{SEED_HTML}]]>") for n in range(2000))).encode()
    assert len(body) > 5_000_000
    started = time.monotonic()
    parsed = parse(body)
    elapsed = time.monotonic() - started
    assert parsed.problem is None
    assert len(parsed.entries) == 2000
    assert parsed.entries[-1].fulltext_html == f"<p>1999</p>{SEED_HTML.strip()}"
    assert elapsed < 30, f"2000 items took {elapsed:.1f}s"


def check_invariants(parsed: ParsedFeed) -> None:
    assert isinstance(parsed, ParsedFeed)
    assert [e.position for e in parsed.entries] == list(range(len(parsed.entries)))
    for entry in parsed.entries:
        assert entry.link is None or entry.link.startswith(("http://", "https://"))
        assert entry.published is None or len(entry.published) == len("2024-01-01T00:00:00Z")
    if not parsed.entries:
        assert parsed.problem is not None or parsed == ParsedFeed()


def test_random_and_damaged_bytes_never_raise() -> None:
    rng = random.Random(20240331)
    valid = rss(item(1) + item(2) + LAST_ITEM).encode("utf-8")
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><link href="/a"/></entry></feed>'
    bodies = [rng.randbytes(rng.randint(1, 3000)) for _ in range(200)]
    bodies += [valid[:cut] for cut in range(0, len(valid), 7)]
    bodies += [atom[:cut] for cut in range(len(atom))]
    for _ in range(300):
        damaged = bytearray(valid)
        for _ in range(rng.randint(1, 20)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        bodies.append(bytes(damaged))
    bodies += [b"\x00" * 100, b"<" * 5000, b"<?xml", b"<rss>" * 1000, b"]]>", b"&#0;", b"<![CDATA["]
    for body in bodies:
        for content_type in (
            None,
            "text/html; charset=utf-16",
            "application/xml; charset=base64",
            "text/xml; charset=gbk",
        ):
            check_invariants(parse_feed(body, FEED_URL, content_type))


def test_the_body_is_never_read_as_a_file_name_or_fetched_as_a_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    a_feed_on_disk = tmp_path / "feed.xml"
    a_feed_on_disk.write_text(rss(item(1)), encoding="utf-8")
    for body in (str(a_feed_on_disk).encode(), b"file://" + str(a_feed_on_disk).encode(), FEED_URL.encode()):
        parsed = parse_feed(body, FEED_URL)
        assert parsed.entries == []
        assert parsed.problem is not None


def test_external_entities_and_doctypes_are_not_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    document = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/rss.dtd" [<!ENTITY secret SYSTEM "file://{secret}">]>\n'
        '<rss version="2.0"><channel><title>t</title>'
        "<item><title>&secret;</title><link>https://www.rfi.fr/cn/a/20240101-b</link>"
        "<description>&secret;</description></item></channel></rss>"
    )
    parsed = parse(document)
    assert [e.link for e in parsed.entries] == ["https://www.rfi.fr/cn/a/20240101-b"]
    assert "SECRET" not in repr(parsed)


# --- recorded feeds (written by the fixtures owner; read-only here) -----------------------------------

FIXTURES = REPO / "fixtures"
RECORDED = sorted(p for folder in ("feeds", "replay/feeds") for p in (FIXTURES / folder).glob("*.xml"))


@pytest.mark.skipif(not RECORDED, reason="no recorded feeds under fixtures/")
@pytest.mark.parametrize("path", RECORDED, ids=[p.name for p in RECORDED])
def test_recorded_feeds_parse(path: Path) -> None:
    parsed = parse_feed(path.read_bytes(), FEED_URL, "application/rss+xml; charset=utf-8")
    check_invariants(parsed)
    if "truncated" in path.name:
        assert parsed.problem is not None
    elif "empty" in path.name:
        assert parsed == ParsedFeed(entries=[], problem=None)
    else:
        assert parsed.problem is None
        assert parsed.entries
        assert all(e.link for e in parsed.entries)


# --- fixtures/feeds/expected-entries.json (hand-written expectations, fixtures/README.md) -------------

EXPECTED_ENTRIES = json.loads((FIXTURES / "feeds" / "expected-entries.json").read_text(encoding="utf-8"))
EXPECTED_FEEDS = sorted(name for name in EXPECTED_ENTRIES if not name.startswith("_"))
ENTRY_KEYS = {"link", "entry_id", "entry_title", "entry_published", "description_text", "fulltext"}


def test_every_feed_fixture_has_its_expectations() -> None:
    assert sorted(p.name for p in (FIXTURES / "feeds").iterdir() if p.suffix != ".json") == EXPECTED_FEEDS


@pytest.mark.parametrize("name", EXPECTED_FEEDS)
def test_feed_fixture_gives_the_expected_entries(name: str) -> None:
    expected = EXPECTED_ENTRIES[name]
    parsed = parse_feed((FIXTURES / "feeds" / name).read_bytes(), expected["served_as"], expected["content_type"])
    assert (parsed.problem is not None) == ("error" in expected), parsed.problem
    assert len(parsed.entries) == len(expected["entries"])
    for entry, want in zip(parsed.entries, expected["entries"], strict=True):
        assert set(want) <= ENTRY_KEYS, f"a key this test does not check: {set(want) - ENTRY_KEYS}"
        assert entry.link is not None
        link = canonical_url(entry.link)
        assert (link, entry.entry_id, entry.title, entry.published) == (
            want["link"],
            want["entry_id"],
            want["entry_title"],
            want["entry_published"],
        )
        if "description_text" in want:
            root = parse_html(entry.fulltext_html or "")
            assert root is not None
            assert element_text(root) == want["description_text"]
        assert link is not None
        content = feed_only_content(link, [entry])
        if want["fulltext"] is None:
            assert content is None, f"entry {entry.position} is not full text: lost (no_fulltext), not feed-only"
        else:
            assert content is not None
            assert {key: getattr(content, key) for key in want["fulltext"]} == want["fulltext"]
