"""Earlier runs, as their manifests under ``runs/`` tell them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def last_finished_start(runs_dir: Path) -> datetime | None:
    """When the newest finished run started (manifest names begin with the run's start time)."""
    for path in sorted(runs_dir.glob("*.json"), reverse=True):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if manifest.get("status") != "finished":
                continue
            return datetime.fromisoformat(str(manifest["started"])).astimezone(UTC)
        except (OSError, ValueError, KeyError, AttributeError):
            continue  # unreadable or not a manifest: it tells nothing about when a run finished
    return None
