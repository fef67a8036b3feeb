"""Canonical URLs and article-URL recognition for www.rfi.fr/cn (pure functions).

The canonical URL is the de-duplication key: IRI, percent-encoded and lowercase-hex forms of
one path map to one string; ``http``, the bare ``rfi.fr`` host, fragments and tracking
parameters are dropped. URL shape alone cannot decide every case (some real articles are
``/cn/<slug>``), so :func:`classify` answers ``maybe_article`` for those and the page's own
type decides.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote, unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

RFI_HOST = "www.rfi.fr"
RFI_ORIGIN = f"https://{RFI_HOST}"
_RFI_HOST_ALIASES = frozenset({"www.rfi.fr", "rfi.fr"})
EDITION_PREFIX = "cn"
PROGRAMMES_SEGMENT = "专栏检索"
# Real /cn/ URLs also carry the Traditional spelling of the programmes root (2021 crawl).
_PROGRAMMES_SEGMENTS = frozenset({PROGRAMMES_SEGMENT, "專欄檢索"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Longer than any real article URL (the longest seen, percent-encoded, is under 400 characters).
MAX_URL_LENGTH = 4096
# Control characters and backslashes are refused outright: WHATWG parsers (browsers, w3lib) read a
# backslash as "/" and drop tabs and newlines, urllib does neither, so the two can disagree on the host.
_UNSAFE_CHARACTER = re.compile(r"[\x00-\x1f\x7f\\]")

# A www.rfi.fr URL that is canonical already: https, the host as written, non-empty path segments
# of unreserved characters and upper-case escapes of non-ASCII bytes (no dot segment, no trailing
# slash), no query, no fragment. Feeds, pages and redirects give most URLs in this form; w3lib
# would return them unchanged, at ~20 µs each (tests/discovery/test_urls.py compares the two).
_CANONICAL_RFI_URL = re.compile(r"https://www\.rfi\.fr(?:/(?!\.\.?(?:/|$))(?:[A-Za-z0-9\-._~]|%[89A-F][0-9A-F])+)+")
# An absolute http(s) URL with an ASCII host and no query, fragment, parameters (";"), brackets,
# spaces or control characters: urljoin returns it unchanged whatever the base, and it is a web URL.
# (A non-ASCII host goes through urljoin, which refuses one whose NFKC form hides a "/", ":", "@"…)
# Most listed links are such; the check is ~1 µs, urljoin ~8 (tests/discovery/test_urls.py).
PLAIN_WEB_URL = re.compile(r"https?://[^/?#;\[\]\\\s\x00-\x20\x7f-\U0010ffff]+(?:/[^?#;\[\]\\\s\x00-\x20\x7f]*)?")
_TRACKING_PARAM = re.compile(r"^(utm_.*|xtor|at_.*|fbclid|gclid|dclid|msclkid|mc_[ce]id|ref)$", re.I)
_DATED_SLUG = re.compile(r"^\d{8}-.+")

# Listing roots and static pages of the edition: never articles.
# 视频 is not one of them: it is also a section with dated articles (/cn/视频/20211209-…).
_LISTING_ROOTS = frozenset({"关键词", "作者", "档案资料库", "播客", "节目", "搜索"} | _PROGRAMMES_SEGMENTS)
_STATIC_PAGES = frozenset({"直播", "我们是谁", "应用", "联系我们", "节目表", "频率", "如何收听法广", "newsletter"})
SECTIONS = frozenset(
    {
        *("中国", "法国", "港澳台", "亚洲", "非洲", "美洲", "欧洲", "中东", "国际", "政治", "经贸"),
        *("社会", "人权", "健康", "体育", "生态", "科技与文化", "名流", "视频", "特别专题", "滚动新闻"),
    }
)

UrlKind = Literal["article", "maybe_article", "offsite", "other_edition", "not_article_url"]


@lru_cache(maxsize=16384)  # a crawl meets one URL several times: feed link, response URL, rel=canonical
def canonical_url(url: str, base: str | None = None) -> str | None:
    """The canonical form of ``url`` (joined on ``base``), or None if it is not a usable http(s) URL.

    Hosts other than rfi.fr keep their own scheme and host (so they can be recognised as
    off-site); www.rfi.fr URLs always come out as https on ``www.rfi.fr``. A URL with userinfo or
    a non-default port is never taken for www.rfi.fr. URLs holding control characters or
    backslashes, or longer than ``MAX_URL_LENGTH`` once percent-encoded, are refused (None), and
    only a URL without a scheme is joined on ``base`` (``https:///x`` is not a path on the base).
    """
    url = url.strip()
    if len(url) <= MAX_URL_LENGTH and _CANONICAL_RFI_URL.fullmatch(url):
        return url
    return _canonicalised(url, base)


def _canonicalised(url: str, base: str | None) -> str | None:
    if not url or _refused(url):
        return None
    try:
        if base and not urlsplit(url).scheme:
            url = urljoin(base, url)
        if _refused(url) or urlsplit(url).scheme.lower() not in _DEFAULT_PORTS:
            return None
        # w3lib first (IDNA host, dot segments, percent-encoding with uppercase hex, sorted query,
        # no fragment), then the rules below on its output, so both read the same host.
        parts = urlsplit(canonicalize_url(url))
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in _DEFAULT_PORTS or not host:
        return None
    if host in _RFI_HOST_ALIASES and "@" not in parts.netloc and port in (None, _DEFAULT_PORTS[parts.scheme]):
        scheme, netloc = "https", RFI_HOST
    else:
        scheme, netloc = parts.scheme, parts.netloc
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    canonical = urlunsplit((scheme, netloc, parts.path or "/", query, ""))
    if netloc == RFI_HOST:
        canonical = _strip_article_trailing_slash(canonical)
    return canonical if len(canonical) <= MAX_URL_LENGTH else None


def _refused(url: str) -> bool:
    if len(url) > MAX_URL_LENGTH or _UNSAFE_CHARACTER.search(url):
        return True
    utf8 = url.encode("utf-8", "surrogatepass")
    non_ascii_bytes = len(utf8) - len(url.encode("ascii", "ignore"))
    return len(utf8) + 2 * non_ascii_bytes > MAX_URL_LENGTH  # each such byte → %XX


def _is_tracking(query_pair: str) -> bool:
    return _TRACKING_PARAM.fullmatch(unquote_plus(query_pair.split("=", 1)[0])) is not None


def _strip_article_trailing_slash(url: str) -> str:
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if parts.path.endswith("/") and segments and _DATED_SLUG.match(unquote(segments[-1])):
        return urlunsplit(parts._replace(path=parts.path.rstrip("/")))
    return url


def join_link(base: str, url: str | None) -> str | None:
    """A listed link joined on its listing's URL (None when empty or unusable)."""
    if not url:
        return None
    if PLAIN_WEB_URL.fullmatch(url):
        return url
    try:
        return urljoin(base, url)
    except ValueError:  # e.g. a malformed IPv6 host: no usable URL
        return None


@lru_cache(maxsize=4096)  # the URL rules below read one article's URL several times
def path_segments(url: str) -> tuple[str, ...]:
    """Decoded, non-empty path segments of a URL (none for a URL that cannot be parsed)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ()
    if "%2f" in path.lower():  # an escaped slash is part of its segment: decode segment by segment
        return tuple(unquote(s) for s in path.split("/") if s)
    return tuple(s for s in unquote(path).split("/") if s)  # one decode (a "/" never ends inside an escape run)


@lru_cache(maxsize=4096)  # an article's URL is classified when listed, fetched and read from its page
def classify(url: str) -> UrlKind:
    """What a canonical URL points at, as far as its shape tells."""
    if _refused(url):
        return "offsite"  # what canonical_url refuses is nobody's page
    try:
        parts = urlsplit(url)
    except ValueError:
        return "offsite"
    if parts.scheme != "https" or parts.netloc != RFI_HOST:
        return "offsite"
    segments = path_segments(url)
    if not segments or segments[0] != EDITION_PREFIX:
        return "other_edition"
    rest = segments[1:]
    if not rest or parts.path.endswith("/") or (rest[0] in _LISTING_ROOTS and len(rest) < 3):
        return "not_article_url"
    if _DATED_SLUG.match(rest[-1]):
        if len(rest) == 2 or (len(rest) == 3 and rest[0] in _PROGRAMMES_SEGMENTS):
            return "article"
        return "maybe_article"
    if len(rest) == 1 and (rest[0] in SECTIONS or rest[0] in _STATIC_PAGES):
        return "not_article_url"
    if rest[0] in _LISTING_ROOTS:
        return "not_article_url"
    return "maybe_article"


def is_edition_page_url(url: str) -> bool:
    """True for a www.rfi.fr /cn/ URL that may be an article (a valid rel=canonical)."""
    return classify(url) in ("article", "maybe_article")


def section_from_url(url: str) -> str | None:
    """The programme under 专栏检索, else the section of a dated article path."""
    rest = path_segments(url)[1:]
    if len(rest) == 3 and rest[0] in _PROGRAMMES_SEGMENTS and _DATED_SLUG.match(rest[2]):
        return rest[1]
    if len(rest) == 2 and _DATED_SLUG.match(rest[1]):
        return rest[0]
    return None


def is_programme_url(url: str) -> bool:
    rest = path_segments(url)[1:]
    return len(rest) == 3 and rest[0] in _PROGRAMMES_SEGMENTS
