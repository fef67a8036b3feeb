"""The normalise step: every record, whatever produced it, in one clean form (pure)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from newscrawl.discovery.urls import canonical_url
from newscrawl.extract.dates import to_utc
from newscrawl.extract.text import clean_body, clean_text, split_names, strip_title_suffix, unique
from newscrawl.items import Article, FeedProvenance, Image, Media, article_id

if TYPE_CHECKING:
    from collections.abc import Iterable


def normalize_article(article: Article) -> Article:
    """A new Article: NFC and collapsed white space everywhere, record formats, derived `id`."""
    url = canonical_url(article.url) or article.url.strip()
    title = clean_text(article.title)
    return replace(
        article,
        url=url,
        id=article_id(url),
        title=clean_text(strip_title_suffix(title)) if title else None,
        lead=clean_text(article.lead),
        body=clean_body(article.body),
        authors=split_names(article.authors),
        tags=unique(article.tags),
        section=clean_text(article.section),
        published=to_utc(article.published),
        modified=to_utc(article.modified),
        images=_images(article.images),
        media=_media(article.media),
        alternates={
            k: v for k, v in ((clean_text(k), clean_text(v)) for k, v in article.alternates.items()) if k and v
        },
        edition=_required(article.edition),
        language=_required(article.language),
        content_source=_required(article.content_source),
        fetched_with=_required(article.fetched_with),
        feed=_feed(article.feed),
        fetched_at=to_utc(article.fetched_at),
        spider=_required(article.spider),
    )


def _required(value: str) -> str:
    """A cleaned value that may not become null (the schema rejects a blank one)."""
    return clean_text(value) or value


def _images(images: Iterable[Image]) -> list[Image]:
    result: dict[str, Image] = {}
    for image in images:
        url = clean_text(image["url"])
        if url:
            result.setdefault(url, Image(url=url, caption=clean_text(image["caption"])))
    return list(result.values())


def _media(media: Iterable[Media]) -> list[Media]:
    result: dict[str, Media] = {}
    for item in media:
        url = clean_text(item["url"])
        if url:
            result.setdefault(url, Media(type=_required(item["type"]), url=url, duration=item["duration"]))
    return list(result.values())


def _feed(feed: FeedProvenance | None) -> FeedProvenance | None:
    if feed is None:
        return None
    return FeedProvenance(
        url=_required(feed["url"]),
        entry_id=clean_text(feed["entry_id"]),
        entry_title=clean_text(feed["entry_title"]),
        entry_published=to_utc(feed["entry_published"]),
        position=feed["position"],
    )
