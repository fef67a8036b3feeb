"""The report's charts: Vega-Lite specifications written with Altair, one per chart id.

Each chart draws numbers that :mod:`newscrawl.health.report_data` gathered and that the page
also shows in a table. Bars are one mark per row of data; line charts have one point per row.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from newscrawl.health.config import COVERAGE_FIELDS
from newscrawl.health.report_data import TOP_SECTIONS, TOP_TAGS, ReportData, median_or_none

CHART_WIDTH = 900
OUTCOME_ORDER = ["finished", "unhealthy", "failed", "killed", "running"]
OUTCOME_COLORS = ["#4c9a2a", "#e0a800", "#c0392b", "#7f3f98", "#8899aa"]


def _chart(rows: list[dict[str, Any]], **properties: Any) -> Any:
    # A fixed width: width="container" makes Vega-Lite warn on the console for every chart
    # with a discrete y axis ("Dropping fit-y").
    return alt.Chart(alt.InlineData(values=rows)).properties(width=CHART_WIDTH, **properties)


def charts(data: ReportData) -> dict[str, dict[str, Any]]:
    """Chart id → Vega-Lite spec, for the charts that have data."""
    specs: dict[str, Any] = {}
    timeline = data.articles.timeline(data.days)
    if timeline:
        rows = [
            {"day": d, "kind": k, "articles": n} for d, p, c in timeline for k, n in (("published", p), ("captured", c))
        ]
        specs["articles-per-day"] = (
            _chart(rows, height=220)
            .mark_line(point=True)
            .encode(
                x=alt.X("day:O", title="day (UTC)", axis=alt.Axis(labelAngle=-45, labelOverlap="parity")),
                y=alt.Y("articles:Q", title="articles"),
                color=alt.Color("kind:N", title=None),
                tooltip=["day:O", "kind:N", "articles:Q"],
            )
        )
    if data.articles.records:
        hours = data.articles
        rows = [
            {"hour": h, "kind": k, "articles": n}
            for h in range(24)
            for k, n in (("published", hours.published_by_hour[h]), ("captured", hours.captured_by_hour[h]))
        ]
        specs["articles-per-hour"] = (
            _chart(rows, height=200)
            .mark_bar()
            .encode(
                x=alt.X("hour:O", title="hour of day (UTC)"),
                xOffset=alt.XOffset("kind:N", sort=["published", "captured"]),
                y=alt.Y("articles:Q", title="articles"),
                color=alt.Color("kind:N", title=None, sort=["published", "captured"]),
                tooltip=["hour:O", "kind:N", "articles:Q"],
            )
        )
    if data.articles.delays:
        rows = [{"delay": name, "articles": n} for name, n in data.articles.delay_histogram()]
        order = [str(row["delay"]) for row in rows]
        specs["capture-delay"] = (
            _chart(rows, height=200)
            .mark_bar()
            .encode(
                x=alt.X("delay:O", sort=order, title="publication → capture"),
                y=alt.Y("articles:Q"),
                tooltip=["delay:O", "articles:Q"],
            )
        )
    if data.runs:
        rows = [
            {"day": day, "outcome": outcome, "runs": n}
            for day, by_outcome in sorted(data.runs_by_day.items())
            for outcome, n in by_outcome.items()
        ]
        specs["runs-per-day"] = (
            _chart(rows, height=200)
            .mark_bar()
            .encode(
                x=alt.X("day:O", title="day (UTC)", axis=alt.Axis(labelAngle=-45, labelOverlap="parity")),
                y=alt.Y("runs:Q", title="runs"),
                color=alt.Color("outcome:N", scale=alt.Scale(domain=OUTCOME_ORDER, range=OUTCOME_COLORS)),
                tooltip=["day:O", "outcome:N", "runs:Q"],
            )
        )
    durations = [{"day": d, "seconds": median_or_none(v)} for d, v in sorted(data.durations_by_day.items()) if v]
    if durations:
        specs["run-duration"] = (
            _chart(durations, height=160)
            .mark_line(point=True)
            .encode(
                x=alt.X("day:O", title="day (UTC)", axis=alt.Axis(labelAngle=-45, labelOverlap="parity")),
                y=alt.Y("seconds:Q", title="median run duration (s)"),
                tooltip=["day:O", "seconds:Q"],
            )
        )
    for chart_id, by_day, title in (
        ("field-coverage", data.coverage.by_day(), "share of records with a value"),
        ("field-sources", data.fallback.by_day(), "share from fallback/url"),
    ):
        rows = [
            {"day": day, "field": name, "share": share.value, "of": share.whole}
            for day, shares in sorted(by_day.items())
            for name, share in shares.items()
            if share.whole
        ]
        if rows:
            specs[chart_id] = (
                _chart(rows)
                .mark_rect()
                .encode(
                    x=alt.X("day:O", title="day (UTC)", axis=alt.Axis(labelAngle=-45, labelOverlap="parity")),
                    y=alt.Y("field:N", title=None, sort=list(COVERAGE_FIELDS)),
                    color=alt.Color("share:Q", title=title, scale=alt.Scale(domain=[0, 1], scheme="viridis")),
                    tooltip=["day:O", "field:N", alt.Tooltip("share:Q", format=".0%"), "of:Q"],
                )
            )
    for chart_id, counter, top in (
        ("sections", data.articles.sections, TOP_SECTIONS),
        ("tags", data.articles.tags, TOP_TAGS),
    ):
        rows = [{"name": name, "articles": n} for name, n in counter.most_common(top)]
        if rows:
            specs[chart_id] = (
                _chart(rows)
                .mark_bar()
                .encode(
                    y=alt.Y("name:N", sort="-x", title=None),
                    x=alt.X("articles:Q"),
                    tooltip=["name:N", "articles:Q"],
                )
            )
    rows = [
        {"reason": f"{outcome}: {reason}", "entries": n}
        for (outcome, reason), n in sorted(data.reasons.items())
        if outcome in ("lost", "rejected")
    ]
    if rows:
        specs["loss-reasons"] = (
            _chart(rows)
            .mark_bar()
            .encode(y=alt.Y("reason:N", title=None), x=alt.X("entries:Q"), tooltip=["reason:N", "entries:Q"])
        )
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
            specs[chart_id] = (
                _chart(rows, height=160)
                .mark_line(point=True)
                .encode(
                    x=alt.X("day:O", title="day (UTC)", axis=alt.Axis(labelAngle=-45, labelOverlap="parity")),
                    y=alt.Y("value:Q", title=title),
                    tooltip=["day:O", alt.Tooltip("value:Q", format=".2f"), "of:Q"],
                )
            )
    return {chart_id: chart.to_dict() for chart_id, chart in specs.items()}
