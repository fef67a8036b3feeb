"""The run's clock: the real UTC time, or the instant NEWSCRAWL_NOW freezes it at.

A frozen clock lets tests and the simulated site run many "days" in minutes: ``fetched_at``, the
run id and its date folder, the manifest's times and the catch-up horizon all read this clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from newscrawl.config import optional, read, utc_time
from newscrawl.extract.dates import format_utc

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

NOW_SETTING = "NEWSCRAWL_NOW"


class RunClock:
    def __init__(self, frozen: datetime | None = None) -> None:
        self.frozen = frozen

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RunClock:
        """Raises ``newscrawl.config.SettingError`` for a value that is not an RFC 3339 time."""
        return cls(read(settings, NOW_SETTING, optional(utc_time)))

    def now(self) -> datetime:
        return self.frozen if self.frozen is not None else datetime.now(UTC)

    def stamp(self) -> str:
        """Now in the record format, ``YYYY-MM-DDTHH:MM:SSZ``."""
        return format_utc(self.now())
