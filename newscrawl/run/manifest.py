"""The run manifest file, ``runs/<run_id>.json``: written whole (atomically) every time."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from newscrawl.store.atomic import write_atomically

if TYPE_CHECKING:
    from pathlib import Path


def manifest_path(runs_dir: Path, run_id: str) -> Path:
    return runs_dir / f"{run_id}.json"


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    data = json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n"
    write_atomically(path, data.encode("utf-8"))


def read_manifest(path: Path) -> dict[str, Any] | None:
    """A manifest, or None when the file cannot be read as one."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None
