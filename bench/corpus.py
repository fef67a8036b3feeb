"""Deterministic benchmark inputs: RFI-template article pages, an RSS feed and a replay archive.

Page ``i`` is a function of ``(SEED, i)`` alone, so a corpus of 100 pages is the first 100 pages
of a corpus of 1000, and two runs on two machines read the same bytes. The composition of a page
is documented in bench/README.md ("Inputs"); the numbers below are the knobs.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

SEED = 20240401
ORIGIN = "https://www.rfi.fr"
FEED_URL = f"{ORIGIN}/cn/rss"
PARIS = ZoneInfo("Europe/Paris")
NEWEST = datetime(2024, 4, 1, 18, 0, tzinfo=UTC)

PAGE_BYTES = (100_000, 250_000)  # each page's total size is drawn uniformly from this range
BODY_PARAGRAPHS = (6, 15)
PARAGRAPH_CHARS = (80, 320)
NAV_LINKS_PER_SECTION = 5
RELATED_CARDS = (4, 10)
MOST_READ = 8

SECTIONS = (
    *("中国", "法国", "港澳台", "亚洲", "非洲", "美洲", "欧洲", "中东", "国际", "政治", "经贸"),
    *("社会", "人权", "健康", "体育", "生态", "科技与文化", "名流", "视频", "特别专题", "滚动新闻"),
)
PROGRAMMES = ("要闻分析", "法国报纸摘要", "东京专栏", "公民论坛", "今日经济", "要闻解说", "法国思绪", "艺坛风景")
LANGUAGES = (
    *("fr", "en", "es", "pt", "br", "ro", "ru", "uk", "vi", "km", "fa", "sw", "ha", "ff", "mandinka"),
    *("tw", "cn"),
)
WORDS = (
    *("法国", "中国", "北京", "巴黎", "政府", "外交部", "发言人", "表示", "周一", "周二", "周三", "周四", "周五"),
    *("欧洲联盟", "美国", "总统", "总理", "会晤", "双边", "关系", "合作", "经济", "贸易", "关税", "谈判"),
    *("人权", "组织", "报告", "指出", "记者", "采访", "当局", "宣布", "措施", "新冠", "疫情", "经济增长"),
    *("国际社会", "关注", "台湾", "香港", "选举", "立法会", "抗议", "警方", "逮捕", "法院", "判决", "上诉"),
    *("能源", "气候", "变化", "峰会", "减排", "目标", "承诺", "供应链", "半导体", "技术", "出口", "管制"),
    *("安全", "军事", "演习", "南海", "主权", "争议", "联合国", "安理会", "决议", "制裁", "俄罗斯", "乌克兰"),
    *("战争", "和平", "谈判桌", "市场", "投资者", "股市", "下跌", "上涨", "百分之", "数据显示", "统计局"),
    *("社会", "舆论", "网民", "批评", "支持", "反对", "分析人士", "认为", "可能", "将会", "已经", "继续"),
    *("文化", "电影", "展览", "艺术家", "作品", "博物馆", "观众", "欢迎", "传统", "现代", "历史", "未来"),
    *("学者", "研究", "大学", "学生", "教育", "改革", "政策", "影响", "问题", "发展", "国家", "地区", "人民"),
)
NAMES = ("安博", "林若", "魏知", "曹南", "艾米", "宋家", "李天", "高山", "罗兰", "苏菲")
CREDITS = ("Reuters", "AFP", "AP", "法广 RFI", "Getty Images")
GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
IMAGE_WIDTHS = (160, 320, 480, 640, 960, 1024, 1280)


@dataclass(frozen=True)
class Page:
    url: str  # canonical https://www.rfi.fr URL, percent-encoded path
    title: str
    lead: str
    section: str  # section, or programme name
    published: datetime  # UTC
    html: bytes


def _pct(path: str) -> str:
    return quote(path, safe="/")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    if len(words) > 10:
        words.insert(rng.randint(4, len(words) - 4), "，")
    return "".join(words) + "。"


def _prose(rng: random.Random, low: int, high: int) -> str:
    """Chinese sentences until the text reaches a length drawn from ``low``…``high`` characters."""
    target = rng.randint(low, high)
    text = ""
    while len(text) < target:
        text += _sentence(rng)
    return text


def _headline(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(5, 9)))


def _slug_url(section: str, when: datetime, headline: str) -> str:
    day = when.astimezone(PARIS).strftime("%Y%m%d")
    return f"{ORIGIN}{_pct(f'/cn/{section}/{day}-{headline}')}"


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _srcset(rng: random.Random) -> str:
    base = f"https://s.rfi.fr/media/display/{_uuid(rng)}"
    name = f"{rng.choice(('AP', 'AFP', 'REUTERS', 'RFI'))}{rng.randint(10000, 99999)}.jpg"
    return ", ".join(f"{base}/w:{w}/p:16x9/{name} {w}w" for w in IMAGE_WIDTHS)


def _picture(rng: random.Random, alt: str, css: str = "m-figure__img") -> str:
    srcset = _srcset(rng)
    return (
        f'<picture><source media="(min-width: 1024px)" srcset="{srcset}">'
        f'<img class="{css} lazyload" src="{GIF}" srcset="{srcset}" sizes="100vw" alt="{escape(alt)}" '
        f'loading="lazy" width="1280" height="720"></picture>'
    )


def _card(rng: random.Random, when: datetime) -> str:
    """A promo/related article card: lazy image with srcset, section label, headline, date."""
    section, headline = rng.choice(SECTIONS), _headline(rng)
    url = _slug_url(section, when, headline)
    return (
        f'<div class="m-item-list-article"><a href="{url}" data-article-item-link>'
        f'<figure class="m-item-list-article__media">{_picture(rng, headline, "m-item-list-article__img")}'
        f'</figure><div class="m-item-list-article__info"><span class="a-label">{section}</span>'
        f'<p class="article__title">{escape(headline)}</p><time datetime="{when.isoformat()}">'
        f"{when.astimezone(PARIS):%d/%m/%Y}</time></div></a></div>"
    )


def _nav(rng: random.Random, when: datetime) -> str:
    """The mega menu: every section with its latest headlines, the programmes, the editions."""
    parts = ['<header class="o-header"><nav class="o-header__nav" role="navigation"><ul class="m-menu">']
    for section in SECTIONS:
        parts.append(f'<li class="m-menu__item"><a href="{ORIGIN}{_pct(f"/cn/{section}/")}">{section}</a><ul>')
        for _ in range(NAV_LINKS_PER_SECTION):
            headline = _headline(rng)
            parts.append(f'<li><a href="{_slug_url(section, when, headline)}">{escape(headline)}</a></li>')
        parts.append("</ul></li>")
    parts.append('<li class="m-menu__item"><a href="#">专栏检索</a><ul>')
    parts += [f'<li><a href="{ORIGIN}{_pct(f"/cn/专栏检索/{p}/")}">{p}</a></li>' for p in PROGRAMMES]
    parts.append('</ul></li></ul><ul class="m-languages">')
    parts += [f'<li><a href="{ORIGIN}/{lang}/" hreflang="{lang}">{lang.upper()}</a></li>' for lang in LANGUAGES]
    parts.append("</ul></nav></header>")
    return "".join(parts)


def _footer(rng: random.Random) -> str:
    columns = []
    for title in ("法广", "节目", "服务", "关注我们"):
        links = "".join(
            f'<li><a href="{ORIGIN}{_pct(f"/cn/{rng.choice(SECTIONS)}/")}">{_headline(rng)[:6]}</a></li>'
            for _ in range(12)
        )
        columns.append(f'<div class="o-footer__column"><p>{title}</p><ul>{links}</ul></div>')
    editions = "".join(f'<a href="{ORIGIN}/{lang}/">{lang}</a>' for lang in LANGUAGES)
    return (
        f'<footer class="o-footer" role="contentinfo">{"".join(columns)}<div class="o-footer__editions">'
        f'{editions}</div><p class="o-footer__legal">© 2024 RFI - 法国国际广播电台 版权所有</p></footer>'
    )


def _ld_json(objects: list[dict[str, Any]]) -> str:
    return "".join(
        f'<script type="application/ld+json">{json.dumps(o, ensure_ascii=False, indent=2)}</script>' for o in objects
    )


def _state_blob(rng: random.Random, size: int, when: datetime) -> str:
    """An inline application-state script (the front end's hydration data) of about ``size`` bytes."""
    cards: list[str] = []
    filled = 0
    while filled < size:
        headline = _headline(rng)
        section = rng.choice(SECTIONS)
        card = json.dumps(
            {
                "id": _uuid(rng),
                "title": headline,
                "url": _slug_url(section, when, headline),
                "section": section,
                "image": {"srcset": _srcset(rng)},
                "summary": _prose(rng, 40, 90),
                "tracking": {"xtor": f"RSS-{rng.randint(100, 999)}", "chapter": section, "level2": rng.randint(1, 60)},
            },
            ensure_ascii=False,
        )
        cards.append(card)
        filled += len(card.encode()) + 1
    return f'<script>window.__APP_STATE__ = {{"layout": "article", "cards": [{",".join(cards)}]}};</script>'


@dataclass(frozen=True)
class _Story:
    """The facts of one article, drawn once and written into several parts of its page."""

    index: int
    url: str
    path: str  # the section (or programme) folder, e.g. /cn/中国/
    section: str  # the section, or the programme name for programme pages
    programme: bool
    headline: str
    lead: str
    authors: list[str]
    tags: list[str]
    published: datetime  # Paris time
    modified: datetime  # Paris time
    main_image: str  # srcset
    caption: str


def _story(index: int, rng: random.Random, when: datetime) -> _Story:
    paris = when.astimezone(PARIS)
    programme = rng.choice(PROGRAMMES) if rng.random() < 0.2 else None
    section = programme or rng.choice(SECTIONS)
    headline = _headline(rng)
    path = f"/cn/专栏检索/{programme}/" if programme else f"/cn/{section}/"
    return _Story(
        index=index,
        url=f"{ORIGIN}{_pct(f'{path}{paris:%Y%m%d}-{headline}')}",
        path=path,
        section=section,
        programme=programme is not None,
        headline=headline,
        lead=_prose(rng, 60, 140),
        authors=rng.sample(NAMES, rng.randint(1, 2)),
        tags=rng.sample([w for w in WORDS if len(w) >= 2], rng.randint(3, 7)),
        published=paris,
        modified=(when + timedelta(minutes=rng.randint(5, 180))).astimezone(PARIS),
        main_image=_srcset(rng),
        caption=_prose(rng, 20, 50),
    )


def _ld_objects(story: _Story, rng: random.Random) -> list[dict[str, Any]]:
    """NewsArticle, BreadcrumbList, NewsMediaOrganization, and a WebSite in half the pages."""
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": story.url},
        "headline": story.headline,
        "description": story.lead,
        "datePublished": story.published.isoformat(),
        "dateModified": story.modified.isoformat(),
        "author": [{"@type": "Person", "name": name} for name in story.authors],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": "RFI",
            "logo": {"@type": "ImageObject", "url": f"{ORIGIN}/res/img/logo.png", "width": 600, "height": 60},
        },
        "image": [{"@type": "ImageObject", "url": _widest(story.main_image), "width": 1280}],
        "keywords": story.tags,
        "articleSection": story.section,
        "inLanguage": "zh-Hans",
        "isAccessibleForFree": True,
    }
    if story.programme:
        article["audio"] = {
            "@type": "AudioObject",
            "contentUrl": f"https://aod-rfi.akamaized.net/rfi/chinois/audio/{story.published:%Y%m%d}-{story.index}.mp3",
            "duration": f"PT{rng.randint(2, 9)}M{rng.randint(0, 59)}S",
        }
    objects = [
        article,
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "首页", "item": f"{ORIGIN}/cn/"},
                {"@type": "ListItem", "position": 2, "name": story.section, "item": f"{ORIGIN}{_pct(story.path)}"},
            ],
        },
        {
            "@context": "https://schema.org",
            "@type": "NewsMediaOrganization",
            "name": "RFI - 法国国际广播电台",
            "url": f"{ORIGIN}/cn/",
            "sameAs": ["https://www.facebook.com/RFI.Chinese", "https://x.com/RFI_Cn"],
        },
    ]
    if rng.random() < 0.5:
        objects.append(
            {
                "@context": "https://schema.org",
                "@type": "WebSite",
                "url": f"{ORIGIN}/cn/",
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": f"{ORIGIN}/cn/搜索/?term={{search_term_string}}",
                    "query-input": "required name=search_term_string",
                },
            }
        )
    return objects


def _widest(srcset: str) -> str:
    return srcset.rsplit(", ", 1)[-1].split(" ", maxsplit=1)[0]


def _head(story: _Story, rng: random.Random) -> str:
    url, headline, lead = story.url, escape(story.headline), escape(story.lead)
    suffix = f" - {story.section}" if story.programme else ""
    tracking = {"page": {"chapter1": story.section, "id": story.index, "type": "article", "level2": rng.randint(1, 60)}}
    return (
        '<!DOCTYPE html><html lang="zh-Hans" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{headline}{suffix} - RFI - 法国国际广播电台</title>"
        f'<meta name="description" content="{lead}"><meta name="keywords" content="{escape(",".join(story.tags))}">'
        f'<link rel="canonical" href="{url}"><link rel="alternate" hreflang="zh-Hans" href="{url}">'
        f'<link rel="alternate" hreflang="zh-Hant" href="{ORIGIN}/tw/{url.removeprefix(f"{ORIGIN}/cn/")}">'
        f'<link rel="alternate" hreflang="x-default" href="{url}">'
        f'<meta property="og:type" content="article"><meta property="og:title" content="{headline}">'
        f'<meta property="og:description" content="{lead}"><meta property="og:url" content="{url}">'
        f'<meta property="og:image" content="{_widest(story.main_image)}">'
        '<meta property="og:locale" content="zh_CN"><meta property="og:site_name" content="RFI - 法国国际广播电台">'
        '<meta name="twitter:card" content="summary_large_image"><meta name="twitter:site" content="@RFI_Cn">'
        f'<meta property="article:published_time" content="{story.published.isoformat()}">'
        f'<meta property="article:modified_time" content="{story.modified.isoformat()}">'
        f'<meta property="article:section" content="{story.section}">'
        + "".join(f'<meta property="article:tag" content="{escape(t)}">' for t in story.tags)
        + "".join(f'<link rel="preload" as="font" href="/res/fonts/font-{n}.woff2" crossorigin>' for n in range(4))
        + _ld_json(_ld_objects(story, rng))
        + '<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({"gtm.start":new Date().getTime(),'
        'event:"gtm.js"});})(window,document,"script","dataLayer","GTM-XXXX");</script>'
        f'<script type="application/json" id="tracking-data">{json.dumps(tracking, ensure_ascii=False)}</script>'
        "</head>"
    )


def _body_paragraphs(rng: random.Random, when: datetime) -> str:
    """6–15 paragraphs (some with a link), an h2 every 4, a "read also" card and a figure midway, promo."""
    parts = []
    count = rng.randint(*BODY_PARAGRAPHS)
    for n in range(count):
        if n and n % 4 == 0:
            parts.append(f"<h2>{escape(_headline(rng))}</h2>")
        if n == count // 2:
            parts.append(
                f'<div class="m-interstitial"><span>也请阅读</span>{_card(rng, when)}</div>'
                f'<figure class="m-figure">{_picture(rng, _headline(rng))}<figcaption class="m-figure__caption">'
                f"{escape(_prose(rng, 20, 40))}</figcaption></figure>"
            )
        text = escape(_prose(rng, *PARAGRAPH_CHARS))
        if rng.random() < 0.3:
            cut = len(text) // 2
            text = f'{text[:cut]}<a href="{ORIGIN}/cn/">{text[cut : cut + 4]}</a>{text[cut + 4 :]}'
        parts.append(f"<p>{text}</p>")
    parts.append(
        '<div class="o-self-promo" data-selfpromo-newsletter><p>电邮新闻</p><p>头条新闻就在您的每日新闻信里</p>'
        f'<a class="a-btn" href="{ORIGIN}/cn/newsletter">订阅</a></div>'
        '<p class="t-copyright">© 本网站所有内容受版权保护</p>'
    )
    return "".join(parts)


def _article(story: _Story, rng: random.Random, when: datetime) -> str:
    shares = "".join(
        f'<a class="m-share__link" href="https://{net}/share?u={quote(story.url, safe="")}" rel="noopener nofollow">'
        f"<span>{net}</span></a>"
        for net in ("www.facebook.com", "x.com", "web.whatsapp.com", "line.me", "www.linkedin.com")
    )
    published, modified = story.published, story.modified
    authors = "".join(
        f'<div class="m-from-author"><span>作者</span> <a class="m-from-author__name" '
        f'href="{ORIGIN}{_pct(f"/cn/作者/{name}/")}" title="{name}">{name}</a></div>'
        for name in story.authors
    )
    tags = "".join(
        f'<li class="m-tags-list__tag"><a href="{ORIGIN}{_pct(f"/cn/关键词/{t}/")}">{escape(t)}</a></li>'
        for t in story.tags
    )
    caption = escape(story.caption)
    return (
        '<main><div id="main-content" class="t-content t-content--article"><article>'
        '<nav class="m-breadcrumb"><ul class="m-breadcrumb__list">'
        f'<li class="m-breadcrumb__list__item"><a href="{ORIGIN}/cn/">首页</a></li>'
        f'<li class="m-breadcrumb__list__item"><a href="{ORIGIN}{_pct(story.path)}">{story.section}</a></li></ul></nav>'
        f'<h1 class="t-content__title a-page-title">{escape(story.headline)}</h1>'
        f'<p class="t-content__chapo">{escape(story.lead)}</p>{authors}'
        f'<p class="m-pub-dates"><span class="m-pub-dates__date">发表时间： <time datetime="{published.isoformat()}">'
        f'{published:%d/%m/%Y - %H:%M}</time></span><span class="m-pub-dates__date">更新时间： '
        f'<time datetime="{modified.isoformat()}">{modified:%d/%m/%Y - %H:%M}</time></span></p>'
        f'<div class="t-content__shares m-share">{shares}</div>'
        '<div class="t-content__main-media"><figure class="m-figure"><picture><source media="(min-width: 1024px)" '
        f'srcset="{story.main_image}"><img class="m-figure__img" src="{GIF}" srcset="{story.main_image}" '
        f'sizes="100vw" alt="{caption}" loading="lazy"></picture><figcaption class="m-figure__caption">{caption}'
        f'<span class="m-figure__credit"> © {rng.choice(CREDITS)}</span></figcaption></figure></div>'
        f'<div class="t-content__body u-clearfix">{_body_paragraphs(rng, when)}</div>'
        f'<div class="m-tags-list-wrapper"><ul class="m-tags-list">{tags}</ul></div></article></div>'
    )


def _promos(rng: random.Random, when: datetime) -> str:
    related = "".join(_card(rng, when) for _ in range(rng.randint(*RELATED_CARDS)))
    most_read = "".join(_card(rng, when) for _ in range(MOST_READ))
    return (
        f'<section class="o-related"><h2>相关文章</h2>{related}</section>'
        f'<aside class="o-most-read"><h2>最多阅读</h2>{most_read}</aside>'
        '<aside class="o-self-promo o-podcast-promo"><p>收听法广节目</p><p>播客与直播</p></aside></main>'
    )


def make_page(index: int, seed: int = SEED) -> Page:
    """Article page ``index``: head, mega menu, article, promos, state script (to the drawn size), footer."""
    rng = random.Random(seed * 1_000_003 + index)
    when = NEWEST - timedelta(minutes=37 * index)
    story = _story(index, rng, when)
    before = _head(story, rng) + f"<body>{_nav(rng, when)}" + _article(story, rng, when) + _promos(rng, when)
    after = f"{_footer(rng)}</body></html>"
    fixed = len((before + after).encode())
    state = _state_blob(rng, max(0, rng.randint(*PAGE_BYTES) - fixed - 40), when)
    html = (before + state + after).encode()
    return Page(url=story.url, title=story.headline, lead=story.lead, section=story.section, published=when, html=html)


def make_pages(count: int, seed: int = SEED) -> list[Page]:
    return [make_page(index, seed) for index in range(count)]


def make_feed(pages: list[Page]) -> bytes:
    """RSS 2.0 of the official kind: one item per page (title, link, guid, date, summary, image)."""
    items = "".join(
        f"<item><title>{escape(p.title)}</title><link>{p.url}</link>"
        f'<guid isPermaLink="true">{p.url}</guid><pubDate>{format_datetime(p.published, usegmt=True)}</pubDate>'
        f"<description>{escape(p.lead)}</description><category>{escape(p.section)}</category>"
        f'<enclosure url="https://s.rfi.fr/media/display/{index}.jpg" type="image/jpeg" length="0"/></item>'
        for index, p in enumerate(pages)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>RFI - 法国国际广播电台</title>'
        f"<link>{ORIGIN}/cn/</link><description>法广华语新闻</description><language>zh-Hans</language>"
        f"{items}</channel></rss>"
    ).encode()


def write_archive(
    folder: Path,
    pages: list[Page],
    feed: Callable[[list[Page]], bytes] = make_feed,
    extra: Iterable[tuple[str, str, bytes]] = (),
) -> Path:
    """A replay archive (the documented format): the feed at FEED_URL (written by ``feed``), every
    page, and any ``extra`` documents (URL, content type, body)."""
    bodies = folder / "bodies"
    bodies.mkdir(parents=True, exist_ok=True)
    lines = []
    (bodies / "feed.xml").write_bytes(feed(pages))
    date = format_datetime(NEWEST + timedelta(hours=1), usegmt=True)
    rss = "application/rss+xml; charset=utf-8"
    lines.append(
        {"url": FEED_URL, "status": 200, "headers": {"Content-Type": rss, "Date": date}, "body": "bodies/feed.xml"}
    )
    for index, page in enumerate(pages):
        name = f"bodies/{index}.html"
        (folder / name).write_bytes(page.html)
        headers = {"Content-Type": "text/html; charset=utf-8", "Date": date}
        lines.append({"url": page.url, "status": 200, "headers": headers, "body": name})
    for index, (url, content_type, body) in enumerate(extra):
        name = f"bodies/extra-{index}"
        (folder / name).write_bytes(body)
        lines.append({"url": url, "status": 200, "headers": {"Content-Type": content_type, "Date": date}, "body": name})
    with (folder / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        manifest.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    return folder
