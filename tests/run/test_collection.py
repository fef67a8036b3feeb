from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from newscrawl.run.collection import YOUNG_THRESHOLD, CrawlGarbageCollection


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


@pytest.fixture
def crawler() -> Iterator[Crawler]:
    """A crawler with the extension connected (and no other): its signals are sent by hand."""
    crawler = get_crawler(Spider, {"EXTENSIONS": {}})
    _extension = CrawlGarbageCollection.from_crawler(crawler)  # held here: signals hold receivers weakly
    yield crawler
    gc.unfreeze()


def send(crawler: Crawler, signal: object) -> None:
    crawler.signals.send_catch_log(signal)


def test_while_the_spider_is_open_the_start_up_heap_is_frozen_and_young_collections_are_rarer(
    crawler: Crawler,
) -> None:
    before = gc.get_threshold()
    send(crawler, signals.spider_opened)
    assert gc.get_freeze_count() > 1000
    assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
    send(crawler, signals.spider_closed)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_what_was_frozen_is_collected_once_the_spider_closes(
    crawler: Crawler,
) -> None:
    node = Node()
    alive = weakref.ref(node)
    send(crawler, signals.spider_opened)
    del node  # garbage now, but frozen: no collection during the crawl frees it
    gc.collect()
    assert alive() is not None
    send(crawler, signals.spider_closed)
    gc.collect()
    assert alive() is None


def test_the_crawl_s_own_garbage_is_collected_while_it_runs(
    crawler: Crawler,
) -> None:
    send(crawler, signals.spider_opened)
    node = Node()
    alive = weakref.ref(node)
    del node
    gc.collect()
    assert alive() is None
    send(crawler, signals.spider_closed)
