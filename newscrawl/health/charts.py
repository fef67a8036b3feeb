"""The report's charts: Vega-Lite specifications, one per chart id, written as plain JSON objects.

Each chart draws numbers that :mod:`newscrawl.health.report_data` gathered and that the page
also shows in a table. Bars are one mark per row of data; line charts have one point per row.

The specs are the JSON Altair would write for the same charts, built directly: importing Altair
costs more CPU (≈ 0.27 s) than a crawl run spends on 50 articles, and the report is rebuilt after
every run. The tests validate every spec against the Vega-Lite schema of ``VEGA_LITE_VERSION``
(the one Altair ships) and draw them in Chromium.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from newscrawl.health.report_data import OUTCOME_ORDER, TOP_SECTIONS, TOP_TAGS, ReportData, median_or_none
from newscrawl.run.counters import COVERAGE_FIELDS

# The Vega-Lite the specs are written for; the page inlines the Vega bundle vl-convert builds for it.
VEGA_LITE_VERSION = "6.4.1"
SCHEMA_URL = f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_VERSION}.json"
CHART_WIDTH = 900
OUTCOME_COLORS = ["#4c9a2a", "#e0a800", "#c0392b", "#7f3f98", "#8899aa"]
_TYPES = {"N": "nominal", "O": "ordinal", "Q": "quantitative"}


def field(shorthand: str, **properties: Any) -> dict[str, Any]:
    """An encoding channel from Altair's shorthand: ``"day:O"`` → ``{"field": "day", "type": "ordinal"}``."""
    name, kind = shorthand.rsplit(":", 1)
    return {"field": name, "type": _TYPES[kind], **properties}


def _spec(mark: dict[str, Any], encoding: dict[str, Any], rows: list[dict[str, Any]], **size: int) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_URL,
        "config": {"view": {"continuousWidth": 300, "continuousHeight": 300}},
        "mark": mark,
        "encoding": encoding,
        "width": CHART_WIDTH,
        **size,
        "data": {"values": rows},
    }


def _tooltip(*shorthands: str | dict[str, Any]) -> list[dict[str, Any]]:
    return [field(s) if isinstance(s, str) else s for s in shorthands]


# A fixed width (CHART_WIDTH): width="container" makes Vega-Lite warn on the console for every
# chart with a discrete y axis ("Dropping fit-y").
def _day_axis() -> dict[str, Any]:
    return field("day:O", title="day (UTC)", axis={"labelAngle": -45, "labelOverlap": "parity"})


def _daily_line(
    rows: list[dict[str, Any]], y: str, title: str, tooltip: list[dict[str, Any]], **encoding: Any
) -> dict[str, Any]:
    return _spec(
        {"type": "line", "point": True},
        {"x": _day_axis(), "y": field(y, title=title), "tooltip": tooltip, **encoding},
        rows,
        height=180,
    )


def _bars(rows: list[dict[str, Any]], name: str, count: str) -> dict[str, Any]:
    """Horizontal bars, longest first."""
    encoding = {"y": field(name, sort="-x", title=None), "x": field(count), "tooltip": _tooltip(name, count)}
    return _spec({"type": "bar"}, encoding, rows)


def _articles(data: ReportData) -> Iterator[tuple[str, dict[str, Any]]]:
    articles = data.articles
    kinds = ["published", "captured"]  # one colour each, the same in both charts
    kind_colour = field("kind:N", title=None, sort=kinds)
    timeline = articles.timeline(data.days)
    if timeline:
        rows = [
            {"day": d, "kind": k, "articles": n} for d, p, c in timeline for k, n in zip(kinds, (p, c), strict=True)
        ]
        tooltip = _tooltip("day:O", "kind:N", "articles:Q")
        yield "articles-per-day", _daily_line(rows, "articles:Q", "articles", tooltip, color=kind_colour)
    if articles.records:
        rows = [
            {"hour": h, "kind": k, "articles": n}
            for h in range(24)
            for k, n in zip(kinds, (articles.published_by_hour[h], articles.captured_by_hour[h]), strict=True)
        ]
        encoding = {
            "x": field("hour:O", title="hour of day (UTC)"),
            "xOffset": field("kind:N", sort=kinds),
            "y": field("articles:Q", title="articles"),
            "color": kind_colour,
            "tooltip": _tooltip("hour:O", "kind:N", "articles:Q"),
        }
        yield "articles-per-hour", _spec({"type": "bar"}, encoding, rows, height=200)
    if articles.delays:
        histogram = articles.delay_histogram()
        encoding = {
            "x": field("delay:O", sort=[name for name, _ in histogram], title="publication → capture"),
            "y": field("articles:Q"),
            "tooltip": _tooltip("delay:O", "articles:Q"),
        }
        rows = [{"delay": d, "articles": n} for d, n in histogram]
        yield "capture-delay", _spec({"type": "bar"}, encoding, rows, height=200)
    for chart_id, counter, top in (("sections", articles.sections, TOP_SECTIONS), ("tags", articles.tags, TOP_TAGS)):
        if counter:
            yield (
                chart_id,
                _bars([{"name": k, "articles": n} for k, n in counter.most_common(top)], "name:N", "articles:Q"),
            )


def _runs(data: ReportData) -> Iterator[tuple[str, dict[str, Any]]]:
    if data.runs_by_day:
        rows = [
            {"day": day, "outcome": outcome, "runs": n}
            for day, by_outcome in sorted(data.runs_by_day.items())
            for outcome, n in by_outcome.items()
        ]
        encoding = {
            "x": _day_axis(),
            "y": field("runs:Q", title="runs"),
            "color": field("outcome:N", scale={"domain": OUTCOME_ORDER, "range": OUTCOME_COLORS}),
            "tooltip": _tooltip("day:O", "outcome:N", "runs:Q"),
        }
        yield "runs-per-day", _spec({"type": "bar"}, encoding, rows, height=200)
    durations = [{"day": d, "seconds": median_or_none(v)} for d, v in sorted(data.durations_by_day.items()) if v]
    if durations:
        tooltip = _tooltip("day:O", "seconds:Q")
        yield "run-duration", _daily_line(durations, "seconds:Q", "median run duration (s)", tooltip)
    reasons = [
        {"reason": f"{outcome}: {reason}", "entries": n}
        for (outcome, reason), n in sorted(data.reasons.items())
        if outcome in ("lost", "rejected")
    ]
    if reasons:
        yield "loss-reasons", _bars(reasons, "reason:N", "entries:Q")
    for chart_id, part, whole, title in (
        ("requests-per-article", "requests", "published", "requests per published article"),
        ("not-modified-share", "listing_not_modified", "listing_requests", "listing requests answered 304"),
    ):
        rows = [
            {"day": day, "value": c[part] / c[whole], "of": c[whole]}
            for day, c in sorted(data.requests_by_day.items())
            if c[whole]
        ]
        if rows:
            tooltip = _tooltip("day:O", field("value:Q", format=".2f"), "of:Q")
            yield chart_id, _daily_line(rows, "value:Q", title, tooltip)


def _fields(data: ReportData) -> Iterator[tuple[str, dict[str, Any]]]:
    for chart_id, by_day, title in (
        ("field-coverage", data.coverage.by_day(), "share of records with a value"),
        ("field-sources", data.fallback.by_day(), "share from fallback/url"),
    ):
        rows = [
            {"day": day, "field": name, "share": share.value, "of": share.whole}
            for day, shares in by_day.items()
            for name, share in shares.items()
            if share.whole
        ]
        if rows:
            encoding = {
                "x": _day_axis(),
                "y": field("field:N", title=None, sort=list(COVERAGE_FIELDS)),
                "color": field("share:Q", title=title, scale={"domain": [0, 1], "scheme": "viridis"}),
                "tooltip": _tooltip("day:O", "field:N", field("share:Q", format=".0%"), "of:Q"),
            }
            yield chart_id, _spec({"type": "rect"}, encoding, rows)


def charts(data: ReportData) -> dict[str, dict[str, Any]]:
    """Chart id → Vega-Lite spec, for the charts that have data."""
    return dict(itertools.chain(_articles(data), _runs(data), _fields(data)))
