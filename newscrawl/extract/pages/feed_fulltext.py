"""Feed-only records: an article rebuilt from a feed entry's full text (the feedx format).

Used when the page itself cannot be had. The feedx description is a copy of the page with
mirror furniture around it (fetch-time comment, markdown link line, date line, promo divs, share
block, footer); what is left is the lead (the first, all-bold paragraph) and the body.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml.etree import XPath

from newscrawl.discovery.urls import section_from_url
from newscrawl.extract.dates import VISIBLE_DATE, paris_visible_to_utc
from newscrawl.extract.text import (
    Element,
    block_paragraphs,
    clean_text,
    clean_title,
    drop,
    element_text,
    parse_html,
    split_names,
    unique,
)
from newscrawl.items import Image, Media, PageContent

if TYPE_CHECKING:
    from collections.abc import Sequence

    from newscrawl.discovery.feeds import FeedEntry

_MARKDOWN_LINK_LINE = re.compile(r"^[ \t]*\[[^\n]*\]\([^\s)]+\)[ \t]*$|^[ \t]*-{3,}[ \t]*$", re.M)
_DATE_LINE = re.compile(rf"\s*{VISIBLE_DATE.pattern}\s*")
_SHARE_LABEL = re.compile(r"\s*分享\s*[:：]\s*")

_PARAGRAPH = XPath("descendant::p")
_DIVS = XPath("descendant::div")
_PROMOS = XPath("descendant::*[@*[starts-with(name(), 'data-selfpromo')]]")
_FOOTER_RULES = XPath("descendant::hr[preceding-sibling::*[1][self::br]]")
_BLOCKS = XPath("descendant::*[self::div or self::p]")
# The mirror's own promotion line, `获取更多RSS：https://feedx.net https://feedx.run`: its label,
# its addresses, nothing else. An article paragraph that names feedx is text like any other.
_FEEDX_ADDRESS = r"(?:https?://)?(?:www\.)?feedx\.[a-z]{2,}(?:/[!-~]*)?"
_FEEDX_PROMOTION = re.compile(rf"(?:获取更多RSS\s*[:：]?\s*)?(?:{_FEEDX_ADDRESS}\s*)*", re.IGNORECASE)
_IMAGES = XPath("descendant::img[@src]")
_BOLD_TEXT = XPath("descendant::text()[ancestor::strong or ancestor::b]")
_FIRST_BOLD = XPath("(descendant::strong | descendant::b)[1]")
_PARAGRAPH_TAGS = frozenset({"p", "div", "li", "blockquote", "h2", "h3", "h4", "h5", "h6"})


def feed_only_content(url: str, entries: Sequence[FeedEntry]) -> PageContent | None:
    """The record content from the first entry with usable full text, else None.

    `url` is the article's canonical URL. Usable means the text has paragraphs (`<p>`): a lead
    and at least one body paragraph besides it. The lead is the first paragraph (kept as the
    record's `lead` when it is wholly bold, the feedx form of the chapô), so a one-paragraph text
    is a summary, never an article: its entry is lost (`no_fulltext`) when the page is.
    """
    for entry in entries:
        content = _entry_content(url, entry)
        if content is not None:
            return content
    return None


def _entry_content(url: str, entry: FeedEntry) -> PageContent | None:
    root = parse_html(entry.fulltext_html) if entry.fulltext_html else None
    body = root.find("body") if root is not None else None
    if body is None or not _PARAGRAPH(body):
        return None
    published = _drop_furniture(body)
    paragraphs = block_paragraphs(body)
    if len(paragraphs) < 2:
        return None
    lead = paragraphs[0] if _is_bold_paragraph(body, paragraphs[0]) else None
    text = paragraphs[1:] if lead else paragraphs
    images = unique(src for img in _IMAGES(body) if (src := img.get("src").strip()).startswith(("http://", "https://")))
    media: dict[str, Media] = {}  # one per URL, the first type given
    for link, mime in entry.enclosures:
        if mime.startswith(("audio/", "video/")):
            media.setdefault(link, Media(type=mime.split("/", 1)[0], url=link, duration=None))
    return PageContent(
        url=url,
        title=clean_title(entry.title),
        lead=lead,
        body="\n\n".join(text),
        authors=split_names(entry.authors),
        tags=unique(entry.tags),
        section=section_from_url(url),
        published=published or entry.published,
        images=[Image(url=src, caption=None) for src in images],
        media=list(media.values()),
    )


def _drop_furniture(body: Element) -> str | None:
    """Remove the mirror's furniture; returns the date line's date (Paris time → UTC)."""
    # The epoch comment is a comment (never text); the link line and rule are text of the body.
    body.text = _MARKDOWN_LINK_LINE.sub("", body.text or "")
    for child in body:
        child.tail = _MARKDOWN_LINK_LINE.sub("", child.tail or "")
    published = None
    for div in _DIVS(body):
        text = "".join(div.itertext())
        if len(div) == 0 and _DATE_LINE.fullmatch(text):
            published = published or paris_visible_to_utc(text)
            drop(div)
    for element in _PROMOS(body):
        drop(element)
    for rule in _FOOTER_RULES(body)[:1]:
        for element in [rule.getprevious(), rule, *rule.itersiblings()]:
            drop(element)
    for block in _BLOCKS(body):
        line = element_text(block)
        if line and _FEEDX_PROMOTION.fullmatch(line):
            drop(block)
    _drop_share_block(body)
    return published


def _drop_share_block(body: Element) -> None:
    """The share block: the outermost div whose first text is the `分享 :` label, and all it holds."""
    for div in _DIVS(body):  # document order: an outer div comes before the divs inside it
        first_text = next((t for t in div.itertext() if t.strip()), "")
        if _SHARE_LABEL.fullmatch(first_text):
            drop(div)
            return


def _is_bold_paragraph(body: Element, first: str) -> bool:
    """Whether the first paragraph is wholly <strong>/<b> text (the feedx form of the chapô)."""
    bold = _FIRST_BOLD(body)
    if not bold:
        return False
    line = bold[0]
    while line.tag not in _PARAGRAPH_TAGS and line.getparent() is not None:
        line = line.getparent()
    return element_text(line) == first and clean_text("".join(_BOLD_TEXT(line))) == first
