"""Earlier runs, as their manifests under ``runs/`` tell them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from newscrawl.run.manifest import read_manifest

if TYPE_CHECKING:
    from pathlib import Path


def last_finished_start(runs_dir: Path) -> datetime | None:
    """When the newest finished run started (manifest names begin with the run's start time)."""
    for path in sorted(runs_dir.glob("*.json"), reverse=True):
        manifest = read_manifest(path)
        if manifest is None or manifest.get("status") != "finished":
            continue
        try:
            return datetime.fromisoformat(str(manifest["started"])).astimezone(UTC)
        except (KeyError, ValueError):
            continue  # a manifest without a readable start tells nothing about when a run finished
    return None
