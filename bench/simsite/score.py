"""How well the dataset matches what the simulated site published (reads JSON files only).

Inputs: the data dir the crawls wrote (``<data>/rfi_cn/articles/*/*.jsonl`` and
``runs/*.json``), the newsroom (the truth), the runs the driver made, the outage windows and
the site's request counters. Output: a dict of figures (:func:`score`) and a short text table
(:func:`table`). Every figure is defined where it is computed; the ones the revisit work needs
(versions, tombstones) read the schema v2 fields when the records have them.

"Expected" articles are those published within the simulated period and not removed by its
end; an article "in an outage" is one whose first two runs after publication fell in a window
when the site or the crawler was down (its delay is reported apart, with the catch-up).
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bench.simsite.driver import SPIDER
from bench.simsite.site import LISTING_KINDS

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from bench.simsite.driver import RunResult
    from bench.simsite.newsroom import Newsroom, Story
    from bench.simsite.server import Counters, Window

MAX_LISTED = 50  # missing / wrong articles listed by URL (the counts are complete)


@dataclass(frozen=True)
class Dataset:
    records: list[dict[str, Any]]
    manifests: list[dict[str, Any]]
    run_files: dict[str, int]  # dataset file (relative to the spider folder) → records in it


def load(data_dir: Path) -> Dataset:
    root = data_dir / SPIDER
    records: list[dict[str, Any]] = []
    run_files = {}
    for path in sorted((root / "articles").glob("*/*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            rows = [json.loads(line) for line in lines if line.strip()]
        records += rows
        run_files[str(path.relative_to(root))] = len(rows)
    manifests = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / "runs").glob("*.json"))]
    return Dataset(records, manifests, run_files)


def utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def record_format(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def score(
    data_dir: Path,
    newsroom: Newsroom,
    runs: Sequence[RunResult],
    *,
    outages: Sequence[Window] = (),
    counters: Counters | None = None,
    interval: timedelta = timedelta(minutes=15),
) -> dict[str, Any]:
    dataset = load(data_dir)
    start, end = newsroom.config.start, newsroom.config.end
    by_url = {story.url: story for story in newsroom.stories}
    records_of: dict[int, list[dict[str, Any]]] = {}
    unknown = []
    for record in dataset.records:
        story = by_url.get(record.get("url", ""))
        if story is None:
            unknown.append(record.get("url"))
        else:
            records_of.setdefault(story.number, []).append(record)
    for records in records_of.values():
        records.sort(key=lambda r: (r.get("fetched_at") or "", r.get("version") or 0))
    in_period = newsroom.in_period()
    expected = [s for s in in_period if not s.removed_at(end)]
    executed = [run for run in runs if run.executed]
    return {
        "period": {"start": record_format(start), "end": record_format(end), "days": (end - start) / timedelta(days=1)},
        "runs": {
            "scheduled": len(runs),
            "executed": len(executed),
            "statuses": dict(Counter(run.status or "no manifest" for run in executed)),
            "wall_seconds": round(sum(run.wall for run in executed), 1),
        },
        "published": {
            "in_period": len(in_period),
            "expected": len(expected),
            "removed": len(in_period) - len(expected),
            "edits": sum(1 for s in in_period for e in s.edits if e.at <= end),
        },
        "coverage": _coverage(expected, records_of, unknown),
        "duplicates": _duplicates(dataset.records),
        "published_right": _published_right(expected, records_of),
        "delay": _delays(expected, records_of, outages, interval),
        "catch_up": _catch_up(expected, records_of, outages, runs, interval),
        "requests": _requests(counters, records_of, newsroom, end) if counters is not None else None,
        "revisits": _revisits(in_period, records_of, end),
        "observable": _observable(in_period, records_of, runs, end, interval),
        "manifests": _manifests(dataset),
    }


# --- the parts ----------------------------------------------------------------------------------


def _first_fetch(records: Sequence[dict[str, Any]]) -> datetime | None:
    return min((t for r in records if (t := utc(r.get("fetched_at"))) is not None), default=None)


def _coverage(
    expected: Sequence[Story], records_of: dict[int, list[dict[str, Any]]], unknown: Sequence[str | None]
) -> dict[str, Any]:
    missing = [s for s in expected if s.number not in records_of]
    covered = len(expected) - len(missing)
    return {
        "covered": covered,
        "expected": len(expected),
        "share": covered / len(expected) if expected else None,
        "missing": len(missing),
        "missing_listed": [
            {"url": s.url, "published": record_format(s.published), "section": s.section} for s in missing[:MAX_LISTED]
        ],
        "feed_only": sum(1 for rs in records_of.values() if rs[0].get("content_source") == "feed"),
        "unknown_records": len(unknown),
        "unknown_listed": list(unknown[:MAX_LISTED]),
    }


def _duplicates(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Repeated ``(id, version)``; repeated ``id`` for records without a ``version`` (schema v1)."""
    keys = Counter((r.get("id"), r.get("version")) for r in records)
    repeated = {key: n for key, n in keys.items() if n > 1}
    return {
        "count": sum(n - 1 for n in repeated.values()),
        "listed": [{"id": k[0], "version": k[1], "records": n} for k, n in list(repeated.items())[:MAX_LISTED]],
    }


def _published_right(expected: Sequence[Story], records_of: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """Every record of an expected article has ``published`` equal to the model's, to the second."""
    checked, wrong = 0, []
    for story in expected:
        truth = record_format(story.published)
        for record in records_of.get(story.number, []):
            checked += 1
            if record.get("published") != truth:
                wrong.append(
                    {"url": story.url, "got": record.get("published"), "expected": truth,
                     "content_source": record.get("content_source")}
                )  # fmt: skip
    return {"checked": checked, "wrong": len(wrong), "listed": wrong[:MAX_LISTED]}


def _in_outage(story: Story, outages: Sequence[Window], interval: timedelta) -> bool:
    """The article's first two runs after publication could not see it (site or crawler down)."""
    window_end = story.published + 2 * interval
    return any(w.start < window_end and story.published < w.end for w in outages)


def _delays(
    expected: Sequence[Story],
    records_of: dict[int, list[dict[str, Any]]],
    outages: Sequence[Window],
    interval: timedelta,
) -> dict[str, Any]:
    """Capture delay (first record's fetched_at − publication), in seconds, outside outages and in them."""
    normal: list[float] = []
    during: list[float] = []
    for story in expected:
        first = _first_fetch(records_of.get(story.number, []))
        if first is None:
            continue
        seconds = (first - story.published).total_seconds()
        (during if _in_outage(story, outages, interval) else normal).append(seconds)
    return {
        "interval_seconds": interval.total_seconds(),
        "outside_outages": _distribution(normal),
        "in_outages": _distribution(during),
    }


def _distribution(values: Iterable[float]) -> dict[str, Any]:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0, "median": None, "p99": None, "max": None}
    return {"n": len(ordered), "median": _rank(ordered, 0.5), "p99": _rank(ordered, 0.99), "max": ordered[-1]}


def _rank(ordered: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _catch_up(
    expected: Sequence[Story],
    records_of: dict[int, list[dict[str, Any]]],
    outages: Sequence[Window],
    runs: Sequence[RunResult],
    interval: timedelta,
) -> list[dict[str, Any]]:
    """Per outage: the articles published during it, and how many the first run after it had."""
    result = []
    for window in outages:
        affected = [s for s in expected if window.start - interval <= s.published < window.end]
        first_run = next((r.at for r in runs if r.executed and r.at >= window.end), None)
        firsts = [_first_fetch(records_of.get(s.number, [])) for s in affected]
        caught_by_first = sum(1 for f in firsts if f is not None and first_run is not None and f <= first_run)
        captured = [f for f in firsts if f is not None]
        result.append(
            {
                "start": record_format(window.start),
                "end": record_format(window.end),
                "articles": len(affected),
                "first_run_after": record_format(first_run) if first_run else None,
                "caught_by_first_run": caught_by_first,
                "never_caught": len(affected) - len(captured),
                "last_caught_after_end_seconds": (max(captured) - window.end).total_seconds() if captured else None,
            }
        )
    return result


def _requests(
    counters: Counters, records_of: dict[int, list[dict[str, Any]]], newsroom: Newsroom, end: datetime
) -> dict[str, Any]:
    hits = list(counters.hits)
    pages = [h for h in hits if h.kind == "page"]
    first_fetches = [h for h in pages if not h.repeat]
    revisits = [h for h in pages if h.repeat]
    listings = [h for h in hits if h.kind in LISTING_KINDS]
    new_articles = len(records_of)
    days = max((end - newsroom.config.start) / timedelta(days=1), 1e-9)
    live_days = sum(
        (min(end, s.removal.at if s.removal else end) - s.published) / timedelta(days=1)
        for s in newsroom.stories
        if s.number in records_of and s.published <= end
    )
    return {
        "total": len(hits),
        "per_day": len(hits) / days,
        "by_kind": counters.by_kind(),
        "page_requests": len(pages),
        "first_fetch_requests_per_new_article": len(first_fetches) / new_articles if new_articles else None,
        "listing_requests": len(listings),
        "listing_304_share": counters.listing_304_share(),
        "unchanged_listing_304_share": counters.unchanged_listing_304_share(),
        "revisit_requests": len(revisits),
        "revisit_304_share": sum(h.status == "304" for h in revisits) / len(revisits) if revisits else None,
        "revisit_requests_per_article_day": len(revisits) / live_days if live_days else None,
        "ignored_sitemap_requests": sum(1 for h in hits if h.kind == "other_sitemap"),
    }


def _revisits(in_period: Sequence[Story], records_of: dict[int, list[dict[str, Any]]], end: datetime) -> dict[str, Any]:
    """Edits seen, versions minted without an edit (promo rotation), tombstones right and wrong."""
    edits = seen = spurious = spurious_rotating = false_tombstones = 0
    edit_delays: list[float] = []
    removals, tombstoned, removal_delays = 0, 0, []
    for story in in_period:
        records = records_of.get(story.number, [])
        live = [r for r in records if r.get("status", "live") != "removed"]
        for edit in (e for e in story.edits if e.at <= end):
            edits += 1
            state = story.version_at(edit.at)
            matching = [
                t
                for r in live
                if r.get("title") == state.title
                and r.get("body") == state.body
                and (t := utc(r.get("fetched_at"))) is not None
            ]
            if matching:
                seen += 1
                edit_delays.append((min(matching) - edit.at).total_seconds())
        versions = sorted((r for r in live if "version" in r), key=lambda r: r["version"])
        for before, after in itertools.pairwise(versions):
            fetched = utc(before.get("fetched_at")), utc(after.get("fetched_at"))
            if None not in fetched and story.version_at(fetched[0]).number == story.version_at(fetched[1]).number:  # type: ignore[arg-type]
                spurious += 1
                spurious_rotating += story.promo_rotation
        for record in records:
            if record.get("status") == "removed":
                at = utc(record.get("fetched_at"))
                if at is None or not story.removed_at(at):
                    false_tombstones += 1
        if story.removal is not None and story.removal.at <= end:
            removals += 1
            stones = [t for r in records if r.get("status") == "removed" and (t := utc(r.get("fetched_at")))]
            if stones:
                tombstoned += 1
                removal_delays.append((min(stones) - story.removal.at).total_seconds())
    return {
        "edits": edits,
        "edits_seen": seen,
        "edit_delay": _distribution(edit_delays),
        "versions_without_edit": spurious,
        "versions_without_edit_on_rotating_pages": spurious_rotating,
        "false_tombstones": false_tombstones,
        "removals": removals,
        "removals_tombstoned": tombstoned,
        "removal_delay": _distribution(removal_delays),
    }


def _observable(
    in_period: Sequence[Story],
    records_of: dict[int, list[dict[str, Any]]],
    runs: Sequence[RunResult],
    end: datetime,
    interval: timedelta,
) -> dict[str, Any]:
    """Edits and removals measured against the runs that could see them (issue 13's goals).

    An edit is *observable* when a run that finished (site and crawler up) fell between the edit
    and the article's next change (edit or removal): an edit superseded before any such run, or
    made and superseded while the site or the crawler was down, is on no page any crawler could
    fetch. The *signal* of an edit is the first such run (the listings it reads carry the edit's
    lastmod); captured *within one interval of the signal* = by that run or the next one. A
    removal's delay is counted from the first finished run after it, whose listings no longer
    carry the article: the goal is CONFIRM_AFTER (6 h), i.e. CONFIRM_AFTER + one run from the removal.
    """
    finished = sorted(run.at for run in runs if run.executed and run.status == "finished")

    def first_run(after: datetime) -> datetime | None:
        index = bisect.bisect_left(finished, after)
        return finished[index] if index < len(finished) else None

    observable = seen = by_next_run = 0
    late: list[dict[str, Any]] = []
    removal_delays: list[float] = []
    untombstoned: list[dict[str, Any]] = []
    for story in in_period:
        records = records_of.get(story.number, [])
        live = [r for r in records if r.get("status", "live") != "removed"]
        changes = sorted([edit.at for edit in story.edits] + ([story.removal.at] if story.removal else []))
        for edit in (e for e in story.edits if e.at <= end):
            following = [t for t in changes if t > edit.at]
            signal = first_run(edit.at)
            if signal is None or signal >= min([*following, end + interval]):
                continue  # no finished run saw this version
            observable += 1
            state = story.version_at(edit.at)
            captured = [
                t for r in live if r.get("title") == state.title and r.get("body") == state.body
                if (t := utc(r.get("fetched_at"))) is not None
            ]  # fmt: skip
            if captured:
                seen += 1
            if captured and min(captured) <= signal + interval:
                by_next_run += 1
            elif len(late) < MAX_LISTED:
                late.append({"url": story.url, "edit": record_format(edit.at), "signal": record_format(signal),
                             "captured": record_format(min(captured)) if captured else None})  # fmt: skip
        if story.removal is not None and story.removal.at <= end:
            signal = first_run(story.removal.at)
            stones = [t for r in records if r.get("status") == "removed" and (t := utc(r.get("fetched_at")))]
            if signal is not None and stones:
                removal_delays.append((min(stones) - signal).total_seconds())
            elif not stones:
                untombstoned.append({"url": story.url, "removed": record_format(story.removal.at),
                                     "first_run": record_format(signal) if signal else None,
                                     "stored": bool(records)})  # fmt: skip
    return {
        "edits_observable": observable,
        "edits_observable_seen": seen,
        "edits_seen_within_one_interval_of_signal": by_next_run,
        "share_within_one_interval": by_next_run / observable if observable else None,
        "edits_late_listed": late,
        "removal_delay_after_first_run": _distribution(removal_delays),
        # with the first finished run after each removal, and whether the dataset held the article
        "removals_untombstoned": untombstoned,
    }


def _manifests(dataset: Dataset) -> dict[str, Any]:
    """Each manifest's counts add up (entries, and revisits on their own), and its dataset file
    holds new + feed_only records plus the revisits' changed + removed + restored ones."""
    not_adding_up, file_mismatch = [], []
    for manifest in dataset.manifests:
        counts = manifest.get("counts") or {}
        total = sum(
            sum(v.values()) if isinstance(v, dict) else v
            for k, v in counts.items()
            if k not in ("entries_seen", "add_up")
        )
        revisits = manifest.get("revisits") or {}
        answered = sum(revisits.get(k, 0) for k in ("not_modified", "unchanged", "changed", "removed", "restored"))
        failed = sum((revisits.get("failed_by_reason") or {}).values())
        revisits_add_up = revisits.get("requested", 0) == answered + failed
        if not counts.get("add_up") or total != counts.get("entries_seen") or not revisits_add_up:
            not_adding_up.append(manifest.get("run_id"))
        output = (manifest.get("output") or {}).get("articles")
        records = counts.get("new", 0) + counts.get("feed_only", 0)
        records += sum(revisits.get(k, 0) for k in ("changed", "removed", "restored"))
        if output and dataset.run_files.get(output) != records:
            file_mismatch.append(manifest.get("run_id"))
    return {
        "count": len(dataset.manifests),
        "statuses": dict(Counter(m.get("status") for m in dataset.manifests)),
        "not_adding_up": not_adding_up,
        "file_mismatch": file_mismatch,
    }


# --- the table ----------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def in_minutes(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 60:.1f} min"


def table(*scores: dict[str, Any], headers: Sequence[str] = ()) -> str:
    """A short text table of the main figures; several scores of one scenario side by side."""
    columns = [_rows(one) for one in scores]
    names = [name for name, _ in columns[0]]
    cells = [[name, *(column[i][1] for column in columns)] for i, name in enumerate(names)]
    if headers:
        cells.insert(0, ["", *headers])
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "\n".join("  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths, strict=True)).rstrip() for row in cells)


def _rows(scores: dict[str, Any]) -> list[tuple[str, str]]:
    coverage, delay, requests = scores["coverage"], scores["delay"], scores["requests"]
    normal, during = delay["outside_outages"], delay["in_outages"]
    revisits, observable = scores["revisits"], scores["observable"]
    rows = [
        ("period", f"{scores['period']['start']} → {scores['period']['end']} ({scores['period']['days']:g} days)"),
        ("runs", f"{scores['runs']['executed']}/{scores['runs']['scheduled']} executed, {scores['runs']['statuses']}, "
                 f"{scores['runs']['wall_seconds']} s of crawls"),
        ("published", f"{scores['published']['in_period']} in period, {scores['published']['removed']} removed, "
                      f"{scores['published']['edits']} edits"),
        ("coverage", f"{percent(coverage['share'])} ({coverage['covered']}/{coverage['expected']}), "
                     f"missing {coverage['missing']}, feed-only {coverage['feed_only']}, "
                     f"unknown {coverage['unknown_records']}"),
        ("duplicates", str(scores["duplicates"]["count"])),
        ("published wrong", f"{scores['published_right']['wrong']} of {scores['published_right']['checked']} records"),
        ("delay (no outage)", f"median {in_minutes(normal['median'])}, p99 {in_minutes(normal['p99'])}, "
                              f"max {in_minutes(normal['max'])} (n={normal['n']})"),
        ("delay (outages)", f"median {in_minutes(during['median'])}, p99 {in_minutes(during['p99'])}, "
                            f"max {in_minutes(during['max'])} (n={during['n']})"),
    ]  # fmt: skip
    for outage in scores["catch_up"]:
        rows.append(
            (
                "catch-up",
                f"{outage['start']}→{outage['end']}: {outage['caught_by_first_run']}/{outage['articles']} by the first "
                f"run after, {outage['never_caught']} never",
            )
        )
    if requests is not None:
        rows += [
            ("requests", f"{requests['total']} ({requests['per_day']:.0f}/day), page {requests['page_requests']}, "
                         f"listings {requests['listing_requests']}"),
            ("pages per new article", f"{requests['first_fetch_requests_per_new_article'] or 0:.3f}"),
            ("listings answered 304", f"{percent(requests['listing_304_share'])} (of those unchanged since their "
                                      f"last full answer: {percent(requests['unchanged_listing_304_share'])})"),
        ]  # fmt: skip
    rows += [
        ("edits seen", f"{revisits['edits_seen']}/{revisits['edits']}"),
        ("observable edits seen", f"{observable['edits_observable_seen']}/{observable['edits_observable']}, "
                                  f"{percent(observable['share_within_one_interval'])} within one interval "
                                  "of a signal"),
        ("removal delay", f"after the removal: max {in_minutes(revisits['removal_delay']['max'])}; after the first run "
                          "that could see it: "
                          f"max {in_minutes(observable['removal_delay_after_first_run']['max'])}"),
        ("versions without edit", f"{revisits['versions_without_edit']} "
                                  f"({revisits['versions_without_edit_on_rotating_pages']} on rotating pages)"),
        ("tombstones", f"{revisits['removals_tombstoned']}/{revisits['removals']} removals, "
                       f"{revisits['false_tombstones']} false"),
        ("manifests", f"{scores['manifests']['count']}, {scores['manifests']['statuses']}, "
                      f"not adding up {len(scores['manifests']['not_adding_up'])}, "
                      f"file mismatch {len(scores['manifests']['file_mismatch'])}"),
    ]  # fmt: skip
    return rows
