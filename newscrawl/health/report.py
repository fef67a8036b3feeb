"""``report.html``: one self-contained page on the runs of the last days, with charts and tables.

Charts are Vega-Lite specifications written with Altair and drawn in the browser by Vega, whose
JavaScript (vega, vega-lite, vega-embed; about 900 kB) vl-convert-python bundles offline and
the page inlines once: the file opens from disk on an air-gapped machine, with no CDN. We chose
Altair + Vega-Lite over Plotly because the specs are small declarative JSON (Plotly inlines
3.5 MB of JavaScript), vl-convert ships the exact Vega-Lite version Altair writes for, and
both are actively maintained with a stable schema. Every chart has a table with its numbers
next to it, so the page is readable without JavaScript too.

The bundle costs vl-convert about 2 s to build, so it is kept in the user's cache directory
(``$XDG_CACHE_HOME/newscrawl``), keyed by the library versions, and reused by later runs.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from importlib.metadata import version
from pathlib import Path
from typing import Any

from newscrawl.health.measures import RATES
from newscrawl.health.report_data import (
    OUTCOME_ORDER,
    TOP_SECTIONS,
    TOP_TAGS,
    ReportData,
    gather,
    median_or_none,
)
from newscrawl.run.counters import COVERAGE_FIELDS
from newscrawl.store.atomic import write_atomically

logger = logging.getLogger(__name__)

REPORT_FILE = "report.html"


@dataclass(frozen=True)
class Report:
    path: Path
    runs: int


def write_report(root: Path, days: int, out: Path | None = None) -> Report:
    """Builds the report of ``<data>/<spider>`` (``root``) and writes it atomically."""
    data = gather(root, days)
    path = out or root / REPORT_FILE
    page = render(data, vega_bundle(), generated=datetime.now(UTC))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, page.encode("utf-8"))
    return Report(path=path, runs=data.totals["runs"])


def cache_dir() -> Path:
    """Where the Vega bundle is kept: ``$XDG_CACHE_HOME/newscrawl`` (default ``~/.cache/newscrawl``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newscrawl"


def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script; building it takes vl-convert ~2 s, so it is cached."""
    import altair as alt
    import vl_convert

    vl_version = "_".join(alt.SCHEMA_VERSION.split(".")[:2])  # "v6.4.1" → "v6_4", as Altair asks vl-convert
    cached = cache_dir() / f"vega-embed-{version('vl-convert-python')}-{vl_version}.js"
    try:
        return cached.read_text(encoding="utf-8")
    except FileNotFoundError:
        pass
    bundle: str = vl_convert.javascript_bundle(vl_version=vl_version)  # type: ignore[call-arg]  # snippet is optional
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(cached, bundle.encode("utf-8"))
    except OSError as exc:
        logger.info("The Vega bundle cannot be cached in %s (%s): it is built again next time", cached.parent, exc)
    return bundle


def _cell(value: Any, key: str | None = None) -> str:
    attributes = f' data-key="{key}"' if key else ""
    if value is None:
        return f"<td{attributes}>–</td>"
    if isinstance(value, float):
        return f'<td class="n"{attributes}>{value:.2f}</td>'
    if isinstance(value, int):
        return f'<td class="n"{attributes}>{value}</td>'
    return f"<td{attributes}>{escape(str(value))}</td>"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], table_id: str | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    attributes = f' id="{table_id}"' if table_id else ""
    return f"<table{attributes}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _figure(chart_id: str, specs: dict[str, Any]) -> str:
    if chart_id not in specs:
        return '<p class="empty">No data for this chart in the period.</p>'
    return (
        f'<figure class="chart" id="chart-{chart_id}">'
        "<noscript>The chart needs JavaScript; the table has its numbers.</noscript></figure>"
    )


def _section(title: str, anchor: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>{body}</section>'


def _numbers(rows: str) -> str:
    return f"<details><summary>The numbers</summary>{rows}</details>"


def key_numbers(data: ReportData) -> str:
    t = data.totals
    rows: list[tuple[str, str, Any]] = [
        ("runs", "Runs", t["runs"]),
        *((f"runs_{o}", f"… {o}", t[f"runs_{o}"]) for o in OUTCOME_ORDER),
        ("entries_seen", "Listing entries seen", t["entries_seen"]),
        ("new", "New articles (page)", t["new"]),
        ("feed_only", "Feed-only articles", t["feed_only"]),
        ("duplicate", "Duplicates", t["duplicate"]),
        ("skipped", "Skipped", t["skipped"]),
        ("rejected", "Rejected", t["rejected"]),
        ("lost", "Lost", t["lost"]),
        ("records", "Records in the runs' article files", data.articles.records),
        ("requests", "Requests (every role, retries included)", t["requests"]),
        ("requests_per_article", "Requests per published article", data.requests_per_article),
        ("page_requests", "Article page requests", t["page_requests"]),
        ("not_modified_share", "Listing requests answered 304", _pct(data.not_modified_share)),
    ]
    body = "".join(f"<tr><th>{escape(label)}</th>{_cell(value, key)}</tr>" for key, label, value in rows)
    return f'<table id="key-numbers"><tbody>{body}</tbody></table>'


def latest_run(data: ReportData) -> str:
    run = data.latest
    if run is None:
        return "<p>No run in the period.</p>"
    health = run.get("health") or {}
    verdict = "not judged" if not health else ("healthy" if health.get("ok") else "UNHEALTHY")
    failed = "".join(
        f"<li><strong>{escape(str(f.get('monitor')))}</strong>: {escape(str(f.get('detail')))}</li>"
        for f in health.get("failed") or []
    )
    verdict_class = verdict.lower().replace(" ", "-")
    return (
        f'<p id="latest-run">Run <code>{escape(str(run.get("run_id")))}</code>, '
        f"started {escape(str(run.get('started')))}: status <strong>{escape(str(run.get('status')))}</strong>, "
        f'health <strong class="{verdict_class}">{verdict}</strong>.</p>'
        + (f'<ul id="latest-failures">{failed}</ul>' if failed else "")
    )


def render(data: ReportData, bundle: str, generated: datetime) -> str:
    from newscrawl.health.charts import charts  # Altair: imported only when a report is built

    specs = charts(data)
    a = data.articles
    delays = sorted(a.delays)
    parts = [
        _section("Latest run", "latest", latest_run(data)),
        _section("Key numbers", "numbers", key_numbers(data)),
        *(
            [
                _section(
                    "Files that could not be read (left out)",
                    "unreadable",
                    table(["file"], [(f,) for f in data.unreadable], "table-unreadable"),
                )
            ]
            if data.unreadable
            else []
        ),
        _section(
            "Articles per day: published vs captured",
            "per-day",
            _figure("articles-per-day", specs)
            + _numbers(table(["day (UTC)", "published", "captured"], a.timeline(data.days), "table-per-day"))
            + f"<p>{a.without_published} records without a publication date; days before the period are not drawn.</p>",
        ),
        _section(
            "Articles per hour of day (UTC)",
            "per-hour",
            _figure("articles-per-hour", specs)
            + _numbers(
                table(
                    ["hour", "published", "captured"],
                    [(h, a.published_by_hour[h], a.captured_by_hour[h]) for h in range(24)],
                    "table-per-hour",
                )
            ),
        ),
        _section(
            "Capture delay (publication → fetch)",
            "delay",
            _figure("capture-delay", specs)
            + _numbers(table(["delay", "articles"], a.delay_histogram(), "table-delay"))
            + table(
                ["articles", "median", "90th percentile", "99th percentile"],
                [(len(delays), *(_duration(_quantile(delays, q)) for q in (0.5, 0.9, 0.99)))],
                "table-delay-quantiles",
            ),
        ),
        _section(
            "Run history",
            "runs",
            _figure("runs-per-day", specs)
            + _figure("run-duration", specs)
            + "<h3>Latest runs</h3>"
            + table(
                [
                    "run",
                    "started",
                    "duration (s)",
                    "outcome",
                    "failed monitors",
                    "new",
                    "feed-only",
                    "lost",
                    "rejected",
                    "requests",
                ],
                [
                    (
                        r.run_id,
                        r.started,
                        r.duration,
                        r.outcome,
                        ", ".join(r.failed_monitors),
                        r.counts["new"],
                        r.counts["feed_only"],
                        r.counts["lost"],
                        r.counts["rejected"],
                        r.requests,
                    )
                    for r in reversed(data.runs)
                ],
                "table-runs",
            ),
        ),
        _section(
            "Field coverage over time",
            "coverage",
            _figure("field-coverage", specs) + _numbers(_shares_table(data.coverage.by_day(), "table-coverage")),
        ),
        _section(
            "Field sources over time (share from the generic fallback or the URL)",
            "sources",
            _figure("field-sources", specs) + _numbers(_shares_table(data.fallback.by_day(), "table-sources")),
        ),
        _section(
            "Sections and top tags",
            "sections",
            _figure("sections", specs)
            + _numbers(table(["section", "articles"], a.sections.most_common(TOP_SECTIONS), "table-sections"))
            + _figure("tags", specs)
            + _numbers(table(["tag", "articles"], a.tags.most_common(TOP_TAGS), "table-tags")),
        ),
        _section(
            "Loss and reject reasons",
            "losses",
            _figure("loss-reasons", specs)
            + table(
                ["outcome", "reason", "entries"],
                [(o, r, n) for (o, r), n in sorted(data.reasons.items())],
                "table-reasons",
            )
            + "<h3>Lost and rejected URLs (newest first)</h3>"
            + table(
                ["run", "outcome", "reason", "detail", "URL"],
                [
                    (r["run_id"], r["outcome"], r.get("reason"), r.get("detail"), r.get("url"))
                    for r in reversed(data.listed)
                ],
                "table-listed",
            )
            + _listed_note(data),
        ),
        _section(
            "Requests per article and 304 share",
            "requests",
            _figure("requests-per-article", specs)
            + _figure("not-modified-share", specs)
            + _numbers(
                table(
                    ["day", "requests", "published", "listing requests", "answered 304"],
                    [
                        (day, c["requests"], c["published"], c["listing_requests"], c["listing_not_modified"])
                        for day, c in sorted(data.requests_by_day.items())
                    ],
                    "table-requests",
                )
            ),
        ),
        _section(
            "Listings (feeds and sitemaps)",
            "listings",
            table(
                ["listing", "runs", "failed", "answered 304", "median entries", "last problem"],
                [
                    (url, s.runs, s.failed, s.not_modified, median_or_none(s.entries), s.last_problem)
                    for url, s in sorted(data.listings.items())
                ],
                "table-listings",
            ),
        ),
    ]
    period = f"{data.first_day} – {data.last_day}" if data.first_day else "no runs yet"
    specs_json = json.dumps(specs, ensure_ascii=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(data.spider)} run health, {escape(period)}</title>
<style>{STYLE}</style>
</head><body>
<header><h1>{escape(data.spider)}: run health</h1>
<p>Runs started {escape(period)} (UTC; {data.days} days), {data.totals["runs"]} runs.
Generated {generated:%Y-%m-%d %H:%M:%S} UTC. Rates over the period:
{", ".join(f"{name} {_pct(_rate(data, name))}" for name in RATES)}.</p></header>
<main>{"".join(parts)}</main>
<script>{bundle}</script>
<script type="application/json" id="chart-specs">{specs_json}</script>
<script>{EMBED_SCRIPT}</script>
</body></html>
"""


def _listed_note(data: ReportData) -> str:
    """What the table cannot show: rows beyond its last, entries the manifests counted but did not list."""
    notes = []
    if len(data.listed) == data.listed.maxlen:
        notes.append(f"Only the newest {data.listed.maxlen} are shown.")
    left_out = data.totals["listed_left_out"]
    if left_out:
        notes.append(
            f'<span id="listed-left-out">{left_out}</span> more lost or rejected entries are counted in the '
            "manifests but not listed by URL (NEWSCRAWL_MANIFEST_MAX_LISTED per run)."
        )
    return f"<p>{' '.join(notes)}</p>" if notes else ""


def _rate(data: ReportData, name: str) -> float | None:
    attempted = data.totals["attempted"]
    return data.totals[f"rate_{name}"] / attempted if attempted else None


def _shares_table(by_day: dict[str, dict[str, Any]], table_id: str) -> str:
    fields = [f for f in COVERAGE_FIELDS if any(f in shares for shares in by_day.values())]
    rows = [
        (day, *(_pct(shares[f].value) if f in shares else "–" for f in fields))
        for day, shares in sorted(by_day.items())
    ]
    return table(["day", *fields], rows, table_id)


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, int(q * len(values)))]


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if abs(seconds) < 3600:
        return f"{seconds / 60:.0f} min"
    if abs(seconds) < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


EMBED_SCRIPT = """
const specs = JSON.parse(document.getElementById("chart-specs").textContent);
for (const [id, spec] of Object.entries(specs)) {
  const figure = document.getElementById("chart-" + id);
  vegaEmbed(figure, spec, {renderer: "svg", actions: false})
    .then(() => { figure.dataset.rendered = "true"; })
    .catch((error) => {
      figure.dataset.rendered = "error";
      figure.textContent = "Chart failed: " + error;
      console.error(error);
    });
}
"""

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 1rem 3rem; color: #222; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5rem 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
#table-listed td:last-child { word-break: break-all; }
figure.chart { margin: .5rem 0; overflow-x: auto; }
.unhealthy { color: #c0392b; } .healthy { color: #4c9a2a; }
details { margin: .3rem 0 1rem; } .empty { color: #777; }
"""
