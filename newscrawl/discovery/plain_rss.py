"""A fast path for plain RSS 2.0, the kind RFI serves: read with lxml into what feedparser would give.

feedparser reads a document through SAX callbacks in Python, about 0.25 ms an entry; lxml parses
it in C and the few fields we keep are read in a fraction of that. This path takes only documents
whose result feedparser's is known to be, and returns the same raw entries (the keys
``discovery.feeds`` reads), so both paths end in the same ``FeedEntry`` values:

- well-formed XML without a DOCTYPE or ``xml:base``, declared UTF-8 (or not declared), an ``rss``
  root whose one ``channel`` holds every ``item`` of the document;
- items holding only the elements of ``_ITEM_CHILDREN``, each at most once (categories and
  enclosures any number), text only (CDATA is text), and only the attributes feedparser reads;
- no text feedparser would transform: markup or an entity reference in a plain-text field
  (feedparser then takes it for HTML), ``@``, ``(`` or ``<`` in an author (it parses an e-mail
  address out), ``&name;`` or ``:///`` in a link and ``:///`` in a permalink guid (it rewrites
  those), C1 control characters (mapped to cp1252), text made of Latin-1 characters only (re-read
  as UTF-8 mojibake).

Anything else returns None, and feedparser reads the document with all its tolerance.
tests/discovery/test_plain_rss.py compares the two paths on every fixture feed and on generated ones.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:
    from collections.abc import Callable

_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
# Item element -> the attributes feedparser reads from it (any other attribute: not plain).
_ITEM_CHILDREN: dict[str, frozenset[str]] = {
    "title": frozenset(),
    "link": frozenset(),
    "guid": frozenset({"isPermaLink"}),
    "pubDate": frozenset(),
    "description": frozenset(),
    f"{_CONTENT}encoded": frozenset(),
    f"{_DC}creator": frozenset(),
    "author": frozenset(),
    "category": frozenset({"domain"}),
    "enclosure": frozenset({"url", "type", "length"}),
}
_REPEATABLE = frozenset({"category", "enclosure"})
_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)[\"']")
_C1 = re.compile("[\x80-\x9f]")
_MARKUP = re.compile("[<&]")
_NOT_A_PLAIN_AUTHOR = re.compile("[<&@()]")
_LINK_REWRITTEN = re.compile(r"&[A-Za-z0-9_]+;|:///")  # what feedparser rewrites in a link
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)


class _NotPlain(Exception):
    """The document needs feedparser."""


def plain_rss_entries(document: bytes, parse_date: Callable[[str], Any]) -> list[dict[str, Any]] | None:
    """feedparser's raw entries of a plain RSS 2.0 document (UTF-8), or None when it is not plain.

    ``parse_date`` is feedparser's own date parser, so that dates come out as feedparser reads them.
    """
    head = document[:512]
    declared = _DECLARATION.search(head)
    if (declared and declared.group(1).lower() not in (b"utf-8", b"utf8")) or b"<!DOCTYPE" in document:
        return None
    if b"xml:base" in document:
        return None
    try:
        root = etree.fromstring(document, _PARSER)
    except etree.XMLSyntaxError:
        return None
    if root.tag != "rss" or root.attrib.get("{http://www.w3.org/XML/1998/namespace}base") is not None:
        return None
    channels = root.findall("channel")
    if len(channels) != 1:
        return None
    items = channels[0].findall("item")
    if sum(1 for _ in root.iter("item")) != len(items):
        return None
    try:
        return [_raw_entry(item, parse_date) for item in items]
    except _NotPlain:
        return None


def _raw_entry(item: etree._Element, parse_date: Callable[[str], Any]) -> dict[str, Any]:
    if item.attrib:
        raise _NotPlain
    raw: dict[str, Any] = {"links": [], "tags": [], "authors": []}
    seen: set[str] = set()
    for child in item:
        tag = child.tag
        if not isinstance(tag, str) or tag not in _ITEM_CHILDREN or len(child):
            raise _NotPlain  # a comment, a processing instruction, an unknown or a nested element
        if tag in seen and tag not in _REPEATABLE:
            raise _NotPlain
        seen.add(tag)
        if not _ITEM_CHILDREN[tag].issuperset(child.keys()):
            raise _NotPlain
        text = _plain((child.text or "").strip())
        if tag == "title":
            raw["title"] = _no_markup(text, _MARKUP)
            raw["title_detail"] = {"type": "text/plain", "value": raw["title"]}
        elif tag == "link":
            if _LINK_REWRITTEN.search(text):
                raise _NotPlain
            raw["link"] = text
        elif tag == "guid":
            raw["id"] = _no_markup(text, _MARKUP)
            # feedparser: a permalink guid stands for the link only when no <link> came before it
            permalink = child.get("isPermaLink", "true") == "true"
            if permalink and ":///" in text:  # resolved as a URI, which rewrites that
                raise _NotPlain
            raw["guidislink"] = permalink and "link" not in raw
            if raw["guidislink"]:
                raw.setdefault("link", raw["id"])
        elif tag == "pubDate":
            raw["published_parsed"] = parse_date(_no_markup(text, _MARKUP))
        elif tag == "description":
            raw["summary_detail"] = {"type": "text/html", "value": text}
        elif tag == f"{_CONTENT}encoded":
            raw["content"] = [{"type": "text/html", "value": text}]
        elif tag in ("author", f"{_DC}creator"):
            if not text:
                raise _NotPlain
            raw["authors"].append({"name": _no_markup(text, _NOT_A_PLAIN_AUTHOR)})
        elif tag == "category":
            raw["tags"].append({"term": _no_markup(text, _MARKUP)})
        else:  # enclosure
            href = child.get("url")
            if href:
                raw["links"].append({"rel": "enclosure", "href": href, "type": (child.get("type") or "").lower()})
    return raw


def _plain(text: str) -> str:
    """Text feedparser returns unchanged (no C1 characters, not Latin-1 only: it repairs those)."""
    if not text.isascii() and (_C1.search(text) or max(text) < "\u0100"):
        raise _NotPlain
    return text


def _no_markup(text: str, refused: re.Pattern[str]) -> str:
    if refused.search(text):
        raise _NotPlain
    return text
