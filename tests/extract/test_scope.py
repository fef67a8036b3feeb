"""The page is parsed up to the end of its main article only when the parser proves that end."""

from __future__ import annotations

from lxml import etree

from newscrawl.extract.scope import parse_page
from newscrawl.extract.text import parse_html

HEAD = '<head><meta charset="utf-8"><script type="application/ld+json">{"@type": "NewsArticle"}</script></head>'
RELATED = '<section class="related"><article class="card"><p>相关文章</p></article></section><footer>版权</footer>'


def page(body: str, *, before: str = "", after: str = RELATED) -> bytes:
    """An RFI-shaped page: the main article holds the body; ``after`` follows the article."""
    main = (
        f'<div id="main-content" class="t-content t-content--article">{before}<article>'
        '<h1 class="t-content__title">标题</h1>'
        f'<div class="t-content__body u-clearfix">{body}</div>'
        '<ul class="m-tags-list"><li class="m-tags-list__tag"><a>中国</a></li></ul></article></div>'
    )
    return f"<!DOCTYPE html><html>{HEAD}<body><nav><p>菜单</p></nav>{main}{after}</body></html>".encode()


def texts(root: etree._Element | None) -> list[str]:
    assert root is not None
    return [t.strip() for t in root.itertext() if t.strip()]


def test_the_parse_stops_right_after_the_main_article() -> None:
    data = page("<p>正文一</p><p>正文二</p>")
    root, end = parse_page(data)
    assert end == data.index(b"</article></div>") + len(b"</article>")
    assert texts(root) == ['{"@type": "NewsArticle"}', "菜单", "标题", "正文一", "正文二", "中国"]
    assert root is not None
    assert not root.xpath("//newscrawl-scope-end | //section | //footer")  # no sentinel, nothing after


def test_a_nested_article_in_the_body_does_not_end_the_main_one() -> None:
    data = page('<p>正文一</p><article class="m-interstitial"><p>另见</p></article><p>正文二</p>')
    root, end = parse_page(data)
    assert end == data.index(b"</article></div>") + len(b"</article>")
    assert texts(root)[-3:] == ["另见", "正文二", "中国"]


def test_an_end_tag_inside_a_script_comment_or_attribute_makes_the_whole_page_parsed() -> None:
    for trap in (
        "<script>var card = '<p>x</p></article>';</script>",
        "<!-- old layout </article> -->",
        '<p title="a </article> b">引文</p>',
    ):
        data = page(f"<p>正文一</p>{trap}<p>正文二</p>")
        root, end = parse_page(data)
        assert end is None, trap
        assert {"正文二", "相关文章"} <= set(texts(root)), trap


def test_a_body_outside_any_article_makes_the_whole_page_parsed() -> None:
    data = page("<p>正文</p>").replace(b"<article>", b"<div>").replace(b"</article>", b"</div>", 1)
    root, end = parse_page(data)
    assert end is None
    assert texts(root)[-2:] == ["相关文章", "版权"]


def test_a_second_element_with_the_body_class_makes_the_whole_page_parsed() -> None:
    preview = '<div class="t-content__body">预览</div>'
    root, end = parse_page(page("<p>正文</p>", before=preview))
    assert end is None
    assert "相关文章" in texts(root)


def test_an_article_that_never_ends_makes_the_whole_page_parsed() -> None:
    data = page("<p>正文</p>", after="").replace(b"</article>", b"")
    root, end = parse_page(data)
    assert end is None
    assert texts(root)[-2:] == ["正文", "中国"]


def test_a_page_without_the_body_is_parsed_whole() -> None:
    data = b"<html><body><article><p>x</p></article><footer>y</footer></body></html>"
    root, end = parse_page(data)
    assert end is None
    assert texts(root) == ["x", "y"]


def test_what_is_parsed_is_what_a_whole_parse_has_up_to_the_article_end() -> None:
    data = page("<p>正文<b>一</b></p><p>正文二<br>续</p>")
    root, end = parse_page(data)
    whole = parse_html(data)
    assert end is not None
    assert root is not None
    assert whole is not None
    assert texts(root) == texts(whole)[: len(texts(root))]
    assert etree.tostring(root.find("body/div")) == etree.tostring(whole.find("body/div"))


def test_a_style_sheet_naming_the_body_class_does_not_stop_the_shortcut() -> None:
    css = b"<style>.t-content__body p{margin:0}.t-content__body{clear:both}</style></head>"
    data = page("<p>正文</p>").replace(b"</head>", css)
    root, end = parse_page(data)
    assert end == data.index(b"</article></div>") + len(b"</article>")
    assert texts(root)[-2:] == ["正文", "中国"]
