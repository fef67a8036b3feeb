"""Which monthly contents sitemaps a run reads, and which of their entries it takes (pure).

The news sitemap lists the last two days. A run whose last finished predecessor is older than
that (or that has none) catches up: it reads the monthly contents maps that cover the gap,
starting one news window before that run (listings can lag), never further back than
NEWSCRAWL_BACKFILL_MAX_DAYS. ``-a since=YYYY-MM-DD`` back-fills from that day (a Paris day, as in
RFI's URLs), without the bound. Entries modified before the horizon are not taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from newscrawl.discovery.sitemaps import Month, has_time
from newscrawl.extract.dates import PARIS, format_utc

NEWS_SITEMAP_WINDOW = timedelta(days=2)
# A catch-up reaches this far before the last finished run: an article published just before it
# may have reached no listing in time (a lagging section feed, a late news sitemap).
LATE_LISTING_MARGIN = NEWS_SITEMAP_WINDOW

BackfillReason = Literal["since", "catch_up", "first_run"]


@dataclass(frozen=True)
class BackfillPlan:
    reason: BackfillReason
    horizon: datetime  # UTC; contents entries modified before it are not taken
    months: tuple[Month, ...]  # the contents maps to read, oldest first
    bounded: bool  # the gap reached further back than NEWSCRAWL_BACKFILL_MAX_DAYS and was cut
    since: date | None = None  # the day of an explicit back-fill

    @property
    def label(self) -> str:
        """How the log names it: ``Back-fill (since 2024-01-01)``, ``(first run, since …)``, ``(catch-up since …)``."""
        if self.since is not None:
            return f"Back-fill (since {self.since})"
        start = format_utc(self.horizon)
        return (
            f"Back-fill (first run, since {start})"
            if self.reason == "first_run"
            else f"Back-fill (catch-up since {start})"
        )

    def summary(self, missing_months: list[Month]) -> dict[str, object]:
        """The run manifest's ``backfill``."""
        return {
            "reason": self.reason,
            "horizon": format_utc(self.horizon),
            "months": [str(month) for month in self.months],
            "bounded": self.bounded,
            "missing_months": [str(month) for month in missing_months],
        }


def since_horizon(day: date) -> datetime:
    """The start of a Paris day, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=PARIS).astimezone(UTC)


def months_covering(start: datetime, end: datetime) -> tuple[Month, ...]:
    """Every month from ``start`` to ``end`` whether RFI names its months in UTC or in Paris time.

    Paris is ahead of UTC: the first month is ``start``'s in UTC, the last ``end``'s in Paris.
    """
    if start > end:
        return ()
    first = start.astimezone(UTC)
    last = end.astimezone(PARIS)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(Month(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def month_span(month: Month) -> tuple[datetime, datetime]:
    """The instants both readings of a month (UTC, Paris time) agree belong to it: from its first
    midnight UTC to its last midnight in Paris (excluded)."""
    following = Month(month.year + 1, 1) if month.month == 12 else Month(month.year, month.month + 1)
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(following.year, following.month, 1, tzinfo=PARIS).astimezone(UTC)
    return start, end


def plan_backfill(
    now: datetime, *, since: date | None, last_finished: datetime | None, max_days: int
) -> BackfillPlan | None:
    """The months this run reads, or None when the feeds and the news sitemap cover the gap.

    ``last_finished`` is when the last finished run started; ``max_days`` 0 turns the automatic
    catch-up off (an explicit ``since`` still back-fills).
    """
    if since is not None:
        horizon = since_horizon(since)
        return BackfillPlan("since", horizon, months_covering(horizon, now), bounded=False, since=since)
    if max_days == 0:
        return None
    limit = now - timedelta(days=max_days)
    if last_finished is None:
        return BackfillPlan("first_run", limit, months_covering(limit, now), bounded=True)
    if now - last_finished <= NEWS_SITEMAP_WINDOW:
        return None
    wanted = last_finished - LATE_LISTING_MARGIN
    horizon = max(wanted, limit)
    return BackfillPlan("catch_up", horizon, months_covering(horizon, now), bounded=wanted < limit)


def in_window(lastmod: str | None, horizon: datetime) -> bool:
    """Whether a contents entry may be new since ``horizon``: modified at or after it, or undated.

    A bare day counts from the horizon's UTC day (Paris is ahead, so this includes both readings).
    """
    if lastmod is None:
        return True
    if has_time(lastmod):
        return lastmod >= format_utc(horizon)
    return date.fromisoformat(lastmod) >= horizon.astimezone(UTC).date()


@dataclass
class BackfillProgress:
    """The numbers of a back-fill's progress line (``done`` comes from the run's accounting)."""

    months_total: int
    months_walked: int = 0
    queued: int = 0  # article pages requested

    def line(self, done: int, elapsed: float) -> str:
        rate = done / elapsed * 60 if elapsed > 0 else 0.0
        remaining = max(self.queued - done, 0)
        if not remaining:
            eta = "0s"
        elif rate > 0:
            eta = format_duration(remaining / rate * 60)
        else:
            eta = "unknown"
        return (
            f"months {self.months_walked}/{self.months_total} walked, {self.queued} articles queued, "
            f"{done} done ({rate:.1f}/min), ETA {eta}"
        )


def format_duration(seconds: float) -> str:
    """``42s``, ``6m40s``, ``2h05m``."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
