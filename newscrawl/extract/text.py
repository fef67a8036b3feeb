"""Text helpers shared by the page objects and the feed-only extractor (pure functions).

Whitespace rule (docs/EXTRACTION.md): any run of white space, U+3000 and U+00A0 included, becomes
one ASCII space, ends trimmed, Unicode NFC. Zero-width characters (U+200B, U+2060, U+FEFF) are
deleted rather than turned into a space: they have no width on the page, and a space between two
Chinese characters would be a visible change.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, TypeAlias

from lxml import etree

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

# Plain lxml elements: lxml.html's element classes cost a Python call for every node touched.
Element: TypeAlias = etree._Element

_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]\s*")
_TITLE_SUFFIX = re.compile(r"(?:(?:\s+-\s+(?:(?!\s+-\s).)+?)?\s+-\s+RFI\s+-\s+法国国际广播电台|\s+-\s+RFI)$")
_NAME_SEPARATORS = re.compile(r"[,，、/;；]|\s+et\s+")
_KEYWORD_SEPARATORS = re.compile(r"[,，、]")
# The CJK ideograph blocks (unified, extension A, compatibility), as a regex character-class body.
CJK_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Markup inside a text value: a start or end tag (group 1: its name) or a character reference.
_MARKUP = re.compile(r"</?([a-z][a-z0-9]*)(?=[\s/>])|&(?:[a-z][a-z0-9]*|#[0-9]+|#x[0-9a-f]+);", re.I)
_MARKUP_LEVELS = 3  # raw markup, then markup escaped once (&lt;p&gt;), then twice (&amp;quot;)

# Elements that start and end a paragraph of their own (the rest is inline: its text runs on).
BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog", "div"),
        *("dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td"),
        *("tfoot", "th", "thead", "tr", "ul"),
    }
)
# Elements whose content is never text on the page.
_NON_TEXT_TAGS = frozenset({"script", "style", "noscript", "template"})

# One parser for every document: the caller has already decoded the bytes, so the text is fed
# back as UTF-8 with the encoding forced (a stray <meta charset> or <?xml encoding?> is ignored).
# No ID table: nothing here looks elements up by id, and building it is ~3 % of a parse.
_PARSER = etree.HTMLParser(encoding="utf-8", collect_ids=False)


def clean_text(s: str | None) -> str | None:
    """Whitespace-collapsed NFC text, or None when nothing is left."""
    if not s:
        return None
    # Three substring tests: several times cheaper than one regex search over a paragraph.
    if "\u200b" in s or "\u2060" in s or "\ufeff" in s:
        s = _ZERO_WIDTH.sub("", s)
    text = " ".join(s.split())  # str.split() splits on exactly the characters that are str.isspace()
    if not text:
        return None
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def paragraphs(s: str | None) -> list[str]:
    """The non-empty, cleaned paragraphs of a text; every line break separates paragraphs."""
    if not s:
        return []
    return [p for p in map(clean_text, _LINE_BREAKS.split(s)) if p]


def markup_paragraphs(s: str | None) -> list[str]:
    """The paragraphs of a text value that may hold HTML, as many a JSON-LD `articleBody` does.

    Markup is read as HTML would show it: tags go, block elements and `<br>` end paragraphs,
    character references are decoded. Markup that was entity-escaped once or twice (`&lt;p&gt;`,
    `&amp;quot;`) is read level by level. Where there is no block tag, line breaks still separate
    paragraphs, as in plain text. A value without markup reads as `paragraphs` reads it.
    """
    for _ in range(_MARKUP_LEVELS):
        found = list(_MARKUP.finditer(s or ""))
        if not s or not found:
            break
        tags = {m[1].lower() for m in found if m[1]}
        if tags.isdisjoint(BLOCK_TAGS) and "br" not in tags:
            s = _LINE_BREAKS.sub("<br>", s)
        root = parse_html(f"<body>{s}</body>")
        body = root.find("body") if root is not None else None
        s = "\n".join(block_paragraphs(body)) if body is not None else None
    return paragraphs(s)


def clean_body(s: str | None) -> str | None:
    """A body in the record format: cleaned paragraphs joined by one blank line."""
    return "\n\n".join(paragraphs(s)) or None


def clean_title(value: str | None) -> str | None:
    """A cleaned headline without its site suffix: ` - RFI - 法国国际广播电台`,
    ` - <programme> - RFI - 法国国际广播电台` or ` - RFI`."""
    text = clean_text(value)
    return clean_text(_TITLE_SUFFIX.sub("", text)) if text else None


def unique(values: Iterable[str | None]) -> list[str]:
    """Cleaned values, empty ones dropped, de-duplicated in order."""
    seen: dict[str, None] = {}
    for value in values:
        text = clean_text(value)
        if text:
            seen.setdefault(text)
    return list(seen)


def split_names(values: Iterable[str]) -> list[str]:
    """Names split on `,` `，` `、` `/` `;` and ` et `, cleaned, de-duplicated in order."""
    return unique(part for value in values for part in _NAME_SEPARATORS.split(value))


def split_keywords(value: str | Sequence[str]) -> list[str]:
    """A keyword list as is, or a keyword string split on `,` `，` `、`; cleaned and de-duplicated."""
    if isinstance(value, str):
        return unique(_KEYWORD_SEPARATORS.split(value))
    return unique(value)


def utf8(html: str | bytes) -> bytes:
    """An HTML text as the UTF-8 bytes the parser reads (bytes are taken to be UTF-8 already).

    UTF-8 bytes go to lxml as they are: decoding a page only to encode it again costs a copy of it.
    """
    return html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass")


def parse_html(html: str | bytes) -> Element | None:
    """The document element of an HTML text (or of UTF-8 bytes), or None for a document with nothing in it."""
    root: Element | None = etree.fromstring(utf8(html), _PARSER)
    return root


def with_class(root: Element, tag: str, token: str) -> Iterator[Element]:
    """The `tag.token` elements under root (root included), in document order."""
    for element in root.iter(tag):
        classes = element.get("class")
        if classes and token in classes and token in classes.split():
            yield element


def first_with_class(root: Element, tag: str, token: str) -> Element | None:
    return next(with_class(root, tag, token), None)


def drop(element: Element) -> None:
    """Remove an element and its content, keeping the text that follows it (its tail)."""
    parent = element.getparent()
    if parent is None:
        return
    if tail := element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + tail
        else:
            previous.tail = (previous.tail or "") + tail
    parent.remove(element)


def element_text(element: Element) -> str | None:
    """The text of one element on one line (its paragraphs joined by a space)."""
    return clean_text(" ".join(block_paragraphs(element)))


def block_paragraphs(element: Element) -> list[str]:
    """The paragraphs of an element: each block element and each `<br>` ends one.

    Text nodes are concatenated as they are, so inline markup never injects a space; the
    white space the source itself has is collapsed. Comments and the content of script-like
    elements are skipped; their tails are text like any other. The element's own tail is not
    part of it.
    """
    result: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            text = clean_text("".join(buffer))
            buffer.clear()
            if text:
                result.append(text)

    # iterwalk: a C-level walk (no recursion limit), which also reports comments and PIs for their tails.
    walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    # .text and .tail build a new Python string on every access: each is read once.
    for event, node in walker:
        if event == "start":
            tag = node.tag
            if tag in _NON_TEXT_TAGS:
                walker.skip_subtree()  # its "end" still comes, with the tail
                continue
            if tag in BLOCK_TAGS or tag == "br":
                flush()
            if text := node.text:
                buffer.append(text)
        elif event == "end":
            if node.tag in BLOCK_TAGS:
                flush()
            if node is not element and (tail := node.tail):
                buffer.append(tail)
        elif tail := node.tail:  # a comment or processing instruction: only its tail is text
            buffer.append(tail)
    flush()
    return result


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 entry``, ``2 entries``: a count with its noun in the right number (log lines)."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
