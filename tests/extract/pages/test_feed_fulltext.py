from __future__ import annotations

import pytest

from newscrawl.discovery.feeds import FeedEntry
from newscrawl.extract.pages.feed_fulltext import feed_only_content
from newscrawl.items import PageContent
from tests.conftest import TEST_DATA

SEED = (TEST_DATA / "seed-feedx-item.txt").read_text(encoding="utf-8")
SEED_URL = (
    "https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/20240331-%E6%97%A5%E7%BE%8E%E8%8F%B2%E5%B0%B1%E5%8A%A0%E5%BC%BA"
    "%E5%85%B3%E9%94%AE%E7%9F%BF%E4%BA%A7%E4%BE%9B%E5%BA%94%E9%93%BE%E8%BE%BE%E6%88%90%E5%8D%8F%E8%AE%AE-"
    "%E5%BC%80%E5%B1%95%E7%BB%8F%E6%B5%8E%E5%AE%89%E4%BF%9D%E5%90%88%E4%BD%9C"
)
URL = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240401-x"


def entry(fulltext: str | None, **fields: object) -> FeedEntry:
    values: dict[str, object] = {
        "feed_url": "https://feedx.net/rss/rfi.xml",
        "position": 0,
        "link": URL,
        "entry_id": URL,
        "title": "标题",
        "published": "2024-04-01T08:00:00Z",
        "fulltext_html": fulltext,
    }
    values.update(fields)
    return FeedEntry(**values)  # type: ignore[arg-type]


def test_seed_item_verbatim() -> None:
    seed = entry(
        SEED,
        link=SEED_URL,
        entry_id=SEED_URL,
        title="日美菲拟就加强关键矿产供应链达成协议 开展经济安保合作",
        published="2024-03-31T15:15:02Z",
    )
    assert feed_only_content(SEED_URL, [seed]) == PageContent(
        url=SEED_URL,
        title="日美菲拟就加强关键矿产供应链达成协议 开展经济安保合作",
        lead=(
            "据《产经新闻》援引多名官员的话报导，日本、美国和菲律宾三国已就加强镍等关键矿产供应链合作进行了最终调整，"
            "并将于4月11日在华盛顿举行的三边峰会上将相关内容纳入联合声明。镍用于电动汽车的电池，随着中国加大收购力度，"
            "日美两国希望通过与世界主要生产国之一的菲律宾合作，获得稳定的供应。"
        ),
        body="\n\n".join(
            [
                "日本首相岸田文雄、美国总统拜登和菲律宾总统小马科斯届时将出席峰会。日本经济产业大臣斋藤健预计将与美国商务部长"
                "雷蒙多（Gina Raimondo）和菲律宾贸工部部长帕斯夸尔（Alfredo Pascual）讨论具体的合作框架。",
                "报导提及，镍用于电动汽车的锂离子电池，在全球最大的镍生产国印度尼西亚，中国企业开始运营冶炼厂和其他设施。"
                "镍的稳定采购对于汽车工业和其他行业至关重要，日本和美国正争相与拥有全球第二大镍产量的菲律宾建立供应链。"
                "关于镍和稀土等重要矿产，日美两国已与七国集团（G7）国家和澳大利亚合作，以加强其供应链。",
                "除了强化安保合作外，在这次峰会上，日美菲三国还希望加强经济安保领域的关系。日本和美国将就能源领域的合作达成一致，"
                "包括在菲律宾开发一个小型核反应堆，以及提供半导体和5G移动通信系统相关技术，并计划反映在三方联合声明中。",
                "在安保方面，预计讨论将包括日本自卫队与美菲军队之间的联合训练，以及日本向菲律宾提供防卫装备。"
                "岸田文雄正安排8日开始访问美国，并将于10日与拜登举行私人会晤。",
            ]
        ),
        authors=[],
        tags=[],
        section="国际",
        published="2024-03-31T15:00:00Z",  # 31/03/2024 - 17:00 in Paris (CEST), not the entry date
        modified=None,
        images=[
            {
                "url": "https://s.rfi.fr/media/display/f3e84dd2-ee74-11ee-a4f4-005056bf30b7/w:1280/p:16x9/Capture-2175.JPG",
                "caption": None,
            }
        ],
        media=[],
        alternates={},
    )


def test_noise_never_reaches_the_text() -> None:
    content = feed_only_content(SEED_URL, [entry(SEED)])
    assert content is not None
    text = f"{content.lead}\n{content.body}"
    for noise in ("1711898102000", "](https://", "------", "31/03/2024", "分享", "feedx", "获取更多RSS", "whatsapp"):
        assert noise not in text


def test_first_entry_with_usable_full_text_wins() -> None:
    lead_only = entry("<p><strong>只有导语</strong></p>", title="第一")
    no_text = entry(None, title="第二")
    summary = entry("只是摘要，没有段落", title="第三")
    full = entry("<p><b>导语</b></p><p>正文一</p><p>正文二</p>", title="第四", published="2024-04-01T09:30:00Z")
    later = entry("<p>更晚的</p>", title="第五")
    content = feed_only_content(URL, [lead_only, no_text, summary, full, later])
    assert content is not None
    assert (content.title, content.lead, content.body) == ("第四", "导语", "正文一\n\n正文二")
    assert content.published == "2024-04-01T09:30:00Z"  # no date line: the entry date
    assert content.section == "中国"


def test_no_body_besides_the_lead_is_not_usable() -> None:
    assert feed_only_content(URL, [entry("<div>01/04/2024 - 10:00</div><p><strong>导语</strong></p>")]) is None
    # A one-paragraph summary (RFI's own feeds, an Atom <summary type="html">) is not the article.
    assert feed_only_content(URL, [entry("<p>财政部等部门3日公布新能源汽车购置税减免的具体细则。</p>")]) is None
    assert feed_only_content(URL, [entry("<div><p>摘要</p></div><div data-selfpromo-app></div>")]) is None
    assert feed_only_content(URL, [entry("")]) is None
    assert feed_only_content(URL, []) is None


def test_a_first_paragraph_not_wholly_bold_is_body() -> None:
    content = feed_only_content(URL, [entry("<p><strong>部分</strong>加粗</p><p>第二段</p>")])
    assert content is not None
    assert content.lead is None
    assert content.body == "部分加粗\n\n第二段"


def test_share_block_promos_footer_and_images() -> None:
    html = (
        "<!--1711950000000-->\n[标题](https://www.rfi.fr/cn/x)\n------\n\n"
        "<div>01/04/2024 - 10:00</div>"
        '<img src="/relative.jpg"><img src="data:image/gif;base64,R0l"><img src="https://s.rfi.fr/a.jpg">'
        '<p><strong>导语</strong></p><p>正文<a href="#">链接</a>。</p>'
        '<div data-selfpromo-newsletter=""><p>订阅电邮新闻</p></div>'
        "<div><div>分享：</div><div><a>Facebook</a></div></div>"
        '<p><a href="https://feedx.net">https://feedx.net</a></p>'
        "<br><hr><div>获取更多RSS：<br>https://feedx.run</div>"
    )
    content = feed_only_content(URL, [entry(html)])
    assert content is not None
    assert content.lead == "导语"
    assert content.body == "正文链接。"
    assert content.published == "2024-04-01T08:00:00Z"  # CEST
    assert content.images == [{"url": "https://s.rfi.fr/a.jpg", "caption": None}]


@pytest.mark.parametrize(
    "promotion",
    [
        "<div>获取更多RSS：<br><a href='https://feedx.net'>https://feedx.net</a> <br>"
        "<a href='https://feedx.run'>https://feedx.run</a><br></div>",
        "<p>获取更多RSS: https://feedx.net/rss/</p>",
        "<div>获取更多RSS：</div>",
        "<p><a href='https://feedx.run'>feedx.run</a></p>",
        "<div><div>获取更多rss</div><p>HTTPS://FEEDX.NET</p></div>",
    ],
)
def test_feedx_promotion_lines_are_dropped_without_the_footer_rule(promotion: str) -> None:
    # No <br><hr> before them: only the lines' own text tells them apart.
    content = feed_only_content(
        URL, [entry(f"<p><strong>导语</strong></p><div><p>正文</p>{promotion}</div><p>结尾</p>")]
    )
    assert content is not None
    assert (content.lead, content.body) == ("导语", "正文\n\n结尾")


def test_an_article_paragraph_that_names_feedx_is_kept() -> None:
    quoting = [
        "RSS聚合网站Feedx的统计显示，订阅量一年内翻了一番。",
        "据feedx.net介绍，该服务提供法广等媒体的全文订阅。",
        "获取更多RSS：这是feedx用户常见的一句话。",
    ]
    html = "<p><strong>导语</strong></p>" + "".join(f"<p>{text}</p>" for text in quoting)
    content = feed_only_content(URL, [entry(html)])
    assert content is not None
    assert content.body == "\n\n".join(quoting)


@pytest.mark.parametrize(
    "share",
    [
        "<div><div>分享 :</div><div><a>Facebook</a></div></div>",
        "<div>分享：<a>Facebook</a><a>X</a></div>",
        "<div><span> 分享 : </span><a>Facebook</a></div>",
    ],
)
def test_share_block_forms(share: str) -> None:
    content = feed_only_content(URL, [entry(f"<p>正文</p>{share}<p>结尾</p>")])
    assert content is not None
    assert content.body == "正文\n\n结尾"


def test_authors_tags_and_media_come_from_the_entry() -> None:
    content = feed_only_content(
        URL,
        [
            entry(
                "<p>正文</p><p>结尾</p>",
                authors=("小山、大海",),
                tags=("中国", " 中国", "人权"),
                enclosures=(
                    ("https://aod.rfi.fr/a.mp3", "audio/mpeg"),
                    ("https://s.rfi.fr/b.jpg", "image/jpeg"),
                    ("https://v.rfi.fr/c.mp4", "video/mp4"),
                ),
            )
        ],
    )
    assert content is not None
    assert content.authors == ["小山", "大海"]
    assert content.tags == ["中国", "人权"]
    assert content.media == [
        {"type": "audio", "url": "https://aod.rfi.fr/a.mp3", "duration": None},
        {"type": "video", "url": "https://v.rfi.fr/c.mp4", "duration": None},
    ]
    assert content.modified is None
    assert content.alternates == {}
