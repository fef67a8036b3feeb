"""Named scenarios: a newsroom, a site, a server, and when the crawler is down, over a period.

``steady``: the ordinary week-day rhythm (quiet nights, ≈ 38 articles a day). ``burst``: one
hour with 90 extra articles (more than any feed holds). ``outage``: the site down for a day
(every request 503). ``crawler-down``: the crawler down for a week. ``month``: all of them in
one simulated month, plus lagging section feeds and 2 % transient failures. Days are Paris days
from :data:`START`; a period too short for a scenario's day puts its event in the middle third.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bench.simsite.newsroom import DEFAULT_HOURLY_RATE, PARIS, Burst, NewsroomConfig
from bench.simsite.server import Failures, ServerConfig, Window
from bench.simsite.site import SiteConfig

START = datetime(2024, 4, 1, tzinfo=PARIS).astimezone(UTC)  # a Monday, after the spring clock change
NAMES = ("steady", "burst", "outage", "crawler-down", "month")
DEFAULT_DAYS = {"steady": 2.0, "burst": 1.0, "outage": 3.0, "crawler-down": 10.0, "month": 30.0}


@dataclass(frozen=True)
class Scenario:
    name: str
    newsroom: NewsroomConfig
    site: SiteConfig = field(default_factory=SiteConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    crawler_down: tuple[Window, ...] = ()
    interval: timedelta = timedelta(minutes=15)

    @property
    def start(self) -> datetime:
        return self.newsroom.start

    @property
    def end(self) -> datetime:
        return self.newsroom.end

    @property
    def outages(self) -> tuple[Window, ...]:
        """When the site or the crawler was down, in time order."""
        return tuple(sorted((*self.server.down, *self.crawler_down), key=lambda w: w.start))


def _at(start: datetime, day: float, hour: float = 0.0) -> datetime:
    """``hour`` (Paris) of day ``day`` after ``start`` (a Paris midnight)."""
    local = start.astimezone(PARIS) + timedelta(days=day)
    return (local.replace(hour=0) + timedelta(hours=hour)).astimezone(UTC)


def _window(start: datetime, days: float, first_day: float, length_days: float) -> Window:
    """Days ``first_day`` … ``first_day + length_days`` when the period has them, else its middle third."""
    if first_day + length_days < days:
        return Window(_at(start, first_day), _at(start, first_day + length_days))
    period = timedelta(days=days)
    return Window(start + period / 3, start + 2 * period / 3)


def build(name: str, days: float | None = None, seed: int = 1, start: datetime = START, rate: float = 1.0) -> Scenario:
    """Scenario ``name``; ``rate`` scales the newsroom's hourly publication rate (bursts apart)."""
    if name not in NAMES:
        raise ValueError(f"unknown scenario {name!r} (known: {', '.join(NAMES)})")
    if not rate > 0:
        raise ValueError(f"the publication rate factor must be positive, not {rate!r}")
    days = DEFAULT_DAYS[name] if days is None else days
    period = timedelta(days=days)
    hourly_rate = tuple(hourly * rate for hourly in DEFAULT_HOURLY_RATE)
    newsroom = NewsroomConfig(start=start, end=start + period, seed=seed, hourly_rate=hourly_rate)
    if name == "steady":
        return Scenario(name, newsroom)
    if name == "burst":
        at = _at(start, 0, 14) if days >= 1 else start + period / 4
        return Scenario(name, replace(newsroom, bursts=(Burst(at, 90),)))
    if name == "outage":
        return Scenario(name, newsroom, server=ServerConfig(down=(_window(start, days, 1, 1),)))
    if name == "crawler-down":
        return Scenario(name, newsroom, crawler_down=(_window(start, days, 1, 7),))
    bursts = tuple(
        Burst(_at(start, day, hour), count, section=section)
        for day, hour, count, section in ((3, 14, 90, "国际"), (11, 9.5, 120, "中国"), (24, 21, 80, "港澳台"))
        if day < days
    )
    site_down = [_window(start, days, 6, 1)]
    if days > 10:  # two hours of connection resets on day 9
        site_down.append(Window(_at(start, 9, 10), _at(start, 9, 12), mode="reset"))
    return Scenario(
        name,
        replace(newsroom, bursts=bursts),
        site=SiteConfig(feed_lag={"港澳台": timedelta(minutes=45), "中国": timedelta(minutes=20)}),
        server=ServerConfig(down=tuple(site_down), failures=Failures(share=0.02, seed=seed)),
        crawler_down=(_window(start, days, 15, 7),),
    )
