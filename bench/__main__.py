"""``python -m bench [--quick] [--only PARTS]``: newscrawl's benchmarks (see bench/README.md).

Prints a Markdown report (figures and the ratios against their targets) and writes every
figure to ``bench/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

from bench import backfill, browser, corpus, corpus_grown, crawl, dedup, extraction, generic, instructions
from bench.corpus import Page, write_archive
from bench.measure import REPO
from bench.profile import profile_crawl, profile_extraction

if TYPE_CHECKING:
    from collections.abc import Callable

PARTS = ("extraction", "generic", "crawl", "dedup", "backfill", "browser", "instructions")
DEFAULT_PARTS = PARTS[:-1]  # instructions (callgrind) takes ~15 minutes: asked for by name
OUT = REPO / "bench" / "out"
# Two corpora built two ways (bench/README.md, "Inputs"): the generated pages and the fixture
# pages grown to full size. Extraction and crawl figures are given for both.
CORPORA: dict[str, tuple[Callable[[int], list[Page]], Callable[[list[Page]], bytes]]] = {
    "generated": (corpus.make_pages, corpus.make_feed),
    "grown": (corpus_grown.make_pages, corpus_grown.make_feed),
}
TARGETS = {
    **{f"extraction ours/lxml ({name})": ("<=", 1.5) for name in CORPORA},
    **{f"extraction trafilatura/ours ({name})": (">=", 5.0) for name in CORPORA},
    **{f"crawl {mode} ours/floor ({name})": ("<=", 1.2) for name in CORPORA for mode in crawl.MODES},
    "dedup peak RSS 1M/1k": ("<=", 1.1),
    "back-fill CPU / fetching every URL": ("<=", 0.05),
    "generic F1 ours-trafilatura (scrapinghub)": (">=", 0.0),
    "generic CPU ours/trafilatura (scrapinghub)": ("<=", 3.0),
}


@dataclass(frozen=True)
class Sizes:
    """How much of each input a run uses (DEFAULT, or QUICK with --quick)."""

    extraction_pages: int
    extraction_repeats: int
    trafilatura_repeats: int
    crawl_pages: int
    crawl_repeats: int
    dedup_sizes: tuple[int, ...]
    dedup_lookups: int
    store_crawl_pages: int  # replay crawl with the largest vs the smallest store
    browser_pages: int
    generic_repeats: int  # timings of each labelled page per contender
    backfill_urls: int  # sitemap URLs of the back-fill...
    backfill_new: int  # ...of which not yet published
    backfill_repeats: int


DEFAULT = Sizes(300, 5, 3, 500, 5, (1_000, 100_000, 1_000_000), 200_000, 300, 200, 3, 100_000, 1_000, 3)
QUICK = Sizes(60, 3, 1, 150, 1, (1_000, 100_000, 1_000_000), 50_000, 150, 60, 1, 10_000, 100, 1)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    cpu_model = platform.processor()
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    chromium = shutil.which("chromium")
    chromium_version = (
        subprocess.run([chromium, "--version"], capture_output=True, text=True, check=False).stdout.strip()
        if chromium
        else None
    )
    packages = (
        *("scrapy", "twisted", "lxml", "trafilatura", "psutil", "scrapy-playwright", "playwright", "jsonschema"),
        *("jsonschema-rs", "orjson"),
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "chromium": chromium_version,
        "packages": {name: version(name) for name in packages},
    }


def target_line(name: str, value: float | None) -> str:
    if value is None:
        return f"| {name} | not measured | {TARGETS[name][0]} {TARGETS[name][1]} | – |"
    op, limit = TARGETS[name]
    met = value <= limit if op == "<=" else value >= limit
    return f"| {name} | {value:.3g} | {op} {limit} | {'met' if met else 'MISSED'} |"


def report(results: dict[str, Any]) -> str:
    info = results["machine"]
    lines = [
        f"# newscrawl benchmarks — {info['date']}",
        "",
        f"`{info['command']}` on {info['nproc']} × {info['cpu_model']}, {info['memory_gib']} GiB, "
        f"load average at start {info['load_average_at_start']}; Python {info['python']}, "
        + ", ".join(f"{k} {v}" for k, v in info["packages"].items())
        + f", SQLite {info['sqlite']}, {info['chromium']}. Total {results['elapsed_s']} s.",
        "",
    ]
    ratios: dict[str, float | None] = dict.fromkeys(TARGETS)
    for name, e in results.get("extraction", {}).items():
        ms, rate = e["ms_per_page"], e["pages_per_s_one_core"]
        ratios[f"extraction ours/lxml ({name})"] = e["ratio_ours_lxml"]
        ratios[f"extraction trafilatura/ours ({name})"] = e["ratio_trafilatura_ours"]
        lines += [
            f"## Extraction, {name} corpus ({e['pages']} pages, mean {e['mean_page_kib']} KiB; CPU per page, "
            f"fastest of {e['repeats']} timings of each page (trafilatura {e['peer_repeats']}), "
            "contenders interleaved)",
            "",
            "| | ms/page | pages/s on one core |",
            "|---|---:|---:|",
            *(f"| {name} | {ms[name]} | {rate[name]} |" for name in ("lxml", "ours", "trafilatura")),
            "",
            f"ours/lxml **{e['ratio_ours_lxml']}**, trafilatura/ours **{e['ratio_trafilatura_ours']}**",
            "",
        ]
    if "generic" in results:
        lines += generic.report(results["generic"])
        shub = results["generic"]["scrapinghub"]
        if "missing" not in shub:
            difference = shub["f1"]["ours"] - shub["f1"]["trafilatura"]
            ratios["generic F1 ours-trafilatura (scrapinghub)"] = round(difference, 4)
            ratios["generic CPU ours/trafilatura (scrapinghub)"] = shub["ratio_cpu_ours_peer"]
    for name, c in results.get("crawl", {}).items():
        lines += [
            f"## Crawl, {name} corpus ({c['articles']} articles, best of {c['repeats']} by CPU; empty-feed runs "
            "give the fixed cost)",
            "",
            "| mode | spider | CPU s | CPU s, empty feed | ms/article | marginal ms/article | items/s | "
            "CPU/wall | server CPU s (share of crawler) | peak RSS MiB |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for mode, figures in c["modes"].items():
            for spider in crawl.SPIDERS:
                f = figures[spider]
                server = (
                    "–" if f["server_cpu_s"] is None else f"{f['server_cpu_s']} ({f['server_share_of_crawler_cpu']})"
                )
                lines.append(
                    f"| {mode} | {spider} | {f['cpu_s']} | {f['cpu_empty_feed_s']} | {f['cpu_ms_per_article']} | "
                    f"{f['marginal_cpu_ms_per_article']} | {f['items_per_s']} | {f['cpu_per_wall']} | {server} | "
                    f"{f['peak_rss_mib']} |"
                )
            ratios[f"crawl {mode} ours/floor ({name})"] = figures["ratio_ours_floor"]
        lines.append("")
        lines += [
            f"{mode}: ours/floor **{figures['ratio_ours_floor']}** per article (like for like: the floor has the "
            f"project's settings); side figures: without the report rebuild {figures['ratio_ours_noreport_floor']}, "
            f"marginal (fixed cost out) {figures['ratio_ours_floor_marginal']}, against the bare floor (Scrapy's "
            f"defaults) {figures['ratio_ours_bare']}"
            for mode, figures in c["modes"].items()
        ]
        lines.append("")
    if "dedup" in results:
        d = results["dedup"]
        lines += [
            f"## De-duplication state ({d['lookups']} lookups per size, half stored, half not)",
            "",
            "| URLs stored | store MiB | lookups/s (CPU) | lookups/s (wall) | peak RSS MiB |",
            "|---:|---:|---:|---:|---:|",
            *(
                f"| {r['size']:,} | {r['store_mib']} | {r['lookups_per_s_cpu']:,} | {r['lookups_per_s_wall']:,} | "
                f"{r['peak_rss_mib']} |"
                for r in d["stores"]
            ),
            "",
            f"peak RSS largest/smallest store: **{d['ratio_peak_rss_largest_smallest']}**",
            "",
        ]
        ratios["dedup peak RSS 1M/1k"] = d["ratio_peak_rss_largest_smallest"]
        if "replay_crawl" in d:
            lines += [
                f"Whole replay crawl ({d['replay_crawl']['articles']} new articles) with the store pre-filled:",
                "",
                "| URLs stored | crawler peak RSS MiB | crawler CPU s | wall s |",
                "|---:|---:|---:|---:|",
                *(
                    f"| {size} | {r['peak_rss_mib']} | {r['cpu_s']} | {r['wall_s']} |"
                    for size, r in d["replay_crawl"]["by_store"].items()
                ),
                "",
                f"peak RSS largest/smallest store: **{d['replay_crawl']['ratio_peak_rss']}**",
                "",
            ]
    if "backfill" in results:
        f = results["backfill"]
        ratios["back-fill CPU / fetching every URL"] = f["ratio_backfill_fetch_all"]
        lines += [
            f"## Back-fill ({f['total_urls']:,} sitemap URLs, {f['new_urls']:,} of them new; replay, best of "
            f"{f['repeats']} by CPU)",
            "",
            "| run | CPU s | peak RSS MiB |",
            "|---|---:|---:|",
            *(f"| {run} | {f['cpu_s'][run]} | {f['peak_rss_mib'][run]} |" for run in backfill.RUNS),
            "",
            f"fetching one article: {f['fetch_cpu_ms_per_article']} ms; a URL already published: "
            f"{f['cpu_us_per_published_url']} µs; back-fill / fetching all {f['total_urls']:,}: "
            f"**{f['ratio_backfill_fetch_all']}**",
            "",
        ]
    if "browser" in results:
        b = results["browser"]
        lines += [
            f"## Browser fallback ({b['articles']} pages refused over HTTP, fetched with Chromium)",
            "",
            f"{b['records_via_browser']} records via the browser in {b['wall_s']} s ({b['pages_per_s']} pages/s); "
            f"browser tree (Node drivers + Chromium) peak RSS sum **{b['browser_peak_rss_mib']} MiB**, PSS sum "
            f"{b['browser_peak_pss_mib']} MiB ({b['node_drivers']} Node drivers, {b['node_drivers_peak_rss_mib']} MiB; "
            f"at most {b['max_browser_processes']} processes); "
            f"crawler peak RSS {b['crawler_peak_rss_mib']} MiB.",
            "",
            "| pages served | " + " | ".join(b["browser_peak_up_to_pages_mib"]) + " |",
            "|---|" + "---:|" * len(b["browser_peak_up_to_pages_mib"]),
            "| peak MiB up to then | " + " | ".join(str(v) for v in b["browser_peak_up_to_pages_mib"].values()) + " |",
            "| peak MiB in the stretch "
            + " / ".join(b["browser_peak_per_stretch_mib"])
            + " | "
            + " | ".join(str(v) for v in b["browser_peak_per_stretch_mib"].values())
            + " |",
            "| of which the Node drivers, in the stretch | "
            + " | ".join(str(v) for v in b["node_drivers_peak_per_stretch_mib"].values())
            + " |",
            "",
        ]
    if "instructions" in results:
        i = results["instructions"]
        lines += [f"## Crawl in instructions (callgrind, replay, {i.get('articles')} articles)", ""]
        if "missing" in i:
            lines += [f"Not measured: {i['missing']}", ""]
        else:
            lines += [
                "| crawl | instructions |",
                "|---|---:|",
                *(f"| {name} | {count:,} |" for name, count in i["instructions"].items()),
                "",
                *(
                    f"{spider}/floor: **{i[f'ratio_{spider}_floor']}** (marginal {i[f'ratio_{spider}_floor_marginal']})"
                    for spider in crawl.OURS_VARIANTS
                ),
                "",
            ]
            e = i.get("extraction", {})
            lines += [
                f"Extraction, {name} corpus ({e['pages']} pages): ours/lxml in instructions "
                f"**{e[name]['ratio_ours_lxml']}** ({e[name]['instructions']})"
                for name in instructions.CORPORA
                if name in e
            ]
            lines.append("")
    lines += ["## Targets", "", "| ratio | value | target | |", "|---|---:|---:|---|"]
    lines += [target_line(name, value) for name, value in ratios.items()]
    return "\n".join(lines) + "\n"


def archive_of(temp: Path, articles: int, corpus_name: str = "generated") -> Path:
    """The replay archive of the first ``articles`` pages of a corpus (written once per run)."""
    folder = temp / f"archive-{corpus_name}-{articles}"
    if folder.exists():
        return folder
    make_pages, make_feed = CORPORA[corpus_name]
    return write_archive(folder, make_pages(articles), make_feed)


def run_crawl(sizes: Sizes, temp: Path, corpus_name: str) -> dict[str, Any]:
    archives = {articles: archive_of(temp, articles, corpus_name) for articles in (0, sizes.crawl_pages)}
    best = crawl.best_runs(archives, temp / "runs", sizes.crawl_repeats)
    return {
        "articles": sizes.crawl_pages,
        "repeats": sizes.crawl_repeats,
        "settings": crawl.SHARED_SETTINGS,
        "modes": crawl.summarize(best, sizes.crawl_pages),
        "runs": [run.as_dict() for run in best.values()],
    }


def run_dedup(sizes: Sizes, work: Path) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    stores = dedup.measure(OUT, list(sizes.dedup_sizes), sizes.dedup_lookups)
    result: dict[str, Any] = {
        "lookups": sizes.dedup_lookups,
        "stores": stores,
        "ratio_peak_rss_largest_smallest": round(stores[-1]["peak_rss_mib"] / stores[0]["peak_rss_mib"], 3),
    }
    pages = sizes.store_crawl_pages
    archive = archive_of(work, pages)
    by_store = {}
    for size in (sizes.dedup_sizes[0], sizes.dedup_sizes[-1]):
        log(f"replay crawl of {pages} articles with {size:,} URLs in the store")
        run = crawl.crawl_once(
            "ours", "replay", archive, pages, work / f"store-crawl-{size}", seen_store=dedup.store_path(OUT, size)
        )
        by_store[f"{size:,}"] = {
            "peak_rss_mib": round(run.peak_rss / 2**20, 1),
            "cpu_s": round(run.cpu, 2),
            "wall_s": round(run.wall, 2),
        }
    peaks = [r["peak_rss_mib"] for r in by_store.values()]
    result["replay_crawl"] = {"articles": pages, "by_store": by_store, "ratio_peak_rss": round(peaks[-1] / peaks[0], 3)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description="newscrawl benchmarks (see bench/README.md)")
    parser.add_argument(
        "--quick", action="store_true", help="smaller inputs, one run each (under a minute; a smoke test)"
    )
    parser.add_argument("--only", default=",".join(DEFAULT_PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    parser.add_argument(
        "--browser-pages",
        type=int,
        help="pages through the browser (default 200, quick 60): a longer run shows the plateau",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile the extraction and the crawl (cProfile): where the time goes",
    )
    parser.add_argument("--json", type=Path, default=OUT / "results.json", help="where to write every figure")
    args = parser.parse_args()
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    sizes = QUICK if args.quick else DEFAULT
    if args.browser_pages:
        sizes = replace(sizes, browser_pages=args.browser_pages)
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "sizes": sizes.__dict__}
    profiles: list[str] = []
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-") as temp:
        work = Path(temp)
        if "extraction" in parts:
            results["extraction"] = {}
            for name, (make_pages, _) in CORPORA.items():
                log(f"extraction: {sizes.extraction_pages} pages of the {name} corpus")
                results["extraction"][name] = extraction.measure(
                    make_pages(sizes.extraction_pages), sizes.extraction_repeats, sizes.trafilatura_repeats
                )
        if "generic" in parts:
            log("generic: body F1 and CPU on the labelled sets, ours and trafilatura")
            results["generic"] = generic.measure(sizes.generic_repeats)
        if "crawl" in parts:
            results["crawl"] = {}
            for name in CORPORA:
                log(f"crawl: {sizes.crawl_pages} articles of the {name} corpus, http and replay, ours, floor and bare")
                results["crawl"][name] = run_crawl(sizes, work, name)
        if "dedup" in parts:
            log(f"dedup: stores of {', '.join(f'{s:,}' for s in sizes.dedup_sizes)} URLs")
            results["dedup"] = run_dedup(sizes, work)
        if "backfill" in parts:
            log(f"backfill: {sizes.backfill_urls:,} sitemap URLs, {sizes.backfill_new:,} of them new")
            results["backfill"] = backfill.measure(
                work / "backfill", sizes.backfill_urls, sizes.backfill_new, sizes.backfill_repeats
            )
        if "browser" in parts:
            log(f"browser: {sizes.browser_pages} pages through the browser fallback")
            archive = archive_of(work, sizes.browser_pages)
            results["browser"] = browser.measure(archive, sizes.browser_pages, work / "browser-run")
        if "instructions" in parts:
            log(f"instructions: {sizes.crawl_pages} articles of the generated corpus, replay, under callgrind")
            archives = {articles: archive_of(work, articles) for articles in (0, sizes.crawl_pages)}
            results["instructions"] = instructions.measure(archives, work / "instructions")
            log(f"instructions: extraction, {sizes.extraction_pages} pages of each corpus, under callgrind")
            results["instructions"]["extraction"] = instructions.measure_extraction(
                sizes.extraction_pages, work / "instructions"
            )
        if args.profile:
            log("profiles: extraction, then rfi_cn in replay over the crawl corpus")
            profiles += profile_extraction(corpus.make_pages(sizes.extraction_pages))
            profiles += [""]
            profiles += profile_crawl(archive_of(work, sizes.crawl_pages), sizes.crawl_pages, OUT / "profile")
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    if profiles:
        print("## Profiles\n\n" + "\n".join(profiles))
    log(f"done in {results['elapsed_s']} s; every figure in {args.json}")


if __name__ == "__main__":
    main()
