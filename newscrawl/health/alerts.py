"""Alerts by e-mail (SMTP) and webhook, without alert storms.

A message goes out when health changes (healthy → unhealthy, or a different set of failed
monitors), when it stays bad for ``NEWSCRAWL_ALERT_REPEAT`` since the last alert, and once
when it recovers (only after an unhealthy alert was delivered). The state lives in
``<data>/<spider>/alert-state.json``. A delivery that fails is logged and counted by the caller;
it never fails the crawl, and a recovery message that could not be delivered is tried again
by the next healthy run.
"""

from __future__ import annotations

import json
import logging
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from newscrawl.extract.dates import parse_utc
from newscrawl.health.config import AlertConfig
from newscrawl.store.atomic import write_atomically

logger = logging.getLogger(__name__)

STATE_FILE = "alert-state.json"
UNHEALTHY, CHANGED, STILL_UNHEALTHY, RECOVERED = "unhealthy", "changed", "still_unhealthy", "recovered"


@dataclass
class AlertState:
    healthy: bool = True
    failed: list[str] = field(default_factory=list)
    unhealthy_since: str | None = None
    last_alert: str | None = None  # last unhealthy alert delivered
    owes_recovery: bool = False  # an unhealthy alert was delivered and no recovery message yet

    @classmethod
    def load(cls, path: Path) -> AlertState | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            logger.warning("Alert state %s unreadable (%s): starting afresh", path, exc)
            return None

    def save(self, path: Path) -> None:
        write_atomically(path, (json.dumps(asdict(self), indent=2) + "\n").encode("utf-8"))


def failed_monitors(health: dict[str, Any]) -> list[str]:
    return sorted(str(f["monitor"]) for f in health.get("failed") or [])


def decide(state: AlertState | None, health: dict[str, Any], now: datetime, repeat: timedelta) -> str | None:
    """Which message this run owes, if any."""
    if health.get("ok"):
        return RECOVERED if state is not None and state.owes_recovery else None
    if state is None or state.healthy:
        return UNHEALTHY
    if failed_monitors(health) != state.failed:
        return CHANGED
    last = parse_utc(state.last_alert)
    return STILL_UNHEALTHY if last is None or now - last >= repeat else None


def next_state(
    state: AlertState | None, health: dict[str, Any], event: str | None, delivered: bool, now: str
) -> AlertState:
    previous = state or AlertState()
    if health.get("ok"):
        return AlertState(owes_recovery=previous.owes_recovery and not (event == RECOVERED and delivered))
    return AlertState(
        healthy=False,
        failed=failed_monitors(health),
        unhealthy_since=previous.unhealthy_since if not previous.healthy else now,
        last_alert=now if event and delivered else previous.last_alert,
        owes_recovery=previous.owes_recovery or bool(event and delivered),
    )


@dataclass(frozen=True)
class Message:
    event: str
    subject: str
    text: str
    data: dict[str, Any]


def compose(
    event: str, health: dict[str, Any], run: dict[str, Any], state: AlertState | None, links: dict[str, str]
) -> Message:
    spider, run_id = run.get("spider", "?"), run.get("run_id", "?")
    failures = health.get("failed") or []
    names = ", ".join(failed_monitors(health))
    headline = {
        UNHEALTHY: f"{spider} is unhealthy: {names}",
        CHANGED: f"{spider} is unhealthy, and what fails changed: {names}",
        STILL_UNHEALTHY: f"{spider} is still unhealthy (since {state.unhealthy_since if state else '?'}): {names}",
        RECOVERED: f"{spider} recovered: every health check passed",
    }[event]
    lines = [headline, "", f"Run {run_id} on {run.get('host', '?')}, started {run.get('started', '?')}."]
    lines += [f"- {f['monitor']}: {f['detail']}" for f in failures]
    lines += ["", *(f"{name}: {path}" for name, path in links.items())]
    data = {"event": event, "spider": spider, "run_id": run_id, "failed": failures, **links}
    return Message(event=event, subject=f"[newscrawl] {headline}", text="\n".join(lines), data=data)


class Channels:
    """The configured ways to reach people; each ``send_*`` raises on failure."""

    def __init__(self, config: AlertConfig) -> None:
        self.config = config

    def names(self) -> list[str]:
        return [name for name, on in (("email", self.config.email_to), ("webhook", self.config.webhook)) if on]

    def send(self, channel: str, message: Message) -> None:
        {"email": self.send_email, "webhook": self.send_webhook}[channel](message)

    def send_email(self, message: Message) -> None:
        c = self.config
        sender = c.email_from or f"newscrawl@{socket.getfqdn()}"
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = sender
        mail["To"] = ", ".join(c.email_to)
        mail["Date"] = format_datetime(datetime.now().astimezone())
        mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
        mail.set_content(message.text)
        smtp_class = smtplib.SMTP_SSL if c.smtp_tls == "ssl" else smtplib.SMTP
        with smtp_class(c.smtp_host, c.smtp_port, timeout=c.timeout_seconds) as smtp:
            if c.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if c.smtp_user:
                smtp.login(c.smtp_user, c.smtp_password)
            smtp.send_message(mail)

    def send_webhook(self, message: Message) -> None:
        """Slack and Mattermost incoming webhooks show ``text``; other receivers get ``newscrawl`` too."""
        assert self.config.webhook is not None  # names() lists the webhook only when it is set
        body = json.dumps({"text": message.text, "newscrawl": message.data}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.config.webhook, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.config.timeout_seconds) as response:
            response.read()


@dataclass
class Outcome:
    event: str | None
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (channel, why)


class Alerter:
    def __init__(self, config: AlertConfig, state_path: Path) -> None:
        self.channels = Channels(config)
        self.repeat = timedelta(seconds=config.repeat_seconds)
        self.state_path = state_path

    def notify(self, health: dict[str, Any], run: dict[str, Any], now: datetime, links: dict[str, str]) -> Outcome:
        """Sends what this run owes (blocking: call it from a thread) and records the new state."""
        state = AlertState.load(self.state_path)
        event = decide(state, health, now, self.repeat)
        outcome = Outcome(event)
        channels = self.channels.names()
        if event is not None and channels:
            message = compose(event, health, run, state, links)
            for channel in channels:
                try:
                    self.channels.send(channel, message)
                except OSError as exc:  # smtplib, ssl and urllib errors are all OSErrors
                    outcome.failed.append((channel, _why(exc)))
                else:
                    outcome.sent.append(channel)
        stamp = f"{now:%Y-%m-%dT%H:%M:%SZ}"
        next_state(state, health, event, bool(outcome.sent), stamp).save(self.state_path)
        return outcome


def _why(exc: BaseException) -> str:
    """A one-line reason that never contains the webhook URL (it is a secret for Slack)."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return f"{type(exc.reason).__name__}: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"
