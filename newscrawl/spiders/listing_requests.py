"""Requests for listings (feeds, sitemaps, robots.txt) and what the next run keeps of their answers.

A listing is requested with the validators the last finished run kept for it, so an unchanged one
costs a 304 (``store.listings``). This module builds those requests, keeps the validators (and an
index's maps) of a listing read whole, and records a 304 as a source of the run.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request

from newscrawl.discovery import sitemaps
from newscrawl.discovery.sitemap_walk import INDEX_KIND
from newscrawl.run.outcomes import ListingSource
from newscrawl.store.listings import ListingState, header_value

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.http import Response

    from newscrawl.run.extension import Run
    from newscrawl.store.listings import ListingStateStore

logger = logging.getLogger(__name__)

NOT_MODIFIED = 304


class ListingRequests:
    def __init__(self, run: Run, fetch_url: Callable[[str], str]) -> None:
        self.run = run
        self._fetch_url = fetch_url  # the canonical URL → the URL fetched (NEWSCRAWL_FETCH_ORIGIN)

    @property
    def state(self) -> ListingStateStore:
        state = self.run.listing_state
        assert state is not None, "the run opens it with the data dir, before any request"
        return state

    def request(
        self, url: str, callback: Any, errback: Any, cb_kwargs: dict[str, Any], role: str, *, robots: bool = False
    ) -> Request:
        """A listing's request, conditional on the validators the last finished run kept for it.

        robots.txt is not conditional: the run's one request for it also answers Scrapy's robots
        middleware (``downloader.robots_once``), which needs the file itself, not a 304.
        """
        state = None if robots else self.state.get(url)
        return Request(
            self._fetch_url(url),
            callback=callback,
            errback=errback,
            headers=state.request_headers() if state is not None else None,
            cb_kwargs=cb_kwargs,
            meta={"newscrawl_role": role, "handle_httpstatus_list": [NOT_MODIFIED], "dont_obey_robotstxt": robots},
            dont_filter=True,
        )

    def keep_validators(self, url: str, response: Response, kind: str, children: tuple[str, ...] = ()) -> None:
        """Remember a listing read whole for the next run (committed only if this run finishes)."""
        etag = header_value(response.headers.get("ETag"))
        last_modified = header_value(response.headers.get("Last-Modified"))
        self.state.put(url, ListingState(etag, last_modified, kind, children))

    def unchanged(self, url: str, kind: str) -> None:
        """A 304: the listing is as the last finished run read it."""
        self.run.accounting.record_source(ListingSource(url, kind, "ok", http_status=NOT_MODIFIED, not_modified=True))
        logger.info("%s %s: unchanged (304)", kind.capitalize(), url)

    def known_kind(self, url: str) -> str | None:
        """What an earlier run found the URL to be (``feed``, ``urlset``, ``sitemapindex``), if it kept it."""
        state = self.state.get(url)
        return state.kind if state is not None else None

    def remembered_maps(self, index_url: str) -> sitemaps.EditionMaps | None:
        """The maps a sitemap index named when the last finished run read it (or None)."""
        state = self.state.get(index_url)
        if state is None or state.kind != INDEX_KIND:
            return None
        return sitemaps.edition_maps(state.children, index_url)
