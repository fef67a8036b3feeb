"""The simulated site's documents, in the real formats (pure functions: model in, text out).

Article pages follow the RFI template of ``fixtures/replay/pages/*.html`` and
``shared/rfi/SITE-NOTES.md`` ("Facts from one real page"): one JSON-LD script holding an array
``[NewsArticle, BreadcrumbList]`` (``keywords`` a comma string, ``image`` three URLs,
``articleSection`` "emissions" on programme pages), og/article meta, breadcrumb, ``h1``, chapô,
authors, ``m-pub-dates`` times, lazy ``srcset`` images, audio, tags, ``hreflang`` alternates and
``rel=canonical``. Promo and related-links blocks (which may flip between two variants from one
request to the next) sit in the places the site puts them: in-body ``m-interstitial`` and
``o-self-promo`` blocks, and a related-articles section after the article — never article text.

Feeds: RFI's RSS 2.0 and the feedx mirror's full-text items (``shared/rfi/seed-feedx-item.txt``).
Sitemaps: Google News sitemap, sitemap index, monthly contents sitemaps, and the other children
of the index a crawler must ignore.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bench.simsite.newsroom import (
    IMAGE_WIDTHS,
    ORIGIN,
    PARIS,
    PROGRAMME_META_SECTION,
    PROGRAMMES_ROOT,
    Block,
    Listing,
    MirrorItem,
    Story,
    Version,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

SITE_NAME = "RFI - 法国国际广播电台"
FEEDX_ORIGIN = "https://feedx.net"
GIF = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
NEWS_SITEMAP_LANGUAGE = "zh-cn"
_MENU = ("中国", "法国", "港澳台", "亚洲", "国际", "政治", "经贸", "社会", "科技与文化")
_STATIC = ("我们是谁", "如何收听法广", "隐私政策", "使用条款")
_PROGRAM_CLASS = " t-content--program"


def url_of(path: str) -> str:
    """The canonical URL of a decoded www.rfi.fr path."""
    return ORIGIN + quote(path)


def paris(t: datetime) -> str:
    """ISO 8601 in Paris time with its offset, as the page's meta and <time> show it."""
    return t.astimezone(PARIS).isoformat()


def rfc2822_paris(t: datetime) -> str:
    return format_datetime(t.astimezone(PARIS))


def http_date(t: datetime) -> str:
    return format_datetime(t.astimezone(UTC), usegmt=True)


def visible_date(t: datetime) -> str:
    return f"{t.astimezone(PARIS):%d/%m/%Y - %H:%M}"


# --- article pages ------------------------------------------------------------------------------


def article_page(story: Story, version: Version, variant: int = 0) -> str:
    """The page of ``story`` showing ``version``; ``variant`` picks the promo/related blocks (A/B)."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans" dir="ltr" prefix="og: https://ogp.me/ns# article: https://ogp.me/ns/article#">\n'
        f"<head>\n{_article_head(story, version)}{_site_head()}</head>\n"
        f'<body class="t-article">\n{_site_header()}<main class="o-main">\n'
        f'<div id="main-content" class="t-content t-content--article{_PROGRAM_CLASS if story.programme else ""}">\n'
        f'  <article class="t-content__article" data-article-id="{story.number:08x}">\n'
        f"{_article_header(story, version)}{_main_media(story)}{_article_body(story, version, variant)}"
        f"{_shares(story)}{_tags(story)}  </article>\n</div>\n{_related(story, variant)}</main>\n{_site_footer()}"
        "</body>\n</html>\n"
    )


def _breadcrumb(story: Story) -> list[tuple[str, str]]:
    crumbs = [("首页", f"{ORIGIN}/cn/")]
    if story.programme:
        crumbs.append((PROGRAMMES_ROOT, url_of(f"/cn/{PROGRAMMES_ROOT}/")))
    crumbs.append((story.section, url_of(story.front_path)))
    return crumbs


def _article_head(story: Story, version: Version) -> str:
    url, title, lead = story.url, escape(version.title), escape(story.lead)
    suffix = f" - {story.section}" if story.programme else ""
    published = paris(story.published)
    modified = paris(version.modified)
    image = story.image.url(IMAGE_WIDTHS[0])
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": version.title,
        "description": story.lead,
        "datePublished": _jsonld_date(story.published, story.published_ms),
        "dateModified": _jsonld_date(version.modified, 0),
        "inLanguage": "zh-Hans",
        "articleSection": "emissions" if story.programme else story.section,
        "keywords": ",".join(story.tags),
        "author": [{"@type": "Person", "name": name, "url": url_of(f"/cn/作者/{name}/")} for name in story.authors],
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": f"{ORIGIN}/cn/assets/img/logo-rfi-600x60.png"},
        },
        "image": [story.image.url(IMAGE_WIDTHS[0], ratio) for ratio in ("16x9", "4x3", "1x1")],
    }
    if story.audio is not None:
        minutes, seconds = divmod(story.audio.duration, 60)
        article["audio"] = {
            "@type": "AudioObject",
            "name": version.title,
            "contentUrl": story.audio.url,
            "encodingFormat": "audio/mpeg",
            "duration": f"PT{minutes}M{seconds}S",
        }
    breadcrumb = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": href}
            for n, (name, href) in enumerate(_breadcrumb(story), 1)
        ],
    }
    tags = "".join(f'<meta property="article:tag" content="{escape(tag)}">\n' for tag in story.tags)
    audio = f'<meta property="og:audio" content="{story.audio.url}">\n' if story.audio else ""
    return (
        '<meta charset="utf-8">\n'
        f"<title>{title}{escape(suffix)} - {SITE_NAME}</title>\n"
        f'<meta name="description" content="{lead}">\n'
        '<meta name="robots" content="index, follow, max-image-preview:large">\n'
        f'<link rel="canonical" href="{url}">\n'
        f'<link rel="alternate" hreflang="zh-Hans" href="{url}">\n'
        f'<link rel="alternate" hreflang="zh-Hant" href="{story.tw_url}">\n'
        f'<link rel="alternate" hreflang="x-default" href="{url}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:url" content="{url}">\n'
        f'<meta property="og:title" content="{title}{escape(suffix)}">\n'
        f'<meta property="og:description" content="{lead}">\n'
        f'<meta property="og:image" content="{image}">\n{audio}'
        f'<meta property="article:published_time" content="{published}">\n'
        f'<meta property="article:modified_time" content="{modified}">\n'
        f'<meta property="article:section" content="{PROGRAMME_META_SECTION if story.programme else story.section}">\n'
        f"{tags}"
        '<meta name="twitter:card" content="summary_large_image">\n'
        f'<meta name="twitter:title" content="{title}">\n'
        f'<meta name="twitter:image" content="{image}">\n'
        f'<script type="application/ld+json">{json.dumps([article, breadcrumb], ensure_ascii=False)}</script>\n'
    )


def _jsonld_date(t: datetime, milliseconds: int) -> str:
    text = t.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    return f"{text}.{milliseconds:03d}+00:00" if milliseconds else f"{text}+00:00"


def _site_head() -> str:
    return (
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="theme-color" content="#e00019">\n'
        '<meta name="twitter:site" content="@RFI_Cn">\n'
        f'<meta property="og:site_name" content="{SITE_NAME}">\n'
        '<meta property="og:locale" content="zh_CN">\n'
        '<meta property="og:locale:alternate" content="zh_TW">\n'
        '<link rel="preconnect" href="https://s.rfi.fr" crossorigin>\n'
        f'<link rel="icon" href="{ORIGIN}/favicon.ico" sizes="any">\n'
        f'<link rel="stylesheet" href="{ORIGIN}/cn/assets/css/app.8f3c2a1d.css">\n'
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" href="{ORIGIN}/cn/rss">\n'
        '<script>window.dataLayer = window.dataLayer || []; window.__RFI_LANG__ = "cn";</script>\n'
        f'<script src="{ORIGIN}/cn/assets/js/consent.3a9e1f.js" defer></script>\n'
    )


def _site_header() -> str:
    menu = "".join(
        f'      <li class="o-main-menu__item"><a class="o-main-menu__link" href="{url_of(f"/cn/{name}/")}">'
        f"{name}</a></li>\n"
        for name in (*_MENU, PROGRAMMES_ROOT)
    )
    return (
        '<a class="a-skip-link" href="#main-content">跳至主要内容</a>\n'
        '<header class="o-header" role="banner">\n  <div class="o-header__top">\n'
        f'    <a class="o-header__logo" href="{ORIGIN}/cn/" title="{SITE_NAME}">'
        f'<img src="{ORIGIN}/cn/assets/img/logo-rfi.svg" alt="RFI" width="64" height="64"></a>\n'
        '    <nav class="m-lang-switcher" aria-label="语言">\n'
        f'      <a class="m-lang-switcher__item is-active" href="{ORIGIN}/cn/" hreflang="zh-Hans">简体</a>\n'
        f'      <a class="m-lang-switcher__item" href="{ORIGIN}/tw/" hreflang="zh-Hant">繁體</a>\n    </nav>\n'
        f'    <a class="o-header__live" href="{url_of("/cn/直播")}">直播</a>\n  </div>\n'
        '  <nav class="o-main-menu" aria-label="主菜单">\n'
        f'    <ul class="o-main-menu__list">\n{menu}    </ul>\n  </nav>\n'
        '  <div class="m-em-flash-bar" data-flash-bar hidden></div>\n</header>\n'
    )


def _site_footer() -> str:
    links = "".join(f'      <li><a href="{url_of(f"/cn/{name}")}">{name}</a></li>\n' for name in _STATIC)
    return (
        '<footer class="o-footer" role="contentinfo">\n  <nav class="o-footer__nav" aria-label="页脚">\n    <ul>\n'
        f'{links}      <li><a href="{ORIGIN}/cn/rss">RSS</a></li>\n    </ul>\n  </nav>\n'
        '  <p class="o-footer__copyright">© 2024 法国国际广播电台 版权所有</p>\n</footer>\n'
        f'<script src="{ORIGIN}/cn/assets/js/app.51c0e7b2.js" defer></script>\n'
    )


def _article_header(story: Story, version: Version) -> str:
    crumbs = "".join(
        f'            <li class="m-breadcrumb__list__item"><a href="{href}">{escape(name)}</a></li>\n'
        for name, href in _breadcrumb(story)
    )
    programme = (
        f'        <a class="t-content__program" href="{url_of(story.front_path)}">{story.section}</a>\n'
        if story.programme
        else ""
    )
    authors = '<span class="m-from-author__separator">、</span>'.join(
        f'<a class="m-from-author__name" href="{url_of(f"/cn/作者/{name}/")}" title="{escape(name)}">{escape(name)}</a>'
        for name in story.authors
    )
    updated = (
        f'          <span class="m-pub-dates__date">更新时间： <time datetime="{paris(version.modified)}">'
        f"{visible_date(version.modified)}</time></span>\n"
        if version.number > 1
        else ""
    )
    return (
        '      <div class="t-content__header">\n'
        '        <nav class="m-breadcrumb" aria-label="面包屑导航">\n          <ol class="m-breadcrumb__list">\n'
        f"{crumbs}          </ol>\n        </nav>\n{programme}"
        f'        <h1 class="t-content__title a-page-title">{escape(version.title)}</h1>\n'
        f'        <p class="t-content__chapo">{escape(story.lead)}</p>\n'
        '        <div class="m-from-author">\n'
        f'          <span class="m-from-author__label">{"主持：" if story.programme else "作者："}</span>\n'
        f"          {authors}\n        </div>\n"
        '        <p class="m-pub-dates">\n'
        f'          <span class="m-pub-dates__date">发表时间： <time datetime="{paris(story.published)}">'
        f"{visible_date(story.published)}</time></span>\n{updated}        </p>\n      </div>\n"
    )


def _srcset(story: Story, widths: Sequence[int]) -> str:
    return ", ".join(f"{story.image.url(width)} {width}w" for width in widths)


def _main_media(story: Story) -> str:
    image = story.image
    audio = ""
    if story.audio is not None:
        minutes, seconds = divmod(story.audio.duration, 60)
        audio = (
            '        <div class="m-audio-player">\n'
            f'          <audio-player source="{story.audio.url}" duration="{story.audio.duration}" '
            f'title="{escape(story.title)}"></audio-player>\n'
            f'          <span class="m-audio-player__duration">{minutes}:{seconds:02d}</span>\n        </div>\n'
        )
    return (
        '      <div class="t-content__main-media">\n        <figure class="m-figure m-figure--16x9">\n'
        '          <picture class="m-figure__picture">\n'
        f'            <source media="(min-width: 1024px)" srcset="{_srcset(story, IMAGE_WIDTHS)}">\n'
        f'            <img class="m-figure__img" src="{GIF}" srcset="{_srcset(story, sorted(IMAGE_WIDTHS))}" '
        f'sizes="100vw" alt="{escape(image.alt)}" width="1920" height="1080" loading="lazy">\n'
        "          </picture>\n"
        f'          <figcaption class="m-figure__caption"><span class="m-figure__caption__text">{escape(image.caption)}'
        f'</span> <span class="m-figure__caption__credit">© {escape(image.credit)}</span></figcaption>\n'
        f"        </figure>\n{audio}      </div>\n"
    )


def block_html(block: Block) -> str:
    """One body block with its inline markup (a tag link, a bold run)."""
    text = block.text
    if block.heading:
        return f"<h2>{escape(text)}</h2>"
    if block.link is not None:
        start, end, href = block.link
        inner = f'{escape(text[:start])}<a href="{href}">{escape(text[start:end])}</a>{escape(text[end:])}'
    elif block.bold is not None:
        start, end = block.bold
        inner = f"{escape(text[:start])}<strong>{escape(text[start:end])}</strong>{escape(text[end:])}"
    else:
        inner = escape(text)
    return f"<p>{inner}</p>"


def _related_url(story: Story, variant: int, n: int) -> tuple[str, str]:
    """A related article (title, URL) the promo blocks link to; it depends on the variant."""
    day = story.published - timedelta(days=3 + 2 * n + variant)
    title = f"{story.tags[(n + variant) % len(story.tags)]}相关报导（{'甲乙'[variant]}{n + 1}）"
    return title, url_of(f"/cn/{PROGRAMME_META_SECTION}/{day.astimezone(PARIS):%Y%m%d}-{title}")


def _article_body(story: Story, version: Version, variant: int) -> str:
    blocks = [f"        {block_html(block)}\n" for block in version.blocks]
    read_also_title, read_also_url = _related_url(story, variant, 0)
    interstitial = (
        '        <div class="m-interstitial">\n          <span class="m-interstitial__label">延伸阅读</span>\n'
        f'          <a class="m-interstitial__link" href="{read_also_url}">\n'
        f'            <p class="m-interstitial__title">{escape(read_also_title)}</p>\n          </a>\n        </div>\n'
    )
    blocks.insert(min(2, len(blocks)), interstitial)
    if variant == 0:
        promo = (
            '        <div class="o-self-promo o-self-promo--newsletter" data-selfpromo-newsletter>\n'
            '          <div class="o-self-promo__content">\n'
            '            <p class="o-self-promo__title">电邮新闻</p>\n'
            '            <p class="o-self-promo__text">头条新闻就在您的每日新闻信里</p>\n'
            f'            <a class="o-self-promo__button a-btn" href="{ORIGIN}/cn/newsletters/">我订阅</a>\n'
            "          </div>\n        </div>\n"
        )
    else:
        promo = (
            '        <div class="o-self-promo o-self-promo--app" data-selfpromo-app>\n'
            '          <div class="o-self-promo__content">\n'
            '            <p class="o-self-promo__title">下载法广应用程序</p>\n'
            '            <p class="o-self-promo__text">随时随地收听收看法广节目</p>\n'
            f'            <a class="o-self-promo__button a-btn" href="{url_of("/cn/应用")}">下载</a>\n'
            "          </div>\n        </div>\n"
        )
    blocks.insert(len(blocks) - 1 if len(blocks) > 3 else len(blocks), promo)
    read_more = (
        f'        <p class="a-read-more"><a href="{url_of(story.front_path)}">收听更多{story.section}节目</a></p>\n'
        if story.programme
        else ""
    )
    return (
        '      <div class="t-content__body u-clearfix">\n'
        f"{''.join(blocks)}{read_more}"
        f'        <p class="t-copyright">© {story.published.year} 法国国际广播电台</p>\n      </div>\n'
    )


def _short_link(story: Story) -> str:
    return f"https://rfi.my/{story.number:05X}"


def _shares(story: Story) -> str:
    short = quote(_short_link(story), safe="")
    return (
        '      <div class="t-content__shares">\n        <div class="m-share-buttons">\n'
        '          <span class="m-share-buttons__label">分享 :</span>\n'
        '          <a class="m-share-buttons__item m-share-buttons__item--facebook" '
        f'href="https://www.facebook.com/dialog/share?app_id=113191652055439&amp;href={short}.F&amp;locale=zh_CN" '
        'target="_blank" rel="noopener nofollow"><span class="u-visually-hidden">Facebook</span></a>\n'
        '          <a class="m-share-buttons__item m-share-buttons__item--x" '
        f'href="https://x.com/intent/tweet?url={short}.X&amp;via=RFI_Cn" target="_blank" rel="noopener nofollow">'
        '<span class="u-visually-hidden">X</span></a>\n        </div>\n      </div>\n'
    )


def _tags(story: Story) -> str:
    items = "".join(
        f'          <li class="m-tags-list__tag"><a href="{url_of(f"/cn/关键词/{tag}/")}">{escape(tag)}</a></li>\n'
        for tag in story.tags
    )
    return (
        '      <div class="t-content__tags">\n        <span class="t-content__tags__label">关键词 :</span>\n'
        f'        <ul class="m-tags-list">\n{items}        </ul>\n      </div>\n'
    )


def _related(story: Story, variant: int) -> str:
    cards = "".join(
        f'  <div class="m-item-list-article"><a href="{href}" data-article-item-link>'
        f'<p class="article__title">{escape(title)}</p></a></div>\n'
        for title, href in (_related_url(story, variant, n) for n in range(1, 4))
    )
    variant_name = "AB"[variant]
    return (
        f'<section class="o-related" data-related-variant="{variant_name}">\n  <h2>相关文章</h2>\n{cards}</section>\n'
    )


# --- other pages ----------------------------------------------------------------------------------


def front_page(title: str, path: str, listing: Listing) -> str:
    """A section front (or the home page): a list of links, not an article."""
    items = "".join(
        f'  <div class="m-item-list-article"><a href="{story.url}" data-article-item-link>'
        f'<p class="article__title">{escape(version.title)}</p></a></div>\n'
        for story, version in listing.items
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)} - {SITE_NAME}</title>\n"
        f'<link rel="canonical" href="{url_of(path)}">\n<meta property="og:type" content="website">\n'
        f'{_site_head()}</head>\n<body class="t-section">\n{_site_header()}'
        f'<main class="o-main">\n<h1 class="a-page-title">{escape(title)}</h1>\n{items}</main>\n{_site_footer()}'
        "</body>\n</html>\n"
    )


def error_page(status: int) -> str:
    """The site's 404/410 page: no article in it."""
    message = "此页面已不存在" if status == 410 else "找不到您要访问的页面"
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{status} - {SITE_NAME}</title>\n<meta name="robots" content="noindex">\n'
        f'</head>\n<body class="t-error">\n{_site_header()}<main class="o-main">\n'
        f'<h1 class="a-page-title">{message}</h1>\n<p><a href="{ORIGIN}/cn/">返回首页</a></p>\n</main>\n'
        f"{_site_footer()}</body>\n</html>\n"
    )


def robots_txt() -> str:
    """www.rfi.fr/robots.txt: the edition rules and one Sitemap: line per sitemap (several languages)."""
    sitemaps = "".join(
        f"Sitemap: {ORIGIN}/sitemaps/{language}/{name}.xml\n"
        for language in ("fr", "en", "cn", "tw")
        for name in ("index", "news")
    )
    return (
        "# www.rfi.fr\nUser-agent: *\nDisallow: /fr/recherche\n"
        f"Disallow: {quote('/cn/搜索/')}\nDisallow: {quote('/tw/搜尋/')}\nDisallow: /api/\nDisallow: /embed/\n"
        f"Allow: /cn/\nAllow: /tw/\n\nUser-agent: GPTBot\nDisallow: /\n\n{sitemaps}"
    )


# --- feeds ----------------------------------------------------------------------------------------


def rss_feed(title: str, self_url: str, listing: Listing) -> str:
    """An RFI RSS 2.0 feed: the listing's items, newest first, lead as description."""
    items = "".join(_rss_item(story, version) for story, version in listing.items)
    built = listing.changed
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"  <channel>\n    <title>{escape(title)}</title>\n    <link>{ORIGIN}/cn/</link>\n"
        "    <description>法国国际广播电台华语网站最新消息</description>\n    <language>zh-cn</language>\n"
        f"    <copyright>© 法国国际广播电台 {built.year}</copyright>\n"
        f"    <lastBuildDate>{rfc2822_paris(built)}</lastBuildDate>\n    <ttl>15</ttl>\n"
        f'    <atom:link href="{escape(self_url)}" rel="self" type="application/rss+xml"/>\n'
        f"{items}  </channel>\n</rss>\n"
    )


def _rss_item(story: Story, version: Version) -> str:
    enclosure = (
        f'      <enclosure url="{story.audio.url}" length="{story.audio.duration * 16000}" type="audio/mpeg"/>\n'
        if story.audio
        else ""
    )
    return (
        f"    <item>\n      <title><![CDATA[{version.title}]]></title>\n      <link>{story.url}</link>\n"
        f'      <guid isPermaLink="true">{story.url}</guid>\n'
        f"      <description><![CDATA[{story.lead}]]></description>\n"
        f"      <pubDate>{rfc2822_paris(story.published)}</pubDate>\n"
        f"      <dc:creator>{escape('、'.join(story.authors))}</dc:creator>\n"
        f"      <category>{escape(story.section)}</category>\n{enclosure}    </item>\n"
    )


def feedx_feed(items: Iterable[MirrorItem], built: datetime) -> str:
    """The feedx.net mirror: full-text items, exactly in the shape of the seed item."""
    entries = "".join(
        f"<item>\n<title>{escape(item.version.title)}</title>\n<link>{item.story.url}</link>\n"
        f'<guid isPermaLink="false">{item.story.url}</guid>\n'
        f"<description><![CDATA[{feedx_description(item)}\n]]></description>\n"
        f"<pubDate>{http_date(item.fetched)}</pubDate>\n</item>\n"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n<title>RFI 法广中文</title>\n'
        f"<link>{ORIGIN}/cn/</link>\n<description>RFI 法广中文 - 全文RSS by feedx.net</description>\n"
        f"<language>zh-cn</language>\n<lastBuildDate>{http_date(built)}</lastBuildDate>\n<ttl>60</ttl>\n"
        f"{entries}</channel>\n</rss>\n"
    )


def feedx_description(item: MirrorItem) -> str:
    """One feedx description: epoch comment, link line, date line, image, bold chapô, body, promos, share, footer."""
    story, version = item.story, item.version
    epoch_ms = int(item.fetched.timestamp()) * 1000
    body = "".join(block_html(block) for block in version.blocks)
    short = quote(_short_link(story), safe="")
    text = quote(version.title, safe="")
    return (
        f"<!--{epoch_ms}-->\n[{version.title}]({story.url})\n------\n\n"
        f'<div>{visible_date(story.published)}</div><img src="{story.image.url(1280)}">'
        f"<p><strong>{escape(story.lead)}        </strong></p>"
        f"<div>{body}<div data-selfpromo-newsletter></div><div data-selfpromo-app></div></div>"
        "<div><div>分享 :</div><div>"
        f'<a href="https://www.facebook.com/dialog/share?app_id=113191652055439&amp;href={short}.F&amp;locale=zh_CN" '
        'target="_blank" rel="noopener nofollow"><span></span></a>'
        f'<a href="whatsapp://send?text={text}%20-%20{short}.W" target="_blank" rel="noopener nofollow">'
        "<span></span></a>"
        f'<a href="https://x.com/intent/tweet?url={short}.X&amp;via=RFI_Cn&amp;related=RFI_Cn&amp;text={text}'
        '&amp;lang=zh-cn" '
        'target="_blank" rel="noopener nofollow"><span></span></a>'
        '<span data-root-share><share-button v-on:open="openModal"></share-button>'
        '<share-modal v-if="displayModal" v-on:close="closeModal"></share-modal></span></div></div>'
        '<br><hr><div>获取更多RSS：<br><a href="https://feedx.net" style="color:orange" target="_blank">'
        'https://feedx.net</a> <br><a href="https://feedx.run" style="color:orange" target="_blank">'
        "https://feedx.run</a><br></div>"
    )


# --- sitemaps -------------------------------------------------------------------------------------

_URLSET = (
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
    'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n'
)


def news_sitemap(listing: Listing) -> str:
    """The Google News sitemap: `<loc>`, `<lastmod>`, news:news (publication, date, title, keywords), image."""
    entries = "".join(
        f"<url>\n<loc>{story.url}</loc>\n<lastmod>{paris(version.changed)}</lastmod>\n"
        "<news:news>\n<news:publication><news:name>RFI</news:name>"
        f"<news:language>{NEWS_SITEMAP_LANGUAGE}</news:language></news:publication>\n"
        f"<news:publication_date>{paris(story.published)}</news:publication_date>\n"
        f"<news:title>{escape(version.title)}</news:title>\n"
        f"<news:keywords>{escape(', '.join(story.tags))}</news:keywords>\n</news:news>\n"
        f"<image:image><image:loc>{story.image.url(IMAGE_WIDTHS[0])}</image:loc>"
        f"<image:caption>{escape(story.image.caption)}</image:caption></image:image>\n</url>\n"
        for story, version in listing.items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{_URLSET}{entries}</urlset>\n'


def urlset(entries: Iterable[tuple[str, datetime | None]]) -> str:
    """A plain sitemap: `<loc>` and, when known, `<lastmod>`."""
    rows = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{paris(lastmod)}</lastmod>' if lastmod else ''}</url>\n"
        for loc, lastmod in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{_URLSET}{rows}</urlset>\n'


def sitemap_index(children: Iterable[tuple[str, datetime | None]]) -> str:
    rows = "".join(
        f"<sitemap><loc>{loc}</loc>{f'<lastmod>{paris(lastmod)}</lastmod>' if lastmod else ''}</sitemap>\n"
        for loc, lastmod in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</sitemapindex>\n'
    )
