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

Dates are read only in the strict RFC 822 form RFC 2822 writes (``Tue, 02 Apr 2024 07:15:00
+0200``, a four-digit year, ``GMT``/``UT``/``Z`` or a numeric offset), as feedparser's own RFC 822
rule reads them (its first rule that takes such a date); any other form is feedparser's. So a plain
document is read without importing feedparser at all.

Anything else returns None, and feedparser reads the document with all its tolerance.
tests/discovery/test_plain_rss.py compares the two paths on every fixture feed and on generated ones.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:
    import time

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
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")  # found at once in Chinese text; max() would read all of it
_RFC822_DATE = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun),?\s+)?(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+"
    r"(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+(gmt|ut|z|[+-]\d{4})",
    re.IGNORECASE,
)
_MONTHS = {name: number for number, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun"), 1)} | {
    name: number for number, name in enumerate(("jul", "aug", "sep", "oct", "nov", "dec"), 7)
}
_MARKUP = re.compile("[<&]")
_NOT_A_PLAIN_AUTHOR = re.compile("[<&@()]")
_LINK_REWRITTEN = re.compile(r"&[A-Za-z0-9_]+;|:///")  # what feedparser rewrites in a link
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)


class _NotPlain(Exception):
    """The document needs feedparser."""


def plain_rss_entries(document: bytes) -> list[dict[str, Any]] | None:
    """feedparser's raw entries of a plain RSS 2.0 document (UTF-8), or None when it is not plain."""
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
        return [_raw_entry(item) for item in items]
    except _NotPlain:
        return None


def _raw_entry(item: etree._Element) -> dict[str, Any]:
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
            raw["published_parsed"] = _rfc822_date(text)
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


def _rfc822_date(text: str) -> time.struct_time:
    """A UTC time tuple, as feedparser's RFC 822 rule gives it (other forms: not plain)."""
    match = _RFC822_DATE.fullmatch(text)
    if not match:
        raise _NotPlain
    day, month, year, hour, minute, second, zone = match.groups()
    offset = 0 if zone[0] not in "+-" else (-1 if zone[0] == "-" else 1) * (int(zone[1:3]) * 60 + int(zone[3:]))
    try:
        stamp = datetime(int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second or 0))
        return (stamp - timedelta(minutes=offset)).utctimetuple()
    except (ValueError, OverflowError):
        raise _NotPlain from None


def _plain(text: str) -> str:
    """Text feedparser returns unchanged (no C1 characters, not Latin-1 only: it repairs those)."""
    if not text.isascii() and (_C1.search(text) or not _BEYOND_LATIN1.search(text)):
        raise _NotPlain
    return text


def _no_markup(text: str, refused: re.Pattern[str]) -> str:
    if refused.search(text):
        raise _NotPlain
    return text
