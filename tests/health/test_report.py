"""report.html in headless Chromium, offline: every request but the file itself is refused, the page
logs nothing on the console, every chart is drawn with one mark per number, and the numbers
on the page are the manifests' and the article files'. Also read with JavaScript off.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newscrawl.health.report import render
from newscrawl.health.report_data import gather
from newscrawl.run.counters import COVERAGE_FIELDS
from tests.conftest import REPO, crawl_env
from tests.health.manifests import manifest, write_manifest

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("needs Debian's chromium at /usr/bin/chromium (make system-deps)", allow_module_level=True)

LAST_DAY = datetime(2024, 4, 2, tzinfo=UTC)
DAYS = 7
SECTIONS = ["中国", "国际", "法国", "港澳台", "亚洲", "经贸"]
LOST_BY_KIND = {1: 1, 5: 4}  # lost entries of the runs of these kinds


@dataclass
class History:
    """What the test wrote: the truth the page must show."""

    root: Path
    in_period: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)


def record(n: int, published: datetime | None, fetched: datetime) -> dict[str, Any]:
    return {
        "url": f"https://www.rfi.fr/cn/x/{n}",
        "title": f"文章{n}",
        "section": SECTIONS[n % len(SECTIONS)],
        "tags": [f"标签{n % 25}", f"标签{(n * 7) % 25}"] if n % 4 else [],
        "published": f"{published:%Y-%m-%dT%H:%M:%SZ}" if published else None,
        "fetched_at": f"{fetched:%Y-%m-%dT%H:%M:%SZ}",
    }


def write_history(root: Path) -> History:
    """Six days of runs (4 a day, some failed, killed or unhealthy) and one run before the period."""
    history = History(root)
    n = 0
    old = manifest(LAST_DAY - timedelta(days=40), new=99, suffix="old00000")
    write_manifest(root, old)
    for day in range(6):
        for slot, hour in enumerate((1, 7, 13, 19)):
            started = LAST_DAY - timedelta(days=5 - day) + timedelta(hours=hour, minutes=3)
            new = 2 + (day * 4 + slot) % 5
            kind = (day * 4 + slot) % 7
            stats: dict[str, int] = {
                "newscrawl/requests/feed": 9,
                "newscrawl/requests/page": new + 1,
                "newscrawl/requests/robots": 1,
                "newscrawl/not_modified/feed": slot * 2,
            }
            if day >= 2:  # older manifests predate coverage counting
                stats |= {"newscrawl/coverage/records": new, "newscrawl/field_present/title": new}
                stats |= {"newscrawl/field_present/body": new - (kind == 3)}
            stats |= {"newscrawl/field_source/body/dom": new - (kind == 4), "newscrawl/field_source/title/jsonld": new}
            if kind == 4:
                stats["newscrawl/field_source/body/fallback"] = 1
            data = manifest(
                started,
                new=new,
                feed_only=1 if kind == 2 else 0,
                lost={"no_fulltext": LOST_BY_KIND[kind]} if kind in LOST_BY_KIND else {},
                rejected=1 if kind == 6 else 0,
                duplicate={"merged": 3, "already_stored": 10},
                skipped={"offsite": 1},
                status={0: "failed", 5: "killed"}.get(kind, "finished") if day != 5 or slot != 3 else "finished",
                stats=stats,
                health={"ok": kind != 3, "failed": [] if kind != 3 else [{"monitor": "field_coverage", "detail": "x"}]},
                duration=timedelta(seconds=30 + slot * 10),
                suffix=f"{day:04d}{slot:04d}",
            )
            if kind in LOST_BY_KIND:  # one listed by URL, the others only counted (the manifest's cap)
                data["listed"]["lost"] = [
                    {"url": f"https://www.rfi.fr/cn/lost/{n}", "reason": "no_fulltext", "detail": "http_403"}
                ]
                data["listed_left_out"]["lost"] = LOST_BY_KIND[kind] - 1
            if kind == 6:
                data["listed"]["rejected"] = [
                    {"url": f"https://www.rfi.fr/cn/bad/{n}", "reason": None, "detail": "title"}
                ]
            records = []
            for i in range(new + data["counts"]["feed_only"]):
                n += 1
                published = None if n % 11 == 0 else started - timedelta(minutes=7 * n % 900)
                records.append(record(n, published, started + timedelta(seconds=i)))
            articles = f"articles/{started:%Y-%m-%d}/{data['run_id']}.jsonl"
            data["output"] = {"articles": articles, "rejects": None, "dataset_published": True}
            (root / articles).parent.mkdir(parents=True, exist_ok=True)
            (root / articles).write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
            )
            write_manifest(root, data)
            history.in_period.append(data)
            history.records += records
    return history


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[History, Path, subprocess.CompletedProcess[str]]:
    data_dir = tmp_path_factory.mktemp("report") / "data"
    history = write_history(data_dir / "rfi_cn")
    out = data_dir / "elsewhere" / "health.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "report",
            "--days",
            str(DAYS),
            "--out",
            str(out),
            "-s",
            f"NEWSCRAWL_DATA_DIR={data_dir}",
        ],
        cwd=REPO,
        env=crawl_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return history, out, result


@dataclass
class Page:
    console: list[tuple[str, str]]
    refused: list[str]
    charts: dict[str, dict[str, Any]]
    keys: dict[str, str]
    text: str


async def open_page(path: Path, *, javascript: bool) -> Page:
    from playwright.async_api import async_playwright

    console: list[tuple[str, str]] = []
    refused: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        context = await browser.new_context(java_script_enabled=javascript)
        page = await context.new_page()
        page.on("console", lambda message: console.append((message.type, message.text)))
        page.on("pageerror", lambda error: console.append(("pageerror", str(error))))

        async def route(route: Any) -> None:
            if route.request.url == path.as_uri():
                await route.continue_()
            else:
                refused.append(route.request.url)
                await route.abort()

        await page.route("**/*", route)
        await page.goto(path.as_uri())
        if javascript:
            await page.wait_for_function(
                "document.querySelectorAll('figure.chart:not([data-rendered])').length === 0", timeout=20000
            )
        charts = await page.evaluate(
            """() => {
                const marks = (f, kind) => [...f.querySelectorAll(`g.mark-${kind}.role-mark > path`)]
                    .map(p => p.getAttribute('aria-label'));
                return Object.fromEntries([...document.querySelectorAll('figure.chart')].map(f => [f.id, {
                    rendered: f.dataset.rendered || null, rects: marks(f, 'rect'), points: marks(f, 'symbol'),
                }]));
            }"""
        )
        keys = await page.evaluate(
            "() => Object.fromEntries([...document.querySelectorAll('[data-key]')]"
            ".map(c => [c.dataset.key, c.innerText]))"
        )
        text = await page.inner_text("body")
        await browser.close()
    return Page(console, refused, charts, keys, text)


@pytest.fixture(scope="module")
def page(built: tuple[History, Path, subprocess.CompletedProcess[str]]) -> Page:
    return asyncio.run(open_page(built[1], javascript=True))


def labels(values: list[str]) -> list[dict[str, str]]:
    """Vega's aria-label of a mark: 'title: value; field: value; ...'."""
    return [dict(part.split(": ", 1) for part in value.split("; ")) for value in values]


def day_of(timestamp: str) -> str:
    return timestamp[:10]


def test_the_command_writes_the_file_atomically(built: tuple[History, Path, subprocess.CompletedProcess[str]]) -> None:
    _history, out, result = built
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(rf"Report {re.escape(str(out))}: 24 runs over {DAYS} days, in \d+\.\d s\n", result.stdout)
    assert [p.name for p in out.parent.iterdir()] == ["health.html"], "no temporary file is left"


def test_offline_no_console_output_and_every_chart_rendered(page: Page) -> None:
    assert page.refused == [], "the page asked for something besides itself (a CDN?)"
    assert page.console == []
    assert page.charts, "charts are there"
    assert {chart["rendered"] for chart in page.charts.values()} == {"true"}


def test_key_numbers_are_the_manifests(page: Page, built: tuple[History, Path, Any]) -> None:
    history = built[0]
    runs = history.in_period
    statuses = Counter(m["status"] for m in runs)
    unhealthy = sum(1 for m in runs if m["status"] == "finished" and not m["health"]["ok"])

    def total(name: str) -> int:
        return sum(v if isinstance(v, int) else sum(v.values()) for m in runs for v in [m["counts"][name]])

    requests = sum(v for m in runs for k, v in m["stats"].items() if k.startswith("newscrawl/requests/"))
    published = total("new") + total("feed_only")
    expected = {
        "runs": "24",
        "runs_finished": str(statuses["finished"] - unhealthy),
        "runs_unhealthy": str(unhealthy),
        "runs_failed": str(statuses["failed"]),
        "runs_killed": str(statuses["killed"]),
        "entries_seen": str(total("entries_seen")),
        "new": str(total("new")),
        "feed_only": str(total("feed_only")),
        "duplicate": str(total("duplicate")),
        "skipped": str(total("skipped")),
        "rejected": str(total("rejected")),
        "lost": str(total("lost")),
        "records": str(len(history.records)),
        "requests": str(requests),
        "requests_per_article": f"{requests / published:.2f}",
    }
    assert {k: page.keys[k] for k in expected} == expected
    assert "99" not in page.keys.values(), "the run 40 days back is outside the period"


def test_articles_per_day_and_hour_are_the_article_files(page: Page, built: tuple[History, Path, Any]) -> None:
    records = built[0].records
    per_day = labels(page.charts["chart-articles-per-day"]["points"])
    assert len(per_day) == 2 * DAYS
    drawn = {(p["day"], p["kind"]): int(p["articles"]) for p in per_day}
    captured = Counter(day_of(r["fetched_at"]) for r in records)
    published = Counter(day_of(r["published"]) for r in records if r["published"])
    for (day, kind), count in drawn.items():
        assert count == (captured if kind == "captured" else published)[day], (day, kind)
    assert sum(v for (_, kind), v in drawn.items() if kind == "captured") == len(records)
    per_hour = labels(page.charts["chart-articles-per-hour"]["rects"])
    assert len(per_hour) == 48
    by_hour = Counter(int(r["fetched_at"][11:13]) for r in records)
    assert {int(p["hour of day (UTC)"]): int(p["articles"]) for p in per_hour if p["kind"] == "captured"} == {
        h: by_hour[h] for h in range(24)
    }


def test_capture_delays_sections_and_tags(page: Page, built: tuple[History, Path, Any]) -> None:
    records = built[0].records
    delays = labels(page.charts["chart-capture-delay"]["rects"])
    assert len(delays) == 8
    assert sum(int(d["articles"]) for d in delays) == sum(1 for r in records if r["published"])
    sections = labels(page.charts["chart-sections"]["rects"])
    assert {s["name"]: int(s["articles"]) for s in sections} == Counter(r["section"] for r in records)
    tags = Counter(t for r in records for t in r["tags"])
    drawn_tags = labels(page.charts["chart-tags"]["rects"])
    assert len(drawn_tags) == 20
    assert sorted((int(t["articles"]) for t in drawn_tags), reverse=True) == [n for _, n in tags.most_common(20)]


def test_run_history_coverage_sources_and_requests(page: Page, built: tuple[History, Path, Any]) -> None:
    runs = built[0].in_period
    outcomes = {
        (m["started"][:10], m["status"] if m["health"]["ok"] or m["status"] != "finished" else "unhealthy")
        for m in runs
    }
    assert len(page.charts["chart-runs-per-day"]["rects"]) == len(outcomes)
    days = {m["started"][:10] for m in runs}
    assert len(page.charts["chart-run-duration"]["points"]) == len(days)
    coverage_days = {m["started"][:10] for m in runs if "newscrawl/coverage/records" in m["stats"]}
    assert len(page.charts["chart-field-coverage"]["rects"]) == len(coverage_days) * len(COVERAGE_FIELDS)
    assert len(page.charts["chart-field-sources"]["rects"]) == len(days) * 2  # body and title
    assert len(page.charts["chart-requests-per-article"]["points"]) == len(days)
    assert len(page.charts["chart-not-modified-share"]["points"]) == len(days)
    reasons = labels(page.charts["chart-loss-reasons"]["rects"])
    assert {r["reason"]: int(r["entries"]) for r in reasons} == {
        "lost: no_fulltext": sum(m["counts"]["lost"].get("no_fulltext", 0) for m in runs),
        "rejected: schema": sum(m["counts"]["rejected"] for m in runs),
    }


def test_lost_and_rejected_urls_and_the_latest_run_are_listed(page: Page, built: tuple[History, Path, Any]) -> None:
    runs = built[0].in_period
    for m in runs:
        for row in m["listed"]["lost"] + m["listed"]["rejected"]:
            assert row["url"] in page.text
    left_out = sum(m["listed_left_out"]["lost"] + m["listed_left_out"]["rejected"] for m in runs)
    assert left_out > 0
    assert f"{left_out} more lost or rejected entries are counted in the manifests but not listed" in page.text
    latest = runs[-1]
    assert f"Run {latest['run_id']}, started {latest['started']}: status finished" in page.text


def test_readable_without_javascript(built: tuple[History, Path, Any]) -> None:
    plain = asyncio.run(open_page(built[1], javascript=False))
    assert plain.keys["runs"] == "24"
    assert "The chart needs JavaScript; the table has its numbers." in plain.text
    assert "Latest runs" in plain.text
    assert built[0].in_period[-1]["run_id"] in plain.text


def test_files_that_cannot_be_read_are_left_out_and_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / "rfi_cn"
    good = manifest(LAST_DAY + timedelta(hours=1), new=2, suffix="good0000")
    good["output"] = {"articles": "articles/2024-04-02/gone.jsonl", "rejects": None, "dataset_published": True}
    write_manifest(root, good)
    (root / "runs" / "20240402T020000Z-broken00.json").write_text('{"run_id": ', encoding="utf-8")
    data = gather(root, days=DAYS)
    assert data.totals["runs"] == 1
    assert data.unreadable == ["articles/2024-04-02/gone.jsonl", "runs/20240402T020000Z-broken00.json"]
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING"]
    page = render(data, bundle="", generated=LAST_DAY)
    assert '<table id="table-unreadable">' in page
    assert "<td>articles/2024-04-02/gone.jsonl</td>" in page
