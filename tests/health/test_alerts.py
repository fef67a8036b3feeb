"""Alerts: when a message is owed (no storms), and real delivery to an SMTP server and a webhook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from newscrawl.health.alerts import (
    CHANGED,
    RECOVERED,
    STILL_UNHEALTHY,
    UNHEALTHY,
    Alerter,
    AlertState,
    decide,
    next_state,
)
from newscrawl.health.config import AlertConfig
from newscrawl.settings import __name__ as SETTINGS_MODULE
from tests.archive import ArchiveBuilder, article_url
from tests.conftest import FEED, manifests, run_crawl
from tests.health.receivers import free_port, smtp_server, webhook_server

T0 = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)
REPEAT = timedelta(hours=6)
HEALTHY: dict[str, Any] = {"ok": True, "failed": []}


def unhealthy(*monitors: str) -> dict[str, Any]:
    return {"ok": False, "failed": [{"monitor": m, "detail": f"{m} is off"} for m in monitors]}


def stamp(at: datetime) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%SZ}"


def walk(steps: list[tuple[dict[str, Any], datetime]], delivered: bool = True) -> list[str | None]:
    """The message each run owes, when every owed message is (or is not) delivered."""
    state: AlertState | None = None
    events = []
    for health, at in steps:
        event = decide(state, health, at, REPEAT)
        events.append(event)
        state = next_state(state, health, event, delivered and event is not None, stamp(at))
    return events


def test_one_message_per_change_one_reminder_per_repeat_one_recovery() -> None:
    steps = [
        (HEALTHY, T0),
        (unhealthy("field_sources"), T0 + timedelta(minutes=15)),
        (unhealthy("field_sources"), T0 + timedelta(minutes=30)),
        (unhealthy("field_sources"), T0 + timedelta(hours=6)),  # 5h45 after the alert: not yet
        (unhealthy("field_sources"), T0 + timedelta(hours=6, minutes=15)),  # 6h after: a reminder
        (unhealthy("field_sources", "listings"), T0 + timedelta(hours=6, minutes=30)),
        (unhealthy("field_sources", "listings"), T0 + timedelta(hours=6, minutes=45)),
        (HEALTHY, T0 + timedelta(hours=7)),
        (HEALTHY, T0 + timedelta(hours=7, minutes=15)),
    ]
    assert walk(steps) == [None, UNHEALTHY, None, None, STILL_UNHEALTHY, CHANGED, None, RECOVERED, None]


def test_undelivered_alerts_are_owed_again_and_no_recovery_without_an_alert() -> None:
    steps = [
        (unhealthy("finish"), T0),
        (unhealthy("finish"), T0 + timedelta(minutes=15)),
        (HEALTHY, T0 + timedelta(minutes=30)),
    ]
    # Nothing reached anyone: the next bad run tries again; nobody is told of a recovery.
    assert walk(steps, delivered=False) == [UNHEALTHY, STILL_UNHEALTHY, None]


def test_a_recovery_message_that_failed_is_sent_by_the_next_healthy_run() -> None:
    state = next_state(None, unhealthy("finish"), UNHEALTHY, True, stamp(T0))
    assert decide(state, HEALTHY, T0, REPEAT) == RECOVERED
    state = next_state(state, HEALTHY, RECOVERED, False, stamp(T0))
    assert decide(state, HEALTHY, T0, REPEAT) == RECOVERED
    state = next_state(state, HEALTHY, RECOVERED, True, stamp(T0))
    assert decide(state, HEALTHY, T0, REPEAT) is None


def alert_config(**settings: Any) -> AlertConfig:
    values = Settings()
    values.setmodule(SETTINGS_MODULE)
    values.setdict({f"NEWSCRAWL_ALERT_{k.upper()}": v for k, v in settings.items()}, priority="cmdline")
    return AlertConfig.from_settings(values)


RUN = {"spider": "rfi_cn", "run_id": "20240402T080000Z-0000aaaa", "host": "crawler1", "started": "2024-04-02T08:00:00Z"}
LINKS = {"manifest": "/srv/data/rfi_cn/runs/20240402T080000Z-0000aaaa.json", "report": "/srv/data/rfi_cn/report.html"}


def test_email_goes_through_a_real_smtp_server_with_the_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSCRAWL_ALERT_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("NEWSCRAWL_ALERT_SMTP_USER", "crawler")
    with smtp_server(auth=True) as mailbox:
        config = alert_config(email_to="ops@example.org", smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_tls="off")
        outcome = Alerter(config, tmp_path / "state.json").notify(unhealthy("listings"), RUN, T0, LINKS)
    assert (outcome.event, outcome.sent, outcome.failed) == (UNHEALTHY, ["email"], [])
    assert mailbox.logins == [("crawler", "s3cret")]
    (message,) = mailbox.messages
    assert message["Subject"] == "[newscrawl] rfi_cn is unhealthy: listings"
    body = message.get_content().replace("\r\n", "\n")
    assert body.splitlines() == [
        "rfi_cn is unhealthy: listings",
        "",
        "Run 20240402T080000Z-0000aaaa on crawler1, started 2024-04-02T08:00:00Z.",
        "- listings: listings is off",
        "",
        "manifest: /srv/data/rfi_cn/runs/20240402T080000Z-0000aaaa.json",
        "report: /srv/data/rfi_cn/report.html",
    ]


def test_a_setting_beats_the_environment_which_beats_settings_py(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_ALERT_SMTP_HOST", "mail.internal")
    assert alert_config().smtp_host == "mail.internal"
    assert alert_config(smtp_host="relay.example").smtp_host == "relay.example"
    monkeypatch.delenv("NEWSCRAWL_ALERT_SMTP_HOST")
    assert alert_config().smtp_host == "localhost"
    assert (alert_config().smtp_tls, alert_config().smtp_port) == ("starttls", 587)


def test_the_webhook_gets_json_that_slack_and_mattermost_show(tmp_path: Path) -> None:
    with webhook_server() as webhook:
        alerter = Alerter(alert_config(webhook=webhook.url), tmp_path / "state.json")
        alerter.notify(unhealthy("new_articles"), RUN, T0, LINKS)
        alerter.notify(HEALTHY, RUN, T0 + timedelta(minutes=15), LINKS)
    assert [post["newscrawl"]["event"] for post in webhook.posts] == [UNHEALTHY, RECOVERED]
    first = webhook.posts[0]
    assert first["text"].startswith("rfi_cn is unhealthy: new_articles\n")
    assert first["newscrawl"] == {
        "event": "unhealthy",
        "spider": "rfi_cn",
        "run_id": RUN["run_id"],
        "failed": [{"monitor": "new_articles", "detail": "new_articles is off"}],
        **LINKS,
    }


def test_failed_deliveries_are_reported_and_tried_again(tmp_path: Path) -> None:
    state_path = tmp_path / "state.json"
    with webhook_server(status=500) as webhook, smtp_server() as mailbox:
        config = alert_config(
            webhook=webhook.url,
            email_to="ops@example.org",
            smtp_host="127.0.0.1",
            smtp_port=mailbox.port,
            smtp_tls="starttls",  # this server offers no STARTTLS: nothing is sent in clear
        )
        outcome = Alerter(config, state_path).notify(unhealthy("finish"), RUN, T0, LINKS)
        assert outcome.sent == []
        assert dict(outcome.failed) == {
            "email": "SMTPNotSupportedError: STARTTLS extension not supported by server.",
            "webhook": "HTTP 500",
        }
        assert mailbox.messages == []
        assert webhook.url not in str(outcome.failed), "the webhook URL is a secret"
        webhook.status = 200
        again = Alerter(config, state_path).notify(unhealthy("finish"), RUN, T0 + timedelta(minutes=15), LINKS)
    assert (again.event, again.sent) == (STILL_UNHEALTHY, ["webhook"])


def test_a_crawl_whose_alert_cannot_be_delivered_still_succeeds(tmp_path: Path) -> None:
    builder = ArchiveBuilder(tmp_path / "archive")
    builder.add("https://www.rfi.fr/robots.txt", "User-agent: *\nAllow: /\n", Content_Type="text/plain")
    builder.add_feed(FEED, [article_url(i) for i in range(3)])
    for i in range(3):
        builder.add_article(i)
    closed_port = free_port()  # nothing listens there
    result = run_crawl(
        tmp_path / "data",
        "-a",
        f"feeds={FEED}",
        "-s",
        "NEWSCRAWL_HEALTH_NEW_FLOOR=10",  # a first run must find 10: this one is unhealthy
        "-s",
        "NEWSCRAWL_ALERT_EMAIL_TO=ops@example.org",
        "-s",
        "NEWSCRAWL_ALERT_SMTP_HOST=127.0.0.1",
        "-s",
        f"NEWSCRAWL_ALERT_SMTP_PORT={closed_port}",
        replay=builder.write(),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (manifest,) = manifests(tmp_path / "data")
    assert manifest["status"] == "finished"
    assert manifest["health"]["failed"][0]["monitor"] == "new_articles"
    assert manifest["stats"]["newscrawl/alerts/failed"] == 1
    assert "Health alert (unhealthy) could not be sent by email: ConnectionRefusedError" in result.stderr
    assert "Traceback" not in result.stderr
