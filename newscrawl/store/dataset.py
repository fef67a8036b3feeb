"""Reading the published dataset files back: ``articles/<date>/<run_id>.jsonl``, complete files only.

The files are the truth: the version store says where an article's latest record is, and the
snapshot is built from them alone. Records are read one line at a time (flat memory).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

logger = logging.getLogger(__name__)

DATASET_GLOB = "articles/*/*.jsonl"  # under the spider's folder; temporary files never end in .jsonl


def dataset_files(root: Path) -> list[Path]:
    """Every published dataset file under a spider's folder, oldest run first (date, then run id)."""
    return sorted(root.glob(DATASET_GLOB))


def records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            record = parse_line(path, number, line)
            if record is not None:
                yield record


def parse_line(path: Path, number: int, line: str) -> dict[str, Any] | None:
    """One line of a dataset file as a record; None (and an ERROR naming the line) when it is none."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except ValueError as exc:
        logger.error("%s line %d is not JSON, left out: %s", path, number, exc)
        return None
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        logger.error("%s line %d is not a record, left out", path, number)
        return None
    return record


def find_record(path: Path, article_id: str, version: int) -> dict[str, Any] | None:
    """The record of one version of one article in a dataset file (v1 records count as version 1)."""
    if not path.is_file():
        return None
    for record in records(path):
        if record.get("id") == article_id and record.get("version", 1) == version:
            return record
    return None
