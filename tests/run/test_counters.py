from __future__ import annotations

from typing import Any

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newscrawl.run.counters import incrementer


def test_the_incrementer_counts_in_the_collectors_stats_as_inc_value_does() -> None:
    stats = MemoryStatsCollector(get_crawler())
    increment = incrementer(stats)
    increment("newscrawl/a")
    increment("newscrawl/a")
    stats.inc_value("newscrawl/a")
    assert stats.get_value("newscrawl/a") == 3
    stats.set_stats({"newscrawl/b": 5})  # a new dict: the incrementer follows it
    increment("newscrawl/b")
    assert stats.get_stats() == {"newscrawl/b": 6}


def test_a_collector_that_overrides_inc_value_gets_its_override() -> None:
    class Doubling(MemoryStatsCollector):
        def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Any = None) -> None:
            super().inc_value(key, 2 * count, start)

    stats = Doubling(get_crawler())
    incrementer(stats)("newscrawl/a")
    assert stats.get_value("newscrawl/a") == 2
