"""What the simulated www.rfi.fr answers for a path at simulated time ``t`` (no sockets, no clock).

Routes: ``/robots.txt``; RFI's RSS feeds ``/cn/rss`` and ``/cn/<section>/rss`` (also
``/cn/专栏检索/<programme>/rss``), each the latest ``feed_size`` live articles, a lagging feed
served from a cache ``lag`` old; the feedx mirror at :data:`FEEDX_PATH`; the news sitemap, the
sitemap index, the monthly contents sitemaps and the index's other children; article pages
(404, 410 or a redirect to the section front once removed); section fronts and the home page.

Every 200 answer carries an ``ETag`` (a hash of the body) and a ``Last-Modified`` (the model's
last change of what the document shows); :func:`not_modified` answers the conditional requests.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from bench.corpus import PROGRAMMES, SECTIONS
from bench.simsite import render
from bench.simsite.newsroom import EPOCH, ORIGIN, PROGRAMMES_ROOT

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from bench.simsite.newsroom import Newsroom

FEEDX_PATH = "/feedx/rss/rfi.xml"  # the feedx.net mirror, on the simulated site's own origin
SITEMAPS = "/sitemaps/cn/"
NEWS_SITEMAP = SITEMAPS + "news.xml"
SITEMAP_INDEX = SITEMAPS + "index.xml"
# Children of the index that are no article lists: a crawler must leave them alone.
IGNORED_SITEMAPS = ("tags.xml", "shows.xml", "pagebuilder.xml")
_CONTENTS = re.compile(r"contents_(\d{6})\.xml")

# Request kinds, as the server counts them.
KINDS = (
    *("robots", "feed", "feedx", "news_sitemap", "sitemap_index", "contents_sitemap", "other_sitemap"),
    *("page", "front", "other"),
)
LISTING_KINDS = frozenset({"feed", "feedx", "news_sitemap", "sitemap_index", "contents_sitemap"})

_RSS = "application/rss+xml; charset=utf-8"
_XML = "application/xml; charset=utf-8"
_HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class SiteConfig:
    feed_size: int = 25  # items per RFI feed (the home feed and every section feed)
    feedx_size: int = 20  # items in the feedx mirror
    feedx_poll: timedelta = timedelta(minutes=30)  # how often the mirror copies the site
    feed_lag: Mapping[str, timedelta] = field(default_factory=dict)  # section ("" = /cn/rss) → cache age
    news_window: timedelta = timedelta(days=2)
    news_limit: int = 1000
    front_size: int = 20
    gzip_sitemaps: bool = False  # Content-Encoding: gzip for sitemaps, when the client accepts it
    absolute_redirects: bool = False  # Location: https://www.rfi.fr/... instead of a path on this origin


@dataclass(frozen=True)
class Answer:
    status: int
    kind: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    compressible: bool = False  # a sitemap: gzipped when the site says so and the client accepts


class Site:
    def __init__(self, newsroom: Newsroom, config: SiteConfig | None = None) -> None:
        self.newsroom = newsroom
        self.config = config or SiteConfig()
        self._robots_modified = newsroom.config.start - newsroom.config.history

    def kind(self, path: str) -> str:
        """The kind of request a (percent-encoded) path is, without answering it."""
        decoded = unquote(path)
        if decoded == "/robots.txt":
            return "robots"
        if decoded == FEEDX_PATH:
            return "feedx"
        if decoded.startswith("/cn/") and decoded.endswith("/rss"):
            return "feed"
        if decoded.startswith("/sitemaps/"):
            name = decoded.removeprefix(SITEMAPS)
            if decoded == NEWS_SITEMAP:
                return "news_sitemap"
            if decoded == SITEMAP_INDEX:
                return "sitemap_index"
            return "contents_sitemap" if _CONTENTS.fullmatch(name) else "other_sitemap"
        if self.newsroom.story_at_path(decoded) is not None:
            return "page"
        return "front" if self._front_title(decoded) else "other"

    def answer(self, path: str, t: datetime, variant: int = 0) -> Answer:
        """The full answer (before conditional handling) for a percent-encoded path at ``t``."""
        decoded = unquote(path)
        kind = self.kind(path)
        if kind == "robots":
            return _ok(kind, render.robots_txt(), "text/plain; charset=utf-8", self._robots_modified)
        if kind == "feed":
            return self._feed(decoded, t)
        if kind == "feedx":
            items, changed = self.newsroom.mirror(t, self.config.feedx_size, self.config.feedx_poll)
            return _ok(kind, render.feedx_feed(items, changed), _RSS, changed)
        if kind in ("news_sitemap", "sitemap_index", "contents_sitemap", "other_sitemap"):
            return self._sitemap(kind, decoded, t)
        if kind == "page":
            return self._page(decoded, t, variant)
        title = self._front_title(decoded)
        if title is not None:
            section = decoded.strip("/").split("/")[-1] if decoded != "/cn/" else None
            listing = self.newsroom.latest(t, self.config.front_size, section=section)
            return _ok(kind, render.front_page(title, decoded, listing), _HTML, listing.changed)
        return _missing(kind)

    def _front_title(self, decoded: str) -> str | None:
        if decoded == "/cn/":
            return render.SITE_NAME
        parts = decoded.strip("/").split("/")
        if decoded.endswith("/") and len(parts) == 2 and parts[1] in SECTIONS:
            return parts[1]
        if decoded.endswith("/") and len(parts) == 3 and parts[1] == PROGRAMMES_ROOT and parts[2] in PROGRAMMES:
            return parts[2]
        return None

    def _feed(self, decoded: str, t: datetime) -> Answer:
        parts = decoded.strip("/").split("/")[1:-1]  # between /cn/ and /rss
        if not parts:
            section = ""
        elif len(parts) == 1 and parts[0] in SECTIONS:
            section = parts[0]
        elif len(parts) == 2 and parts[0] == PROGRAMMES_ROOT and parts[1] in PROGRAMMES:
            section = parts[1]
        else:
            return _missing("feed")
        served = t - self.config.feed_lag.get(section, timedelta(0))
        listing = self.newsroom.latest(served, self.config.feed_size, section=section or None)
        title = f"{section} - {render.SITE_NAME}" if section else render.SITE_NAME
        return _ok("feed", render.rss_feed(title, ORIGIN + quote(decoded), listing), _RSS, listing.changed)

    def _sitemap(self, kind: str, decoded: str, t: datetime) -> Answer:
        name = decoded.removeprefix(SITEMAPS)
        if kind == "news_sitemap":
            listing = self.newsroom.latest(t, self.config.news_limit, window=self.config.news_window)
            return _sitemap_ok(kind, render.news_sitemap(listing), listing.changed)
        if kind == "sitemap_index":
            months = [(m, self.newsroom.month(t, m).changed) for m in self.newsroom.months_until(t)]
            children: list[tuple[str, datetime | None]] = [
                (f"{ORIGIN}{SITEMAPS}contents_{m}.xml", changed) for m, changed in months
            ]
            children += [(f"{ORIGIN}{SITEMAPS}{other}", None) for other in IGNORED_SITEMAPS]
            return _sitemap_ok(kind, render.sitemap_index(children), max((c for _, c in months), default=EPOCH))
        match = _CONTENTS.fullmatch(name)
        if match and match.group(1) in self.newsroom.months_until(t):
            listing = self.newsroom.month(t, match.group(1))
            entries = [(story.url, version.changed) for story, version in listing.items]
            return _sitemap_ok(kind, render.urlset(entries), listing.changed)
        if decoded.startswith(SITEMAPS) and name in IGNORED_SITEMAPS:
            return _sitemap_ok(kind, render.urlset(self._ignored_entries(name, t)), self._robots_modified)
        return _missing(kind)

    def _ignored_entries(self, name: str, t: datetime) -> list[tuple[str, datetime | None]]:
        if name == "tags.xml":
            tags = sorted({tag for story, _ in self.newsroom.latest(t, 200).items for tag in story.tags})
            return [(render.url_of(f"/cn/关键词/{tag}/"), None) for tag in tags]
        if name == "shows.xml":
            return [(render.url_of(f"/cn/{PROGRAMMES_ROOT}/{p}/"), None) for p in PROGRAMMES]
        return [(f"{ORIGIN}/cn/", None), (render.url_of("/cn/直播"), None)]

    def _page(self, decoded: str, t: datetime, variant: int) -> Answer:
        story = self.newsroom.story_at_path(decoded)
        assert story is not None
        if story.published > t:
            return _missing("page")
        if story.removal is not None and story.removal.at <= t:
            if story.removal.kind == "redirect":
                target = story.front_path
                location = ORIGIN + quote(target) if self.config.absolute_redirects else quote(target)
                return Answer(301, "page", b"", {"Location": location, "Content-Type": _HTML})
            status = int(story.removal.kind)
            return Answer(status, "page", render.error_page(status).encode(), {"Content-Type": _HTML})
        version = story.version_at(t)
        html = render.article_page(story, version, variant if story.promo_rotation else 0)
        return _ok("page", html, _HTML, version.changed)


def _ok(kind: str, text: str, content_type: str, modified: datetime, *, compressible: bool = False) -> Answer:
    body = text.encode("utf-8")
    headers = {
        "Content-Type": content_type,
        "ETag": f'"{hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20]}"',
        "Last-Modified": render.http_date(modified),
    }
    return Answer(200, kind, body, headers, compressible)


def _sitemap_ok(kind: str, text: str, modified: datetime) -> Answer:
    return _ok(kind, text, _XML, modified, compressible=True)


def _missing(kind: str) -> Answer:
    return Answer(404, kind, render.error_page(404).encode(), {"Content-Type": _HTML})


def not_modified(answer: Answer, request_headers: Mapping[str, str]) -> bool:
    """Whether a 200 answer may be a 304 for these request headers (RFC 9110 §13.1–13.2).

    ``If-None-Match`` wins over ``If-Modified-Since`` when both are sent. Header names lower-case.
    """
    if answer.status != 200:
        return False
    etag = answer.headers.get("ETag", "")
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = request_headers.get("if-modified-since")
    if if_modified_since is None or "Last-Modified" not in answer.headers:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
        modified = parsedate_to_datetime(answer.headers["Last-Modified"])
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and modified <= since
