"""How much of an RFI article page is parsed: everything up to the end of its main article.

On RFI's template what follows the article (related-article lists, promos, the page-state
script, the footer) is most of the page, 55–70 % of the bytes of the benchmark's pages, and no
field is read from it (docs/EXTRACTION.md, "What is read"). So the page object parses a page only
up to the end tag of its main article, the `<article>` that holds `div.t-content__body`: that saves
the same share of the parse and of every later walk of the tree.

The end is looked for in the bytes (the first `</article` after the body's class name at which
the `<article` openings since balance), then proved by the parser itself: a sentinel element is
appended after the cut, and the cut is kept only when the parsed sentinel comes right after the
article that holds the body and no other element before it names the body's class. A `</article>`
inside a script, a comment or an attribute value, unbalanced nesting, a body outside any article,
a second element with the body's class: each fails the proof, and the whole page is parsed.
"""

from __future__ import annotations

from typing import NamedTuple

from newscrawl.extract.text import Element, first_with_class, parse_html

BODY_CLASS = "t-content__body"
_BODY_MARK = BODY_CLASS.encode()
_ARTICLE_START = b"<article"
_ARTICLE_END = b"</article"
_SENTINEL_TAG = "newscrawl-scope-end"
_SENTINEL = f"<{_SENTINEL_TAG}></{_SENTINEL_TAG}>".encode()


class ParsedPage(NamedTuple):
    root: Element | None
    end: int | None  # where the parse stopped (bytes), None when the whole page was parsed


def parse_page(data: bytes) -> ParsedPage:
    """The page parsed up to the end of its main article when that end is proved, else all of it."""
    end = _main_article_end(data)
    if end is not None:
        root = parse_html(data[:end] + _SENTINEL)
        if root is not None and _ends_after_main_article(root):
            return ParsedPage(root, end)
    return ParsedPage(parse_html(data), None)


def _main_article_end(data: bytes) -> int | None:
    """The offset just past the `</article…>` that seems to close the article holding the body."""
    body = _class_mention(data, 0, len(data))
    if body < 0:
        return None
    depth, position = 1, body
    while depth:
        close = data.find(_ARTICLE_END, position)
        if close < 0:
            return None
        depth += data.count(_ARTICLE_START, position, close) - 1
        position = close + len(_ARTICLE_END)
    tag_end = data.find(b">", position)
    if tag_end < 0 or _class_mention(data, body + 1, tag_end) >= 0:
        return None  # one more element (or text) names the body's class: not worth guessing which
    return tag_end + 1


def _class_mention(data: bytes, start: int, end: int) -> int:
    """The first mention of the body's class in data[start:end] that is not a CSS selector
    (`.t-content__body`, as in a style sheet in the head), or -1."""
    found = data.find(_BODY_MARK, start, end)
    while found > 0 and data[found - 1] == ord("."):
        found = data.find(_BODY_MARK, found + 1, end)
    return found


def _ends_after_main_article(root: Element) -> bool:
    """Whether the parsed sentinel is the last node, right after the article holding the body
    (then it is removed); the body's class was named once before the cut, so that is the body."""
    last = root
    while len(last):
        last = last[-1]
    if last.tag != _SENTINEL_TAG:
        return False  # swallowed by a script, a comment or an attribute value
    article = last.getprevious()
    if article is None or article.tag != "article":
        return False
    if first_with_class(article, "div", BODY_CLASS) is None:
        return False
    last.getparent().remove(last)
    return True
