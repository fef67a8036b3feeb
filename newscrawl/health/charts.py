"""The report's charts: Vega-Lite specifications written with Altair, one per chart id.

Each chart draws numbers that :mod:`newscrawl.health.report_data` gathered and that the page
also shows in a table. Bars are one mark per row of data; line charts have one point per row.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import altair as alt

from newscrawl.health.report_data import OUTCOME_ORDER, TOP_SECTIONS, TOP_TAGS, ReportData, median_or_none
from newscrawl.run.counters import COVERAGE_FIELDS

CHART_WIDTH = 900
OUTCOME_COLORS = ["#4c9a2a", "#e0a800", "#c0392b", "#7f3f98", "#8899aa"]


def _spec(chart: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The chart's Vega-Lite spec with its rows. Altair validates the spec; the rows are added after
    (validating a year of rows row by row would cost the report about a second)."""
    spec: dict[str, Any] = chart.properties(width=CHART_WIDTH).to_dict()
    spec["data"] = {"values": rows}
    return spec


# A fixed width (CHART_WIDTH): width="container" makes Vega-Lite warn on the console for every
# chart with a discrete y axis ("Dropping fit-y").
def _day_axis() -> Any:
    return alt.X("day:O", title="day (UTC)", axis=alt.Axis(labelAngle=-45, labelOverlap="parity"))


def _daily_line(rows: list[dict[str, Any]], y: str, title: str, tooltip: list[Any], **encoding: Any) -> dict[str, Any]:
    chart = (
        alt.Chart().mark_line(point=True).encode(x=_day_axis(), y=alt.Y(y, title=title), tooltip=tooltip, **encoding)
    )
    return _spec(chart.properties(height=180), rows)


def _bars(rows: list[dict[str, Any]], name: str, count: str) -> dict[str, Any]:
    """Horizontal bars, longest first."""
    chart = alt.Chart().mark_bar().encode(y=alt.Y(name, sort="-x", title=None), x=alt.X(count), tooltip=[name, count])
    return _spec(chart, rows)


def _articles(data: ReportData) -> Iterator[tuple[str, dict[str, Any]]]:
    articles = data.articles
    kinds = ["published", "captured"]  # one colour each, the same in both charts
    timeline = articles.timeline(data.days)
    if timeline:
        rows = [
            {"day": d, "kind": k, "articles": n} for d, p, c in timeline for k, n in zip(kinds, (p, c), strict=True)
        ]
        yield (
            "articles-per-day",
            _daily_line(
                rows,
                "articles:Q",
                "articles",
                ["day:O", "kind:N", "articles:Q"],
                color=alt.Color("kind:N", title=None, sort=kinds),
            ),
        )
    if articles.records:
        rows = [
            {"hour": h, "kind": k, "articles": n}
            for h in range(24)
            for k, n in zip(kinds, (articles.published_by_hour[h], articles.captured_by_hour[h]), strict=True)
        ]
        chart = (
            alt.Chart()
            .mark_bar()
            .encode(
                x=alt.X("hour:O", title="hour of day (UTC)"),
                xOffset=alt.XOffset("kind:N", sort=kinds),
                y=alt.Y("articles:Q", title="articles"),
                color=alt.Color("kind:N", title=None, sort=kinds),
                tooltip=["hour:O", "kind:N", "articles:Q"],
            )
        )
        yield "articles-per-hour", _spec(chart.properties(height=200), rows)
    if articles.delays:
        histogram = articles.delay_histogram()
        chart = (
            alt.Chart()
            .mark_bar()
            .encode(
                x=alt.X("delay:O", sort=[name for name, _ in histogram], title="publication → capture"),
                y=alt.Y("articles:Q"),
                tooltip=["delay:O", "articles:Q"],
            )
        )
        yield "capture-delay", _spec(chart.properties(height=200), [{"delay": d, "articles": n} for d, n in histogram])
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
        chart = (
            alt.Chart()
            .mark_bar()
            .encode(
                x=_day_axis(),
                y=alt.Y("runs:Q", title="runs"),
                color=alt.Color("outcome:N", scale=alt.Scale(domain=OUTCOME_ORDER, range=OUTCOME_COLORS)),
                tooltip=["day:O", "outcome:N", "runs:Q"],
            )
        )
        yield "runs-per-day", _spec(chart.properties(height=200), rows)
    durations = [{"day": d, "seconds": median_or_none(v)} for d, v in sorted(data.durations_by_day.items()) if v]
    if durations:
        yield "run-duration", _daily_line(durations, "seconds:Q", "median run duration (s)", ["day:O", "seconds:Q"])
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
            yield chart_id, _daily_line(rows, "value:Q", title, ["day:O", alt.Tooltip("value:Q", format=".2f"), "of:Q"])


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
            chart = (
                alt.Chart()
                .mark_rect()
                .encode(
                    x=_day_axis(),
                    y=alt.Y("field:N", title=None, sort=list(COVERAGE_FIELDS)),
                    color=alt.Color("share:Q", title=title, scale=alt.Scale(domain=[0, 1], scheme="viridis")),
                    tooltip=["day:O", "field:N", alt.Tooltip("share:Q", format=".0%"), "of:Q"],
                )
            )
            yield chart_id, _spec(chart, rows)


def charts(data: ReportData) -> dict[str, dict[str, Any]]:
    """Chart id → Vega-Lite spec, for the charts that have data."""
    return dict(itertools.chain(_articles(data), _runs(data), _fields(data)))
