"""The run manifest file, ``runs/<run_id>.json``: written whole (atomically) every time."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from newscrawl.config import raw_value
from newscrawl.store.atomic import write_atomically

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy.settings import BaseSettings

# Settings whose values are credentials: the manifest says whether they are set, never what they are.
SECRET_SETTINGS = frozenset({"NEWSCRAWL_ALERT_SMTP_PASSWORD", "NEWSCRAWL_ALERT_WEBHOOK", "NEWSCRAWL_REDIS_URL"})
SECRET_SET = "(set)"


def manifest_path(runs_dir: Path, run_id: str) -> Path:
    return runs_dir / f"{run_id}.json"


def settings_snapshot(settings: BaseSettings) -> dict[str, Any]:
    """The run's ``NEWSCRAWL_*`` settings as the run reads them (environment included), secrets masked."""
    snapshot = {}
    for name in sorted(settings.attributes):
        if name.startswith("NEWSCRAWL_"):
            value = raw_value(settings, name)
            snapshot[name] = (SECRET_SET if value else "") if name in SECRET_SETTINGS else value
    return snapshot


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    data = json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n"
    write_atomically(path, data.encode("utf-8"))


def read_manifest(path: Path) -> dict[str, Any] | None:
    """A manifest, or None when the file cannot be read as one."""
    try:
        manifest = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None
