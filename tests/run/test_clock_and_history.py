"""The run clock (NEWSCRAWL_NOW) and the last finished run read from the manifests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl.config import SettingError
from newscrawl.run.clock import RunClock
from newscrawl.run.history import last_finished_start


def test_a_frozen_clock_always_says_the_same_instant() -> None:
    clock = RunClock.from_settings(Settings({"NEWSCRAWL_NOW": "2024-04-02T08:00:00+02:00"}))
    assert clock.now() == clock.now() == datetime(2024, 4, 2, 6, 0, tzinfo=UTC)


def test_without_the_setting_the_clock_is_real() -> None:
    clock = RunClock.from_settings(Settings({"NEWSCRAWL_NOW": ""}))
    assert clock.frozen is None
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert clock.now().tzinfo == UTC


def test_a_bad_now_is_refused_with_the_settings_name() -> None:
    with pytest.raises(SettingError, match=r"^NEWSCRAWL_NOW: "):
        RunClock.from_settings(Settings({"NEWSCRAWL_NOW": "tomorrow"}))


def write(runs: Path, run_id: str, **manifest: object) -> None:
    (runs / f"{run_id}.json").write_text(json.dumps({"run_id": run_id, **manifest}), encoding="utf-8")


def test_the_newest_finished_run_is_found(tmp_path: Path) -> None:
    assert last_finished_start(tmp_path) is None
    write(tmp_path, "20240301T060000Z-aaaaaaaa", status="finished", started="2024-03-01T06:00:00Z")
    write(tmp_path, "20240302T060000Z-bbbbbbbb", status="finished", started="2024-03-02T06:00:00Z")
    write(tmp_path, "20240303T060000Z-cccccccc", status="failed", started="2024-03-03T06:00:00Z")
    write(tmp_path, "20240304T060000Z-dddddddd", status="killed", started="2024-03-04T06:00:00Z")
    write(tmp_path, "20240305T060000Z-eeeeeeee", status="running", started="2024-03-05T06:00:00Z")
    (tmp_path / "20240306T060000Z-ffffffff.json").write_text("{not json", encoding="utf-8")
    write(tmp_path, "20240307T060000Z-99999999", status="finished")  # no start time: not usable
    write(tmp_path, "20240308T060000Z-88888888", status="finished", started="garbage")
    assert last_finished_start(tmp_path) == datetime(2024, 3, 2, 6, 0, tzinfo=UTC)
