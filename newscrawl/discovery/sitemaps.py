"""RFI's sitemaps as listings (pure): the maps robots.txt names, and what a sitemap or an index lists.

Scrapy does the reading: ``sitemap_urls_from_robots`` for robots.txt, ``gunzip(max_size=...)`` for
gzipped maps, and ``Sitemap`` for the document type and each ``<url>``/``<sitemap>`` element's
``<loc>`` and ``<lastmod>`` (lxml iterparse, entities never resolved, elements cleared while it
streams). ``Sitemap`` flattens an element to its direct children's text, so a news sitemap's
``news:news/news:title`` and ``image:image/image:loc`` come out as ``''``: those are read by
:func:`_news_and_images`, with the same parser options.

Every problem is a value (``ParsedSitemap.problem``), never an exception: one bad map must not
stop the others. Only maps of the Chinese edition, under ``/sitemaps/cn/`` on www.rfi.fr, are
followed from robots.txt and from an index; the rest is counted by reason.
"""

from __future__ import annotations

import re
import struct
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

import lxml.etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from newscrawl.discovery.urls import RFI_HOST, canonical_url, join_link, path_segments
from newscrawl.extract.dates import to_utc

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

EDITION_MAPS_PATH = "/sitemaps/cn/"
SITEMAP_KINDS = frozenset({"urlset", "sitemapindex"})
GZIP_MAGIC = b"\x1f\x8b\x08"
# The options scrapy.utils.sitemap.Sitemap parses with (Scrapy 2.19): recover from broken markup,
# never resolve entities, drop comments and processing instructions.
_PARSER_OPTIONS: dict[str, Any] = {
    "recover": True,
    "remove_comments": True,
    "resolve_entities": False,
    "remove_blank_text": True,
    "collect_ids": False,
    "remove_pis": True,
}
_CONTENTS_MAP = re.compile(r"contents_(\d{4})(\d{2})\.xml(?:\.gz)?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_PROBLEM_LENGTH = 300


class Month(NamedTuple):
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class SitemapImage:
    url: str
    caption: str | None


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` of a sitemap. ``loc`` is None when the element could not be read whole."""

    sitemap_url: str  # the sitemap's canonical URL (provenance)
    position: int  # 0-based index among the sitemap's <url> elements that have a <loc>
    loc: str | None  # absolute (joined on the sitemap's URL), any host: the crawler decides what it is
    lastmod: str | None  # UTC ``YYYY-MM-DDTHH:MM:SSZ``, or ``YYYY-MM-DD`` when the map gives only a day
    title: str | None = None  # news:title
    published: str | None = None  # news:publication_date, UTC (None when it has no time)
    keywords: tuple[str, ...] = ()  # news:keywords
    images: tuple[SitemapImage, ...] = ()  # image:image
    unreadable_lastmod: str | None = None  # a <lastmod> that is no date, as written (a revisit counts it)

    @property
    def listed_at(self) -> str | None:
        """The entry's own date: news:publication_date, else a lastmod that has a time."""
        return self.published or (self.lastmod if has_time(self.lastmod) else None)


@dataclass(frozen=True)
class ChildMap:
    """One ``<sitemap>`` of a sitemap index."""

    loc: str
    lastmod: str | None


@dataclass
class ParsedSitemap:
    kind: str | None = None  # "urlset" or "sitemapindex"; None when the document is neither
    entries: list[SitemapEntry] = field(default_factory=list)  # of a urlset
    children: list[ChildMap] = field(default_factory=list)  # of an index
    problem: str | None = None  # why the document is not (wholly) usable; readable entries are kept


@dataclass
class EditionMaps:
    """The edition's maps named by robots.txt or an index, and how many others were left, by reason."""

    maps: list[str] = field(default_factory=list)  # canonical URLs of maps read every run, in listed order
    months: dict[Month, str] = field(default_factory=dict)  # monthly contents maps, read when a month is needed
    skipped: Counter[str] = field(default_factory=Counter)


def has_time(value: str | None) -> bool:
    return value is not None and not _DAY.fullmatch(value)


# --- robots.txt and indexes -------------------------------------------------------------------


def edition_map(url: str, base: str | None = None) -> tuple[str | None, str | None]:
    """``(canonical URL, None)`` for a map under /sitemaps/cn/ on www.rfi.fr, else ``(None, reason)``.

    Reasons: ``offsite`` (another host or scheme, or no usable URL) and ``outside_sitemaps_cn``.
    """
    canonical = canonical_url(url, base)
    if canonical is None or urlsplit(canonical).netloc != RFI_HOST:
        return None, "offsite"
    if not urlsplit(canonical).path.startswith(EDITION_MAPS_PATH):
        return None, "outside_sitemaps_cn"
    return canonical, None


def contents_month(map_url: str) -> Month | None:
    """The month of a monthly contents map (``.../contents_202403.xml``), else None."""
    segments = path_segments(map_url)
    match = _CONTENTS_MAP.fullmatch(segments[-1]) if segments else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return Month(int(match.group(1)), int(match.group(2)))


def maps_from_robots(body: bytes, robots_url: str) -> EditionMaps:
    """The edition's maps among robots.txt's ``Sitemap:`` lines (relative ones joined on ``robots_url``)."""
    return edition_maps(sitemap_urls_from_robots(body, base_url=robots_url), robots_url)


def maps_from_index(children: Iterable[ChildMap], index_url: str) -> EditionMaps:
    """The monthly contents maps among an index's children; its other maps (tags, shows) are not listings."""
    found = edition_maps((child.loc for child in children), index_url)
    if found.maps:
        found.skipped["not_contents"] += len(found.maps)
        found.maps = []
    return found


def edition_maps(urls: Iterable[str], base: str) -> EditionMaps:
    """The edition's maps among ``urls`` (joined on ``base``), monthly contents maps apart.

    Skipped reasons: ``offsite``, ``outside_sitemaps_cn``, ``duplicate`` (listed twice, or two maps of one month)."""
    found = EditionMaps()
    for url in urls:
        canonical, reason = edition_map(url, base)
        if canonical is None:
            found.skipped[reason or "offsite"] += 1
            continue
        month = contents_month(canonical)
        if canonical in found.maps or month in found.months:
            found.skipped["duplicate"] += 1
        elif month is not None:
            found.months[month] = canonical
        else:
            found.maps.append(canonical)
    return found


# --- sitemap documents --------------------------------------------------------------------------


def parse_sitemap(body: bytes, sitemap_url: str, *, max_size: int, max_urls: int) -> ParsedSitemap:
    """Every readable entry (urlset) or child (index) of one sitemap; never raises, never fetches.

    ``max_size`` bounds the document once decompressed (DOWNLOAD_MAXSIZE), ``max_urls`` the
    number of elements read; either limit is reported as the map's problem.
    """
    data, problem = _unpack(body, max_size)
    if data is None:
        return ParsedSitemap(problem=problem)
    try:
        sitemap = Sitemap(data)
    except (lxml.etree.XMLSyntaxError, StopIteration):  # StopIteration: no element at all
        return ParsedSitemap(problem="not XML" if data.strip() else "empty document")
    if sitemap.type not in SITEMAP_KINDS:
        return ParsedSitemap(problem=f"not a sitemap: the root element is <{sitemap.type or '?'}>")
    if _declares_doctype(data):
        return ParsedSitemap(kind=sitemap.type, problem="refused: a document type declaration (entities) in a sitemap")
    problems: list[str] = []
    items = list(_read_items(sitemap, max_urls, problems))
    broken = sum(1 for _, whole in items if not whole)
    if errors := list(sitemap.xmliter.error_log):
        problems.insert(0, f"malformed XML ({errors[0].message.strip()}), {broken} unreadable element(s)")
    parsed = ParsedSitemap(kind=sitemap.type, problem=_shorten("; ".join(problems)) if problems else None)
    if sitemap.type == "sitemapindex":
        parsed.children = [ChildMap(item["loc"], _lastmod(item.get("lastmod"))) for item, whole in items if whole]
        return parsed
    extras = _news_and_images(data, max_urls) if any("news" in item or "image" in item for item, _ in items) else {}
    for position, (item, whole) in enumerate(items):
        written = (item["loc"] or None) if whole else None
        title, published, keywords, images = extras.get(written or "", (None, None, (), ()))
        lastmod_text = _text(item.get("lastmod")) if whole else None
        lastmod = _lastmod(lastmod_text)
        parsed.entries.append(
            SitemapEntry(
                sitemap_url=sitemap_url,
                position=position,
                loc=join_link(sitemap_url, written),
                lastmod=lastmod,
                title=title,
                published=published,
                keywords=keywords,
                images=images,
                unreadable_lastmod=lastmod_text if lastmod is None else None,
            )
        )
    return parsed


def _unpack(body: bytes, max_size: int) -> tuple[bytes | None, str | None]:
    """The XML bytes of a response body: gunzipped when it is gzip data, within ``max_size``."""
    if body[: len(GZIP_MAGIC)] == GZIP_MAGIC:
        try:
            return gunzip(body, max_size=max_size), None
        except ValueError:  # Scrapy's _DecompressionMaxSizeExceeded
            return None, f"gzip data decompresses to more than {max_size} bytes (DOWNLOAD_MAXSIZE)"
        except (OSError, EOFError, struct.error):
            return None, "broken gzip data"
    if max_size and len(body) > max_size:
        return None, f"larger than {max_size} bytes (DOWNLOAD_MAXSIZE)"
    return body, None


def _declares_doctype(data: bytes) -> bool:
    """A sitemap has no DOCTYPE; one with a DTD is broken or hostile (billion laughs)."""
    try:
        _, root = next(lxml.etree.iterparse(BytesIO(data), events=("start",), **_PARSER_OPTIONS))
    except (lxml.etree.XMLSyntaxError, StopIteration):
        return False  # not reached: Sitemap() has already read the root element
    return bool(root.getroottree().docinfo.doctype)


def _read_items(sitemap: Sitemap, max_urls: int, problems: list[str]) -> Iterator[tuple[dict[str, Any], bool]]:
    """Each element as ``Sitemap`` flattens it, and whether it was read without a parse error.

    ``Sitemap`` yields an element once its end tag is parsed: an error logged since the previous
    element belongs to this one (a truncated last ``<loc>`` is recovered as a shorter URL).
    """
    errors_before = 0
    for count, item in enumerate(sitemap):
        if count == max_urls:
            problems.append(f"more than {max_urls} URLs: only the first {max_urls} were read")
            return
        errors = len(sitemap.xmliter.error_log)
        yield item, errors == errors_before
        errors_before = errors


_Extras = tuple[str | None, str | None, tuple[str, ...], tuple[SitemapImage, ...]]


def _news_and_images(data: bytes, max_urls: int) -> dict[str, _Extras]:
    """news:title, news:publication_date, news:keywords and image:image of each <url>, by <loc>."""
    found: dict[str, _Extras] = {}
    elements = lxml.etree.iterparse(BytesIO(data), events=("end",), tag="{*}url", **_PARSER_OPTIONS)
    try:
        for _, url in elements:
            loc = _text(url.findtext("{*}loc"))
            if loc and loc not in found:
                found[loc] = _extras_of(url)
            _release(url)
            if len(found) >= max_urls:
                break
    except lxml.etree.XMLSyntaxError:
        pass  # the main pass already reported the document as malformed; what was read is kept
    return found


def _extras_of(url: lxml.etree._Element) -> _Extras:
    news = url.find("{*}news")
    title = published = None
    keywords: tuple[str, ...] = ()
    if news is not None:
        title = _text(news.findtext("{*}title"))
        published = to_utc(news.findtext("{*}publication_date"))
        words = (news.findtext("{*}keywords") or "").split(",")
        keywords = tuple(dict.fromkeys(word.strip() for word in words if word.strip()))
    images = tuple(
        SitemapImage(image_url, _text(image.findtext("{*}caption")))
        for image in url.iterfind("{*}image")
        if (image_url := _text(image.findtext("{*}loc")))
    )
    return title, published, keywords, images


def _release(element: lxml.etree._Element) -> None:
    """Free a parsed element and its earlier siblings (bounded memory while streaming)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _lastmod(value: str | None) -> str | None:
    """A W3C datetime in the record format; a bare day stays ``YYYY-MM-DD``; junk gives None."""
    text = (value or "").strip()
    if _DAY.fullmatch(text):
        return text if _valid_day(text) else None
    return to_utc(text)


def _valid_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _text(value: str | None) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _shorten(problem: str) -> str:
    return problem if len(problem) <= _MAX_PROBLEM_LENGTH else problem[: _MAX_PROBLEM_LENGTH - 1] + "…"
