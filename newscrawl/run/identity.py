"""Who a run is and where it writes: its id, its start time, its data dir and its file paths."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newscrawl.extract.dates import format_utc


@dataclass(frozen=True)
class RunIdentity:
    """A run's id (``<UTC start to the second>-<8 random hex>``: unique even for two runs started
    in the same second), its start and its folders under ``<data dir>/<spider>/``."""

    run_id: str
    run_date: str  # the UTC date of the start, YYYY-MM-DD (the dataset's date folder)
    started: str
    spider: str
    data_dir: Path

    @classmethod
    def start(cls, spider: str, data_dir: Path, now: datetime) -> RunIdentity:
        return cls(
            run_id=f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}",
            run_date=f"{now:%Y-%m-%d}",
            started=format_utc(now),
            spider=spider,
            data_dir=data_dir.resolve(),
        )

    @property
    def root(self) -> Path:
        return self.data_dir / self.spider

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def articles_dir(self) -> Path:
        return self.root / "articles"

    def rejects_path(self) -> Path:
        return self.root / "rejects" / self.run_date / f"{self.run_id}.jsonl"
