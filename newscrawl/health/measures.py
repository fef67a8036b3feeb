"""What one run manifest says, measured: pure functions over its ``counts``, ``feeds`` and ``stats``.

The monitors judge these numbers and the report draws them, so both read a run the same way.
A manifest written before a stat existed simply has no value for it (``None``), never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newscrawl.health.config import COVERAGE_FIELDS

Manifest = Mapping[str, Any]

# Stats the health components add to every run (newscrawl.health.counters / .extension).
FIELD_PRESENT_PREFIX = "newscrawl/field_present/"
COVERAGE_RECORDS_STAT = "newscrawl/coverage/records"
REQUESTS_PREFIX = "newscrawl/requests/"
NOT_MODIFIED_PREFIX = "newscrawl/not_modified/"
LOG_ERRORS_STAT = "newscrawl/log/errors"
# Stats the crawl itself writes.
FIELD_SOURCE_PREFIX = "newscrawl/field_source/"
FALLBACK_SOURCES = frozenset({"fallback", "url"})
# A page the site refused (the spider's failure reasons); the browser's own failures are
# counted under newscrawl/browser/outcome/<reason> as well, and are not refusals over HTTP.
REFUSAL_REASONS = ("http_403", "http_429", "http_503", "retry_after_too_long")
RATES = ("lost", "rejected", "browser", "refused")


def stats(manifest: Manifest) -> Mapping[str, Any]:
    value = manifest.get("stats")
    return value if isinstance(value, Mapping) else {}


def stat(manifest: Manifest, name: str) -> int:
    value = stats(manifest).get(name, 0)
    return int(value) if isinstance(value, int | float) else 0


def _with_prefix(manifest: Manifest, prefix: str) -> dict[str, int]:
    return {
        name[len(prefix) :]: int(value)
        for name, value in stats(manifest).items()
        if name.startswith(prefix) and isinstance(value, int | float)
    }


def count(manifest: Manifest, outcome: str) -> int:
    """``counts[outcome]``, summed over its reasons."""
    counts = manifest.get("counts")
    value = counts.get(outcome, 0) if isinstance(counts, Mapping) else 0
    if isinstance(value, Mapping):
        return sum(int(n) for n in value.values())
    return int(value) if isinstance(value, int | float) else 0


def reasons(manifest: Manifest, outcome: str) -> dict[str, int]:
    """``counts[outcome]`` broken down by reason (``rejected`` has one reason: ``schema``)."""
    counts = manifest.get("counts")
    value = counts.get(outcome) if isinstance(counts, Mapping) else None
    if isinstance(value, Mapping):
        return {str(k): int(v) for k, v in value.items() if v}
    return {"schema": int(value)} if isinstance(value, int | float) and value else {}


def published(manifest: Manifest) -> int:
    """Articles the run published: new page records plus feed-only records."""
    return count(manifest, "new") + count(manifest, "feed_only")


def attempted(manifest: Manifest) -> int:
    """Articles the run tried to get (new to the dataset): published, rejected or lost."""
    return published(manifest) + count(manifest, "rejected") + count(manifest, "lost")


def entries_seen(manifest: Manifest) -> int:
    return count(manifest, "entries_seen")


def started(manifest: Manifest) -> datetime | None:
    return parse_utc(manifest.get("started"))


def duration_seconds(manifest: Manifest) -> float | None:
    start, end = started(manifest), parse_utc(manifest.get("ended"))
    return (end - start).total_seconds() if start and end else None


def parse_utc(value: object) -> datetime | None:
    """The project's ``YYYY-MM-DDTHH:MM:SSZ`` timestamps (anything else: ``None``)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``; ``value`` is None when there is nothing to divide."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None

    def __add__(self, other: Share) -> Share:
        return Share(self.part + other.part, self.whole + other.whole)


def pooled(shares: Iterable[Share]) -> Share:
    """Several runs taken together (a run with 100 records weighs more than a run with 1)."""
    return sum(shares, Share(0, 0))


def coverage(manifest: Manifest) -> dict[str, Share] | None:
    """Per field, the records that had a value; None for a manifest from before it was counted."""
    records = stats(manifest).get(COVERAGE_RECORDS_STAT)
    if records is None:
        return None
    present = _with_prefix(manifest, FIELD_PRESENT_PREFIX)
    return {field: Share(present.get(field, 0), int(records)) for field in COVERAGE_FIELDS}


def field_sources(manifest: Manifest) -> dict[str, dict[str, int]]:
    """Per field, how many page records took it from each source (jsonld, meta, dom, fallback, url)."""
    sources: dict[str, dict[str, int]] = {}
    for key, count in _with_prefix(manifest, FIELD_SOURCE_PREFIX).items():
        field, _, source = key.partition("/")
        if source:
            sources.setdefault(field, {})[source] = count
    return sources


def fallback_shares(manifest: Manifest) -> dict[str, Share]:
    """Per field, the share of page records that took it from the generic fallback or the URL."""
    return {
        field: Share(sum(n for source, n in by_source.items() if source in FALLBACK_SOURCES), sum(by_source.values()))
        for field, by_source in field_sources(manifest).items()
    }


def rates(manifest: Manifest) -> dict[str, Share]:
    """Lost, rejected, sent to the browser and refused by the site, each over ``attempted``."""
    whole = attempted(manifest)
    refused = sum(
        max(
            0, stat(manifest, f"newscrawl/page_failed/{reason}") - stat(manifest, f"newscrawl/browser/outcome/{reason}")
        )
        for reason in REFUSAL_REASONS
    )
    parts = {
        "lost": count(manifest, "lost"),
        "rejected": count(manifest, "rejected"),
        "browser": stat(manifest, "newscrawl/browser/requested"),
        "refused": refused,
    }
    return {name: Share(min(part, whole), whole) for name, part in parts.items()}


@dataclass(frozen=True)
class Listing:
    """One feed or sitemap as the run saw it."""

    url: str
    ok: bool
    entries: int
    not_modified: bool
    problem: str | None


def listings(manifest: Manifest) -> list[Listing]:
    """The run's feeds, and its other sources when the manifest has a ``sources`` section."""
    found: dict[str, Listing] = {}
    sources = manifest.get("sources")
    items: list[Any] = list(manifest.get("feeds") or [])
    if isinstance(sources, Mapping):
        items += [{"url": url, **value} for url, value in sources.items() if isinstance(value, Mapping)]
    elif isinstance(sources, list):
        items += sources
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("url"), str):
            found[item["url"]] = _listing(item)
    return list(found.values())


def _listing(item: Mapping[str, Any]) -> Listing:
    status = item.get("http_status", item.get("status"))
    not_modified = bool(item.get("not_modified")) or status == 304
    ok = item.get("ok")
    if not isinstance(ok, bool):
        ok = not_modified or (isinstance(status, int) and 200 <= status < 300) or status in ("ok", "unchanged")
    entries = item.get("entries")
    problem = item.get("problem")
    return Listing(
        url=item["url"],
        ok=ok,
        entries=int(entries) if isinstance(entries, int | float) else 0,
        not_modified=not_modified,
        problem=str(problem) if problem else None,
    )


def requests(manifest: Manifest) -> dict[str, int]:
    """Requests sent (or served from a replay archive) by role: feed, page, robots, ..."""
    return _with_prefix(manifest, REQUESTS_PREFIX)


def not_modified(manifest: Manifest) -> dict[str, int]:
    """Responses 304 Not Modified, by role."""
    return _with_prefix(manifest, NOT_MODIFIED_PREFIX)


def health_failures(manifest: Manifest) -> list[str]:
    """Names of the monitors that failed on this run ([] when healthy or not judged)."""
    health = manifest.get("health")
    if not isinstance(health, Mapping):
        return []
    return [str(f.get("monitor")) for f in health.get("failed") or [] if isinstance(f, Mapping)]


def is_healthy(manifest: Manifest) -> bool | None:
    health = manifest.get("health")
    return bool(health.get("ok")) if isinstance(health, Mapping) else None
