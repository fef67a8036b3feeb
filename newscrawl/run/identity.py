"""Who a run is and where it writes: its id, its start time, its data dir and its file paths."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newscrawl.extract.dates import format_utc

# A run id begins with its UTC start: day and hour (see RunIdentity.start).
_RUN_ID_START = re.compile(r"(\d{8})T(\d{2})\d{4}Z-")


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


def start_day_and_hour(run_id: str) -> tuple[str, int] | None:
    """(``YYYYMMDD``, hour) of the UTC start a run id begins with; None for any other name.

    Read from the id alone, so a year of run files is sorted and sliced by day without opening one.
    """
    match = _RUN_ID_START.match(run_id)
    return (match[1], int(match[2])) if match else None


def start_second(run_id: str) -> str:
    """``YYYYMMDDTHHMMSSZ``: the part of a run id that says when it started (ids sort by it)."""
    return run_id.partition("-")[0]
