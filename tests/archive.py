"""Builds small replay archives (the documented format) for tests: feeds + RFI-template pages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
from urllib.parse import quote

RECORDED_AT = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)


def article_url(index: int, section: str = "中国") -> str:
    return f"https://www.rfi.fr/cn/{quote(section)}/20240401-{quote(f'测试文章{index}')}"


def feed_fulltext(index: int) -> str:
    """A feedx-style full text (bold lead, body paragraphs) that can stand in for article ``index``."""
    return f"<p><strong>第{index}篇文章的导语。</strong></p>" + "".join(
        f"<p>第{index}篇文章的第{n}段（全文）。</p>" for n in range(1, 3)
    )


def promo_blocks(variant: int) -> tuple[str, str]:
    """What an A/B test flips on a real page: the self-promo and read-also blocks inside the body,
    and the related-articles section after the article (``variant`` 0 or 1)."""
    promo = (
        '<div class="o-self-promo o-self-promo--newsletter" data-selfpromo-newsletter><p>电邮新闻</p></div>'
        if variant == 0
        else '<div class="o-self-promo o-self-promo--app" data-selfpromo-app><p>下载法广应用程序</p></div>'
    )
    read_also = (
        f'<div class="m-interstitial"><span>延伸阅读</span><a href="https://www.rfi.fr/cn/{quote("中国")}/'
        f'2024032{variant}-x"><p class="m-interstitial__title">相关报导{"甲乙"[variant]}</p></a></div>'
    )
    label = "甲乙"[variant]
    related = f'<section class="o-related"><h2>相关文章</h2><a href="/cn/x{variant}">相关{label}</a></section>'
    return read_also + promo, related


def article_page(
    index: int,
    url: str,
    canonical: str | None = None,
    *,
    title: str | None = None,
    extra: str | None = None,
    promo: int | None = None,
) -> str:
    """An RFI-template article page; ``title`` replaces the headline, ``extra`` is a paragraph appended
    to the body (an edit), ``promo`` adds the promo/related blocks of that A/B variant."""
    title = title or f"测试文章{index}：法国与中国的对话"
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": "2024-04-01T10:00:00+02:00",
        "author": [{"@type": "Person", "name": "记者甲"}],
        "articleSection": "中国",
    }
    paragraphs = "".join(
        f"<p>第{index}篇文章的第{n}段。法国国际广播电台报道，巴黎与北京继续对话。</p>" for n in range(1, 5)
    )
    in_body, after = promo_blocks(promo) if promo is not None else ("", "")
    paragraphs = in_body + paragraphs + (f"<p>{escape(extra)}</p>" if extra else "")
    return f"""<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">
<title>{escape(title)} - RFI - 法国国际广播电台</title>
<link rel="canonical" href="{canonical or url}">
<meta property="og:type" content="article"><meta property="og:title" content="{escape(title)}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body><div id="main-content"><article>
<h1 class="t-content__title a-page-title">{escape(title)}</h1>
<p class="t-content__chapo">第{index}篇文章的导语。</p>
<div class="t-content__body u-clearfix">{paragraphs}</div>
</article>{after}</div></body></html>"""


def rss(items: list[tuple[str, str | None, str]], updated: dict[str, str] | None = None) -> str:
    """An RSS 2.0 feed of (title, link or None for an entry without one, description HTML) items;
    ``updated`` gives some links an ``<atom:updated>`` date (as written)."""
    updated = updated or {}
    entries = "".join(
        f"<item><title>{escape(title)}</title>"
        + (f"<link>{escape(link)}</link><guid>{escape(link)}</guid>" if link else "")
        + f"<pubDate>Mon, 01 Apr 2024 08:00:00 GMT</pubDate><description>{escape(description)}</description>"
        + (f"<atom:updated>{escape(updated[link])}</atom:updated>" if link in updated else "")
        + "</item>"
        for title, link, description in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        f"<channel><title>RFI 华语</title><link>https://www.rfi.fr/cn/</link><description>test</description>{entries}"
        "</channel></rss>"
    )


def news_sitemap(entries: list[tuple[str, str, str]], lastmod: dict[str, str] | None = None) -> str:
    """A Google News sitemap; each entry is (loc, news:title, news:publication_date); ``lastmod``
    gives some locs a ``<lastmod>`` (as written)."""
    lastmod = lastmod or {}
    urls = "".join(
        f"<url><loc>{escape(loc)}</loc>"
        + (f"<lastmod>{escape(lastmod[loc])}</lastmod>" if loc in lastmod else "")
        + "<news:news><news:publication><news:name>RFI</news:name>"
        f"<news:language>zh-cn</news:language></news:publication><news:publication_date>{published}"
        f"</news:publication_date><news:title>{escape(title)}</news:title></news:news></url>"
        for loc, title, published in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    )


def contents_sitemap(entries: list[tuple[str, str | None]]) -> str:
    """A monthly contents sitemap; each entry is (loc, lastmod or None)."""
    urls = "".join(
        f"<url><loc>{escape(loc)}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>"
        for loc, lastmod in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def sitemap_index(maps: list[str]) -> str:
    children = "".join(f"<sitemap><loc>{escape(url)}</loc></sitemap>" for url in maps)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}</sitemapindex>'
    )


@dataclass
class ArchiveBuilder:
    """Collects responses, then writes ``manifest.jsonl`` and the bodies into a folder."""

    folder: Path
    lines: list[dict[str, Any]] = field(default_factory=list)

    def add(self, url: str, body: str | bytes | None = None, status: int = 200, **headers: str) -> None:
        record: dict[str, Any] = {"url": url, "status": status}
        date = RECORDED_AT + timedelta(minutes=len(self.lines))
        record["headers"] = {
            "Date": format_datetime(date, usegmt=True),
            **{k.replace("_", "-"): v for k, v in headers.items()},
        }
        if body is not None:
            name = f"bodies/{len(self.lines)}.body"
            path = self.folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
            record["body"] = name
        self.lines.append(record)

    def add_feed(
        self,
        feed_url: str,
        links: Sequence[str | None],
        fulltext: dict[str, str] | None = None,
        updated: dict[str, str] | None = None,
    ) -> None:
        """A feed listing ``links`` in order; ``fulltext`` gives some links a full-text description,
        ``updated`` an updated date."""
        fulltext = fulltext or {}
        items = [(f"条目{n}", link, fulltext.get(link or "", "摘要")) for n, link in enumerate(links)]
        body = rss(items, updated)
        self.add(feed_url, body, Content_Type="application/rss+xml; charset=utf-8")

    def add_sitemap(self, url: str, body: str | bytes, status: int = 200, **headers: str) -> None:
        self.add(url, body, status, Content_Type="application/xml; charset=utf-8", **headers)

    def add_article(self, index: int, url: str | None = None, page: str | None = None, **headers: str) -> str:
        """An article page (``page``: another version of it) with extra response headers (``ETag=...``)."""
        url = url or article_url(index)
        headers = {"Content_Type": "text/html; charset=utf-8", **headers}
        self.add(url, page or article_page(index, url), 200, **headers)
        return url

    def write(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
            for line in self.lines:
                manifest.write(json.dumps(line, ensure_ascii=False) + "\n")
        return self.folder
