"""The second crawl and extraction corpus: the reviewed RFI fixture pages, grown to full size.

``bench/corpus.py`` writes every page from string templates of its own, with most of a page's
weight in one inline state script and text drawn from a word list. This corpus is built the
other way round, so that a figure that holds on both does not depend on one generator:

- the **skeleton** of each page is one of the seven RFI-template article pages of
  ``fixtures/replay/pages`` (hand-reviewed, each with its own mix of JSON-LD, metadata, bylines,
  figures, interstitials, quotes, embeds and promos), parsed and edited with lxml;
- the **text** is the fixtures' own prose (their body paragraphs and the feedx mirror's full
  texts), cut into sentences and recombined: real RFI sentences rather than a word salad;
- the **weight** is page furniture built element by element (a mega menu with inline SVG icons,
  cards with ``<picture>`` sources, comment and share widgets, a footer): many small elements
  rather than one large script, which makes a parse and every walk over the tree dearer per KB;
- the **feed** is RSS 2.0 written with lxml: HTML descriptions in CDATA, ``dc:creator``, several
  categories, non-permalink numeric guids and dates with a ``+0200`` offset.

Page ``i`` depends only on ``(SEED, i)``; sizes are drawn from ``PAGE_BYTES`` (mean ≈ 136 KB).
"""

from __future__ import annotations

import copy
import json
import random
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from lxml import etree, html
from lxml.html import builder as E

from bench.corpus import ORIGIN, Page
from newscrawl.discovery.urls import section_from_url

SEED = 20241202
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The RFI-template article pages of the replay fixtures, with the URL each is served at.
SKELETONS = ("news-update", "jsonld-array", "no-jsonld", "program-audio", "retry-429", "slug-only", "video")
PAGE_BYTES = (104_000, 186_000)
BODY_PARAGRAPHS = (4, 22)
PARIS = ZoneInfo("Europe/Paris")
NEWEST = datetime(2024, 11, 30, 20, 0, tzinfo=UTC)
SECTIONS = ("中国", "法国", "港澳台", "亚洲", "欧洲", "国际", "经贸", "政治", "社会", "人权", "科技与文化")
_SENTENCE = re.compile(r"[^。！？]*[。！？]”?")
_SVG_PATH = (
    "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 3.2a3 3 0 1 1 0 6 3 3 0 0 1 0-6zm0 14.2a7.2 7.2 0 0 1-6-3.2"
    "c0-2 4-3.1 6-3.1s6 1.1 6 3.1a7.2 7.2 0 0 1-6 3.2z"
)


@cache
def _manifest() -> dict[str, str]:
    """Fixture body file → the URL it is served at in the replay fixtures."""
    urls = {}
    for line in (FIXTURES / "replay" / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("body", "").startswith("pages/"):
            urls[record["body"]] = record["url"]
    return urls


@cache
def _sentences() -> tuple[str, ...]:
    """Every sentence of the fixtures' article bodies and of the feedx mirror's full texts."""
    texts: list[str] = []
    for name in SKELETONS:
        root = html.parse(str(FIXTURES / "replay" / "pages" / f"{name}.html")).getroot()
        for body in root.find_class("t-content__body"):
            texts += [p.text_content() for p in body.iter("p") if "t-copyright" not in (p.get("class") or "")]
    feed = etree.parse(str(FIXTURES / "replay" / "feeds" / "feedx-rfi.xml"))
    for description in feed.iter("description"):
        if description.text and "<" in description.text:
            texts += [p.text_content() for p in html.fromstring(description.text).iter("p")]
    found = {s.strip() for text in texts for s in _SENTENCE.findall(" ".join(text.split())) if len(s.strip()) >= 12}
    return tuple(sorted(found))


def _prose(rng: random.Random, sentences: int) -> str:
    return "".join(rng.choice(_sentences()) for _ in range(sentences))


def _headline(rng: random.Random) -> str:
    words = re.split(r"[，。、：；“”！？ ]+", rng.choice(_sentences()))
    return " ".join(w for w in rng.sample(words, min(2, len(words))) if w)[:38] or "法广新闻"


def _icon(name: str) -> html.HtmlElement:
    svg = etree.SubElement(E.SPAN(E.CLASS(f"a-icon a-icon--{name}")), "svg", viewBox="0 0 24 24", width="24")
    etree.SubElement(svg, "path", d=_SVG_PATH)
    etree.SubElement(svg, "title").text = name
    parent = svg.getparent()
    assert parent is not None
    return parent


def _srcset(rng: random.Random) -> str:
    image = f"https://s.rfi.fr/media/display/{rng.getrandbits(64):016x}-{rng.getrandbits(32):08x}"
    return ", ".join(f"{image}/w:{w}/p:16x9/{rng.getrandbits(24):06X}.jpg {w}w" for w in (320, 640, 1024, 1920))


def _card(rng: random.Random, when: datetime) -> html.HtmlElement:
    section = rng.choice(SECTIONS)
    title = _headline(rng)
    href = f"{ORIGIN}/cn/{quote(section)}/{when:%Y%m%d}-{quote(title.replace(' ', '-'))}"
    return E.ARTICLE(
        E.CLASS("m-item-list-article"),
        E.A(
            E.PICTURE(
                E.SOURCE(media="(min-width: 768px)", srcset=_srcset(rng)),
                E.SOURCE(srcset=_srcset(rng), type="image/webp"),
                E.IMG(src="data:image/gif;base64,R0lGODlhAQABAAAAACw=", alt=title, loading="lazy"),
            ),
            E.DIV(
                E.CLASS("m-item-list-article__info"),
                E.SPAN(section, E.CLASS("a-label a-label--section")),
                E.P(title, E.CLASS("article__title")),
                E.TIME(f"{when.astimezone(PARIS):%d/%m/%Y}", datetime=when.isoformat()),
                _icon("clock"),
            ),
            href=href,
            **{"data-article-item-link": "", "data-tracking": f"card-{rng.randrange(10_000)}"},
        ),
    )


def _menu(rng: random.Random, when: datetime) -> html.HtmlElement:
    items = []
    for section in SECTIONS:
        links = [E.LI(E.A(_headline(rng), href=f"{ORIGIN}/cn/{quote(section)}/#{n}")) for n in range(6)]
        items.append(
            E.LI(
                E.CLASS("m-menu__item"),
                E.A(section, _icon("chevron"), href=f"{ORIGIN}/cn/{quote(section)}/"),
                E.UL(*links),
            )
        )
    return E.HEADER(
        E.CLASS("o-header"),
        E.NAV(E.CLASS("o-header__nav"), E.UL(E.CLASS("m-menu"), *items), role="navigation"),
        E.DIV(E.CLASS("o-header__tools"), *(_icon(name) for name in ("search", "user", "live", "menu"))),
        E.DIV(E.CLASS("o-breaking"), _card(rng, when)),
    )


def _furniture(rng: random.Random, when: datetime, size: int) -> list[html.HtmlElement]:
    """Blocks of cards, comments and share widgets until they serialise to about ``size`` bytes."""
    blocks: list[html.HtmlElement] = []
    filled = 0
    while filled < size:
        kind = rng.random()
        if kind < 0.6:
            block = E.SECTION(E.CLASS("o-related"), E.H2("相关文章"), *(_card(rng, when) for _ in range(6)))
        elif kind < 0.85:
            comments = [
                E.LI(
                    E.CLASS("m-comment"),
                    E.SPAN(f"读者{rng.randrange(9999)}", E.CLASS("m-comment__author")),
                    E.P(_prose(rng, 1)),
                )
                for _ in range(5)
            ]
            block = E.ASIDE(E.CLASS("o-comments"), E.H3("读者评论"), E.UL(*comments))
        else:
            shares = [
                E.A(_icon(net), href=f"https://{net}.example/share?id={rng.randrange(10**6)}")
                for net in ("fb", "x", "line", "wa")
            ]
            block = E.DIV(E.CLASS("m-share m-share--sticky"), *shares)
        blocks.append(block)
        filled += len(html.tostring(block))
    return blocks


def _footer(rng: random.Random) -> html.HtmlElement:
    columns = [
        E.DIV(
            E.CLASS("o-footer__column"),
            E.P(title),
            E.UL(*(E.LI(E.A(_headline(rng)[:8], href=f"{ORIGIN}/cn/")) for _ in range(10))),
        )
        for title in ("法广", "节目", "服务", "关注我们")
    ]
    return E.FOOTER(E.CLASS("o-footer"), *columns, E.P("© 2024 RFI - 法国国际广播电台", E.CLASS("o-footer__legal")))


def _replace_body(body: html.HtmlElement, rng: random.Random) -> list[str]:
    """The body's paragraphs rewritten and extended; returns the body's paragraphs as extracted."""
    paragraphs = [p for p in body if p.tag == "p" and not (p.get("class") or "")]
    template = copy.deepcopy(paragraphs[0])
    wanted = rng.randint(*BODY_PARAGRAPHS)
    anchor = paragraphs[-1]
    while len(paragraphs) < wanted:
        extra = copy.deepcopy(template)
        anchor.addnext(extra)
        if len(paragraphs) % 5 == 4:
            anchor.addnext(E.H2(_headline(rng)))
        paragraphs.append(extra)
        anchor = extra
    for p in paragraphs[wanted:]:
        p.drop_tree()
    for p in paragraphs[:wanted]:
        for child in list(p):
            child.drop_tree()
        p.text = _prose(rng, rng.randint(1, 4))
        if rng.random() < 0.3:
            p.append(E.A(p.text[-6:-1], href=f"{ORIGIN}/cn/{quote('关键词')}/{rng.randrange(999)}/"))
            p.text = p.text[:-6]
            p[-1].tail = "。"
    return [" ".join(p.text_content().split()) for p in paragraphs[:wanted]]


def _page_url(fixture_url: str, rng: random.Random, when: datetime, headline: str) -> str:
    """The fixture's URL with a slug of its own (the section or programme folder kept)."""
    segments = [unquote(s) for s in urlsplit(fixture_url).path.split("/") if s]
    slug = re.sub(r"[\s，。、：；“”！？]+", "-", headline).strip("-")
    dated = re.match(r"\d{8}-", segments[-1]) is not None
    segments[-1] = f"{when.astimezone(PARIS):%Y%m%d}-{slug}" if dated else f"{slug}-{rng.randrange(10**6)}"
    return ORIGIN + quote("/" + "/".join(segments))


def make_page(index: int, seed: int = SEED) -> Page:
    rng = random.Random(seed * 7_919 + index)
    when = NEWEST - timedelta(minutes=23 * index)
    name = SKELETONS[index % len(SKELETONS)]
    text = (FIXTURES / "replay" / "pages" / f"{name}.html").read_text(encoding="utf-8")
    fixture_url = _manifest()[f"pages/{name}.html"]
    root = html.fromstring(text)
    old_title = " ".join((root.find_class("t-content__title")[0].text_content()).split())
    old_lead = " ".join(root.find_class("t-content__chapo")[0].text_content().split())
    headline, lead = _headline(rng) + f" {index}", _prose(rng, 2)
    url = _page_url(fixture_url, rng, when, headline)
    body = root.find_class("t-content__body")[0]
    paragraphs = _replace_body(body, rng)
    for script in root.iter("script"):
        if script.get("type") == "application/ld+json" and script.text and '"articleBody"' in script.text:
            data = json.loads(script.text)
            for item in data if isinstance(data, list) else [data]:
                if "articleBody" in item:
                    item["articleBody"] = " ".join(paragraphs)
            script.text = json.dumps(data, ensure_ascii=False)
    article = next(root.iter("article"))
    article.addprevious(_menu(rng, when))
    target = rng.randint(*PAGE_BYTES)
    page_body = root.find("body")
    assert page_body is not None
    page_body.append(_footer(rng))
    current = len(html.tostring(root, encoding="utf-8"))
    state = {"page": {"id": index, "kind": "article"}, "flags": [rng.random() < 0.5 for _ in range(40)]}
    page_body.append(E.SCRIPT(f"window.__STATE__ = {json.dumps(state)};"))
    for block in _furniture(rng, when, max(0, target - current)):
        page_body.insert(len(page_body) - 2, block)
    document = html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    published = re.search(r'article:published_time" content="([^"]+)"', document)
    for old, new in ((old_title, headline), (old_lead, lead), (fixture_url, url)):
        document = document.replace(old, new)
    document = document.replace(published.group(1), when.isoformat()) if published else document
    return Page(
        url=url,
        title=headline,
        lead=lead,
        section=section_from_url(url) or "",
        published=when,
        html=document.encode("utf-8"),
    )


def make_pages(count: int, seed: int = SEED) -> list[Page]:
    return [make_page(index, seed) for index in range(count)]


def make_feed(pages: list[Page]) -> bytes:
    """RSS 2.0 written with lxml: CDATA HTML descriptions, dc:creator, categories, numeric guids."""
    dc = "http://purl.org/dc/elements/1.1/"
    rss = etree.Element("rss", version="2.0", nsmap={"dc": dc})
    channel = etree.SubElement(rss, "channel")
    for tag, value in (("title", "RFI - 法国国际广播电台"), ("link", f"{ORIGIN}/cn/"), ("description", "法广华语")):
        etree.SubElement(channel, tag).text = value
    for index, page in enumerate(pages):
        item = etree.SubElement(channel, "item")
        etree.SubElement(item, "title").text = page.title
        etree.SubElement(item, "link").text = page.url
        etree.SubElement(item, "guid", isPermaLink="false").text = str(900_000 + index)
        etree.SubElement(item, "pubDate").text = page.published.astimezone(PARIS).strftime("%a, %d %b %Y %H:%M:%S %z")
        etree.SubElement(item, "description").text = etree.CDATA(f"<p>{page.lead}</p>")
        etree.SubElement(item, f"{{{dc}}}creator").text = "法广"
        for category in ("新闻", page.section):
            etree.SubElement(item, "category").text = category
    document: bytes = etree.tostring(rss, xml_declaration=True, encoding="UTF-8")
    return document
