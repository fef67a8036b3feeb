"""What one run manifest says, measured: its ``counts``, ``feeds``/``sources`` and ``stats``, read once.

The monitors judge these numbers and the report draws them, so both read a run the same way.
:func:`measure` walks the manifest's stats in one pass (the report measures a year of runs, 35,000
manifests). A manifest written before a stat existed has no value for it (``None`` or ``{}``),
never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from newscrawl.extract.dates import parse_utc
from newscrawl.run.counters import (
    COVERAGE_FIELDS,
    COVERAGE_RECORDS_STAT,
    FIELD_PRESENT_PREFIX,
    NOT_MODIFIED_PREFIX,
    REQUESTS_PREFIX,
)
from newscrawl.run.outcomes import OUTCOMES

if TYPE_CHECKING:
    from datetime import datetime

Manifest = Mapping[str, Any]

# Stats the health extension adds to every run (the counters are in newscrawl.run.counters).
LOG_ERRORS_STAT = "newscrawl/log/errors"
HEALTH_FAILED_STAT = "newscrawl/health/failed"  # number of failed monitors (the crawl command reads it)
# Stats the crawl itself writes.
FIELD_SOURCE_PREFIX = "newscrawl/field_source/"
PAGE_FAILED_PREFIX = "newscrawl/page_failed/"
BROWSER_OUTCOME_PREFIX = "newscrawl/browser/outcome/"
BROWSER_REQUESTED_STAT = "newscrawl/browser/requested"
FALLBACK_SOURCES = frozenset({"fallback", "url"})
# A page the site refused (the spider's failure reasons); the browser's own failures are
# counted under newscrawl/browser/outcome/<reason> as well, and are not refusals over HTTP.
REFUSAL_REASONS = ("http_403", "http_429", "http_503", "retry_after_too_long")
RATES = ("lost", "rejected", "browser", "refused")
COUNTS = ("entries_seen", *OUTCOMES)
_GROUPS = (
    FIELD_PRESENT_PREFIX,
    FIELD_SOURCE_PREFIX,
    REQUESTS_PREFIX,
    NOT_MODIFIED_PREFIX,
    PAGE_FAILED_PREFIX,
    BROWSER_OUTCOME_PREFIX,
)


@lru_cache(maxsize=4096)
def _group_of(stat_name: str) -> tuple[str, str] | None:
    """(prefix, rest) for a stat of one of the groups; stat names repeat run after run, hence the cache."""
    prefix = next((p for p in _GROUPS if stat_name.startswith(p)), None)
    return None if prefix is None else (prefix, stat_name[len(prefix) :])


class Share(NamedTuple):
    """``part`` of ``whole``; ``value`` is None when there is nothing to divide."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None

    def __add__(self, other: tuple[Any, ...]) -> Share:  # adds up, never concatenates
        return Share(self.part + other[0], self.whole + other[1])


def pooled(shares: Iterable[Share]) -> Share:
    """Several runs taken together (a run with 100 records weighs more than a run with 1)."""
    return sum(shares, Share(0, 0))


class Listing(NamedTuple):
    """One feed or sitemap as the run saw it."""

    url: str
    ok: bool
    entries: int
    not_modified: bool
    problem: str | None


@dataclass(frozen=True)
class Measured:
    """One run, measured (see :func:`measure`)."""

    run_id: str
    status: str
    close_reason: str | None
    errors: list[str]
    started: datetime | None
    duration: float | None  # seconds
    health_ok: bool | None  # None: not judged (a manifest from before the monitors)
    failed_monitors: list[str]
    counts: dict[str, int]  # COUNTS, each summed over its reasons
    reasons: dict[str, dict[str, int]]  # duplicate/skipped/lost by reason; rejected as {"schema": n}
    coverage: dict[str, Share] | None  # per field: records with a value (None: not counted)
    fallback: dict[str, Share]  # per field: pages that took it from the generic fallback or the URL
    rates: dict[str, Share]  # RATES over ``attempted``
    requests: dict[str, int]  # by role: feed, page, robots, ...
    not_modified: dict[str, int]  # 304 answers by role
    log_errors: int
    listings: list[Listing]

    @property
    def published(self) -> int:
        """Articles the run published: new page records plus feed-only records."""
        return self.counts["new"] + self.counts["feed_only"]

    @property
    def attempted(self) -> int:
        """Articles the run tried to get (new to the dataset): published, rejected or lost."""
        return self.published + self.counts["rejected"] + self.counts["lost"]


def measure(manifest: Manifest) -> Measured:
    stats = manifest.get("stats")
    stats = stats if isinstance(stats, Mapping) else {}
    groups: dict[str, dict[str, int]] = {prefix: {} for prefix in _GROUPS}
    for name, value in stats.items():
        grouped = _group_of(name)
        if grouped is not None and isinstance(value, int | float):
            groups[grouped[0]][grouped[1]] = int(value)
    counts, reasons = _counts(manifest.get("counts"))
    started, ended = parse_utc(manifest.get("started")), parse_utc(manifest.get("ended"))
    health = manifest.get("health")
    health = health if isinstance(health, Mapping) else None
    failed, browser = groups[PAGE_FAILED_PREFIX], groups[BROWSER_OUTCOME_PREFIX]
    attempted = counts["new"] + counts["feed_only"] + counts["rejected"] + counts["lost"]
    rate_parts = {
        "lost": counts["lost"],
        "rejected": counts["rejected"],
        "browser": int(stats.get(BROWSER_REQUESTED_STAT, 0) or 0),
        "refused": sum(max(0, failed.get(r, 0) - browser.get(r, 0)) for r in REFUSAL_REASONS),
    }
    return Measured(
        run_id=str(manifest.get("run_id", "")),
        status=str(manifest.get("status")),
        close_reason=manifest.get("close_reason"),
        errors=[str(error) for error in manifest.get("errors") or []],
        started=started,
        duration=(ended - started).total_seconds() if started and ended else None,
        health_ok=bool(health.get("ok")) if health is not None else None,
        failed_monitors=[str(f.get("monitor")) for f in (health or {}).get("failed") or [] if isinstance(f, Mapping)],
        counts=counts,
        reasons=reasons,
        coverage=_coverage(stats.get(COVERAGE_RECORDS_STAT), groups[FIELD_PRESENT_PREFIX]),
        fallback=_fallback(groups[FIELD_SOURCE_PREFIX]),
        rates={name: Share(min(part, attempted), attempted) for name, part in rate_parts.items()},
        requests=groups[REQUESTS_PREFIX],
        not_modified=groups[NOT_MODIFIED_PREFIX],
        log_errors=int(stats.get(LOG_ERRORS_STAT, 0) or 0),
        listings=_listings(manifest),
    )


def _counts(counts: object) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    totals: dict[str, int] = {}
    reasons: dict[str, dict[str, int]] = {}
    source = counts if isinstance(counts, Mapping) else {}
    for outcome in COUNTS:
        value = source.get(outcome, 0)
        if isinstance(value, Mapping):
            reasons[outcome] = {str(k): int(v) for k, v in value.items() if v}
            totals[outcome] = sum(reasons[outcome].values())
        else:
            totals[outcome] = int(value) if isinstance(value, int | float) else 0
    reasons["rejected"] = {"schema": totals["rejected"]} if totals["rejected"] else {}
    return totals, reasons


def _coverage(records: object, present: dict[str, int]) -> dict[str, Share] | None:
    if not isinstance(records, int | float):
        return None
    return {name: Share(present.get(name, 0), int(records)) for name in COVERAGE_FIELDS}


def _fallback(sources: dict[str, int]) -> dict[str, Share]:
    by_field: dict[str, dict[str, int]] = {}
    for key, count in sources.items():
        name, _, source = key.partition("/")
        if source:
            by_field.setdefault(name, {})[source] = count
    return {
        name: Share(sum(n for source, n in by_source.items() if source in FALLBACK_SOURCES), sum(by_source.values()))
        for name, by_source in by_field.items()
    }


def _listings(manifest: Manifest) -> list[Listing]:
    """The run's feeds, and its listing sources when the manifest has a ``sources`` section (one
    entry per document read: ``{url, kind, status, http_status, not_modified, entries, problem}``,
    feeds included; the later entry for a URL wins)."""
    found: dict[str, Listing] = {}
    sources = manifest.get("sources")
    items = [*(manifest.get("feeds") or []), *(sources if isinstance(sources, list) else [])]
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("url"), str):
            found[item["url"]] = _listing(item)
    return list(found.values())


def _listing(item: Mapping[str, Any]) -> Listing:
    """A ``feeds`` entry says ``ok``; a ``sources`` entry says ``status`` (``ok``, ``malformed``, ``failed``)."""
    ok = item["ok"] if isinstance(item.get("ok"), bool) else item.get("status") != "failed"
    entries = item.get("entries")
    problem = item.get("problem")
    return Listing(
        url=item["url"],
        ok=ok,
        entries=int(entries) if isinstance(entries, int | float) else 0,
        not_modified=bool(item.get("not_modified")) or item.get("http_status") == 304,
        problem=str(problem) if problem else None,
    )
