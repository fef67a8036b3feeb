"""The health, alert and report settings, parsed with newscrawl.config's parsers.

`HEALTH_SETTINGS` names every setting with its parser: the ``crawl`` command checks them all
before the crawl starts (``CRAWL_SETTINGS``: a bad value is one line naming it, exit 2), and the
configuration objects below are built from the same table, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newscrawl.config import (
    duration,
    email_address,
    email_addresses,
    flag,
    http_url,
    non_negative_int,
    one_of,
    optional,
    port,
    positive_int,
    read,
    secret,
    share,
    shares_by_name,
    text,
)
from newscrawl.run.counters import COVERAGE_FIELDS

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.settings import BaseSettings

    Parser = Callable[[str, object], Any]

TLS_MODES = ("starttls", "ssl", "off")
_DEFAULT_SMTP_PORTS = {"starttls": 587, "ssl": 465, "off": 25}

# Field of Thresholds → (setting, parser); settings.py explains each setting.
_THRESHOLDS: dict[str, tuple[str, Parser]] = {
    "history": ("NEWSCRAWL_HEALTH_HISTORY", positive_int),
    "min_history": ("NEWSCRAWL_HEALTH_MIN_HISTORY", positive_int),
    "min_records": ("NEWSCRAWL_HEALTH_MIN_RECORDS", positive_int),
    "new_min_share": ("NEWSCRAWL_HEALTH_NEW_MIN_SHARE", share),
    "new_chance": ("NEWSCRAWL_HEALTH_NEW_CHANCE", share),
    "new_floor": ("NEWSCRAWL_HEALTH_NEW_FLOOR", non_negative_int),
    "coverage_min": ("NEWSCRAWL_HEALTH_COVERAGE_MIN", shares_by_name(COVERAGE_FIELDS)),
    "coverage_drop": ("NEWSCRAWL_HEALTH_COVERAGE_DROP", share),
    "fallback_max": ("NEWSCRAWL_HEALTH_FALLBACK_MAX", share),
    "fallback_rise": ("NEWSCRAWL_HEALTH_FALLBACK_RISE", share),
    "max_lost": ("NEWSCRAWL_HEALTH_MAX_LOST", share),
    "max_rejected": ("NEWSCRAWL_HEALTH_MAX_REJECTED", share),
    "max_browser": ("NEWSCRAWL_HEALTH_MAX_BROWSER", share),
    "max_refused": ("NEWSCRAWL_HEALTH_MAX_REFUSED", share),
    "rate_rise": ("NEWSCRAWL_HEALTH_RATE_RISE", share),
    "max_log_errors": ("NEWSCRAWL_HEALTH_MAX_LOG_ERRORS", non_negative_int),
}
# Field of AlertConfig → (setting, parser); the SMTP ones may come from the environment
# (newscrawl.config.ENVIRONMENT_SETTINGS).
_ALERTS: dict[str, tuple[str, Parser]] = {
    "email_to": ("NEWSCRAWL_ALERT_EMAIL_TO", email_addresses),
    "email_from": ("NEWSCRAWL_ALERT_EMAIL_FROM", optional(email_address)),
    "smtp_host": ("NEWSCRAWL_ALERT_SMTP_HOST", text),
    "smtp_port": ("NEWSCRAWL_ALERT_SMTP_PORT", port),
    "smtp_tls": ("NEWSCRAWL_ALERT_SMTP_TLS", one_of(*TLS_MODES)),
    "smtp_user": ("NEWSCRAWL_ALERT_SMTP_USER", text),
    "smtp_password": ("NEWSCRAWL_ALERT_SMTP_PASSWORD", text),
    "webhook": ("NEWSCRAWL_ALERT_WEBHOOK", optional(secret(http_url, "an http(s) URL"))),
    "repeat_seconds": ("NEWSCRAWL_ALERT_REPEAT", duration),
}
_OTHERS: dict[str, tuple[str, Parser]] = {
    "report_days": ("NEWSCRAWL_REPORT_DAYS", positive_int),
    "report_after_run": ("NEWSCRAWL_REPORT_AFTER_RUN", flag),
    "fail_on_unhealthy": ("NEWSCRAWL_FAIL_ON_UNHEALTHY", flag),
}
HEALTH_SETTINGS: dict[str, Parser] = {
    name: parser for table in (_THRESHOLDS, _ALERTS, _OTHERS) for name, parser in table.values()
}


def _read_all(settings: BaseSettings, table: dict[str, tuple[str, Parser]]) -> dict[str, Any]:
    return {attribute: read(settings, name, parser) for attribute, (name, parser) in table.items()}


@dataclass(frozen=True)
class Thresholds:
    """What the monitors accept (settings.py explains each one)."""

    history: int
    min_history: int
    min_records: int
    new_min_share: float
    new_chance: float
    new_floor: int
    coverage_min: dict[str, float]
    coverage_drop: float
    fallback_max: float
    fallback_rise: float
    max_lost: float
    max_rejected: float
    max_browser: float
    max_refused: float
    rate_rise: float
    max_log_errors: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Thresholds:
        return cls(**_read_all(settings, _THRESHOLDS))


@dataclass(frozen=True)
class AlertConfig:
    """Where alerts go, and how often a lasting problem is repeated."""

    email_to: list[str]
    email_from: str | None  # None: newscrawl@<this host's name>, looked up only to send a mail
    smtp_host: str
    smtp_port: int
    smtp_tls: str
    smtp_user: str
    smtp_password: str
    webhook: str | None
    repeat_seconds: float
    timeout_seconds: float = 15.0

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> AlertConfig:
        values = _read_all(settings, _ALERTS)
        values["smtp_host"] = values["smtp_host"] or "localhost"
        values["smtp_port"] = values["smtp_port"] or _DEFAULT_SMTP_PORTS[values["smtp_tls"]]
        return cls(**values)


@dataclass(frozen=True)
class HealthConfig:
    thresholds: Thresholds
    alerts: AlertConfig
    report_days: int
    report_after_run: bool
    fail_on_unhealthy: bool

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> HealthConfig:
        return cls(
            thresholds=Thresholds.from_settings(settings),
            alerts=AlertConfig.from_settings(settings),
            **_read_all(settings, _OTHERS),
        )
