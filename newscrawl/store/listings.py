"""What the last run that finished OK learnt about each listing URL (feed, sitemap).

- Validators (``ETag``, ``Last-Modified``) for the next request's ``If-None-Match`` /
  ``If-Modified-Since``: an unchanged listing then costs a 304 and no parsing.
- Its kind, and for sitemap indexes the maps they named: a 304 from one still has to say which
  maps to read, and a run whose months they all name reads those maps without requesting the
  index. (robots.txt is read whole every run: ``downloader.robots_once``.)

One JSON file, replaced atomically. Changes wait in memory until :meth:`ListingStateStore.commit`,
which the run calls only when it finished OK: a run that died must not leave validators behind
that would hide, behind a 304, entries it never handled.

Processes of a fleet may share one data dir (and this file). A commit therefore re-reads the file
under a lock and applies only its own changes, and a *forget* wins over validators from a run that
read the state before it: the forgetting run lost an article of that listing, and another run that
read the same listing (and found the article already taken) must not hide it again behind a 304.
Such a forget is kept as a dated marker for :data:`FORGET_KEPT` seconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import re
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from newscrawl.store.atomic import write_atomically

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

logger = logging.getLogger(__name__)

FILE_VERSION = 1
FORGET_KEPT = 7 * 86400.0  # seconds a forget marker outlives its commit (far longer than any run)
# A validator is sent back as a header: printable ASCII on one line, and short.
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,512}")


@dataclass(frozen=True)
class ListingState:
    etag: str | None = None
    last_modified: str | None = None
    kind: str | None = None  # what the URL turned out to be ("feed", "urlset", "sitemapindex")
    children: tuple[str, ...] = ()  # maps named by an index

    def request_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


def header_value(value: str | bytes | None) -> str | None:
    """A response's validator when it can be sent back as it is, else None."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value if value is not None and _HEADER_VALUE.fullmatch(value) else None


class ListingStateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._read_at = time.time()
        self._committed, _ = _load(path)
        self._pending: dict[str, ListingState | None] = {}  # None: forget the URL

    def get(self, url: str) -> ListingState | None:
        """The state committed by an earlier run (this run's changes are not visible before commit)."""
        return self._committed.get(url)

    def put(self, url: str, state: ListingState) -> None:
        self._pending[url] = state

    def forget(self, url: str) -> None:
        self._pending[url] = None

    def commit(self) -> None:
        if not self._pending:
            return
        with _locked(self.path):
            states, forgotten = _load(self.path)
            now = time.time()
            for url, state in self._pending.items():
                if state is None:
                    states.pop(url, None)
                    forgotten[url] = now
                elif forgotten.get(url, 0.0) < self._read_at:  # else forgotten by a run since this one read
                    states[url] = state
                    forgotten.pop(url, None)
            self._pending.clear()
            self._committed = states
            rows: dict[str, dict[str, Any]] = {url: _row(state) for url, state in states.items()}
            rows.update({url: {"forgotten": at} for url, at in forgotten.items() if at > now - FORGET_KEPT})
            data = {"version": FILE_VERSION, "listings": dict(sorted(rows.items()))}
            write_atomically(self.path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Commits of processes sharing the data dir, one at a time (read, merge, replace)."""
    with path.with_name(path.name + ".lock").open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        yield


def _row(state: ListingState) -> dict[str, Any]:
    return {key: value for key, value in asdict(state).items() if value not in (None, ())}


def _load(path: Path) -> tuple[dict[str, ListingState], dict[str, float]]:
    """The committed states and forget markers; a missing file is a first run, an unreadable one
    costs full requests only."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, {}
    except (OSError, ValueError) as exc:
        logger.warning("Listing state %s is unreadable (%s): every listing is requested in full", path, exc)
        return {}, {}
    rows = data.get("listings") if isinstance(data, dict) and data.get("version") == FILE_VERSION else None
    if not isinstance(rows, dict):
        logger.warning("Listing state %s has an unknown layout: every listing is requested in full", path)
        return {}, {}
    states, forgotten = {}, {}
    for url, row in rows.items():
        at = row.get("forgotten") if isinstance(row, dict) else None
        if isinstance(at, int | float) and not isinstance(at, bool):
            forgotten[url] = float(at)
            continue
        state = _state(row)
        if state is None:
            logger.warning("Listing state %s: the entry for %s is unreadable, ignored", path, url)
        else:
            states[url] = state
    return states, forgotten


def _state(row: object) -> ListingState | None:
    if not isinstance(row, dict):
        return None
    etag, last_modified, kind = row.get("etag"), row.get("last_modified"), row.get("kind")
    children = row.get("children", [])
    texts = (etag, last_modified, kind)
    if not all(value is None or isinstance(value, str) for value in texts) or not isinstance(children, list):
        return None
    if not all(isinstance(child, str) for child in children):
        return None
    return ListingState(header_value(etag), header_value(last_modified), kind, tuple(children))
