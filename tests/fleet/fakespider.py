"""A spider that shares requests through the frontier, for the fleet's unit tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scrapy import Request, Spider

from newscrawl.fleet.request_json import FRONTIER_KEY

URL = "https://www.rfi.fr/cn/中国/20240401-a"


@dataclass(frozen=True)
class Entry:
    feed_url: str
    position: int
    tags: tuple[str, ...] = ()
    enclosures: tuple[tuple[str, str], ...] = ()


@dataclass
class Lead:
    url: str
    entries: list[tuple[int, Entry]] = field(default_factory=list)


@dataclass
class Secret:
    command: str


class FleetSpider(Spider):
    name = "fleet_test"
    frontier_callbacks = frozenset({"parse_article", "article_failed"})
    frontier_types = (Lead, Entry)

    def parse_article(self, response: Any, lead: Lead) -> None:
        pass

    def article_failed(self, failure: Any) -> None:
        pass

    def parse_other(self, response: Any) -> None:
        pass


def article_request(spider: FleetSpider, url: str = URL, **changes: Any) -> Request:
    """A request as the spider hands an article to the fleet: its lead in cb_kwargs, its key in meta."""
    lead = Lead(url)
    lead.entries.append(
        (0, Entry("https://www.rfi.fr/cn/rss", 3, ("中国", "政治"), (("https://x/a.mp3", "audio/mpeg"),)))
    )
    lead.entries.append((2, Entry("https://feedx.net/rss/rfi.xml", 0)))
    arguments: dict[str, Any] = {
        "callback": spider.parse_article,
        "errback": spider.article_failed,
        "cb_kwargs": {"lead": lead},
        "meta": {FRONTIER_KEY: url, "newscrawl_role": "page", "newscrawl_browser": False, "dont_retry": False},
        "priority": 3,
    }
    return Request(url, **{**arguments, **changes})
