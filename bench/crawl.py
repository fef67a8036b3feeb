"""End-to-end crawl: ``scrapy crawl rfi_cn`` against the floor spider, over HTTP and in replay.

The spiders run as their own process with the same ``-s`` settings (politeness off), read the
same feed and fetch the same pages from the same source: the local server (``http`` mode, a
separate process whose CPU is measured apart) or the replay archive (``replay`` mode, through
``newscrawl.downloader.replay.ReplayMiddleware``). The crawler's CPU is user+sys of its process.

- ``floor``: bench/floor_spider.py with every setting the project sets except what is measured
  (like for like: the headline ratio is ``ours / floor``);
- ``bare``: the same spider with Scrapy's defaults only (``CONCURRENT_ITEMS = 100``, …), the
  floor as it was before issue 17: a side figure, for continuity with older results;
- ``ours``: ``scrapy crawl rfi_cn`` with the project's defaults (the health monitors, and
  report.html rebuilt after the run);
- ``ours_noreport``: the same with ``NEWSCRAWL_REPORT_AFTER_RUN=False``: a side figure that
  shows the report's share (a fixed cost per run, spread here over the run's articles).

A run over an empty feed gives each spider's fixed cost (start-up, shutdown), so the per-article
figure can be given both whole (``cpu / articles``) and marginal (``(cpu - cpu_empty) / articles``).
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import FEED_URL
from bench.floor_spider import FLOOR_BARE
from bench.measure import REPO, ProcessRun, ServerProcess, run_process

SPIDERS = ("floor", "ours", "ours_noreport", "bare")
# What each rfi_cn variant adds to the shared settings.
OURS_VARIANTS = {"ours": {}, "ours_noreport": {"NEWSCRAWL_REPORT_AFTER_RUN": "False"}}
MODES = ("http", "replay")
FLOOR_SPIDER = Path(__file__).with_name("floor_spider.py")

# The same for both spiders: politeness off, same concurrency, no robots.txt, INFO logging.
SHARED_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "ROBOTSTXT_OBEY": "False",
    "COOKIES_ENABLED": "False",
    "TELNETCONSOLE_ENABLED": "False",
    "LOG_LEVEL": "INFO",
    "FEED_EXPORT_ENCODING": "utf-8",
}


@dataclass
class CrawlRun:
    spider: str  # one of SPIDERS
    mode: str  # "http" or "replay"
    articles: int  # pages listed in the feed
    items: int  # records written
    cpu: float  # crawler process, user+sys seconds
    wall: float
    server_cpu: float | None  # the HTTP server's CPU during the run (http mode)
    peak_rss: int  # crawler process high-water mark, bytes
    log: str = field(default="", repr=False)  # the crawl's log (Scrapy's, and a wrapper's)

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "log"}


def _settings(settings: dict[str, str]) -> list[str]:
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


# The corpora are a feed and its pages: rfi_cn reads the feed only, as the floor does (its default
# sitemaps would be 404s from the archive, and a first run's catch-up). The back-fill passes its own.
FEED_ONLY = ["-a", "sitemaps="]


def ours_command(
    mode: str, source: str, data_dir: Path, extra: dict[str, str] | None = None, arguments: list[str] | None = None
) -> list[str]:
    settings = {**SHARED_SETTINGS, "NEWSCRAWL_BROWSER_FALLBACK": "False", "NEWSCRAWL_DATA_DIR": str(data_dir)}
    if mode == "http":
        settings["NEWSCRAWL_FETCH_ORIGIN"] = source
        feed = f"{source}/cn/rss"
    else:
        settings["NEWSCRAWL_REPLAY_DIR"] = source
        feed = FEED_URL
    settings.update(extra or {})
    return [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "rfi_cn",
        "-a",
        f"feeds={feed}",
        *(FEED_ONLY if arguments is None else arguments),
        *_settings(settings),
    ]


def floor_command(mode: str, source: str, output: Path, *, bare: bool = False) -> list[str]:
    settings = {**SHARED_SETTINGS, **({FLOOR_BARE: "True"} if bare else {})}
    arguments = ["-a", f"feed={FEED_URL}"]
    if mode == "http":
        arguments = ["-a", f"feed={source}/cn/rss", "-a", f"fetch_origin={source}"]
    else:
        settings["NEWSCRAWL_REPLAY_DIR"] = source
        settings["DOWNLOADER_MIDDLEWARES"] = json.dumps({"newscrawl.downloader.replay.ReplayMiddleware": 585})
    return [
        *(sys.executable, "-m", "scrapy", "runspider", str(FLOOR_SPIDER), "-O", f"{output}:jsonlines"),
        *arguments,
        *_settings(settings),
    ]


def _dataset_lines(data_dir: Path) -> int:
    return sum(len(path.read_bytes().splitlines()) for path in (data_dir / "rfi_cn" / "articles").glob("*/*.jsonl"))


def _check(run: ProcessRun, what: str, items: int, expected: int) -> None:
    if run.returncode != 0 or items != expected:
        tail = "\n".join(run.log.splitlines()[-40:])
        raise RuntimeError(f"{what}: exit {run.returncode}, {items} items instead of {expected}\n{tail}")


def crawl_once(
    spider: str,
    mode: str,
    archive: Path,
    articles: int,
    workdir: Path,
    *,
    seen_store: Path | None = None,
    extra: dict[str, str] | None = None,
    arguments: list[str] | None = None,
    wrapper: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> CrawlRun:
    """One measured crawl in a fresh work folder; ``seen_store`` pre-fills rfi_cn's de-duplication state,
    ``wrapper`` runs the command under another (valgrind), ``env`` adds to its environment."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    data_dir = workdir / "data"
    if seen_store is not None:
        (data_dir / "rfi_cn").mkdir(parents=True)
        shutil.copyfile(seen_store, data_dir / "rfi_cn" / "seen.sqlite3")
    server = ServerProcess(archive) if mode == "http" else None
    try:
        source = server.origin if server is not None else str(archive)
        log = workdir / "crawl.log"
        if spider in OURS_VARIANTS:
            settings = {**OURS_VARIANTS[spider], **(extra or {})}
            command = ours_command(mode, source, data_dir, settings, arguments)
            run = run_process([*(wrapper or []), *command], REPO, log_path=log, env=env)
            items = _dataset_lines(data_dir) if run.returncode == 0 else -1
        else:
            output = workdir / "floor.jsonl"
            command = floor_command(mode, source, output, bare=spider == "bare")
            run = run_process([*(wrapper or []), *command], workdir, log_path=log, env=env)
            items = len(output.read_bytes().splitlines()) if output.exists() else 0
        server_cpu = server.cpu_used() if server is not None else None
    finally:
        if server is not None:
            server.stop()
    _check(run, f"{spider} crawl ({mode}, log {log})", items, articles)
    return CrawlRun(spider, mode, articles, items, run.cpu, run.wall, server_cpu, run.peak_rss, run.log)


def best_runs(
    archives: dict[int, Path], workdir: Path, repeats: int, modes: tuple[str, ...] = MODES
) -> dict[tuple[str, str, int], CrawlRun]:
    """Best-of-``repeats`` (by crawler CPU) for every spider × mode × archive size.

    The runs are interleaved, and the spiders take turns at going first, so that a stretch of
    load from elsewhere does not fall on one spider only.
    """
    best: dict[tuple[str, str, int], CrawlRun] = {}
    for repeat in range(repeats):
        for mode in modes:
            for articles, archive in archives.items():
                for spider in SPIDERS if repeat % 2 == 0 else SPIDERS[::-1]:
                    run = crawl_once(spider, mode, archive, articles, workdir / f"{spider}-{mode}-{articles}")
                    key = (spider, mode, articles)
                    if key not in best or run.cpu < best[key].cpu:
                        best[key] = run
    return best


def summarize(best: dict[tuple[str, str, int], CrawlRun], articles: int) -> dict[str, dict[str, object]]:
    """Per mode: each spider's CPU per article (whole and marginal), items/s, and ours/floor."""
    summary: dict[str, dict[str, object]] = {}
    for mode in sorted({key[1] for key in best}):
        figures: dict[str, object] = {}
        per_article: dict[str, tuple[float, float]] = {}
        for spider in SPIDERS:
            full, empty = best[(spider, mode, articles)], best[(spider, mode, 0)]
            whole = full.cpu / articles
            marginal = (full.cpu - empty.cpu) / articles
            per_article[spider] = (whole, marginal)
            figures[spider] = {
                "cpu_s": round(full.cpu, 2),
                "cpu_empty_feed_s": round(empty.cpu, 2),
                "cpu_ms_per_article": round(whole * 1000, 2),
                "marginal_cpu_ms_per_article": round(marginal * 1000, 2),
                "items_per_s": round(full.items / full.wall, 1),
                "wall_s": round(full.wall, 2),
                "cpu_per_wall": round(full.cpu / full.wall, 2),
                "server_cpu_s": None if full.server_cpu is None else round(full.server_cpu, 2),
                "server_share_of_crawler_cpu": None
                if full.server_cpu is None
                else round(full.server_cpu / full.cpu, 3),
                "peak_rss_mib": round(full.peak_rss / 2**20, 1),
            }
        figures["ratio_ours_floor"] = round(per_article["ours"][0] / per_article["floor"][0], 2)
        figures["ratio_ours_floor_marginal"] = round(per_article["ours"][1] / per_article["floor"][1], 2)
        figures["ratio_ours_bare"] = round(per_article["ours"][0] / per_article["bare"][0], 2)
        figures["ratio_ours_noreport_floor"] = round(per_article["ours_noreport"][0] / per_article["floor"][0], 2)
        summary[mode] = figures
    return summary
