"""Run manifests for tests, in the shape ``newscrawl.run`` writes them (DESIGN.md "Output")."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from newscrawl.health.config import Thresholds
from newscrawl.settings import __name__ as SETTINGS_MODULE


def thresholds(**overrides: Any) -> Thresholds:
    """The project's defaults (newscrawl/settings.py), with ``NEWSCRAWL_HEALTH_<NAME>`` overrides."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule(SETTINGS_MODULE)
    for name, value in overrides.items():
        settings.set(f"NEWSCRAWL_HEALTH_{name.upper()}", value)
    return Thresholds.from_settings(settings)


def run_id_at(started: datetime, suffix: str = "0000aaaa") -> str:
    return f"{started:%Y%m%dT%H%M%SZ}-{suffix}"


def manifest(
    started: datetime,
    *,
    new: int = 10,
    feed_only: int = 0,
    lost: dict[str, int] | None = None,
    rejected: int = 0,
    duplicate: dict[str, int] | None = None,
    skipped: dict[str, int] | None = None,
    status: str = "finished",
    stats: dict[str, int] | None = None,
    feeds: list[dict[str, Any]] | None = None,
    health: dict[str, Any] | None = None,
    duration: timedelta = timedelta(seconds=40),
    suffix: str = "0000aaaa",
    **extra: Any,
) -> dict[str, Any]:
    lost, duplicate, skipped = lost or {}, duplicate or {}, skipped or {}
    seen = new + feed_only + rejected + sum(lost.values()) + sum(duplicate.values()) + sum(skipped.values())
    return {
        "run_id": run_id_at(started, suffix),
        "spider": "rfi_cn",
        "status": status,
        "started": f"{started:%Y-%m-%dT%H:%M:%SZ}",
        "ended": f"{started + duration:%Y-%m-%dT%H:%M:%SZ}",
        "close_reason": "finished",
        "errors": [],
        "feeds": feeds
        if feeds is not None
        else [{"url": "https://www.rfi.fr/cn/rss", "ok": True, "http_status": 200, "entries": 20, "problem": None}],
        "counts": {
            "entries_seen": seen,
            "new": new,
            "feed_only": feed_only,
            "duplicate": duplicate,
            "skipped": skipped,
            "rejected": rejected,
            "lost": lost,
            "add_up": True,
        },
        "output": {"articles": None, "rejects": None, "dataset_published": False},
        "listed": {"lost": [], "skipped": [], "rejected": []},
        "listed_left_out": {"lost": 0, "skipped": 0, "rejected": 0},
        "stats": stats or {},
        "health": health,
        **extra,
    }


def write_manifest(root: Path, data: dict[str, Any]) -> Path:
    path = root / "runs" / f"{data['run_id']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
