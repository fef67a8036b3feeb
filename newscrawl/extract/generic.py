"""The generic body extractor: the main text of an article page whose template is not recognised.

The main text is found by trafilatura, the open-source extractor that measures best on the
public Scrapinghub article-extraction benchmark (bench/README.md, "Generic extraction"), run
precision-first and without comments: a body with a missing paragraph is better than a body
with a comment thread or a "related" list in it. Its plain-text output has one block
(paragraph, heading, list item, table row) per line and joins inline markup without adding
spaces, so Chinese text comes out as written; each line becomes one cleaned paragraph.

Before that, a `<div>` of Chinese (CJK) text that holds nothing but one sentence-ending run of
paragraph length is made a `<p>`. trafilatura's precision rules drop a `<div>` with a link in it
and fewer than 100 characters of text (200 when it is the last child), a limit made for
alphabetic text, where that is a caption or a teaser; in CJK text, where a character carries
about as much as a word, it is a whole paragraph, so pages that write paragraphs as `<div>`s
would lose every one with a link. Alphabetic text is left to trafilatura, which measures better
on it unchanged (bench/README.md, "Ablation").

A JSON-LD ``articleBody`` competes with that text: it is used only when it is not shorter,
since many sites put a teaser there. Many also put HTML in it, raw or entity-escaped: it is
read as HTML (``markup_paragraphs``) before it is measured, or its tags would count as text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from newscrawl.extract.text import BLOCK_TAGS, CJK_IDEOGRAPHS, markup_paragraphs, paragraphs

if TYPE_CHECKING:
    from collections.abc import Mapping

    from lxml.html import HtmlElement

BodySource = Literal["jsonld", "fallback"]

PARAGRAPH_MIN_CHARS = 40  # shorter text that ends no sentence is a caption, a byline or a label
SENTENCE_END = re.compile(r"[。！？!?.…」』”\"]\s*$")
_CJK = re.compile(f"[{CJK_IDEOGRAPHS}]")


def main_text(html: str | bytes) -> list[str]:
    """The paragraphs of a page's main text ([] when there is none); UTF-8 bytes or text in."""
    # Imported here: trafilatura and its dependencies cost about 0.2 s to import, which a crawl
    # whose pages all match the template never needs to pay.
    import trafilatura
    from trafilatura.utils import load_html

    text = html if isinstance(html, str) else html.decode("utf-8", "replace")
    tree = load_html(text)  # trafilatura's own loading: it repairs what its rules expect repaired
    if tree is None:
        return []
    _sentence_divs_as_paragraphs(tree)
    return paragraphs(trafilatura.extract(tree, include_comments=False, include_images=False, favor_precision=True))


def _sentence_divs_as_paragraphs(tree: HtmlElement) -> None:
    for div in tree.iter("div"):
        text = div.text_content()
        sentence = len(text) >= PARAGRAPH_MIN_CHARS and SENTENCE_END.search(text)
        if sentence and _is_cjk(text) and not any(child.tag in BLOCK_TAGS for child in div.iterchildren()):
            div.tag = "p"


def _is_cjk(text: str) -> bool:
    """Whether at least half of the characters other than white space are CJK ideographs."""
    letters = "".join(text.split())
    return 2 * len(_CJK.findall(letters)) >= len(letters)


def article_body(article: Mapping[str, Any]) -> list[str]:
    """The paragraphs of a JSON-LD article's ``articleBody`` ([] when it has no text), markup read as HTML."""
    value = article.get("articleBody")
    return markup_paragraphs(value) if isinstance(value, str) else []


def prefer_article_body(main: list[str], article_body: list[str]) -> tuple[list[str], BodySource] | None:
    """The JSON-LD article body when it is not shorter than the page's main text, else the main text.

    Lengths count characters other than white space. At equal length the text cut into more
    paragraphs wins: an `articleBody` is often the same text run into one line.
    """
    if article_body and _size(article_body) >= _size(main):
        return article_body, "jsonld"
    if main:
        return main, "fallback"
    return None


def _size(paragraph_list: list[str]) -> tuple[int, int]:
    return sum(len("".join(p.split())) for p in paragraph_list), len(paragraph_list)
