"""Where the time goes (``python -m bench --profile``): cProfile of the extraction and of the crawl.

The extraction is profiled in this process over the extraction corpus. The crawl is ``scrapy
crawl rfi_cn`` in replay mode over the crawl corpus, with the ``CrawlProfiler`` extension added
to the project's extensions. cProfile slows Python code more than C code, so read the shares as
where to look, and the unprofiled figures of the other parts as what it costs.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.utils.project import get_project_settings

from bench.crawl import ours_command
from bench.extraction import parse_with_page_object
from bench.measure import REPO, run_process

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from bench.corpus import Page

Key = tuple[str, int, str]
Row = tuple[float, float, int]  # own seconds, cumulative seconds, calls

TOP = 15


def _rows(stats: pstats.Stats) -> dict[Key, Row]:
    table = stats.stats  # type: ignore[attr-defined]
    return {key: (value[2], value[3], value[1]) for key, value in table.items()}


def _name(key: Key) -> str:
    path, line, function = key
    for prefix in (f"{REPO}/", "site-packages/", "lib/python3"):
        if prefix in path:
            path = path.split(prefix, 1)[1]
    return f"{path}:{line}({function})" if line else function


def _table(rows: dict[Key, Row], units: int, unit: str, total: float) -> list[str]:
    lines = [f"| own % | cumulative % | calls/{unit} | function |", "|---:|---:|---:|---|"]
    by_own = sorted(rows.items(), key=lambda item: -item[1][0])[:TOP]
    lines += [
        f"| {own / total:.1%} | {cumulative / total:.1%} | {calls / units:.1f} | `{_name(key)}` |"
        for key, (own, cumulative, calls) in by_own
    ]
    project = [
        (key, row) for key, row in rows.items() if key[0].startswith(str(REPO / "newscrawl")) and row[1] > 0.01 * total
    ]
    lines += [
        "",
        "newscrawl functions by cumulative time:",
        "",
        "| cumulative % | ms per " + unit + " (profiled) | function |",
        "|---:|---:|---|",
    ]
    lines += [
        f"| {cumulative / total:.1%} | {cumulative / units * 1000:.3f} | `{_name(key)}` |"
        for key, (_, cumulative, _) in sorted(project, key=lambda item: -item[1][1])[:TOP]
    ]
    return lines


def profile_extraction(pages: list[Page]) -> list[str]:
    profiler = cProfile.Profile()
    profiler.enable()
    for page in pages:
        parse_with_page_object((page.url, page.html))  # UTF-8 bytes, as the spider passes them
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = _rows(stats)
    total = sum(own for own, _, _ in rows.values())
    return [
        f"### Extraction profile ({len(pages)} pages, {total / len(pages) * 1000:.2f} ms/page under cProfile)",
        "",
        *_table(rows, len(pages), "page", total),
    ]


class CrawlProfiler:
    """Scrapy extension: cProfile from ``engine_started`` to ``engine_stopped``.

    Imports, settings and engine start-up stay out of the profile: what is left is the crawl
    itself (feeds, pages, pipelines, export, closing), divided by the number of articles.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.profiler = cProfile.Profile()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        profiler = cls(Path(crawler.settings["BENCH_PROFILE_OUTPUT"]))
        crawler.signals.connect(profiler.engine_started, signal=signals.engine_started)
        crawler.signals.connect(profiler.engine_stopped, signal=signals.engine_stopped)
        return profiler

    def engine_started(self) -> None:
        self.profiler.enable()

    def engine_stopped(self) -> None:
        self.profiler.disable()
        self.profiler.dump_stats(self.output)


def profile_crawl(archive: Path, articles: int, workdir: Path) -> list[str]:
    if workdir.exists():
        shutil.rmtree(workdir)  # a fresh data dir: every article is new
    workdir.mkdir(parents=True)
    output = workdir / "crawl.prof"
    extensions = {**get_project_settings().getdict("EXTENSIONS"), "bench.profile.CrawlProfiler": 1000}
    extra = {"EXTENSIONS": json.dumps(extensions), "BENCH_PROFILE_OUTPUT": str(output)}
    command = ours_command("replay", str(archive), workdir / "data", extra)
    run = run_process(command, REPO, log_path=workdir / "crawl.log")
    if run.returncode != 0 or not output.exists() or f"'item_scraped_count': {articles}," not in run.log:
        raise RuntimeError(f"profiled crawl failed or missed articles (log {workdir / 'crawl.log'})")
    rows = _rows(pstats.Stats(str(output)))
    total = sum(own for own, _, _ in rows.values())
    return [
        f"### Crawl profile (rfi_cn, replay, {articles} articles, engine start to stop: "
        f"{total / articles * 1000:.2f} ms/article under cProfile)",
        "",
        *_table(rows, articles, "article", total),
        "",
        f"Profile: {output} (`python -m pstats {output}`).",
    ]
