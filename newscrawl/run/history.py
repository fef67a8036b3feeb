"""Earlier runs (``runs/<run_id>.json``), read newest first and only as far as needed.

A run id starts with its UTC start time (``20240402T060001Z-1a2b3c4d``), so the file names alone
give the order, the day and the hour of every run: a year of 15-minute runs (35,000 manifests)
is listed in milliseconds, and only the manifests a question needs are opened.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newscrawl.run.identity import start_day_and_hour, start_second
from newscrawl.run.manifest import manifest_path, read_manifest

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# How many manifests a history search may open per run it wants (a data dir full of failed runs
# must not make every run read the whole year).
_SCAN_FACTOR = 50


def run_ids(runs_dir: Path) -> list[str]:
    """Every run id with a manifest, oldest first (temporary files do not end in ``.json``)."""
    try:
        with os.scandir(runs_dir) as entries:
            names = [entry.name[:-5] for entry in entries if entry.name.endswith(".json")]
    except FileNotFoundError:
        return []
    return sorted(names)


def day_of(run_id: str) -> str | None:
    """``YYYYMMDD`` of the run's start (UTC), from its id."""
    start = start_day_and_hour(run_id)
    return start[0] if start else None


def hour_of(run_id: str) -> int | None:
    start = start_day_and_hour(run_id)
    return start[1] if start else None


@dataclass
class History:
    """Earlier finished runs, newest first: the last ones, and the last ones at the same hour of day."""

    recent: list[dict[str, Any]] = field(default_factory=list)
    same_hour: list[dict[str, Any]] = field(default_factory=list)


def finished_before(runs_dir: Path, ids: list[str], limit: int) -> list[dict[str, Any]]:
    """The last ``limit`` finished runs among ``ids`` (oldest first), newest first."""
    found: list[dict[str, Any]] = []
    for run_id in reversed(ids[-limit * _SCAN_FACTOR :]):
        manifest = read_manifest(manifest_path(runs_dir, run_id))
        if manifest is not None and manifest.get("status") == "finished":
            found.append(manifest)
            if len(found) == limit:
                break
    return found


def read_history(runs_dir: Path, current_run_id: str, limit: int) -> History:
    """The history a run is judged against: finished runs that started before it.

    A run id tells seconds apart only (its suffix is random), so a run that started in the same
    second as this one is history too: the data-dir lock means it ran first.
    """
    second = start_second(current_run_id)
    earlier = [run_id for run_id in run_ids(runs_dir) if run_id != current_run_id and start_second(run_id) <= second]
    hour = hour_of(current_run_id)
    same_hour = [run_id for run_id in earlier if hour is not None and hour_of(run_id) == hour]
    return History(
        recent=finished_before(runs_dir, earlier, limit),
        same_hour=finished_before(runs_dir, same_hour, limit),
    )


def manifests_since(runs_dir: Path, since: datetime) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(run id, manifest) of every run started on or after ``since``'s day (UTC), oldest first;
    the manifest is None when it cannot be read."""
    first_day = f"{since:%Y%m%d}"
    for run_id in run_ids(runs_dir):
        day = day_of(run_id)
        if day is None or day >= first_day:
            yield run_id, read_manifest(manifest_path(runs_dir, run_id))


def last_finished_start(runs_dir: Path) -> datetime | None:
    """When the newest finished run started: manifests are opened newest first, until one finished."""
    for run_id in reversed(run_ids(runs_dir)):
        manifest = read_manifest(manifest_path(runs_dir, run_id))
        if manifest is None or manifest.get("status") != "finished":
            continue
        try:
            return datetime.fromisoformat(str(manifest["started"])).astimezone(UTC)
        except (KeyError, ValueError):
            continue  # a manifest without a readable start tells nothing about when a run finished
    return None
