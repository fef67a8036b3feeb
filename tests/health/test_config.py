"""Health settings: durations, and a bad value stops `scrapy crawl` at once with one line naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl.health.config import BadSetting, HealthConfig, parse_duration
from newscrawl.settings import __name__ as SETTINGS_MODULE
from tests.conftest import REPO, crawl_env, run_crawl


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(90, 90), ("90", 90), ("10m", 600), ("6h", 21600), ("7d", 604800), ("1.5h", 5400), (" 30s ", 30), (0, 0)],
)
def test_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "6 hours", "h", "-5", "5w", True, None, "1e3"])
def test_not_durations(value: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)


def test_the_shipped_settings_are_valid() -> None:
    settings = Settings()
    settings.setmodule(SETTINGS_MODULE)
    config = HealthConfig.from_settings(settings)
    assert config.thresholds.history == 20
    assert config.alerts.repeat_seconds == 6 * 3600
    assert config.fail_on_unhealthy is False


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("NEWSCRAWL_ALERT_REPEAT=often", "NEWSCRAWL_ALERT_REPEAT: not a duration: 'often'"),
        ("NEWSCRAWL_HEALTH_HISTORY=0", "NEWSCRAWL_HEALTH_HISTORY: must be at least 1, got 0"),
        ("NEWSCRAWL_HEALTH_HISTORY=many", "NEWSCRAWL_HEALTH_HISTORY: not a whole number: 'many'"),
        ("NEWSCRAWL_HEALTH_MAX_LOST=25%", "NEWSCRAWL_HEALTH_MAX_LOST: not a number: '25%'"),
        ("NEWSCRAWL_HEALTH_NEW_MIN_SHARE=1.5", "NEWSCRAWL_HEALTH_NEW_MIN_SHARE: must be a share between 0 and 1"),
        ('NEWSCRAWL_HEALTH_COVERAGE_MIN={"boddy": 0.9}', "NEWSCRAWL_HEALTH_COVERAGE_MIN: unknown fields ['boddy']"),
        ("NEWSCRAWL_HEALTH_COVERAGE_MIN=body", "NEWSCRAWL_HEALTH_COVERAGE_MIN: not a JSON object: 'body'"),
        ("NEWSCRAWL_ALERT_EMAIL_TO=ops", "NEWSCRAWL_ALERT_EMAIL_TO: not an e-mail address: 'ops'"),
        ("NEWSCRAWL_ALERT_SMTP_TLS=yes", "NEWSCRAWL_ALERT_SMTP_TLS: must be one of starttls, ssl, off, got 'yes'"),
        ("NEWSCRAWL_ALERT_SMTP_PORT=smtp", "NEWSCRAWL_ALERT_SMTP_PORT: not a port number: 'smtp'"),
        (
            "NEWSCRAWL_ALERT_WEBHOOK=hooks.slack.com/services/T0/B0/secret",
            "NEWSCRAWL_ALERT_WEBHOOK: not an http(s) URL",
        ),
        ("NEWSCRAWL_FAIL_ON_UNHEALTHY=sometimes", "NEWSCRAWL_FAIL_ON_UNHEALTHY: not a boolean: 'sometimes'"),
        ("NEWSCRAWL_REPORT_DAYS=-1", "NEWSCRAWL_REPORT_DAYS: must be at least 1, got -1"),
    ],
)
def test_a_bad_value_is_named(setting: str, message: str) -> None:
    settings = Settings()
    settings.setmodule(SETTINGS_MODULE)
    name, _, value = setting.partition("=")
    settings.set(name, value, priority="cmdline")
    with pytest.raises(BadSetting) as error:
        HealthConfig.from_settings(settings)
    assert str(error.value).startswith(message)
    assert error.value.name == name


def test_crawl_with_a_bad_setting_exits_2_with_one_line_before_anything_starts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run_crawl(data, "-s", "NEWSCRAWL_ALERT_REPEAT=every hour", replay=REPO / "fixtures" / "replay")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Error: NEWSCRAWL_ALERT_REPEAT: not a duration: 'every hour' (use seconds or <n>s|m|h|d, e.g. 90, 10m, 6h, 7d)"
    ]
    assert not data.exists(), "no run started: no data dir, no manifest, no request"


def test_a_secret_in_a_bad_webhook_value_is_not_printed(tmp_path: Path) -> None:
    secret = "hooks.example/services/T000/B000/XXXXsecret"
    result = run_crawl(tmp_path / "data", "-s", f"NEWSCRAWL_ALERT_WEBHOOK={secret}")
    assert result.returncode == 2
    assert "XXXXsecret" not in result.stderr + result.stdout


def test_report_command_rejects_bad_days(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "--days", "0", "-s", f"NEWSCRAWL_DATA_DIR={tmp_path}"],
        cwd=REPO,
        env=crawl_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr.strip()) == (2, "Error: --days must be at least 1, got 0")
