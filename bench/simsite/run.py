"""One scenario end to end: the newsroom, the site on loopback, the crawls, the score."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.simsite.driver import Driver, Mode, RunResult
from bench.simsite.newsroom import Newsroom
from bench.simsite.score import score
from bench.simsite.server import SimSite

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from bench.simsite.scenarios import Scenario

logger = logging.getLogger(__name__)

# `-a sitemaps=` (empty) switches the crawler's sitemap discovery off: the "feeds alone" comparison.
FEEDS_ONLY = {"sitemaps": ""}


@dataclass(frozen=True)
class Outcome:
    scores: dict[str, Any]
    runs: list[RunResult]
    newsroom: Newsroom
    wall: float  # seconds, everything included (drawing the newsroom, crawls, scoring)


def run_scenario(
    scenario: Scenario,
    data_dir: Path,
    *,
    mode: Mode = "inprocess",
    feeds_only: bool = False,
    settings: Mapping[str, str] | None = None,
    arguments: Mapping[str, str] | None = None,
) -> Outcome:
    started = time.monotonic()
    newsroom = Newsroom(scenario.newsroom)
    logger.info("Scenario %s: %d articles drawn (%d in the period)", scenario.name, len(newsroom.stories),
                len(newsroom.in_period()))  # fmt: skip
    with SimSite(newsroom, scenario.site, scenario.server) as site:
        driver = Driver(
            site,
            data_dir,
            interval=scenario.interval,
            mode=mode,
            settings=settings,
            arguments={**(FEEDS_ONLY if feeds_only else {}), **(arguments or {})},
        )
        runs = driver.run(scenario.start, scenario.end, scenario.crawler_down)
        scores = score(
            data_dir, newsroom, runs, outages=scenario.outages, counters=site.counters, interval=scenario.interval
        )
    return Outcome(scores, runs, newsroom, time.monotonic() - started)
