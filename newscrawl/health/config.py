"""The health, alert and report settings, read and checked once.

Every value is checked before the crawl starts: a bad one raises :class:`BadSetting`, whose
message names the setting (the ``crawl`` command prints it as one line and exits 2).
"""

from __future__ import annotations

import json
import os
import re
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# Record fields whose presence the coverage monitor and the report follow (the others are
# always set: id, url, edition, language, spider, fetched_at, ...).
COVERAGE_FIELDS = (
    "title",
    "lead",
    "body",
    "authors",
    "tags",
    "section",
    "published",
    "modified",
    "images",
    "media",
    "alternates",
)
TLS_MODES = ("starttls", "ssl", "off")
_DEFAULT_SMTP_PORTS = {"starttls": 587, "ssl": 465, "off": 25}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class BadSetting(ValueError):
    """A setting with a value we cannot use; the message starts with the setting's name."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name


def parse_duration(value: object) -> float:
    """Seconds from a number or ``<n>s|m|h|d`` (``90``, ``10m``, ``6h``, ``7d``)."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"not a duration: {value!r} (use seconds or <n>s|m|h|d, e.g. 90, 10m, 6h, 7d)")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {value!r}")
    return seconds


def setting_or_environment(settings: BaseSettings, name: str) -> str:
    """A ``-s`` setting beats the environment variable of the same name, which beats settings.py."""
    configured = settings.get(name)
    text = "" if configured is None else str(configured)
    if (settings.getpriority(name) or 0) > SETTINGS_PRIORITIES["project"]:
        return text
    return os.environ.get(name) or text


class _Reader:
    """Typed reads of settings that raise BadSetting instead of Scrapy's bare ValueError."""

    def __init__(self, settings: BaseSettings) -> None:
        self.settings = settings

    def integer(self, name: str, minimum: int = 0) -> int:
        try:
            value = self.settings.getint(name)
        except (TypeError, ValueError):
            raise BadSetting(name, f"not a whole number: {self.settings.get(name)!r}") from None
        if value < minimum:
            raise BadSetting(name, f"must be at least {minimum}, got {value}")
        return value

    def share(self, name: str) -> float:
        return _share(name, self.settings.get(name))

    def boolean(self, name: str) -> bool:
        try:
            return self.settings.getbool(name)
        except ValueError:
            raise BadSetting(name, f"not a boolean: {self.settings.get(name)!r} (use True/False, 1/0)") from None


def _share(name: str, value: object) -> float:
    try:
        share = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadSetting(name, f"not a number: {value!r}") from None
    if not 0.0 <= share <= 1.0:
        raise BadSetting(name, f"must be a share between 0 and 1, got {value!r}")
    return share


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
        read = _Reader(settings)
        return cls(
            history=read.integer("NEWSCRAWL_HEALTH_HISTORY", 1),
            min_history=read.integer("NEWSCRAWL_HEALTH_MIN_HISTORY", 1),
            min_records=read.integer("NEWSCRAWL_HEALTH_MIN_RECORDS", 1),
            new_min_share=read.share("NEWSCRAWL_HEALTH_NEW_MIN_SHARE"),
            new_chance=read.share("NEWSCRAWL_HEALTH_NEW_CHANCE"),
            new_floor=read.integer("NEWSCRAWL_HEALTH_NEW_FLOOR"),
            coverage_min=_coverage_floors(settings),
            coverage_drop=read.share("NEWSCRAWL_HEALTH_COVERAGE_DROP"),
            fallback_max=read.share("NEWSCRAWL_HEALTH_FALLBACK_MAX"),
            fallback_rise=read.share("NEWSCRAWL_HEALTH_FALLBACK_RISE"),
            max_lost=read.share("NEWSCRAWL_HEALTH_MAX_LOST"),
            max_rejected=read.share("NEWSCRAWL_HEALTH_MAX_REJECTED"),
            max_browser=read.share("NEWSCRAWL_HEALTH_MAX_BROWSER"),
            max_refused=read.share("NEWSCRAWL_HEALTH_MAX_REFUSED"),
            rate_rise=read.share("NEWSCRAWL_HEALTH_RATE_RISE"),
            max_log_errors=read.integer("NEWSCRAWL_HEALTH_MAX_LOG_ERRORS"),
        )


def _coverage_floors(settings: BaseSettings) -> dict[str, float]:
    name = "NEWSCRAWL_HEALTH_COVERAGE_MIN"
    value: Any = settings.get(name)
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            raise BadSetting(name, f'not a JSON object: {value!r} (e.g. {{"body": 0.9}})') from None
    if not isinstance(value, dict):
        raise BadSetting(name, f'not a dict of field: share: {value!r} (e.g. {{"body": 0.9}})')
    unknown = sorted(set(value) - set(COVERAGE_FIELDS))
    if unknown:
        raise BadSetting(name, f"unknown fields {unknown} (known: {', '.join(COVERAGE_FIELDS)})")
    return {field: _share(name, value[field]) for field in COVERAGE_FIELDS if field in value}


@dataclass(frozen=True)
class AlertConfig:
    """Where alerts go, and how often a lasting problem is repeated."""

    email_to: tuple[str, ...]
    email_from: str
    smtp_host: str
    smtp_port: int
    smtp_tls: str
    smtp_user: str
    smtp_password: str
    webhook: str
    repeat_seconds: float
    timeout_seconds: float = 15.0

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> AlertConfig:
        email_to = tuple(address.strip() for address in settings.getlist("NEWSCRAWL_ALERT_EMAIL_TO") if address.strip())
        for address in email_to:
            if "@" not in address:
                raise BadSetting("NEWSCRAWL_ALERT_EMAIL_TO", f"not an e-mail address: {address!r}")
        email_from = str(settings.get("NEWSCRAWL_ALERT_EMAIL_FROM") or "") or f"newscrawl@{socket.getfqdn()}"
        if "@" not in email_from:
            raise BadSetting("NEWSCRAWL_ALERT_EMAIL_FROM", f"not an e-mail address: {email_from!r}")
        tls = (setting_or_environment(settings, "NEWSCRAWL_ALERT_SMTP_TLS") or "starttls").lower()
        if tls not in TLS_MODES:
            raise BadSetting("NEWSCRAWL_ALERT_SMTP_TLS", f"must be one of {', '.join(TLS_MODES)}, got {tls!r}")
        port_text = setting_or_environment(settings, "NEWSCRAWL_ALERT_SMTP_PORT") or "0"
        try:
            port = int(port_text)
        except ValueError:
            raise BadSetting("NEWSCRAWL_ALERT_SMTP_PORT", f"not a port number: {port_text!r}") from None
        if not 0 <= port <= 65535:
            raise BadSetting("NEWSCRAWL_ALERT_SMTP_PORT", f"not a port number: {port}")
        webhook = str(settings.get("NEWSCRAWL_ALERT_WEBHOOK") or "").strip()
        if webhook and (urlsplit(webhook).scheme not in ("http", "https") or not urlsplit(webhook).hostname):
            raise BadSetting("NEWSCRAWL_ALERT_WEBHOOK", "not an http(s) URL")  # the URL itself may be a secret
        try:
            repeat = parse_duration(settings.get("NEWSCRAWL_ALERT_REPEAT"))
        except ValueError as exc:
            raise BadSetting("NEWSCRAWL_ALERT_REPEAT", str(exc)) from None
        return cls(
            email_to=email_to,
            email_from=email_from,
            smtp_host=setting_or_environment(settings, "NEWSCRAWL_ALERT_SMTP_HOST") or "localhost",
            smtp_port=port or _DEFAULT_SMTP_PORTS[tls],
            smtp_tls=tls,
            smtp_user=setting_or_environment(settings, "NEWSCRAWL_ALERT_SMTP_USER"),
            smtp_password=setting_or_environment(settings, "NEWSCRAWL_ALERT_SMTP_PASSWORD"),
            webhook=webhook,
            repeat_seconds=repeat,
        )


@dataclass(frozen=True)
class HealthConfig:
    thresholds: Thresholds
    alerts: AlertConfig
    report_days: int
    fail_on_unhealthy: bool

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> HealthConfig:
        read = _Reader(settings)
        return cls(
            thresholds=Thresholds.from_settings(settings),
            alerts=AlertConfig.from_settings(settings),
            report_days=read.integer("NEWSCRAWL_REPORT_DAYS", 1),
            fail_on_unhealthy=read.boolean("NEWSCRAWL_FAIL_ON_UNHEALTHY"),
        )
