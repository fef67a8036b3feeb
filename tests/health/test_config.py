"""Health settings: read with newscrawl.config's parsers and checked before the crawl like every setting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl import settings as shipped
from newscrawl.commands.crawl import CRAWL_SETTINGS, check_crawl
from newscrawl.config import SettingError
from newscrawl.health.config import HEALTH_SETTINGS, HealthConfig
from tests.commands.test_crawl import refused
from tests.conftest import REPO, crawl_env


def project_settings(**overrides: str) -> Settings:
    settings = Settings()
    settings.setmodule(shipped)
    settings.setdict(overrides, priority="cmdline")
    return settings


def test_the_shipped_settings_are_valid_and_every_one_is_checked_before_the_crawl() -> None:
    config = HealthConfig.from_settings(project_settings())
    assert config.thresholds.history == 20
    assert config.thresholds.coverage_min == {"title": 0.95, "body": 0.9, "published": 0.8}
    assert config.alerts.repeat_seconds == 6 * 3600
    assert (config.alerts.smtp_host, config.alerts.smtp_tls, config.alerts.smtp_port) == ("localhost", "starttls", 587)
    assert config.alerts.webhook is None
    assert (config.report_after_run, config.fail_on_unhealthy) == (True, False)
    prefixes = ("NEWSCRAWL_HEALTH_", "NEWSCRAWL_ALERT_", "NEWSCRAWL_REPORT_")
    health = {name for name in vars(shipped) if name.startswith(prefixes)}
    assert health | {"NEWSCRAWL_FAIL_ON_UNHEALTHY"} == set(HEALTH_SETTINGS)
    assert set(HEALTH_SETTINGS) <= set(CRAWL_SETTINGS)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("NEWSCRAWL_ALERT_REPEAT=often", "NEWSCRAWL_ALERT_REPEAT: 'often' is not a duration"),
        ("NEWSCRAWL_HEALTH_HISTORY=0", "NEWSCRAWL_HEALTH_HISTORY: '0' is not a whole number of 1 or more"),
        ("NEWSCRAWL_HEALTH_MAX_LOST=25%", "NEWSCRAWL_HEALTH_MAX_LOST: '25%' is not a share from 0 to 1"),
        ("NEWSCRAWL_HEALTH_NEW_MIN_SHARE=1.5", "NEWSCRAWL_HEALTH_NEW_MIN_SHARE: '1.5' is not a share from 0 to 1"),
        ('NEWSCRAWL_HEALTH_COVERAGE_MIN={"boddy": 0.9}', "NEWSCRAWL_HEALTH_COVERAGE_MIN: unknown names boddy (known:"),
        ("NEWSCRAWL_ALERT_EMAIL_TO=ops", "NEWSCRAWL_ALERT_EMAIL_TO: 'ops' is not an e-mail address"),
        ("NEWSCRAWL_ALERT_SMTP_TLS=yes", "NEWSCRAWL_ALERT_SMTP_TLS: 'yes' is not one of starttls, ssl, off"),
        ("NEWSCRAWL_ALERT_SMTP_PORT=smtp", "NEWSCRAWL_ALERT_SMTP_PORT: 'smtp' is not a whole number of 0 or more"),
        ("NEWSCRAWL_FAIL_ON_UNHEALTHY=sometimes", "NEWSCRAWL_FAIL_ON_UNHEALTHY: 'sometimes' is not True or False"),
        ("NEWSCRAWL_REPORT_DAYS=-1", "NEWSCRAWL_REPORT_DAYS: '-1' is not a whole number of 1 or more"),
        ("NEWSCRAWL_REPORT_AFTER_RUN=never", "NEWSCRAWL_REPORT_AFTER_RUN: 'never' is not True or False"),
    ],
)
def test_a_bad_value_stops_the_crawl_check_naming_it(setting: str, message: str) -> None:
    name, _, value = setting.partition("=")
    with pytest.raises(SettingError) as error:
        check_crawl(project_settings(**{name: value}), {})
    assert str(error.value).startswith(message)
    assert error.value.name == name


def test_a_bad_smtp_setting_from_the_environment_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_ALERT_SMTP_PORT", "submission")
    with pytest.raises(SettingError, match=r"^NEWSCRAWL_ALERT_SMTP_PORT: 'submission' is not"):
        check_crawl(project_settings(), {})


def test_crawl_with_a_bad_health_setting_exits_2_with_one_line_before_anything_starts(tmp_path: Path) -> None:
    message = refused(tmp_path / "data", "-s", "NEWSCRAWL_ALERT_REPEAT=every hour")
    assert message == (
        "NEWSCRAWL_ALERT_REPEAT: 'every hour' is not a duration (seconds, or a number followed by s, m, h or d)"
    )


def test_a_secret_in_a_bad_webhook_value_is_not_printed(tmp_path: Path) -> None:
    message = refused(tmp_path / "data", "-s", "NEWSCRAWL_ALERT_WEBHOOK=hooks.example/services/T000/B000/XXXXsecret")
    assert message == "NEWSCRAWL_ALERT_WEBHOOK: the value (not shown: it is a secret) is not an http(s) URL"


def test_report_command_rejects_bad_days(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "--days", "0", "-s", f"NEWSCRAWL_DATA_DIR={tmp_path}"],
        cwd=REPO,
        env=crawl_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr.strip()) == (2, "Error: --days: '0' is not a whole number of 1 or more")
