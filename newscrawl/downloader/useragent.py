"""Say who runs the crawler: the User-Agent names the project and its operator's contact."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """Scrapy's User-Agent middleware, with ``NEWSCRAWL_CONTACT`` appended: ``<USER_AGENT> (contact: ...)``.

    Done here rather than by rewriting USER_AGENT in the spider's ``update_settings``: ``scrapy
    crawl`` merges the project settings into the crawler afterwards, which undoes such a rewrite.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        contact = crawler.settings.get("NEWSCRAWL_CONTACT")
        if contact:
            middleware.user_agent = f"{middleware.user_agent} (contact: {contact})"
        return middleware
