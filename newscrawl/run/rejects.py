"""The run's rejects file, ``rejects/<date>/<run_id>.jsonl``: one line per rejected record.

Opened on the first reject and published (atomically) when the spider closes, like the dataset.
"""

from __future__ import annotations

import json
import logging
from typing import IO, TYPE_CHECKING, Any

from newscrawl.store.atomic import AtomicFile

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)


class RejectsFile:
    def __init__(self, path: Path) -> None:
        self.target = AtomicFile(path)
        self._file: IO[bytes] | None = None
        self.published: Path | None = None

    def write(self, reason: str, errors: list[dict[str, str]], record: dict[str, Any]) -> None:
        """One rejected record: why (``reason``), which fields (``errors``: field, message), the record."""
        if self._file is None:
            self._file = self.target.open()
        line = {"reason": reason, "errors": errors, "record": record}
        self._file.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")

    def publish(self) -> Path | None:
        if self._file is None:
            return None
        self.published = self.target.publish(self._file)
        self._file = None
        logger.warning("Rejected records written to %s", self.published)
        return self.published
