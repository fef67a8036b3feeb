"""The output record (schema v2), field by field.

`PageContent` is what a page object (or the feed-only extractor) can know from one document;
`Article` adds where and how it was fetched, and which version of the article it is. Every field
is always present in the output (``removed_at`` only on a `Tombstone`): unknown values are
``None``, ``[]`` or ``{}``. Dates are strings in ``YYYY-MM-DDTHH:MM:SSZ`` (UTC) so that feed
exports never re-format them.

Schema v2 adds ``version``, ``content_hash``, ``first_seen`` and ``status`` to v1 (additive: a v1
file stays a valid v1 file). ``content_hash`` is :func:`content_hash`, recomputable from the
record alone (README "Record fields").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypedDict

import orjson

if TYPE_CHECKING:
    from collections.abc import Mapping

SCHEMA_VERSION = 2
EDITION = "cn"
LANGUAGE = "zh-Hans"


class Image(TypedDict):
    url: str
    caption: str | None


class Media(TypedDict):
    type: str  # "audio" | "video"
    url: str
    duration: int | None  # whole seconds


class FeedProvenance(TypedDict):
    url: str  # the feed's URL, as configured
    entry_id: str | None  # guid / atom:id, else the entry's link
    entry_title: str | None
    entry_published: str | None  # the entry's own date, same format as `published`
    position: int  # 0-based position of the entry in its feed


# The record fields that are the article's content: a change in any of them is a new version.
# Not fetched_at, dates, provenance or section: a revisit that finds only those different is unchanged.
CONTENT_FIELDS = ("title", "lead", "body", "authors", "tags", "images", "media")

LIVE = "live"
REMOVED = "removed"


def article_id(url: str) -> str:
    """Hex SHA-256 of the canonical URL: stable across runs and machines."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def content_hash(record: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the content fields as canonical JSON (keys sorted, no spaces, UTF-8, no escapes).

    The values are the record's own, already normalised by the extractors (NFC, white space,
    canonical URLs), so anyone can recompute the hash from a published record.
    """
    content = {name: record[name] for name in CONTENT_FIELDS}
    # orjson writes exactly the README's recipe (json.dumps with sort_keys, no spaces, no escapes)
    # in a quarter of the time: tests/test_items.py checks the two agree on any content.
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


@dataclass
class PageContent:
    """Everything one document (article page or feed full text) says about an article."""

    url: str  # canonical https URL on www.rfi.fr, percent-encoded path
    title: str | None = None
    lead: str | None = None  # the chapô
    body: str | None = None  # paragraphs separated by one blank line
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    section: str | None = None  # section name, or the programme name under 专栏检索
    published: str | None = None
    modified: str | None = None
    images: list[Image] = field(default_factory=list)  # main image first
    media: list[Media] = field(default_factory=list)
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang -> URL


@dataclass
class Article(PageContent):
    """One record of the dataset."""

    schema_version: int = SCHEMA_VERSION
    id: str = ""
    edition: str = EDITION
    language: str = LANGUAGE
    content_source: str = "page"  # "page" | "feed" (page lost, feed full text used)
    fetched_with: str = "http"  # "http" | "browser"
    feed: FeedProvenance | None = None
    fetched_at: str | None = None  # when the page (or for feed-only records the feed) was fetched
    spider: str = "rfi_cn"
    version: int = 1  # 1, 2, ...: (id, version) is unique in the dataset
    content_hash: str = ""  # content_hash() of this version
    first_seen: str | None = None  # fetched_at of version 1
    status: str = LIVE  # "live" | "removed" (a Tombstone)

    @classmethod
    def from_content(cls, content: PageContent, **provenance: Any) -> Article:
        """Version 1 of an article (a revisit passes ``version`` and ``first_seen`` of the new version)."""
        values = as_record(content)
        provenance.setdefault("first_seen", provenance.get("fetched_at"))
        return cls(**values, id=article_id(content.url), content_hash=content_hash(values), **provenance)


@dataclass
class Tombstone(Article):
    """The last version of a removed article, published again as version n+1 with status "removed"."""

    status: str = REMOVED
    removed_at: str | None = None  # when a revisit first found the page gone

    @classmethod
    def of(cls, last: Mapping[str, Any], *, version: int, removed_at: str, fetched_at: str | None) -> Tombstone:
        """The tombstone of ``last`` (the last version's record, v1 or v2): its content, one version up.

        ``fetched_at`` is when the removal was confirmed; ``content_hash`` and ``first_seen``
        stay those of the last version (a v1 record's are computed: hash, its own fetched_at).
        """
        names = {f.name for f in fields(Article)} - {"schema_version", "version", "status", "fetched_at"}
        values = {name: last[name] for name in names if name in last}
        values.setdefault("content_hash", content_hash(last))
        values.setdefault("first_seen", last.get("fetched_at"))
        return cls(**values, version=version, removed_at=removed_at, fetched_at=fetched_at)


_FIELD_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in (PageContent, Article, Tombstone)}


def as_record(item: PageContent) -> dict[str, Any]:
    """The fields of a record (or page content) as a dict, in field order.

    Shallow: its lists and dicts are the item's own. ``dataclasses.asdict`` copies every nested
    value, which a record about to be validated or written does not need.
    """
    return {name: getattr(item, name) for name in _FIELD_NAMES[type(item)]}
