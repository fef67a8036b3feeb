from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from bench import corpus, corpus_grown
from newscrawl.extract.pages import rfi
from newscrawl.extract.pages.rfi import PageResult, RfiArticlePage
from newscrawl.extract.scope import ParsedPage, parse_page
from newscrawl.extract.text import parse_html, utf8
from tests.conftest import REPO

if TYPE_CHECKING:
    from collections.abc import Callable

    from bench.corpus import Page

URL = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240401-%E6%B5%8B%E8%AF%95"
PROGRAMME_URL = (
    "https://www.rfi.fr/cn/%E4%B8%93%E6%A0%8F%E6%A3%80%E7%B4%A2/%E8%A6%81%E9%97%BB%E5%88%86%E6%9E%90/20240401-x"
)
IMG = "https://s.rfi.fr/media/display/u/w:{}/p:16x9/a.jpg"
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


def ld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def html(body: str = "", head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def rfi_body(inner: str) -> str:
    return f'<div class="t-content__body u-clearfix">{inner}</div>'


def extract(document: str, url: str = URL) -> PageResult:
    return RfiArticlePage(url, document).extract()


def content_of(document: str, url: str = URL) -> Any:
    result = extract(document, url)
    assert result.kind == "article", result
    assert result.content is not None
    return result.content


# --- page kind ----------------------------------------------------------------------------------


def test_bot_challenge_is_a_shell() -> None:
    challenge = html(
        '<div id="challenge"><h1>www.rfi.fr</h1><h2>Checking if the site connection is secure</h2>'
        "<noscript><p>Enable JavaScript and cookies to continue</p></noscript></div>",
        "<title>Just a moment...</title>",
    )
    assert extract(challenge) == PageResult("shell")


@pytest.mark.parametrize(
    "head",
    [
        ld({"@type": "WebPage", "name": "隐私政策"}),
        '<meta property="og:type" content="website">',
        ld({"@graph": [{"@type": "Organization"}, {"@type": "CollectionPage"}]}),
    ],
)
def test_a_page_that_says_what_else_it_is_is_not_an_article(head: str) -> None:
    assert extract(html("<main><p>我们重视您的隐私。</p></main>", head)) == PageResult("not_article")


def test_site_wide_objects_alone_do_not_make_a_page_not_an_article() -> None:
    head = ld({"@type": "Organization", "name": "RFI"}) + ld({"@type": "WebSite"})
    assert extract(html("<p>Error</p>", head)).kind == "shell"


def test_article_signal_without_any_body_is_a_shell() -> None:
    result = extract(html("<main></main>", ld({"@type": "NewsArticle", "headline": "只有标题"})))
    assert result.kind == "shell"
    assert result.content is None
    assert result.problems == ["no_body"]


@pytest.mark.parametrize(
    "document",
    ["", "   ", "garbage", "\x00\x00", "<html", "</p></div>", "<html><body></body></html>", "\ud800", "<" * 1000],
)
def test_empty_or_garbage_documents_are_shells_and_never_raise(document: str) -> None:
    assert extract(document).kind == "shell"


def test_each_article_signal_is_enough() -> None:
    body = rfi_body("<p>正文</p>")
    assert content_of(html(body)).body == "正文"  # the RFI body selector
    assert content_of(html("<article><p>正文</p></article>", '<meta property="og:type" content="article">')).body
    jsonld = ld({"@type": ["Thing", "BlogPosting"], "articleBody": "正文"})
    assert content_of(html("", jsonld)).body == "正文"


# --- body ---------------------------------------------------------------------------------------


def test_body_noise_is_removed_and_blocks_become_paragraphs() -> None:
    body = rfi_body(
        "<p>中国<a href='#'>外交部</a><strong>表示</strong>。</p>"
        "<div class='m-interstitial'><span>延伸阅读</span><a><p>别的文章</p></a></div>"
        "<div class='o-self-promo' data-selfpromo-newsletter><p>电邮新闻</p></div>"
        "<p class='a-read-more'><a>收听更多</a></p>"
        "<div class='m-em-flash'><p>快讯</p></div>"
        "<div class='t-content__shares'>分享 :</div>"
        "<div data-selfpromo-app>下载应用</div>"
        "<h2>小标题</h2>"
        "<figure><img srcset='https://s.rfi.fr/b.jpg 640w'><figcaption>图片说明</figcaption></figure>"
        "<ul><li>第一项</li><li>第二项</li></ul>"
        "<blockquote>引文</blockquote>"
        "<script>var a = '脚本';</script><style>p{}</style><noscript>无脚本</noscript><template>模板</template>"
        "<iframe src='https://www.youtube.com/embed/x'>不支持</iframe><button>按钮</button>"
        "<form><input value='x'>表单</form>"
        "<p>第二段<br>第三段</p>"
        "<div>直接在div里的文字</div>"
        "<p>\u3000\u3000</p>"
        "<p class='t-copyright'>© 2024 法国国际广播电台</p>"
    )
    assert content_of(html(body)).body == "\n\n".join(
        ["中国外交部表示。", "小标题", "第一项", "第二项", "引文", "第二段", "第三段", "直接在div里的文字"]
    )


def test_a_first_paragraph_equal_to_the_lead_is_dropped() -> None:
    document = html('<p class="t-content__chapo">导语。</p>' + rfi_body("<p>导语。</p><p>正文</p><p>导语。</p>"))
    content = content_of(document)
    assert (content.lead, content.body) == ("导语。", "正文\n\n导语。")


def test_json_ld_article_body_when_the_rfi_body_is_missing() -> None:
    jsonld = ld({"@type": "NewsArticle", "description": "导语", "articleBody": "导语\n第一段\n\n 第二段\u3000"})
    result = extract(html("<main></main>", jsonld))
    assert result.content is not None
    assert result.content.body == "第一段\n\n第二段"
    assert result.sources["body"] == "jsonld"


def test_an_empty_rfi_body_falls_through_to_the_next_source() -> None:
    jsonld = ld({"@type": "NewsArticle", "articleBody": "来自 JSON-LD"})
    result = extract(html(rfi_body("<div class='o-self-promo'><p>电邮新闻</p></div>"), jsonld))
    assert result.content is not None
    assert (result.content.body, result.sources["body"]) == ("来自 JSON-LD", "jsonld")


DRIFTED = html(
    """
    <header class="o-header"><nav><a href="/cn/中国/">中国</a><a href="/cn/法国/">法国</a></nav></header>
    <main><article class="t-article">
      <header>
        <nav class="m-breadcrumb"><a href="/cn/">首页</a><a href="/cn/国际/">国际</a></nav>
        <h1 class="t-article__title">新模板标题</h1>
        <p class="t-article__lead">新模板导语。</p>
      </header>
      <div class="t-article__text">
        <p class="byline">文／<a href="https://www.rfi.fr/cn/%E4%BD%9C%E8%80%85/%E6%B1%9F%E6%9E%AB/">江枫</a></p>
        <p>发表时间：30/03/2024 - 23:40</p>
        <p>新模板导语。</p>
        <p>第一段，比较<a href="#">长</a>的正文内容，讲述事件的经过。</p>
        <p>第二段，继续讲述事件的背景与各方反应。</p>
        <p>本文<a href="https://www.rfi.fr/cn/%E4%BD%9C%E8%80%85/x/">作者</a>在现场采访了多位当事人，他们的说法各不相同，需要进一步核实。</p>
        <div class="sharing-bar"><span>分享 :</span><a href="#">Facebook</a></div>
        <p>第三段。</p>
      </div>
      <ul class="m-tags-list"><li class="m-tags-list__tag"><a>标签</a></li></ul>
      <section class="o-related"><h2>相关内容</h2><div><p>一篇相关文章的简介，不是本文的内容。</p></div></section>
      <div class="o-newsletter-promo"><p>订阅我们的电邮新闻，头条新闻就在您的每日新闻信里。</p></div>
    </article></main>
    <aside><p>最多人阅读：另一篇文章的标题与简介，这段文字很长很长很长很长很长很长很长很长很长很长很长。</p></aside>
    <footer><p>© 2024 法国国际广播电台 版权所有</p></footer>
    """,
    '<meta property="og:type" content="article"><meta property="og:description" content="新模板导语。">',
)


def test_drift_fallback_keeps_the_text_and_leaves_the_furniture() -> None:
    result = extract(DRIFTED)
    assert result.content is not None
    assert result.sources["body"] == "fallback"
    assert result.content.body == "\n\n".join(
        [
            "第一段，比较长的正文内容，讲述事件的经过。",
            "第二段，继续讲述事件的背景与各方反应。",
            "本文作者在现场采访了多位当事人，他们的说法各不相同，需要进一步核实。",  # prose, not a byline
            "第三段。",
        ]
    )
    assert result.content.published == "2024-03-30T22:40:00Z"  # read before the fallback removes the line


def test_drift_fallback_drops_short_labels_but_not_a_first_paragraph_without_a_full_stop() -> None:
    document = html(
        "<main><article><h1>新模板标题</h1>"
        "<div class='story'><p>阅读时间 3 分钟</p>"
        "<p>法国总统马克龙周三在爱丽舍宫就养老金改革的下一步发表讲话，并就改革的时间表作出以下几点说明：</p>"
        "<ul><li>法定退休年龄将在二〇三〇年以前逐步提高到六十四岁；</li>"
        "<li>缴费年限将按照二〇二三年的法律规定继续逐年延长。</li></ul>"
        "<p>反对党表示将继续在议会和街头反对这项改革。</p></div></article></main>",
        '<meta property="og:type" content="article"><meta property="og:title" content="新模板标题">',
    )
    assert content_of(document).body.split("\n\n") == [
        "法国总统马克龙周三在爱丽舍宫就养老金改革的下一步发表讲话，并就改革的时间表作出以下几点说明：",
        "- 法定退休年龄将在二〇三〇年以前逐步提高到六十四岁；",
        "- 缴费年限将按照二〇二三年的法律规定继续逐年延长。",
        "反对党表示将继续在议会和街头反对这项改革。",
    ]


def test_drift_fallback_prefers_the_text_container_to_its_wrapper() -> None:
    document = html(
        "<main><div class='wrapper'><div class='text'><p>甲段内容。</p><p>乙段内容。</p></div>"
        "<div class='aside-ish'>附注</div></div></main>",
        '<meta property="og:type" content="article">',
    )
    assert content_of(document).body == "甲段内容。\n\n乙段内容。"


def test_drift_fallback_joins_paragraphs_split_around_an_ad() -> None:
    document = html(
        "<article><div><p>第一部分。</p><p>第二部分。</p></div><div class='ad'>广告</div>"
        "<div><p>第三部分，比前面的长一些。</p></div></article>",
        '<meta property="og:type" content="article">',
    )
    assert content_of(document).body == "第一部分。\n\n第二部分。\n\n广告\n\n第三部分，比前面的长一些。"


# --- title, lead, authors, tags, section ----------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "body", "title", "source"),
    [
        (ld({"@type": "NewsArticle", "headline": " 标题 - RFI - 法国国际广播电台"}), "", "标题", "jsonld"),
        ('<meta property="og:title" content="OG 标题 - RFI">', "", "OG 标题", "meta"),
        ("", '<h1 class="t-content__title">H1 <em>标题</em></h1>', "H1 标题", "dom"),
        ("<title>节目标题 - 要闻分析 - RFI - 法国国际广播电台</title>", "", "节目标题", "meta"),
    ],
)
def test_title_sources_and_suffixes(head: str, body: str, title: str, source: str) -> None:
    result = extract(html(body + rfi_body("<p>正文</p>"), head))
    assert result.content is not None
    assert (result.content.title, result.sources["title"]) == (title, source)


def test_lead_prefers_the_complete_chapo_to_descriptions() -> None:
    head = ld({"@type": "NewsArticle", "description": "被截断的描述…"}) + '<meta name="description" content="meta">'
    document = html('<p class="t-content__chapo">\n  完整的<a>导语</a>。\n</p>' + rfi_body("<p>正文</p>"), head)
    assert content_of(document).lead == "完整的导语。"
    assert content_of(html(rfi_body("<p>正文</p>"), '<meta name="description" content="  meta 描述 ">')).lead == (
        "meta 描述"
    )


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        (
            [{"@type": "Person", "name": "林文"}, {"@type": "Person", "name": "Clément Dubois"}],
            ["林文", "Clément Dubois"],
        ),
        ({"@type": "Person", "name": "林小文、王立"}, ["林小文", "王立"]),
        ("林小文，王立", ["林小文", "王立"]),
    ],
)
def test_json_ld_author_forms(author: Any, expected: list[str]) -> None:
    document = html(rfi_body("<p>正文</p>"), ld({"@type": "NewsArticle", "author": author}))
    assert content_of(document).authors == expected


def test_organisation_authors_fall_back_to_the_byline_links() -> None:
    byline = (
        '<div class="m-from-author"><a class="m-from-author__name" title="林文">林文</a>、'
        '<a class="m-from-author__name" title="Clément Dubois"><img alt=""></a></div>'
    )
    head = ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "RFI"}})
    result = extract(html(byline + rfi_body("<p>正文</p>"), head))
    assert result.content is not None
    assert (result.content.authors, result.sources["authors"]) == (["林文", "Clément Dubois"], "dom")


def test_meta_author_is_split() -> None:
    document = html(rfi_body("<p>正文</p>"), '<meta name="author" content="Jean Dupont et Marie Curie">')
    assert content_of(document).authors == ["Jean Dupont", "Marie Curie"]


@pytest.mark.parametrize(
    ("head", "body", "tags"),
    [
        (ld({"@type": "NewsArticle", "keywords": "日本,韩国， 半导体、日本"}), "", ["日本", "韩国", "半导体"]),
        (ld({"@type": "NewsArticle", "keywords": ["义大利", " 外卖平台 ", "义大利"]}), "", ["义大利", "外卖平台"]),
        ("", '<ul class="m-tags-list"><li class="m-tags-list__tag"><a> 香港 </a></li></ul>', ["香港"]),
        ('<meta name="keywords" content="中国,欧盟，电动汽车">', "", ["中国", "欧盟", "电动汽车"]),
    ],
)
def test_tags(head: str, body: str, tags: list[str]) -> None:
    assert content_of(html(body + rfi_body("<p>正文</p>"), head)).tags == tags


def test_section_of_a_programme_is_the_programme() -> None:
    head = ld({"@type": "NewsArticle", "articleSection": "法国"})
    result = extract(html(rfi_body("<p>正文</p>"), head), PROGRAMME_URL)
    assert result.content is not None
    assert (result.content.section, result.sources["section"]) == ("要闻分析", "url")


def test_section_from_breadcrumb_skips_the_page_itself_and_the_home() -> None:
    breadcrumb = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "首页", "item": "https://www.rfi.fr/cn/"},
            {"@type": "ListItem", "position": 2, "name": "港澳台", "item": "https://www.rfi.fr/cn/港澳台/"},
            {"@type": "ListItem", "position": 3, "name": "本文", "item": URL},
        ],
    }
    result = extract(html(rfi_body("<p>正文</p>"), ld([{"@type": "NewsArticle"}, breadcrumb])))
    assert result.content is not None
    assert (result.content.section, result.sources["section"]) == ("港澳台", "jsonld")


def test_section_from_dom_breadcrumb_then_url() -> None:
    crumbs = (
        '<ol><li class="m-breadcrumb__list__item"><a href="/cn/">首页</a></li>'
        '<li class="m-breadcrumb__list__item"><a href="/cn/亚洲/">亚洲</a></li></ol>'
    )
    assert content_of(html(crumbs + rfi_body("<p>正文</p>"))).section == "亚洲"
    assert content_of(html(rfi_body("<p>正文</p>"))).section == "中国"  # from /cn/中国/20240401-…
    assert content_of(html(rfi_body("<p>正文</p>")), "https://www.rfi.fr/cn/%E5%BF%AB%E8%AE%AF").section is None


# --- url and alternates -------------------------------------------------------------------------


def test_canonical_link_is_the_url_when_it_is_a_cn_page() -> None:
    canonical = "/cn/%e4%b8%ad%e5%9b%bd/20240401-%e6%b5%8b%e8%af%95/?xtor=RSS-1#top"
    result = extract(html(rfi_body("<p>正文</p>"), f'<link rel="canonical" href="{canonical}">'), URL + "?x=1")
    assert result.content is not None
    assert (result.content.url, result.sources["url"]) == (URL, "meta")


@pytest.mark.parametrize(
    "canonical", ["https://www.rfi.fr/cn/", "https://www.rfi.fr/cn/中国/", "https://example.com/a"]
)
def test_a_canonical_link_that_is_not_a_cn_page_is_ignored(canonical: str) -> None:
    result = extract(html(rfi_body("<p>正文</p>"), f'<link rel="canonical" href="{canonical}">'))
    assert result.content is not None
    assert (result.content.url, result.sources["url"]) == (URL, "url")
    assert result.problems == ["canonical_ignored"]


def test_alternates() -> None:
    head = (
        f'<link rel="alternate" hreflang="zh-Hans" href="{URL}">'
        '<link rel="alternate" hreflang="zh-Hant" href="https://www.rfi.fr/tw/中國/20240401-測試?xtor=1">'
        '<link rel="alternate" hreflang="fr" href="/fr/monde/20240401-test">'
        '<link rel="alternate" hreflang="x-default" href="https://www.rfi.fr/cn/">'
        '<link rel="alternate" type="application/rss+xml" href="https://www.rfi.fr/cn/rss">'
    )
    assert content_of(html(rfi_body("<p>正文</p>"), head)).alternates == {
        "zh-Hant": "https://www.rfi.fr/tw/%E4%B8%AD%E5%9C%8B/20240401-%E6%B8%AC%E8%A9%A6",
        "fr": "https://www.rfi.fr/fr/monde/20240401-test",
    }


# --- dates --------------------------------------------------------------------------------------


def pub_dates(*datetimes: str) -> str:
    spans = "".join(
        f'<span class="m-pub-dates__date">{label}： <time datetime="{dt}">01/01/2000 - 00:00</time></span>'
        for label, dt in zip(("发表时间", "更新时间"), datetimes, strict=False)
    )
    return f'<p class="m-pub-dates">{spans}</p>'


def test_dates_from_json_ld_first() -> None:
    head = ld(
        {"@type": "NewsArticle", "datePublished": "2024-03-31T17:00:00+02:00", "dateModified": "2024-03-31T17:30:59.9"}
    )
    head += '<meta property="article:published_time" content="2020-01-01T00:00:00Z">'
    result = extract(html(pub_dates("2019-01-01T00:00:00Z") + rfi_body("<p>正文</p>"), head))
    assert result.content is not None
    assert (result.content.published, result.content.modified) == ("2024-03-31T15:00:00Z", "2024-03-31T15:30:59Z")
    assert (result.sources["published"], result.sources["modified"]) == ("jsonld", "jsonld")


def test_dates_from_meta_then_time_elements() -> None:
    head = '<meta property="article:published_time" content="2024-01-15T10:00:00+01:00">'
    result = extract(html(pub_dates("2019-01-01T00:00:00Z", "2024-07-15T10:00:00") + rfi_body("<p>正文</p>"), head))
    assert result.content is not None
    assert (result.content.published, result.content.modified) == ("2024-01-15T09:00:00Z", "2024-07-15T08:00:00Z")
    assert (result.sources["published"], result.sources["modified"]) == ("meta", "dom")


def test_visible_dates_only_when_no_machine_date_exists() -> None:
    visible = (
        '<p class="m-pub-dates"><span>发表时间：30/03/2024 - 23:40</span> '
        "<span>更新时间： <b>31/03/2024</b> - 09:05</span></p>"
    )
    content = content_of(html(visible + rfi_body("<p>正文</p>")))
    assert (content.published, content.modified) == ("2024-03-30T22:40:00Z", "2024-03-31T07:05:00Z")

    machine = '<meta property="article:published_time" content="2024-03-30T12:00:00Z">'
    content = content_of(html(visible + rfi_body("<p>正文</p>"), machine))
    assert content.published == "2024-03-30T12:00:00Z"  # the visible 23:40 is not read
    assert content.modified == "2024-03-31T07:05:00Z"  # no machine modified date: the visible one


def test_an_unparsable_machine_date_gives_null_not_the_visible_text() -> None:
    visible = "<p>发表时间：30/03/2024 - 23:40</p>"
    result = extract(html(visible + rfi_body("<p>正文</p>"), ld({"@type": "NewsArticle", "datePublished": "昨天"})))
    assert result.content is not None
    assert result.content.published is None
    assert "date_unparsable" in result.problems


def test_no_date_is_null_never_the_urls_day() -> None:
    content = content_of(html(rfi_body("<p>正文</p>")))
    assert (content.published, content.modified) == (None, None)


# --- images -------------------------------------------------------------------------------------


def figure(inner: str) -> str:
    return f'<div class="t-content__main-media"><figure class="m-figure">{inner}</figure></div>'


def test_widest_srcset_candidate_of_the_figure_and_placeholder_ignored() -> None:
    main = figure(
        f'<picture><source srcset="{IMG.format(480)} 480w, {IMG.format(1920)} 1920w">'
        f'<img class="m-figure__img" src="{PLACEHOLDER}" srcset="{PLACEHOLDER} 4000w, {IMG.format(1280)} 1280w,'
        f'{IMG.format(640)} 640w" alt="替代文字"></picture>'
        "<figcaption><span>说明。</span> <span>© 法新社</span></figcaption>"
    )
    assert content_of(html(main + rfi_body("<p>正文</p>"))).images == [
        {"url": IMG.format(1920), "caption": "说明。 © 法新社"}
    ]


def test_img_src_without_srcset_and_alt_as_caption() -> None:
    main = figure('<img src="/media/a.jpg" alt=" 替代 文字 ">')
    assert content_of(html(main + rfi_body("<p>正文</p>"))).images == [
        {"url": "https://www.rfi.fr/media/a.jpg", "caption": "替代 文字"}
    ]


def test_a_figure_with_only_a_placeholder_has_no_image_and_json_ld_image_is_used() -> None:
    main = figure(f'<img src="{PLACEHOLDER}">')
    head = ld({"@type": "NewsArticle", "image": [{"@type": "ImageObject", "url": IMG.format(1280)}]})
    head += f'<meta property="og:image" content="{IMG.format(600)}">'
    result = extract(html(main + rfi_body("<p>正文</p>"), head))
    assert result.content is not None
    assert (result.content.images, result.sources["images"]) == ([{"url": IMG.format(1280), "caption": None}], "jsonld")


def test_og_image_last() -> None:
    result = extract(html(rfi_body("<p>正文</p>"), f'<meta property="og:image" content="{IMG.format(600)}">'))
    assert result.content is not None
    assert (result.content.images, result.sources["images"]) == ([{"url": IMG.format(600), "caption": None}], "meta")


def test_body_figures_follow_the_main_image_and_read_also_cards_give_none() -> None:
    main = figure(f'<img srcset="{IMG.format(1280)} 1280w">')
    body = rfi_body(
        f'<p>正文</p><figure><img srcset="{IMG.format(1280)} 1280w"></figure>'
        '<div class="m-interstitial"><figure><img srcset="https://s.rfi.fr/card.jpg 300w"></figure></div>'
        '<figure><img srcset="https://s.rfi.fr/b.jpg 768w"><figcaption>身体图</figcaption></figure>'
    )
    assert content_of(html(main + body)).images == [
        {"url": IMG.format(1280), "caption": None},
        {"url": "https://s.rfi.fr/b.jpg", "caption": "身体图"},
    ]


# --- media --------------------------------------------------------------------------------------


def test_media_from_json_ld() -> None:
    head = ld(
        {
            "@type": "NewsArticle",
            "audio": {"@type": "AudioObject", "contentUrl": "https://aod.rfi.fr/a.mp3", "duration": "PT12M34S"},
        }
    )
    player = '<video-player source="https://v.rfi.fr/ignored.mp4"></video-player>'
    assert content_of(html(player + rfi_body("<p>正文</p>"), head)).media == [
        {"type": "audio", "url": "https://aod.rfi.fr/a.mp3", "duration": 754}
    ]


@pytest.mark.parametrize(
    ("players", "media"),
    [
        (
            '<script type="application/json" data-media-video-id="v1">'
            '{"sources": [{"url": "https://v.rfi.fr/a.mp4"}], "duration": 95}</script>'
            '<script type="application/json" data-media-video-id="v2">{"source": "/v/b.mp4"}</script>'
            '<video-player source="https://v.rfi.fr/ignored.mp4"></video-player>',
            [
                {"type": "video", "url": "https://v.rfi.fr/a.mp4", "duration": 95},
                {"type": "video", "url": "https://www.rfi.fr/v/b.mp4", "duration": None},
            ],
        ),
        (
            '<video-player source="https://v.rfi.fr/c.mp4" duration="61"></video-player>',
            [{"type": "video", "url": "https://v.rfi.fr/c.mp4", "duration": 61}],
        ),
        (
            '<audio-player source="https://aod.rfi.fr/d.mp3" duration="754"></audio-player>'
            '<audio-player source="https://aod.rfi.fr/d.mp3"></audio-player>',
            [{"type": "audio", "url": "https://aod.rfi.fr/d.mp3", "duration": 754}],
        ),
    ],
)
def test_media_from_the_page(players: str, media: list[dict[str, Any]]) -> None:
    assert content_of(html(players + rfi_body("<p>正文</p>"))).media == media


# --- JSON-LD forms ------------------------------------------------------------------------------


def test_json_ld_array_graph_and_broken_scripts() -> None:
    head = (
        '<script type="application/ld+json">{ "@type": "NewsArticle", </script>'
        + ld([{"@type": "WebSite"}, {"@graph": [{"@type": "NewsArticle", "headline": "图中的标题"}]}])
        + '<script type="application/ld+json">[1, 2</script>'
    )
    result = extract(html(rfi_body("<p>正文</p>"), head))
    assert result.content is not None
    assert result.content.title == "图中的标题"
    assert result.problems == ["jsonld_invalid", "jsonld_invalid"]


def test_only_the_article_object_is_read() -> None:
    head = ld(
        [{"@type": "WebPage", "headline": "页面", "keywords": "错"}, {"@type": "NewsArticle", "headline": "文章"}]
    )
    content = content_of(html(rfi_body("<p>正文</p>"), head))
    assert (content.title, content.tags) == ("文章", [])


def test_a_large_document_is_extracted() -> None:
    paragraphs = "".join(f"<p>第{i}段<a>链接</a>。</p>" for i in range(20000))
    content = content_of(html("<nav>" + "<a>x</a>" * 20000 + "</nav>" + rfi_body(paragraphs)))
    assert content.body.startswith("第0段链接。\n\n第1段链接。")
    assert content.body.count("\n\n") == 19999


def test_utf8_bytes_give_the_same_result_as_text() -> None:
    html = (REPO / "fixtures" / "replay" / "pages" / "news-update.html").read_bytes()
    url = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240329-x"
    assert RfiArticlePage(url, html).extract() == RfiArticlePage(url, html.decode("utf-8")).extract()


def test_broken_utf8_bytes_are_read_with_replacement_characters() -> None:
    html = (
        b'<html><head><meta property="og:type" content="article"></head><body><article>'
        b'<div class="t-content__body"><p>\xe4\xb8\xad\xe5\x9b\xbd\xff text</p></div></article></body></html>'
    )
    result = RfiArticlePage("https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-a", html).extract()
    assert result.kind == "article"
    assert result.content is not None
    assert result.content.body == "中国\ufffd text"


# --- what is read: the page up to the end of its main article ------------------------------------


def article_page(article: str, after: str, head: str = "") -> str:
    return html(f'<div id="main-content"><article>{article}</article></div>{after}', head)


def test_what_follows_the_main_article_is_not_read() -> None:
    related = (
        '<section><article><a class="m-from-author__name">别的作者</a><ul class="m-tags-list">'
        '<li class="m-tags-list__tag"><a>别的标签</a></li></ul><video-player source="/v.mp4"></video-player>'
        "</article></section>"
    )
    og_article = '<meta property="og:type" content="article">'
    content = content_of(article_page(rfi_body("<p>正文。</p>"), related, og_article))
    assert (content.body, content.authors, content.tags, content.media) == ("正文。", [], [], [])


def test_json_ld_after_the_main_article_is_still_read() -> None:
    late = ld({"@type": "NewsArticle", "headline": "晚到的标题", "author": {"name": "作者"}})
    result = extract(article_page('<h1 class="t-content__title">页面标题</h1>' + rfi_body("<p>正文。</p>"), late))
    assert result.content is not None
    assert (result.content.title, result.content.authors) == ("晚到的标题", ["作者"])
    assert result.sources["title"] == "jsonld"


def whole_page(data: bytes) -> ParsedPage:
    return ParsedPage(parse_html(data), None)


@pytest.mark.parametrize("corpus", [corpus.make_pages, corpus_grown.make_pages], ids=["generated", "grown"])
def test_reading_up_to_the_article_end_gives_what_reading_the_whole_page_gives(
    corpus: Callable[[int], list[Page]], monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = [(p.url, p.html) for p in corpus(40)]
    pages += [(URL, path.read_bytes()) for path in sorted((REPO / "fixtures").glob("*/**/*.html"))]
    scoped = [RfiArticlePage(url, data).extract() for url, data in pages]
    assert sum(parse_page(utf8(data)).end is not None for _, data in pages) >= 40  # the shortcut is taken
    monkeypatch.setattr(rfi, "parse_page", whole_page)
    assert [RfiArticlePage(url, data).extract() for url, data in pages] == scoped
