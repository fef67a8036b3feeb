"""Copy a seen-store into another (SQLite → Redis when a crawl moves to many machines, and back).

Rows keep their run id and time: they are grouped by (run_id, stored_at) and written with the
backend's own ``add``, a bounded number at a time, so memory stays flat. Copying is idempotent
(rows already present are left as they are), so an interrupted copy is simply run again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newscrawl.store.backend import SeenStoreBackend

BUFFERED_ROWS = 5_000


@dataclass(frozen=True)
class Copied:
    read: int  # rows in the source
    added: int  # rows the target did not have


def copy_seen(source: SeenStoreBackend, target: SeenStoreBackend) -> Copied:
    read = added = 0
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    buffered = 0
    for row in source.rows():
        groups[(row.run_id, row.stored_at)].append((row.url, row.article_url))
        read += 1
        buffered += 1
        if buffered >= BUFFERED_ROWS:
            added += _flush(groups, target)
            buffered = 0
    return Copied(read, added + _flush(groups, target))


def _flush(groups: dict[tuple[str, str], list[tuple[str, str]]], target: SeenStoreBackend) -> int:
    added = sum(target.add(rows, run_id, stored_at) for (run_id, stored_at), rows in groups.items())
    groups.clear()
    return added
