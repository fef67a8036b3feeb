"""The generic body extractor: the main text of an article page whose template is not recognised.

The main text is found by trafilatura, the open-source extractor that measures best on the
public Scrapinghub article-extraction benchmark (bench/README.md, "Generic extraction"), run
precision-first and without comments: a body with a missing paragraph is better than a body
with a comment thread or a "related" list in it. Its plain-text output has one block
(paragraph, heading, list item, table row) per line and joins inline markup without adding
spaces, so Chinese text comes out as written; each line becomes one cleaned paragraph.

A JSON-LD ``articleBody`` competes with that text: it is used only when it is not shorter,
since many sites put a teaser there.
"""

from __future__ import annotations

from typing import Literal

from newscrawl.extract.text import paragraphs

BodySource = Literal["jsonld", "fallback"]


def main_text(html: str | bytes) -> list[str]:
    """The paragraphs of a page's main text ([] when there is none); UTF-8 bytes or text in."""
    # Imported here: trafilatura and its dependencies cost about 0.2 s to import, which a crawl
    # whose pages all match the template never needs to pay.
    import trafilatura

    text = html if isinstance(html, str) else html.decode("utf-8", "replace")
    return paragraphs(trafilatura.extract(text, include_comments=False, include_images=False, favor_precision=True))


def prefer_article_body(main: list[str], article_body: list[str]) -> tuple[list[str], BodySource] | None:
    """The JSON-LD article body when it is at least as long as the page's main text, else the main text."""
    if article_body and _length(article_body) >= _length(main):
        return article_body, "jsonld"
    if main:
        return main, "fallback"
    return None


def _length(paragraph_list: list[str]) -> int:
    return sum(len(p) for p in paragraph_list)
