"""RFI article page → PageContent, by the rules of docs/EXTRACTION.md (no I/O, no clock).

Each field takes the first non-empty value of its sources, in the rule book's order, and
`PageResult.sources` says which one gave it so that template drift shows in the crawl stats.
The document is parsed once, up to the end of its main article when the parser proves that end
(`newscrawl.extract.scope`: what follows is never read); the tree is only modified at the end,
for the body (noise removal), after every other field has been read. When the RFI body is
missing or empty (template drift), or when the caller asks for it, the body comes from the
generic extractor (`newscrawl.extract.generic`) or from a JSON-LD `articleBody` that is not
shorter than it.

Problems reported (stat keys): `jsonld_invalid` (once per script that is not JSON),
`empty_document`, `no_body` (an article signal but no text), `canonical_ignored` (a
rel=canonical that is not a /cn/ page URL), `date_unparsable` (a machine date that is not ISO 8601).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urljoin

from lxml import etree
from lxml.etree import XPath

from newscrawl.discovery.urls import (
    RFI_ORIGIN,
    canonical_url,
    is_edition_page_url,
    is_programme_url,
    path_segments,
    section_from_url,
)
from newscrawl.extract import generic
from newscrawl.extract.dates import VISIBLE_DATE, paris_visible_to_utc, to_utc
from newscrawl.extract.jsonld import (
    JsonLd,
    JsonObject,
    duration_seconds,
    first_string,
    page_jsonld,
    read_authors,
    read_image,
    read_keywords,
    read_media,
    types_of,
)
from newscrawl.extract.scope import BODY_CLASS, parse_page
from newscrawl.extract.text import (
    Element,
    block_paragraphs,
    clean_text,
    clean_title,
    drop,
    element_text,
    first_with_class,
    parse_html,
    split_keywords,
    split_names,
    unique,
    utf8,
    with_class,
)
from newscrawl.items import Image, Media, PageContent

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

PageKind = Literal["article", "not_article", "shell"]
T = TypeVar("T")
Found = tuple[T, str]  # a value and the source that gave it


@dataclass
class PageResult:
    kind: PageKind
    content: PageContent | None = None  # set only for "article"
    sources: dict[str, str] = field(default_factory=dict)  # field -> jsonld | meta | dom | fallback | url
    problems: list[str] = field(default_factory=list)


# The RFI template is read with `iter(tag)` and a class-token test in Python: on these pages that
# is several times cheaper than XPath or cssselect, whose class tests are string functions run on
# every element. XPath is kept for the rare path of visible dates.
# What several fields read, gathered in one walk of the tree: these elements by tag, and the
# template's divs by class (_COLLECTED_DIVS).
_COLLECTED = ("meta", "link", "script", "video-player", "audio-player")
_COLLECTED_DIVS = (BODY_CLASS, "t-content__main-media")
_JSONLD_MARK = b"ld+json"  # in a script's type
_BODY_NOISE_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "button", "form"})
_BODY_NOISE_CLASSES = frozenset({"m-interstitial", "o-self-promo", "a-read-more", "m-em-flash", "t-content__shares"})
_LABEL_TEXTS = XPath("//body//text()[contains(., $label)][not(ancestor::script or ancestor::style)]")

# What a date line holds besides the labels and the dates (separators); a line with more than
# this is prose that happens to mention a date.
_LINE_RESIDUE_MAX_CHARS = 20
# Generic path: short lines that end no sentence before the article's first paragraph are labels
# (programme name, byline, reading time, a date label whose <time> the extractor dropped); a
# copyright line closes the page, not the article.
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b|版权所有)", re.I)
_ELLIPSIS = "….。 "
_LINE_TAGS = frozenset({"p", "div", "li", "section", "dd", "dt", "td", "th", "header", "footer", "body"})

_PUBLISHED_LABEL = "发表时间"
_MODIFIED_LABEL = "更新时间"
_DATE_LABEL = re.compile(rf"({_PUBLISHED_LABEL}|{_MODIFIED_LABEL})\s*[:：]?\s*(?={VISIBLE_DATE.pattern})")
_ANY_DATE_LABEL = re.compile(rf"(?:{_PUBLISHED_LABEL}|{_MODIFIED_LABEL})\s*[:：]?")
_HOME_NAMES = frozenset({"首页", "RFI", "法广"})
# Objects every page of a site carries (error pages too): they do not say what the page is.
_SITE_WIDE_TYPES = frozenset({"Organization", "NewsMediaOrganization", "WebSite", "BreadcrumbList"})
# A srcset candidate: a URL is a run of non-space characters (commas too: `data:` URLs have one)
# less any trailing commas, which end the candidate; otherwise descriptors run to the next comma.
_SRCSET_CANDIDATE = re.compile(r"[\s,]*(\S*[^\s,])(?:,+|\s*([^,]*),?)")
_WIDTH_DESCRIPTOR = re.compile(r"(\d+)w\b")


@dataclass
class _Page:
    """What every field reads: the parsed document and its metadata, collected once."""

    url: str  # the final response URL
    html: str | bytes  # the document as received (the generic extractor parses it its own way)
    root: Element
    meta: dict[str, str]  # lower-cased property/name -> content (first occurrence)
    ld: JsonLd
    article: JsonObject  # the JSON-LD article object, {} when there is none
    problems: list[str]
    elements: dict[str, list[Element]]  # by tag (_COLLECTED) or div class (_COLLECTED_DIVS), in document order
    _canonical: dict[str, str | None] = field(default_factory=dict)

    def canonical(self, href: str) -> str | None:
        """canonical_url of a link of the page; memoised, as pages link one URL several times.

        An absolute link is canonicalised without the base (which it does not need), so that it
        shares the crawl's cache entry: rel=canonical is most often the URL the page came from.
        """
        if href not in self._canonical:
            absolute = href.lstrip().startswith(("https://", "http://"))
            self._canonical[href] = canonical_url(href) if absolute else canonical_url(href, base=self.url)
        return self._canonical[href]


class RfiArticlePage:
    """One article page: its final URL and its HTML, as text or as UTF-8 bytes.

    ``generic=True`` takes the body from the generic path even where the RFI body is present
    (to see what a template change would leave); every other field is read as usual.
    """

    def __init__(self, url: str, html: str | bytes, *, generic: bool = False) -> None:
        self.url = url
        self.html = html
        self.generic = generic

    def extract(self) -> PageResult:
        data = utf8(self.html)
        root, end = parse_page(data)  # up to the end of the main article, when that end is proved
        if root is None:
            return PageResult("shell", problems=["empty_document"])
        elements = _collect(root)
        ld = page_jsonld(elements["script"])
        if end is not None and ld.article() is None and data.find(_JSONLD_MARK, end) >= 0:
            # JSON-LD after the article: its article object outranks most of the DOM, so read it all.
            whole = parse_html(data)
            if whole is not None:
                root, elements = whole, _collect(whole)
                ld = page_jsonld(elements["script"])
        problems = ["jsonld_invalid"] * ld.invalid
        page = _Page(self.url, self.html, root, _meta(elements["meta"]), ld, ld.article() or {}, problems, elements)
        og_type = (page.meta.get("og:type") or "").strip().lower()
        rfi_body = next(iter(elements[BODY_CLASS]), None)
        if not (page.article or og_type == "article" or rfi_body is not None):
            describes = og_type or any(types_of(o) - _SITE_WIDE_TYPES for o in ld.objects)
            return PageResult("not_article" if describes else "shell", problems=problems)
        return _extract_article(page, None if self.generic else rfi_body)


def _extract_article(page: _Page, rfi_body: Element | None) -> PageResult:
    sources: dict[str, str] = {}

    def take(name: str, found: Found[T] | None, default: T) -> T:
        if found is None:
            return default
        sources[name] = found[1]
        return found[0]

    url = take("url", _url(page), page.url)
    title = take("title", _first(_title_candidates(page, url)), None)
    lead = take("lead", _first(_lead_candidates(page)), None)
    content = PageContent(
        url=url,
        title=title,
        lead=lead,
        authors=take("authors", _first(_author_candidates(page)), []),
        tags=take("tags", _first(_tag_candidates(page)), []),
        section=take("section", _first(_section_candidates(page, url, title)), None),
        published=take("published", _date(page, "datePublished", "article:published_time", 0, _PUBLISHED_LABEL), None),
        modified=take("modified", _date(page, "dateModified", "article:modified_time", 1, _MODIFIED_LABEL), None),
        media=take("media", _first(_media_candidates(page)), []),
        alternates=take("alternates", _first([(_alternates(page, url), "meta")]), {}),
    )
    # From here on the tree changes: noise first, so that "read also" cards give no image.
    if rfi_body is not None:
        _drop_all(rfi_body, _body_noise)
    content.images = take("images", _first(_image_candidates(page, rfi_body)), [])
    content.body = take("body", _first(_body_candidates(page, rfi_body, title, lead)), None)
    if sources.get("body") == "fallback" and content.lead and content.body:
        full_lead, body = _completed_lead(content.lead, content.body)
        if full_lead != content.lead:
            content.lead, content.body, sources["lead"] = full_lead, body, "fallback"
    if content.body is None:
        return PageResult("shell", sources=sources, problems=[*page.problems, "no_body"])
    return PageResult("article", content, sources, page.problems)


def _first(candidates: Iterable[tuple[T | None, str]]) -> Found[T] | None:
    """The first candidate with a non-empty value (candidates are generated lazily)."""
    for value, source in candidates:
        if value:
            return value, source
    return None


def _collect(root: Element) -> dict[str, list[Element]]:
    """The elements several fields read, gathered in one walk (a walk of a whole page costs about
    as much as the rest of one field's work). Read before the tree changes (noise removal)."""
    found: dict[str, list[Element]] = {key: [] for key in (*_COLLECTED, *_COLLECTED_DIVS)}
    for element in root.iter(*_COLLECTED, "div"):
        tag = element.tag
        if tag != "div":
            found[tag].append(element)
        elif (classes := element.get("class")) and "t-content__" in classes:
            tokens = classes.split()
            for token in _COLLECTED_DIVS:
                if token in tokens:
                    found[token].append(element)
    return found


def _meta(elements: list[Element]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for element in elements:
        key = (element.get("property") or element.get("name") or "").strip().lower()
        content = element.get("content")
        if key and content is not None:
            meta.setdefault(key, content)
    return meta


def _rel_links(page: _Page, rel: str) -> Iterator[Element]:
    for link in page.elements["link"]:
        if link.get("href") is not None and rel in (link.get("rel") or "").lower().split():
            yield link


# --- url, title, lead, authors, tags, section -------------------------------------------------


def _url(page: _Page) -> Found[str]:
    link = next(_rel_links(page, "canonical"), None)
    if link is not None:
        canonical = page.canonical(link.get("href"))
        if canonical and is_edition_page_url(canonical):
            return canonical, "meta"
        page.problems.append("canonical_ignored")
    return page.url, "url"


def _title(value: str | None, programme: str | None = None) -> str | None:
    """A headline without the site suffix, nor a ` - <programme>` one on a programme page."""
    text = clean_title(value)
    if text and programme and text.endswith(f" - {programme}"):
        return clean_text(text[: -len(programme) - 3])
    return text


def _text_of(element: Element | None) -> str | None:
    return element_text(element) if element is not None else None


def _title_candidates(page: _Page, url: str) -> Iterator[tuple[str | None, str]]:
    yield _title(first_string(page.article.get("headline"))), "jsonld"
    yield _title(page.meta.get("og:title"), path_segments(url)[2] if is_programme_url(url) else None), "meta"
    yield _title(_text_of(first_with_class(page.root, "h1", "t-content__title"))), "dom"
    yield _title(_text_of(page.root.find("head/title"))), "meta"


def _lead_candidates(page: _Page) -> Iterator[tuple[str | None, str]]:
    yield _text_of(first_with_class(page.root, "p", "t-content__chapo")), "dom"
    yield first_string(page.article.get("description")), "jsonld"
    yield clean_text(page.meta.get("og:description")), "meta"
    yield clean_text(page.meta.get("description")), "meta"


def _author_candidates(page: _Page) -> Iterator[tuple[list[str], str]]:
    yield read_authors(page.article.get("author")), "jsonld"
    links = with_class(page.root, "a", "m-from-author__name")
    yield split_names(element_text(a) or a.get("title") or "" for a in links), "dom"
    yield split_names([page.meta.get("author") or ""]), "meta"


def _tag_candidates(page: _Page) -> Iterator[tuple[list[str], str]]:
    yield read_keywords(page.article.get("keywords")), "jsonld"
    tags = with_class(page.root, "ul", "m-tags-list")
    yield (
        unique(element_text(a) for ul in tags for li in with_class(ul, "li", "m-tags-list__tag") for a in li.iter("a")),
        "dom",
    )
    yield split_keywords(page.meta.get("keywords") or ""), "meta"


def _section_candidates(page: _Page, url: str, title: str | None) -> Iterator[tuple[str | None, str]]:
    if is_programme_url(url):
        yield path_segments(url)[2], "url"
    yield first_string(page.article.get("articleSection")), "jsonld"
    yield clean_text(page.meta.get("article:section")), "meta"
    yield _breadcrumb_section(page.ld.breadcrumb(), page, url, title), "jsonld"
    items = with_class(page.root, "li", "m-breadcrumb__list__item")
    dom_items = [(element_text(a), a.get("href")) for li in items for a in li.iter("a")]
    yield _breadcrumb_section(dom_items, page, url, title), "dom"
    yield section_from_url(url), "url"


def _breadcrumb_section(
    items: list[tuple[str | None, str | None]], page: _Page, url: str, title: str | None
) -> str | None:
    """The last breadcrumb item that is neither the page itself nor the home."""
    for raw_name, href in reversed(items):
        name = clean_text(raw_name)
        if not name or name in _HOME_NAMES or name == title:
            continue
        if href and page.canonical(href) in (url, page.url):
            continue
        return name
    return None


# --- dates --------------------------------------------------------------------------------------


def _date(page: _Page, ld_key: str, meta_key: str, time_index: int, label: str) -> Found[str] | None:
    """A machine date (JSON-LD, meta, <time datetime>); the visible text only when there is none."""
    present = False
    for raw, source in _machine_dates(page, ld_key, meta_key, time_index):
        if raw and raw.strip():
            present = True
            value = to_utc(raw)
            if value:
                return value, source
    if present:
        page.problems.append("date_unparsable")
        return None
    visible = _visible_date(page.root, label)
    return (visible, "dom") if visible else None


def _machine_dates(page: _Page, ld_key: str, meta_key: str, time_index: int) -> Iterator[tuple[str | None, str]]:
    yield first_string(page.article.get(ld_key)), "jsonld"
    yield page.meta.get(meta_key), "meta"
    lines = with_class(page.root, "p", "m-pub-dates")
    times = [t.get("datetime") for line in lines for t in line.iter("time") if t.get("datetime") is not None]
    yield (times[time_index] if len(times) > time_index else None), "dom"


def _visible_date(root: Element, label: str) -> str | None:
    """The date right after a `发表时间：` / `更新时间：` label, in the line that holds the label."""
    for text in _LABEL_TEXTS(root, label=label):
        for match in _DATE_LABEL.finditer("".join(_line_of(text).itertext())):
            if match.group(1) == label:
                return paris_visible_to_utc(match.string[match.end() :])
    return None


def _line_of(text: Any) -> Element:
    """The line (nearest block) that holds a text node returned by XPath."""
    owner = text.getparent()
    return _enclosing_line(owner.getparent() if text.is_tail else owner)


def _enclosing_line(element: Element) -> Element:
    line = element
    while line.tag not in _LINE_TAGS and line.getparent() is not None:
        line = line.getparent()
    return line


# --- media, alternates, images ------------------------------------------------------------------


def _media_candidates(page: _Page) -> Iterator[tuple[list[Media], str]]:
    yield _absolute_media(read_media(page.article), page.url), "jsonld"
    scripts = (s for s in page.elements["script"] if s.get("data-media-video-id") is not None)
    yield _absolute_media((_script_video(s) for s in scripts), page.url), "dom"
    for kind in ("video", "audio"):
        players = (
            Media(type=kind, url=p.get("source"), duration=duration_seconds(p.get("duration")))
            for p in page.elements[f"{kind}-player"]
            if p.get("source") is not None
        )
        yield _absolute_media(players, page.url), "dom"


def _script_video(script: Element) -> Media | None:
    try:
        data = json.loads(script.text or "")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    sources = [s.get("url") for s in data.get("sources") or [] if isinstance(s, dict)]
    url = first_string([*sources, data.get("source")])
    return Media(type="video", url=url, duration=duration_seconds(data.get("duration"))) if url else None


def _absolute_media(items: Iterable[Media | None], base: str) -> list[Media]:
    media: dict[str, Media] = {}
    for item in items:
        url = clean_text(item["url"]) if item else None
        if item and url:
            absolute = _absolute(base, url)
            media.setdefault(absolute, Media(type=item["type"], url=absolute, duration=item["duration"]))
    return list(media.values())


def _alternates(page: _Page, url: str) -> dict[str, str]:
    alternates: dict[str, str] = {}
    for link in _rel_links(page, "alternate"):
        hreflang = (link.get("hreflang") or "").strip()
        if not hreflang or hreflang.lower() == "x-default":
            continue
        href = link.get("href")
        canonical = page.canonical(href)
        if canonical is None or canonical in (url, page.url):
            continue
        rfi = canonical.startswith(RFI_ORIGIN + "/")
        alternates.setdefault(hreflang, canonical if rfi else _absolute(page.url, href.strip()))
    return alternates


def _image_candidates(page: _Page, rfi_body: Element | None) -> Iterator[tuple[list[Image], str]]:
    figures = [f for media in page.elements["t-content__main-media"] for f in media.iter("figure")]
    if rfi_body is not None:
        figures += rfi_body.iter("figure")
    yield _unique_images(_figure_image(f, page.url) for f in figures), "dom"
    for image, source in ((read_image(page.article.get("image")), "jsonld"), (page.meta.get("og:image"), "meta")):
        yield _unique_images([Image(url=_absolute(page.url, image), caption=None)] if image else []), source


def _figure_image(figure: Element, base: str) -> Image | None:
    """The widest srcset candidate of a figure (else a real img@src), captioned."""
    best: tuple[int, str] | None = None
    srcsets = dict.fromkeys(e.get("srcset") or "" for e in figure.iter("img", "source"))  # <img>, <picture><source>
    for srcset in srcsets:  # each once: a <source> and its <img> most often carry the same
        for width, candidate in _srcset(srcset):
            if best is None or width > best[0]:
                best = (width, candidate)
    url = best[1] if best else None
    images = list(figure.iter("img"))
    if url is None:
        url = next((src for img in images if (src := (img.get("src") or "").strip()) and _real(src)), None)
    if url is None:
        return None
    caption = _text_of(next(figure.iter("figcaption"), None))
    caption = caption or next((alt for img in images if (alt := clean_text(img.get("alt")))), None)
    return Image(url=_absolute(base, url), caption=caption)


def _srcset(srcset: str) -> list[tuple[int, str]]:
    """(width, URL) of each srcset candidate, as the HTML parsing rules split them; no data: URLs."""
    found = []
    for candidate, descriptors in _SRCSET_CANDIDATE.findall(srcset):  # an absent group is ""
        if _real(candidate):
            width = _WIDTH_DESCRIPTOR.search(descriptors)
            found.append((int(width.group(1)) if width else 0, candidate))
    return found


def _absolute(base: str, url: str) -> str:
    return url if url.startswith(("https://", "http://")) else urljoin(base, url)


def _real(url: str) -> bool:
    return url[:5].lower() != "data:"


def _unique_images(images: Iterable[Image | None]) -> list[Image]:
    unique_images: dict[str, Image] = {}
    for image in images:
        if image:
            unique_images.setdefault(image["url"], image)
    return list(unique_images.values())


# --- body ---------------------------------------------------------------------------------------


def _body_candidates(
    page: _Page, rfi_body: Element | None, title: str | None, lead: str | None
) -> Iterator[tuple[str | None, str]]:
    if rfi_body is not None:
        _drop_all(rfi_body, _figures)
        yield _join_body(block_paragraphs(rfi_body), lead), "dom"
    main = _article_text(generic.main_text(page.html), title, lead)
    found = generic.prefer_article_body(main, generic.article_body(page.article))
    if found:
        yield _join_body(found[0], lead), found[1]


def _article_text(main: list[str], title: str | None, lead: str | None) -> list[str]:
    """The generic extractor's paragraphs less what an RFI page prints around the article."""
    kept = [p for p in main if p not in (title, lead) and not _is_date_line(p)]
    kept = kept[next((i for i, p in enumerate(kept) if not _is_label(p)), 0) :]  # all labels: keep them
    while kept and _COPYRIGHT.match(kept[-1]):
        kept.pop()
    return kept


def _is_label(text: str) -> bool:
    return len(text) < generic.PARAGRAPH_MIN_CHARS and not generic.SENTENCE_END.search(text)


def _is_date_line(text: str) -> bool:
    """A `发表时间：… 更新时间：…` line (with or without its dates): page furniture."""
    residue = VISIBLE_DATE.sub("", _ANY_DATE_LABEL.sub("", text))
    return bool(_ANY_DATE_LABEL.search(text)) and len(residue.strip()) <= _LINE_RESIDUE_MAX_CHARS


def _completed_lead(lead: str, body: str) -> tuple[str, str]:
    """A lead cut short with `…` (a description) and the body that starts with the whole chapô."""
    stem = lead.rstrip(_ELLIPSIS)
    first, _, rest = body.partition("\n\n")
    if stem != lead and len(stem) >= 10 and first.startswith(stem) and len(first) > len(stem):
        return first, rest
    return lead, body


def _join_body(body: list[str], lead: str | None) -> str | None:
    if body and body[0] == lead:
        body = body[1:]
    return "\n\n".join(body) or None


def _drop_all(container: Element, selector: Callable[[Element], Iterable[Element]]) -> None:
    for element in list(selector(container)):
        if element is not container:
            drop(element)  # keeps the element's tail text


def _figures(container: Element) -> Iterator[Element]:
    yield from container.iter("figure")


def _body_noise(container: Element) -> Iterator[Element]:
    """What the rule book removes from the body before its text is read (figures aside).

    Not inside what it yields: that goes with it. The container itself is never yielded.
    """
    walker = etree.iterwalk(container, events=("start",))
    for _, element in walker:
        if element is not container and _is_noise(element):
            yield element
            walker.skip_subtree()


def _is_noise(element: Element) -> bool:
    tag = element.tag
    if tag in _BODY_NOISE_TAGS:
        return True
    attributes = element.keys()
    if not attributes:  # most of a body: <p>, <a>, <strong> without attributes
        return False
    classes = (element.get("class") or "").split()
    return (
        not _BODY_NOISE_CLASSES.isdisjoint(classes)
        or (tag == "p" and "t-copyright" in classes)
        or "data-selfpromo-newsletter" in attributes
        or "data-selfpromo-app" in attributes
    )
