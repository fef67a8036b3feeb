"""The run's health: checks that judge one run against earlier runs, run as a Spidermon suite.

Each check is a pure function ``(run, past, thresholds) -> detail | None`` over measured
manifests (``run`` is the closing run's manifest as it stands), so it is tested without a crawl;
the Spidermon monitor below wraps each one in a named test method, and :func:`judge` runs the
suite with Spidermon's plain runner, which logs nothing (the extension logs one WARNING per
failure).

Relative checks compare with the past only once there is enough of it (``min_history`` runs,
``min_records`` records); absolute floors and ceilings apply always, history or not.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING, Any

from spidermon import Monitor, MonitorSuite, monitors
from spidermon import settings as spidermon_settings
from spidermon.runners import MonitorRunner

from newscrawl.health.config import Thresholds
from newscrawl.health.measures import Manifest, Measured, Share, measure, pooled
from newscrawl.run.history import History, hour_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Past:
    """The history, measured: the last finished runs, and the last ones at the same hour of day."""

    recent: list[Measured]
    same_hour: list[Measured]

    @classmethod
    def of(cls, history: History) -> Past:
        return cls([measure(m) for m in history.recent], [measure(m) for m in history.same_hour])


Check = Callable[[Measured, Past, Thresholds], "str | None"]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def check_new_articles(run: Measured, past: Past, t: Thresholds) -> str | None:
    """Far fewer new articles than usual for this hour of the day (UTC), and too few to be chance?"""
    count = run.published
    if len(past.same_hour) >= t.min_history:
        pool, where = past.same_hour, f"at {hour_of(run.run_id):02d}h UTC"
    elif len(past.recent) >= t.min_history:
        pool, where = past.recent, "in the last runs"
    elif not past.recent:
        if count < t.new_floor:
            return f"new articles: {count}; a run without history should find at least {t.new_floor}"
        return None
    else:
        return None  # some history, not yet enough to know what is usual
    usual = median(m.published for m in pool)
    chance = poisson_at_most(count, usual)
    if count >= usual * t.new_min_share or chance >= t.new_chance:
        return None
    return (
        f"new articles: {count}, usually {usual:g} {where} (median of {len(pool)} runs; "
        f"alert below {t.new_min_share:.0%} of that; chance {chance:.2g})"
    )


def poisson_at_most(count: int, mean: float) -> float:
    """P(X <= count) for a Poisson count X of that mean: how often so few articles come by chance."""
    term = total = math.exp(-mean)
    for k in range(1, count + 1):
        term *= mean / k
        total += term
    return total


def _share_problems(
    now: dict[str, Share],
    past: list[dict[str, Share]],
    t: Thresholds,
    *,
    limit: Callable[[str], float | None],
    rise: float,
    below: bool,
) -> list[str]:
    """Names whose share crosses an absolute limit, or moved more than ``rise`` from the past's.

    ``below``: the share must stay above the limit (coverage); else below it (fallback, rates).
    """
    problems = []
    for name, share in now.items():
        value = share.value
        if value is None or share.whole < t.min_records:
            continue
        bound = limit(name)
        usual = pooled(p[name] for p in past if name in p)
        usual_value = usual.value if usual.whole >= t.min_records else None
        if bound is not None and (value < bound if below else value > bound):
            problems.append(f"{name} {_pct(value)} of {share.whole} ({'floor' if below else 'ceiling'} {_pct(bound)})")
        elif usual_value is not None and (value < usual_value - rise if below else value > usual_value + rise):
            problems.append(f"{name} {_pct(value)} of {share.whole} (usually {_pct(usual_value)})")
    return problems


def check_field_coverage(run: Measured, past: Past, t: Thresholds) -> str | None:
    """Records that have body, published, authors, images... far below the floor or the usual share?"""
    if run.coverage is None:
        return None
    history = [m.coverage for m in past.recent if m.coverage is not None]
    problems = _share_problems(run.coverage, history, t, limit=t.coverage_min.get, rise=t.coverage_drop, below=True)
    return "records with a value: " + "; ".join(problems) if problems else None


def check_field_sources(run: Measured, past: Past, t: Thresholds) -> str | None:
    """Fields taken from the generic fallback or the URL instead of JSON-LD/meta/DOM: the template drifted?"""
    history = [m.fallback for m in past.recent]
    problems = _share_problems(
        run.fallback, history, t, limit=lambda _: t.fallback_max, rise=t.fallback_rise, below=False
    )
    return "pages whose field came from fallback/url: " + "; ".join(problems) if problems else None


def _rate_check(name: str, ceiling: Callable[[Thresholds], float]) -> Check:
    def check(run: Measured, past: Past, t: Thresholds) -> str | None:
        history = [{name: m.rates[name]} for m in past.recent]
        problems = _share_problems(
            {name: run.rates[name]}, history, t, limit=lambda _: ceiling(t), rise=t.rate_rise, below=False
        )
        return f"articles {problems[0]}" if problems else None

    check.__doc__ = f"Share of the run's new articles that were {name} above the ceiling or the usual share?"
    return check


check_lost_rate = _rate_check("lost", lambda t: t.max_lost)
check_rejected_rate = _rate_check("rejected", lambda t: t.max_rejected)
check_browser_rate = _rate_check("browser", lambda t: t.max_browser)
check_refused_rate = _rate_check("refused", lambda t: t.max_refused)


def check_listings(run: Measured, past: Past, t: Thresholds) -> str | None:
    """A feed or sitemap that failed, or that listed nothing while it usually lists entries?"""
    usual: dict[str, list[int]] = {}
    for measured in past.recent:
        for listing in measured.listings:
            if listing.ok and not listing.not_modified:
                usual.setdefault(listing.url, []).append(listing.entries)
    problems = []
    for listing in run.listings:
        if not listing.ok:
            problems.append(f"{listing.url} failed ({listing.problem or 'no detail'})")
        elif listing.entries == 0 and not listing.not_modified:
            seen = usual.get(listing.url, [])
            if len(seen) >= t.min_history and median(seen) > 0:
                problems.append(f"{listing.url} listed no entries (usually {median(seen):g})")
    return "; ".join(problems) or None


def check_log_errors(run: Measured, past: Past, t: Thresholds) -> str | None:
    """ERROR lines in the crawl's log?"""
    if run.log_errors > t.max_log_errors:
        return f"ERROR lines in the log: {run.log_errors} (allowed: {t.max_log_errors})"
    return None


def check_finish(run: Measured, past: Past, t: Thresholds) -> str | None:
    """Closed for another reason than 'finished', or the run recorded errors?"""
    problems = [f"closed early: {run.close_reason}"] if run.close_reason not in (None, "finished") else []
    return "; ".join(problems + run.errors) or None


# Every check, by the monitor name that failures carry (in the manifest, the log and alerts).
CHECKS: dict[str, Check] = {
    "new_articles": check_new_articles,
    "field_coverage": check_field_coverage,
    "field_sources": check_field_sources,
    "lost_rate": check_lost_rate,
    "rejected_rate": check_rejected_rate,
    "browser_rate": check_browser_rate,
    "refused_rate": check_refused_rate,
    "listings": check_listings,
    "log_errors": check_log_errors,
    "finish": check_finish,
}


class RunHealthMonitor(Monitor):
    """Judges ``data.run`` (measured) against ``data.past`` with ``data.thresholds``.

    One test method per check (``test_<name>``, Spidermon name ``<name>``), added below.
    """

    def judge_with(self, check: Check) -> None:
        detail = check(self.data.run, self.data.past, self.data.thresholds)
        if detail:
            self.fail(detail)


def _test_method(name: str, check: Check) -> Callable[[RunHealthMonitor], None]:
    def test(self: RunHealthMonitor) -> None:
        self.judge_with(check)

    test.__name__ = f"test_{name}"
    test.__doc__ = check.__doc__
    return monitors.name(name)(test)  # type: ignore[no-any-return]


for _name, _check in CHECKS.items():
    setattr(RunHealthMonitor, f"test_{_name}", _test_method(_name, _check))


class RunHealthSuite(MonitorSuite):
    monitors = (RunHealthMonitor,)


@dataclass(frozen=True)
class Failure:
    monitor: str
    detail: str


@dataclass(frozen=True)
class Health:
    failed: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, Any]:
        """The manifest's ``health`` section."""
        return {"ok": self.ok, "failed": [{"monitor": f.monitor, "detail": f.detail} for f in self.failed]}


def judge(run: Manifest, past: Past, thresholds: Thresholds, crawler: Crawler | None = None) -> Health:
    """Runs the suite on one run; a monitor that crashed counts as failed (and is logged with its traceback)."""
    result = MonitorRunner().run(
        RunHealthSuite(crawler=crawler), run=measure(run), past=past, thresholds=thresholds, stats=run.get("stats", {})
    )
    order = list(CHECKS)
    return Health(failed=sorted(_failures(result.monitor_results), key=lambda f: order.index(f.monitor)))


def _failures(results: Iterable[Any]) -> Iterable[Failure]:
    status = spidermon_settings.MONITOR.STATUS
    for item in results:
        name = item.monitor.method_name
        if item.status == status.FAILURE:
            yield Failure(name, str(item.reason))
        elif item.status == status.ERROR:
            logger.error("Health monitor %s crashed:\n%s", name, item.error)
            yield Failure(name, f"the monitor crashed: {str(item.error).strip().splitlines()[-1]}")
