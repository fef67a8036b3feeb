"""Browser fallback: ``scrapy crawl rfi_cn`` where every article page refuses plain HTTP.

The server runs with ``--gate browser`` (403 unless the request is a Chromium navigation), so
each article is requested once over HTTP, refused, and fetched again through scrapy-playwright
with the project's own browser settings (newscrawl/browser.py). Every SAMPLE_EVERY seconds the
harness reads the RSS of every descendant of the crawler process (the Node driver and the whole
Chromium process tree) and how many pages the browser has been served so far, so the peak can
be given per stretch of the crawl (first quarter, second quarter, second half): a bounded
browser shows the same peak in each.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psutil

from bench.crawl import ours_command
from bench.measure import REPO, ServerProcess, mib, run_process

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


@dataclass
class Sample:
    """One reading of the browser tree (every descendant of the crawler process)."""

    served: int = 0  # pages the server had given the browser by then
    rss: int = 0  # RSS sum, bytes (shared pages counted once per process)
    pss: int = 0  # PSS sum, bytes (shared pages split between the processes that map them)
    processes: int = 0
    node_drivers: int = 0
    node_rss: int = 0


def _browser_records(data_dir: Path) -> int:
    count = 0
    for path in (data_dir / "rfi_cn" / "articles").glob("*/*.jsonl"):
        count += sum(
            1 for line in path.read_text(encoding="utf-8").splitlines() if json.loads(line)["fetched_with"] == "browser"
        )
    return count


def measure(archive: Path, articles: int, workdir: Path) -> dict[str, Any]:
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    data_dir = workdir / "data"
    timeline: list[Sample] = []

    with ServerProcess(archive, gate="browser") as server:
        stats_url = f"{server.origin}/_bench/stats"

        def sample(crawler: psutil.Process) -> None:
            point = Sample()
            for child in crawler.children(recursive=True):
                try:
                    memory = child.memory_full_info()
                    is_node = child.name().startswith("node")
                except psutil.NoSuchProcess:
                    continue
                point.rss += memory.rss
                point.pss += memory.pss
                point.processes += 1
                point.node_drivers += is_node
                point.node_rss += memory.rss if is_node else 0
            with urllib.request.urlopen(stats_url, timeout=5) as answer:
                point.served = int(json.load(answer)["browser_served"])
            timeline.append(point)

        command = ours_command("http", server.origin, data_dir, {"NEWSCRAWL_BROWSER_FALLBACK": "True"})
        run = run_process(command, REPO, log_path=workdir / "crawl.log", sampler=sample)
        server_cpu = server.cpu_used()

    via_browser = _browser_records(data_dir) if run.returncode == 0 else 0
    if run.returncode != 0 or via_browser != articles:
        tail = "\n".join(run.log.splitlines()[-40:])
        raise RuntimeError(
            f"browser crawl: exit {run.returncode}, {via_browser}/{articles} records via the browser\n{tail}"
        )
    checkpoints = [articles // 4, articles // 2, articles]
    running_peak: dict[str, float] = {}
    stretch_peak: dict[str, float] = {}
    node_peak: dict[str, float] = {}
    low = 0
    for high in checkpoints:
        running_peak[str(high)] = _peak_mib(p.rss for p in timeline if p.served <= high)
        stretch_peak[f"{low + 1}-{high}"] = _peak_mib(p.rss for p in timeline if low < p.served <= high)
        node_peak[f"{low + 1}-{high}"] = _peak_mib(p.node_rss for p in timeline if low < p.served <= high)
        low = high
    return {
        "articles": articles,
        "records_via_browser": via_browser,
        "wall_s": round(run.wall, 1),
        "pages_per_s": round(articles / run.wall, 2),
        "crawler_cpu_s": round(run.cpu, 1),
        "server_cpu_s": round(server_cpu, 2),
        "crawler_peak_rss_mib": round(mib(run.peak_rss), 1),
        "browser_peak_rss_mib": _peak_mib(p.rss for p in timeline),
        "browser_peak_pss_mib": _peak_mib(p.pss for p in timeline),
        "browser_peak_up_to_pages_mib": running_peak,
        "browser_peak_per_stretch_mib": stretch_peak,
        "node_drivers_peak_rss_mib": _peak_mib(p.node_rss for p in timeline),
        "node_drivers_peak_per_stretch_mib": node_peak,
        "node_drivers": max(p.node_drivers for p in timeline),
        "max_browser_processes": max(p.processes for p in timeline),
        "samples": len(timeline),
    }


def _peak_mib(values: Iterable[int]) -> float:
    return round(mib(max(values, default=0)), 1)
