"""RSS/Atom feed parsing (pure): bytes of one feed → its entries, tolerant of real-world feeds.

Plain RSS 2.0 (what RFI serves) is read by ``discovery.plain_rss`` with lxml; every other document
(Atom, RSS 1.0, anything malformed or unusual) by feedparser. Both give the same raw entries.
"""

from __future__ import annotations

import html
import io
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom
from w3lib.html import remove_tags, replace_entities

from newscrawl.discovery.plain_rss import plain_rss_entries
from newscrawl.discovery.urls import PLAIN_WEB_URL, join_link
from newscrawl.extract.dates import struct_time_to_utc

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedEntry:
    """One entry of one feed, with everything the crawler keeps about it."""

    feed_url: str  # the feed's URL as configured
    position: int  # 0-based position in the feed
    link: str | None  # absolute link (joined against the feed URL), None when the entry has none
    entry_id: str | None  # guid / atom:id, else the link as written
    title: str | None
    published: str | None  # the entry's date, UTC ``YYYY-MM-DDTHH:MM:SSZ``
    # When the entry says it was last updated (Atom <updated>, RSS <atom:updated>): UTC like
    # `published`, or the text as written when it cannot be read (a revisit signal counts it ignored).
    updated: str | None = None
    fulltext_html: str | None = None  # raw content:encoded / atom content / description HTML
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    enclosures: tuple[tuple[str, str], ...] = ()  # (url, MIME type)
    # When the feed was fetched (given by the crawler): the entry carries it to whichever process
    # of a fleet fetches the article, for a feed-only record's fetched_at.
    fetched_at: str | None = None


@dataclass
class ParsedFeed:
    entries: list[FeedEntry] = field(default_factory=list)
    problem: str | None = None  # why the document is malformed (entries that could be read are kept)


# The document reaches feedparser already decoded and re-encoded as UTF-8 (see _decode), so it is
# told so; that also keeps its RFC 3023 content-type rules from flagging every text/xml feed as bozo.
_AS_UTF8_XML = {"content-type": "application/xml; charset=utf-8"}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_WEB_SCHEMES = frozenset({"http", "https"})
_RSS_AUTHOR = re.compile(r"^\S+@\S+\s+\((.+)\)$")  # RSS <author>: "email (Name)"
_MAX_PROBLEM_LENGTH = 300
# Codecs a charset label may name that are no document encoding here: escape codecs turn ASCII bytes
# into markup (as UTF-7 does, which w3lib already refuses), and a UTF-16/32 label read from
# ASCII-readable bytes is wrong by construction (real UTF-16/32 feeds come with a BOM).
_NOT_A_LABELLED_CHARSET = (
    "utf-16",
    "utf-32",
    "unicode-escape",
    "raw-unicode-escape",
    "punycode",
    "idna",
    "undefined",
)


def parse_feed(
    body: bytes, feed_url: str, content_type: str | None = None, fetched_at: str | None = None
) -> ParsedFeed:
    """Every readable entry of one RSS or Atom document; never raises, never fetches anything."""
    if not body.strip():
        return ParsedFeed(problem="empty document")
    text, encoding_problem = _decode(body, content_type)
    document = text.lstrip().encode("utf-8")
    problems: list[str] = []
    raw_entries = plain_rss_entries(document)
    if raw_entries is None:
        import feedparser  # here: ~10 ms of imports that a run of plain RSS feeds does not pay

        try:
            # A file object, never the bytes themselves: feedparser opens a bytes or str argument
            # that names an existing file, and fetches one that looks like a URL.
            result = feedparser.parse(
                io.BytesIO(document),
                response_headers=_AS_UTF8_XML,
                resolve_relative_uris=False,  # both rewrite the HTML; it must stay as published
                sanitize_html=False,
            )
        except Exception as exc:  # a broken feed must never stop the crawl: report it as the feed's problem
            logger.warning("feedparser failed on %s", feed_url, exc_info=True)
            return ParsedFeed(problem=_shorten(f"feedparser failed: {type(exc).__name__}: {exc}"))
        raw_entries = [dict(raw) for raw in result.get("entries", [])]
        if not result.get("version"):
            what = "no RSS or Atom root element" if raw_entries else "not an RSS or Atom feed"
            problems.append(what + (f" (served as {content_type})" if content_type else ""))
        if result.get("bozo"):
            error = result.get("bozo_exception")
            problems.append(f"{type(error).__name__}: {error}" if error is not None else "malformed document")
    entries = [_entry(raw, position, feed_url, fetched_at) for position, raw in enumerate(raw_entries)]
    if encoding_problem:
        problems.append(encoding_problem)
    return ParsedFeed(entries=entries, problem=_shorten("; ".join(problems)) if problems else None)


def _decode(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """The document as text: BOM, then the HTTP charset, then the declared one, then UTF-8, then GB18030.

    Each is tried strictly, so a wrong label falls through to one that fits. A single-byte HTTP
    charset (a server default such as ISO-8859-1) decodes any bytes, so it comes after the
    document's own declaration and UTF-8.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        candidates: list[str | None] = [bom_encoding]
        body = body[len(bom) :]
    else:
        header = http_content_type_encoding(content_type) if content_type else None
        declared = html_body_declared_encoding(body)
        if header == "cp1252":
            candidates = [declared, "utf-8", header, "gb18030"]
        else:
            candidates = [header, declared, "utf-8", "gb18030"]
        candidates = [c for c in candidates if c and not c.startswith(_NOT_A_LABELLED_CHARSET)]
    # The last one (the BOM's, or GB18030) decodes any bytes once replacement characters are allowed.
    *trusted, last = [encoding for encoding in dict.fromkeys(candidates) if encoding]
    for encoding in [*trusted, last]:
        try:
            return body.decode(encoding), None
        except (UnicodeError, LookupError):  # LookupError: a codec that is no text encoding (base64, zlib)
            continue
    for encoding in trusted:
        try:
            text = body.decode(encoding, "replace")
        except (UnicodeError, LookupError):
            continue
        return text, f"undecodable bytes (read as {encoding} with replacements)"
    return body.decode(last, "replace"), f"undecodable bytes (read as {last} with replacements)"


def _entry(raw: Mapping[str, Any], position: int, feed_url: str, fetched_at: str | None) -> FeedEntry:
    written_link = _text(raw.get("link"))
    return FeedEntry(
        feed_url=feed_url,
        position=position,
        link=_link(raw, written_link, feed_url),
        entry_id=_text(raw.get("id")) or written_link,
        title=_title(raw),
        published=_published(raw),
        updated=_updated(raw),
        fulltext_html=_fulltext(raw),
        authors=_unique(_author_name(author) for author in raw.get("authors") or ()),
        tags=_unique(_text(tag.get("term")) for tag in raw.get("tags") or ()),
        enclosures=_enclosures(raw, feed_url),
        fetched_at=fetched_at,
    )


def _link(raw: Mapping[str, Any], written: str | None, feed_url: str) -> str | None:
    if not written:
        return None
    # feedparser makes a permalink guid (or an atom:id) the link when there is no <link>: only an
    # absolute URL is one, a relative "12345" joined on the feed URL would point at nothing.
    from_guid = bool(raw.get("guidislink")) and written == raw.get("id")
    return _web_url(written if from_guid else join_link(feed_url, written))


def _title(raw: Mapping[str, Any]) -> str | None:
    title = _text(raw.get("title"))
    if title and (raw.get("title_detail") or {}).get("type") in _HTML_TYPES:
        title = _text(replace_entities(remove_tags(title)))
    return title


def _published(raw: Mapping[str, Any]) -> str | None:
    for key in ("published_parsed", "updated_parsed"):  # feedparser gives both in UTC
        published = struct_time_to_utc(raw.get(key))
        if published:
            return published
    return None


def _updated(raw: Mapping[str, Any]) -> str | None:
    return struct_time_to_utc(raw.get("updated_parsed")) or _text(raw.get("updated"))


def _fulltext(raw: Mapping[str, Any]) -> str | None:
    for detail in [*(raw.get("content") or ()), raw.get("summary_detail")]:
        value = (detail or {}).get("value")
        if value and value.strip():
            # Atom type="text" arrives unescaped: escape it so the field is always HTML.
            return html.escape(value, quote=False) if detail.get("type") == "text/plain" else value
    return None


def _author_name(author: Mapping[str, Any]) -> str | None:
    name = _text(author.get("name")) or _text(author.get("email"))
    if name and (match := _RSS_AUTHOR.match(name)):
        return match.group(1).strip()
    return name


def _enclosures(raw: Mapping[str, Any], feed_url: str) -> tuple[tuple[str, str], ...]:
    found = []
    for link in raw.get("links") or ():
        if link.get("rel") == "enclosure" and (url := _web_url(join_link(feed_url, _text(link.get("href"))))):
            found.append((url, _text(link.get("type")) or ""))
    return tuple(dict.fromkeys(found))


def _web_url(url: str | None) -> str | None:
    if url and PLAIN_WEB_URL.fullmatch(url):
        return url
    try:
        return url if url and urlsplit(url).scheme.lower() in _WEB_SCHEMES else None
    except ValueError:
        return None


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _shorten(problem: str) -> str:
    return problem if len(problem) <= _MAX_PROBLEM_LENGTH else problem[: _MAX_PROBLEM_LENGTH - 1] + "…"
