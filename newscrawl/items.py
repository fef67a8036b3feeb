"""The output record (schema v1), field by field.

`PageContent` is what a page object (or the feed-only extractor) can know from one document;
`Article` adds where and how it was fetched. Every field is always present in the output:
unknown values are ``None``, ``[]`` or ``{}``. Dates are strings in ``YYYY-MM-DDTHH:MM:SSZ``
(UTC) so that feed exports never re-format them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, TypedDict

SCHEMA_VERSION = 1
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


def article_id(url: str) -> str:
    """Hex SHA-256 of the canonical URL: stable across runs and machines."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


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

    @classmethod
    def from_content(cls, content: PageContent, **provenance: Any) -> Article:
        return cls(**as_record(content), id=article_id(content.url), **provenance)


_FIELD_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in (PageContent, Article)}


def as_record(item: PageContent) -> dict[str, Any]:
    """The fields of a record (or page content) as a dict, in field order.

    Shallow: its lists and dicts are the item's own. ``dataclasses.asdict`` copies every nested
    value, which a record about to be validated or written does not need.
    """
    return {name: getattr(item, name) for name in _FIELD_NAMES[type(item)]}
