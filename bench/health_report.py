"""``python -m bench.health_report [--runs N] [--keep DIR]``: run health at a year of 15-minute runs.

Writes N run manifests (default 35,040: a year every 15 minutes) and their article files, made
from a real replay crawl of ``fixtures/replay`` (its manifest and records, with other run ids,
times and counts), then times, in CPU seconds of this process (warm page cache):

- ``floor``: reading and ``json.loads`` of every manifest of the period and of every record in
  the article files they name: no report from these inputs can do less;
- ``history``: what the monitors read at the end of a run (``read_history``, 20 runs);
- ``report N days``: ``write_report`` (manifests + article files → charts → HTML, written);
- ``render``: the 365-day page opened offline in headless Chromium until every chart is drawn
  (wall seconds).

Prints a Markdown table; bench/README.md has a recorded run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.measure import REPO, bench_env
from newscrawl.health.report import write_report
from newscrawl.run.history import manifests_since, read_history, run_ids
from newscrawl.run.manifest import manifest_path, read_manifest

END = datetime(2025, 12, 31, 23, 45, tzinfo=UTC)
EVERY = timedelta(minutes=15)
SEED = 15


def template(workdir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A real manifest and its records: one replay crawl of the bundled archive."""
    data = workdir / "template"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "rfi_cn",
            "-s",
            f"NEWSCRAWL_DATA_DIR={data}",
            "-s",
            f"NEWSCRAWL_REPLAY_DIR={REPO / 'fixtures' / 'replay'}",
        ],
        cwd=REPO,
        env=bench_env(),
        check=True,
        capture_output=True,
    )
    (path,) = (data / "rfi_cn" / "runs").glob("*.json")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    (articles,) = (data / "rfi_cn" / "articles").glob("*/*.jsonl")
    records = [json.loads(line) for line in articles.read_text(encoding="utf-8").splitlines()]
    return manifest, records


def write_year(root: Path, runs: int, manifest: dict[str, Any], records: list[dict[str, Any]]) -> int:
    """``runs`` manifests ending at END; about 40 articles a day, more by day (Beijing time) than at night."""
    rng = random.Random(SEED)
    (root / "runs").mkdir(parents=True)
    written = 0
    for n in range(runs):
        started = END - EVERY * (runs - 1 - n)
        beijing_hour = (started.hour + 8) % 24
        new = sum(rng.random() < (0.12 if 7 <= beijing_hour <= 22 else 0.02) for _ in range(6))
        run_id = f"{started:%Y%m%dT%H%M%SZ}-{rng.getrandbits(32):08x}"
        status = rng.choices(["finished", "failed", "killed"], [0.97, 0.02, 0.01])[0]
        data = json.loads(json.dumps(manifest))
        data.update(run_id=run_id, status=status, started=f"{started:%Y-%m-%dT%H:%M:%SZ}")
        data["ended"] = f"{started + timedelta(seconds=rng.randint(20, 90)):%Y-%m-%dT%H:%M:%SZ}"
        data["counts"].update(new=new, feed_only=0, entries_seen=data["counts"]["entries_seen"] + new)
        data["stats"]["newscrawl/coverage/records"] = new
        data["health"] = {"ok": rng.random() > 0.03, "failed": []}
        if new:
            folder = root / "articles" / f"{started:%Y-%m-%d}"
            folder.mkdir(parents=True, exist_ok=True)
            lines = []
            for i in range(new):
                record = dict(records[(n + i) % len(records)])
                record["url"] = f"{record['url']}-{n}-{i}"
                record["published"] = f"{started - timedelta(minutes=rng.randint(1, 600)):%Y-%m-%dT%H:%M:%SZ}"
                record["fetched_at"] = data["started"]
                lines.append(json.dumps(record, ensure_ascii=False))
            (folder / f"{run_id}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
            data["output"] = {"articles": f"articles/{started:%Y-%m-%d}/{run_id}.jsonl", "dataset_published": True}
            written += new
        else:
            data["output"] = {"articles": None, "rejects": None, "dataset_published": False}
        (root / "runs" / f"{run_id}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return written


def cpu(function: Callable[[], Any]) -> tuple[float, Any]:
    began = time.process_time()
    result = function()
    return time.process_time() - began, result


def floor(root: Path, days: int) -> int:
    """Parse the report's inputs and nothing more: the period's manifests and their article files."""
    count = 0
    for _, manifest in manifests_since(root / "runs", END - timedelta(days=days - 1)):
        count += 1
        articles = manifest["output"].get("articles") if manifest else None
        if articles:
            for line in (root / articles).read_bytes().splitlines():
                json.loads(line)
    return count


async def render_seconds(page_path: Path) -> float:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = await browser.new_page()
        await page.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
        )
        began = time.perf_counter()
        await page.goto(page_path.as_uri())
        await page.wait_for_function(
            "document.querySelectorAll('figure.chart:not([data-rendered])').length === 0", timeout=120000
        )
        seconds = time.perf_counter() - began
        await browser.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=35_040)
    parser.add_argument("--keep", type=Path, help="write the data here and keep it (default: a temporary dir)")
    parser.add_argument("--reuse", action="store_true", help="with --keep: time the data already there")
    options = parser.parse_args()
    workdir = options.keep or Path(tempfile.mkdtemp(prefix="bench-health-"))
    try:
        root = workdir / "data" / "rfi_cn"
        if not (options.reuse and options.keep):
            manifest, records = template(workdir)
            began = time.perf_counter()
            articles = write_year(root, options.runs, manifest, records)
            size = sum(p.stat().st_size for p in (root / "runs").iterdir())
            print(
                f"{options.runs} manifests ({size / 2**20:.0f} MiB) and {articles} articles written "
                f"in {time.perf_counter() - began:.0f} s\n"
            )
        write_report(root, days=1)  # the Vega bundle is cached, as after any first run
        last = run_ids(root / "runs")[-1]
        rows: list[tuple[str, float, float | None]] = []
        seconds, history = cpu(lambda: read_history(root / "runs", last, 20))
        assert len(history.recent) == 20
        assert read_manifest(manifest_path(root / "runs", last)) is not None
        rows.append(("history (monitors, 20 runs)", seconds, None))
        for days in (30, 365):
            floor_seconds, manifests = cpu(lambda days=days: floor(root, days))  # type: ignore[misc]
            rows.append((f"floor: parse {manifests} manifests + article files ({days} days)", floor_seconds, None))
            out = workdir / f"report-{days}.html"
            seconds, report = cpu(lambda days=days, out=out: write_report(root, days=days, out=out))  # type: ignore[misc]
            rows.append(
                (
                    f"report {days} days ({report.runs} runs, {out.stat().st_size / 2**20:.1f} MiB)",
                    seconds,
                    seconds / floor_seconds,
                )
            )
        print("| step | CPU s | × floor |\n|---|---|---|")
        for name, seconds, ratio in rows:
            print(f"| {name} | {seconds:.2f} | {'' if ratio is None else f'{ratio:.1f}'} |")
        render = asyncio.run(render_seconds(workdir / "report-365.html"))
        print(f"| render report 365 days in Chromium (wall s) | {render:.1f} | |")
    finally:
        if options.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
