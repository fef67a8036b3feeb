"""When an article already in the dataset is fetched again (pure): age schedule, listing signals, the cap.

- **Age schedule**: at each age of ``NEWSCRAWL_REVISIT_AGES`` after publication (after first seen
  when the page gives no date) an article is due, unless it was checked since; slots missed while
  the crawler was down are covered by one revisit; after the last age only signals bring it back.
- **Signals**: a listing (a sitemap's ``<lastmod>``, a feed entry's updated date) says the article
  changed after the run that last checked it: due at that time, and remembered until a revisit
  answers (a deferred signal is not lost when the listing drops the article). A date in the future
  (beyond a little clock skew) or that cannot be read is ignored and counted. A complete listing
  (a news sitemap, a monthly contents map: every live article of its span) that listed the
  article and lists it no more is a signal too, once per disappearance: that is how a removal shows.
- **Removal confirmation**: a page found gone is due again ``NEWSCRAWL_REMOVAL_CONFIRM_AFTER``
  after the run that first found it gone.
- **Failures** (5xx, timeouts, refusals) keep the article due; it is tried again after a back-off
  that doubles with each failure in a row (from :data:`RETRY_BACKOFF_BASE`, at most a day). A new
  signal earns one try at once, whatever the back-off (after an outage, an edit made during it is
  captured by the first run whose listings show it, not hours later); if that try fails too, the
  back-off goes on from where it was.
- **The cap**: oldest due first, at most ``NEWSCRAWL_REVISIT_MAX_PER_RUN``; the rest stay due for
  the next run (nothing is dropped: their state does not change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from newscrawl.config import duration, non_negative_int, read, value_list
from newscrawl.extract.dates import format_utc, parse_utc

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy.settings import BaseSettings

    from newscrawl.store.versions import ArticleState

# A listing date later than the run's clock by more than this is taken as wrong, not as news.
SIGNAL_CLOCK_SKEW = timedelta(minutes=10)
RETRY_BACKOFF_BASE = timedelta(minutes=15)
RETRY_BACKOFF_MAX = timedelta(days=1)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class RevisitPolicy:
    ages: tuple[timedelta, ...]  # after publication, ascending
    max_per_run: int
    confirm_after: timedelta  # between the two runs that must find a page gone

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RevisitPolicy:
        return cls(
            ages=read(settings, "NEWSCRAWL_REVISIT_AGES", revisit_ages),
            max_per_run=read(settings, "NEWSCRAWL_REVISIT_MAX_PER_RUN", non_negative_int),
            confirm_after=timedelta(seconds=read(settings, "NEWSCRAWL_REMOVAL_CONFIRM_AFTER", duration)),
        )

    @property
    def last_age(self) -> timedelta:
        return self.ages[-1] if self.ages else timedelta(0)


def instant(value: str) -> datetime:
    """A time the version store holds (record format); anything else there is a bug: ValueError."""
    when = parse_utc(value)
    if when is None:
        raise ValueError(f"{value!r} is not a UTC time in the record format")
    return when


def revisit_ages(name: str, value: object) -> tuple[timedelta, ...]:
    """A list of durations (``1h,6h,24h,7d``), sorted; empty: no age schedule (signals only)."""
    seconds = sorted({duration(name, item) for item in value_list(name, value)})
    return tuple(timedelta(seconds=s) for s in seconds)


@dataclass(frozen=True, order=True)
class Due:
    at: datetime  # since when the revisit is due (oldest first)
    url: str
    reason: str  # "age" | "signal" | "confirm_removal"


def schedule_due(state: ArticleState, policy: RevisitPolicy, now: datetime) -> Due | None:
    """Whether an article is due now: a listing's signal not yet answered, an age (live articles), a
    removal to confirm; the earliest reason, unless the back-off of a failed revisit still runs.

    A signal is due at once; its time (which clock skew may put a little after ``now``) orders it.
    """
    checked = instant(state.checked_at)
    dues = []
    if state.signal_at is not None and instant(state.signal_at) > checked:
        dues.append(Due(instant(state.signal_at), state.url, "signal"))
    if state.status == "live" and state.gone_since is not None:
        dues.append(Due(instant(state.gone_since) + policy.confirm_after, state.url, "confirm_removal"))
    elif state.status == "live":
        anchor = instant(state.published or state.first_seen or state.checked_at)
        passed = [anchor + age for age in policy.ages if anchor + age <= now]
        if passed and checked < passed[-1]:
            dues.append(Due(passed[-1], state.url, "age"))
    ready = [due for due in dues if due.at <= now or due.reason == "signal"]
    if not ready or backing_off(state, now):
        return None
    return min(ready)


def with_signal(state: ArticleState, changed: datetime) -> ArticleState | None:
    """A listing says the article changed at ``changed``: the state that remembers it, when that is
    after the last check and after any signal already held; else None. A new signal lifts a
    back-off for one try (the failures in a row are kept: another failure backs off longer)."""
    held = instant(state.checked_at)
    if state.signal_at is not None:
        held = max(held, instant(state.signal_at))
    if changed <= held:
        return None
    return replace(state, signal_at=format_utc(changed), failed_at=None)


def listed_again(state: ArticleState, now: datetime) -> ArticleState | None:
    """A complete listing lists the article: the state that remembers it, unless it already does
    (one write per appearance, so that a later disappearance can be told)."""
    if state.listed_at is not None:
        return None
    return replace(state, listed_at=format_utc(now))


def unlisted(state: ArticleState, now: datetime) -> ArticleState | None:
    """A complete listing whose span covers the article's publication no longer lists it, though one
    did: a signal, and the listing is forgotten (one signal per disappearance)."""
    if state.listed_at is None:
        return None
    return replace(with_signal(state, now) or state, listed_at=None)


def backing_off(state: ArticleState, now: datetime) -> bool:
    """The last revisit failed, and its back-off has not run out."""
    if not state.failures or state.failed_at is None:
        return False
    delay = min(RETRY_BACKOFF_BASE * (1 << min(state.failures - 1, 16)), RETRY_BACKOFF_MAX)
    return now < instant(state.failed_at) + delay


def signal_time(value: str | None, now: datetime) -> tuple[datetime | None, str | None]:
    """A listing's "changed" date as a signal: ``(time, None)``, ``(None, None)`` when there is none,
    or ``(None, why it is ignored)``: ``"malformed"`` or ``"future"``. A bare day means its midnight UTC."""
    if value is None or not value.strip():
        return None, None
    text = value.strip()
    try:
        when = parse_utc(text) if not _DAY.fullmatch(text) else datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        when = None
    if when is None:
        return None, "malformed"
    if when > now + SIGNAL_CLOCK_SKEW:
        return None, "future"
    return when, None


def plan(dues: Iterable[Due], max_per_run: int) -> tuple[list[Due], list[Due]]:
    """One revisit per article (its earliest due reason), oldest due first: (requested, deferred)."""
    earliest: dict[str, Due] = {}
    for due in dues:
        known = earliest.get(due.url)
        if known is None or due < known:
            earliest[due.url] = due
    ordered = sorted(earliest.values())
    return ordered[:max_per_run], ordered[max_per_run:]
