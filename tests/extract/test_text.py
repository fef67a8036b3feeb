from __future__ import annotations

import pytest
from lxml import etree

from newscrawl.extract.text import (
    Element,
    block_paragraphs,
    clean_body,
    clean_text,
    clean_title,
    drop,
    element_text,
    markup_paragraphs,
    paragraphs,
    parse_html,
    split_keywords,
    split_names,
    unique,
)


def fragment(html: str) -> Element:
    """The <body> of a document made of `html`: a container of the fragment."""
    root = parse_html(html)
    assert root is not None
    body = root.find("body")
    assert body is not None
    return body


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  中国\u3000外交部\u00a0表示  ", "中国 外交部 表示"),
        ("a \t\r\n b", "a b"),
        ("中\u200b国", "中国"),  # zero-width characters have no width: deleted, not a space
        ("a \u200b b", "a b"),
        ("\ufeff标题", "标题"),
        ("Cafe\u0301", "Café"),  # NFC
        ("\u2028行\u2029", "行"),
        ("", None),
        ("  \u3000 ", None),
        (None, None),
    ],
)
def test_clean_text(raw: str | None, expected: str | None) -> None:
    assert clean_text(raw) == expected


def test_clean_body_cleans_each_paragraph_and_drops_empty_ones() -> None:
    assert clean_body("  第一段\u3000 \n\n \n\n第二段  a\n第三段\r\n\r\n") == "第一段\n\n第二段 a\n\n第三段"
    assert clean_body(" \n\n ") is None
    assert clean_body(None) is None
    assert paragraphs("一\n\n二") == ["一", "二"]


def test_clean_body_is_idempotent() -> None:
    body = "第一段\n\n第二段"
    assert clean_body(body) == body


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("日美菲拟就加强关键矿产供应链达成协议 - RFI - 法国国际广播电台", "日美菲拟就加强关键矿产供应链达成协议"),
        ("中美关系走向 - 要闻分析 - RFI - 法国国际广播电台", "中美关系走向"),
        ("法国总统大选 - RFI", "法国总统大选"),
        ("A - B - 要闻分析 - RFI - 法国国际广播电台", "A - B"),
        ("没有后缀的标题", "没有后缀的标题"),
        ("RFI 报导", "RFI 报导"),
        ("标题 - RFI 专访", "标题 - RFI 专访"),
        (" 标题\u3000 - 要闻分析 - RFI - 法国国际广播电台 ", "标题"),
        (" \u3000 ", None),
    ],
)
def test_clean_title(title: str, expected: str | None) -> None:
    assert clean_title(title) == expected


def test_split_names() -> None:
    assert split_names(["小山、 大海", "Jean Dupont et Marie Curie", "A，B/C;D", "小山"]) == [
        "小山",
        "大海",
        "Jean Dupont",
        "Marie Curie",
        "A",
        "B",
        "C",
        "D",
    ]
    assert split_names(["Pierre  Etienne"]) == ["Pierre Etienne"]  # "et" inside a word is no separator
    assert split_names(["", " , "]) == []


def test_split_keywords() -> None:
    assert split_keywords("日本,美国，菲律宾、 日本 ,") == ["日本", "美国", "菲律宾"]
    assert split_keywords(["中国, 台湾", " 美国 ", "美国", ""]) == ["中国, 台湾", "美国"]


def test_unique_cleans_and_keeps_first_occurrence() -> None:
    assert unique(["b", " a", None, "b ", "", "a"]) == ["b", "a"]


def test_block_paragraphs_inline_markup_injects_no_space() -> None:
    element = fragment("<p>中国<a href='#'>外交部</a><strong>表示</strong>，<em>美国</em>。</p>")
    assert block_paragraphs(element) == ["中国外交部表示，美国。"]


def test_block_paragraphs_keeps_the_sources_own_spaces() -> None:
    element = fragment("<p>Gina <b>Raimondo</b>\n  said</p>")
    assert block_paragraphs(element) == ["Gina Raimondo said"]


def test_block_paragraphs_block_rules() -> None:
    element = fragment(
        "开头文字<p>第一段<br>第二段</p><h2>小标题</h2><ul><li>一</li><li>二<span>半</span></li></ul>"
        "<blockquote><p>引文一</p><p>引文二</p></blockquote><div>直接<i>在</i>div<div>内层</div>尾巴</div>"
        "<p> \u3000 </p><p><br></p><h6>末</h6>"
    )
    assert block_paragraphs(element) == [
        "开头文字",
        "第一段",
        "第二段",
        "小标题",
        "一",
        "二半",
        "引文一",
        "引文二",
        "直接在div",
        "内层",
        "尾巴",
        "末",
    ]


def test_block_paragraphs_skips_comments_and_scripts_but_keeps_their_tails() -> None:
    element = fragment("<p>甲<!-- 注释 -->乙<script>var x = 1;</script>丙<style>p{}</style>丁<?php x ?>戊</p>")
    assert block_paragraphs(element) == ["甲乙丙丁戊"]


def test_block_paragraphs_excludes_the_elements_own_tail() -> None:
    root = fragment("<p>段落</p>尾巴")
    assert block_paragraphs(root[0]) == ["段落"]


def test_block_paragraphs_deeper_than_the_recursion_limit() -> None:
    root = leaf = etree.Element("div")
    for _ in range(5000):
        leaf = etree.SubElement(leaf, "span")
    leaf.text = "深"
    assert block_paragraphs(root) == ["深"]


def test_element_text_joins_lines_with_a_space() -> None:
    assert element_text(fragment("<h1>上半<br>下半</h1>")[0]) == "上半 下半"


@pytest.mark.parametrize("html", ["", "   ", "\n"])
def test_parse_html_empty_document(html: str) -> None:
    assert parse_html(html) is None


@pytest.mark.parametrize(
    "html",
    [
        '<?xml version="1.0" encoding="iso-8859-1"?><p>中文</p>',  # a str with a declaration
        "<meta charset='gbk'><p>中文</p>",  # already decoded: the declared charset is ignored
        "<p>中文\ud800</p>",  # a lone surrogate
        "<p>中文\x00</p>",
    ],
)
def test_parse_html_odd_inputs(html: str) -> None:
    root = parse_html(html)
    assert root is not None
    assert "中文" in "".join(root.itertext())


def test_drop_keeps_the_tail() -> None:
    body = fragment("<p>甲<b>乙</b>丙<i>丁</i>戊</p>")
    paragraph = body[0]
    drop(paragraph[0])
    assert block_paragraphs(body) == ["甲丙丁戊"]
    drop(paragraph[0])
    assert block_paragraphs(body) == ["甲丙戊"]
    drop(etree.Element("div"))  # an element without a parent: nothing to do, no error


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<p class='bodytext'>第一段<a href='/k'>链接</a>。</p>\n<p>第二段。</p>", ["第一段链接。", "第二段。"]),
        ("<body><h2>Title</h2><div>One<br/>two</div></body>", ["Title", "One", "two"]),
        (
            "&lt;p&gt;One &lt;a href=&quot;/x&quot;&gt;link&lt;/a&gt;.&lt;/p&gt;&lt;p&gt;Two.&lt;/p&gt;",
            ["One link.", "Two."],
        ),
        ("&amp;quot;Quoted&amp;quot; &ndash; once\nand&nbsp;again", ['"Quoted" – once', "and again"]),
        ("第一段<a href='/k'>链接</a>。\n第二段。", ["第一段链接。", "第二段。"]),  # no block tag: lines still split
        ("导语\n第一段\n\n 第二段\u3000", ["导语", "第一段", "第二段"]),  # no markup: as paragraphs() reads it
        ("if a < b and b > c, then a<b", ["if a < b and b > c, then a<b"]),
        ("<script>var x = 1;</script><p></p>", []),
        (None, []),
    ],
)
def test_markup_in_a_text_value_is_read_as_html(value: str | None, expected: list[str]) -> None:
    assert markup_paragraphs(value) == expected
