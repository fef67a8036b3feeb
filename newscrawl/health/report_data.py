"""The numbers of the run-health report, gathered from run manifests and the runs' article files.

The period is the last ``days`` UTC days of runs, ending with the day of the newest run (so a
replayed or simulated history reports on its own days). Every total comes from the manifests'
``counts`` and ``stats`` through :mod:`newscrawl.health.measures`; the article timeline,
capture delays, sections and tags come from the article files those manifests name.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import orjson

from newscrawl.extract.dates import parse_utc
from newscrawl.health.measures import Manifest, Share, measure
from newscrawl.run.history import day_of, manifests_since, run_ids

logger = logging.getLogger(__name__)

# Capture delay buckets (published → fetched_at), upper bounds in seconds.
DELAY_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 15 min", 15 * 60),
    ("15–30 min", 30 * 60),
    ("30–60 min", 3600),
    ("1–2 h", 2 * 3600),
    ("2–6 h", 6 * 3600),
    ("6–24 h", 86400),
    ("1–7 d", 7 * 86400),
    ("> 7 d", float("inf")),
)
LISTED_ROWS = 200  # lost/rejected URLs shown (newest first); the counts are always complete
RECENT_RUNS = 50  # rows of the run table
TOP_SECTIONS, TOP_TAGS = 15, 20
OUTCOME_ORDER = ["finished", "unhealthy", "failed", "killed", "running"]  # a run's outcome in the report
PAGE_ROLES = frozenset({"page", "robots", "other"})  # every other role lists entries (feed, sitemap)


@dataclass
class RunRow:
    run_id: str
    started: str
    duration: float | None
    outcome: str
    failed_monitors: list[str]
    counts: dict[str, int]
    requests: int


@dataclass
class ArticleStats:
    records: int = 0
    published_by_day: Counter[str] = field(default_factory=Counter)
    captured_by_day: Counter[str] = field(default_factory=Counter)
    published_by_hour: Counter[int] = field(default_factory=Counter)
    captured_by_hour: Counter[int] = field(default_factory=Counter)
    without_published: int = 0
    delays: list[float] = field(default_factory=list)
    sections: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)

    def add(self, record: dict[str, Any]) -> None:
        self.records += 1
        published, captured = parse_utc(record.get("published")), parse_utc(record.get("fetched_at"))
        if published is None:
            self.without_published += 1
        else:
            self.published_by_day[published.date().isoformat()] += 1
            self.published_by_hour[published.hour] += 1
        if captured is not None:
            self.captured_by_day[captured.date().isoformat()] += 1
            self.captured_by_hour[captured.hour] += 1
        if published is not None and captured is not None:
            self.delays.append((captured - published).total_seconds())
        if record.get("section"):
            self.sections[str(record["section"])] += 1
        for tag in record.get("tags") or []:
            self.tags[str(tag)] += 1

    def delay_histogram(self) -> list[tuple[str, int]]:
        counts = Counter(next(name for name, bound in DELAY_BUCKETS if delay < bound) for delay in self.delays)
        return [(name, counts[name]) for name, _ in DELAY_BUCKETS]

    def timeline(self, days: int) -> list[tuple[str, int, int]]:
        """(day, published, captured) for the ``days`` days that end with the last capture."""
        if not self.captured_by_day:
            return []
        last = datetime.strptime(max(self.captured_by_day), "%Y-%m-%d")
        span = [f"{last - timedelta(days=n):%Y-%m-%d}" for n in reversed(range(days))]
        return [(day, self.published_by_day[day], self.captured_by_day[day]) for day in span]


class DailyShares:
    """Per day and field, shares pooled over the day's runs (parts and wholes summed)."""

    def __init__(self) -> None:
        self._sums: defaultdict[str, dict[str, list[int]]] = defaultdict(dict)

    def add(self, day: str, shares: dict[str, Share]) -> None:
        by_field = self._sums[day]
        for name, share in shares.items():
            total = by_field.setdefault(name, [0, 0])  # a year of runs: no new Share per addition
            total[0] += share.part
            total[1] += share.whole

    def by_day(self) -> dict[str, dict[str, Share]]:
        return {day: {name: Share(*t) for name, t in fields.items()} for day, fields in sorted(self._sums.items())}


@dataclass
class ListingSummary:
    runs: int = 0
    failed: int = 0
    not_modified: int = 0
    entries: list[int] = field(default_factory=list)
    last_problem: str | None = None


@dataclass
class ReportData:
    root: Path  # <data>/<spider>
    days: int
    first_day: str | None = None
    last_day: str | None = None
    runs: deque[RunRow] = field(default_factory=lambda: deque(maxlen=RECENT_RUNS))  # the latest ones
    latest: Manifest | None = None
    totals: Counter[str] = field(default_factory=Counter)
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)  # (outcome, reason) → n
    listed: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LISTED_ROWS))  # the newest
    runs_by_day: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    durations_by_day: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    coverage: DailyShares = field(default_factory=DailyShares)
    fallback: DailyShares = field(default_factory=DailyShares)
    requests_by_day: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    listings: defaultdict[str, ListingSummary] = field(default_factory=lambda: defaultdict(ListingSummary))
    articles: ArticleStats = field(default_factory=ArticleStats)
    unreadable: list[str] = field(default_factory=list)  # manifests and article files that could not be read

    @property
    def spider(self) -> str:
        return self.root.name

    @property
    def requests_per_article(self) -> float | None:
        return self.totals["requests"] / self.totals["published"] if self.totals["published"] else None

    @property
    def not_modified_share(self) -> float | None:
        asked = self.totals["listing_requests"]
        return self.totals["listing_not_modified"] / asked if asked else None


def gather(root: Path, days: int) -> ReportData:
    """Reads the period's manifests (and their article files) under ``<data>/<spider>``."""
    data = ReportData(root=root, days=days)
    runs_dir = root / "runs"
    ids = run_ids(runs_dir)
    last = next((day for day in map(day_of, reversed(ids)) if day), None)
    if last is None:
        return data
    since = datetime.strptime(last, "%Y%m%d").replace(tzinfo=UTC) - timedelta(days=days - 1)
    data.first_day, data.last_day = f"{since:%Y-%m-%d}", f"{last[:4]}-{last[4:6]}-{last[6:]}"
    for run_id, manifest in manifests_since(runs_dir, since):
        if manifest is None:
            logger.warning("Report: manifest runs/%s.json unreadable: left out", run_id)
            data.unreadable.append(f"runs/{run_id}.json")
            continue
        _add_run(data, manifest)
        articles = (manifest.get("output") or {}).get("articles")
        if articles and (manifest.get("output") or {}).get("dataset_published"):
            _read_articles(data, root / str(articles))
    return data


def _add_run(data: ReportData, manifest: Manifest) -> None:
    run = measure(manifest)
    day = f"{run.started:%Y-%m-%d}" if run.started else "unknown"
    outcome = "unhealthy" if run.status == "finished" and run.health_ok is False else run.status
    requests = sum(run.requests.values())
    data.latest = manifest
    data.runs.append(
        RunRow(
            run.run_id, str(manifest.get("started")), run.duration, outcome, run.failed_monitors, run.counts, requests
        )
    )
    listing_requests = sum(n for role, n in run.requests.items() if role not in PAGE_ROLES)
    listing_not_modified = sum(n for role, n in run.not_modified.items() if role not in PAGE_ROLES)
    totals = data.totals
    totals.update(run.counts)
    totals.update({f"rate_{name}": share.part for name, share in run.rates.items()})
    totals.update(
        {
            "runs": 1,
            f"runs_{outcome}": 1,
            "published": run.published,
            "attempted": run.attempted,
            "requests": requests,
            "page_requests": run.requests.get("page", 0),
            "listing_requests": listing_requests,
            "listing_not_modified": listing_not_modified,
        }
    )
    for outcome_name, by_reason in run.reasons.items():
        for reason, n in by_reason.items():
            data.reasons[(outcome_name, reason)] += n
    listed, left_out = manifest.get("listed") or {}, manifest.get("listed_left_out") or {}
    for outcome_name in ("lost", "rejected"):
        data.listed += [
            {"run_id": run.run_id, "outcome": outcome_name, **row} for row in listed.get(outcome_name) or []
        ]
        totals["listed_left_out"] += int(left_out.get(outcome_name) or 0)
    data.runs_by_day[day][outcome] += 1
    if run.duration is not None:
        data.durations_by_day[day].append(run.duration)
    data.coverage.add(day, run.coverage or {})
    data.fallback.add(day, run.fallback)
    data.requests_by_day[day].update(
        requests=requests,
        published=run.published,
        listing_requests=listing_requests,
        listing_not_modified=listing_not_modified,
    )
    for listing in run.listings:
        summary = data.listings[listing.url]
        summary.runs += 1
        summary.not_modified += listing.not_modified
        if listing.ok:
            summary.entries.append(listing.entries)
        else:
            summary.failed += 1
            summary.last_problem = listing.problem or "no detail"


def _read_articles(data: ReportData, path: Path) -> None:
    try:
        with path.open("rb") as lines:
            for line in lines:  # records written by orjson (newscrawl.store.exporter); ~3× json.loads
                data.articles.add(orjson.loads(line))
    except (OSError, ValueError) as exc:
        logger.warning("Report: article file %s unreadable: %s", path, exc)
        data.unreadable.append(str(path.relative_to(data.root)))


def median_or_none(values: Iterable[float]) -> float | None:
    values = list(values)
    return median(values) if values else None
