"""The data dir's lock (one crawl at a time) and the recovery of runs that died holding it.

The lock is an ``flock`` on ``<data dir>/<spider>/.lock``: the kernel releases it when the
process ends, even after ``kill -9``. The holder writes ``<pid> <run_id>`` into the file and
empties it when it releases the lock, so a file that still names a process when the lock is
taken was left by a process that died: its run, and any other run whose manifest still says
``running``, is marked ``killed`` and its temporary files are deleted.

Processes of a fleet (sharing one Redis) take the lock *shared*: many of them may crawl into one
data dir at once, while a single-machine run (exclusive) can neither start beside them nor they
beside it. A shared holder marks ``killed`` only the runs the fleet reports dead (``is_alive``).
"""

from __future__ import annotations

import fcntl
import logging
import os
from typing import IO, TYPE_CHECKING

from newscrawl.run.clock import RunClock
from newscrawl.run.manifest import manifest_path, read_manifest, read_running_manifest, write_manifest
from newscrawl.store.atomic import TEMP_SUFFIX

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

logger = logging.getLogger(__name__)


class DataDirLock:
    def __init__(self, root: Path, run_id: str, clock: RunClock | None = None, *, name: str = ".lock") -> None:
        self.root = root
        self.path = root / name
        self.run_id = run_id
        self.clock = clock or RunClock()
        self._file: IO[str] | None = None
        self._stale: tuple[str, str] | None = None  # (pid, run id) a dead holder left in the file
        self.shared = False

    def acquire(self, *, shared: bool = False) -> bool:
        """Take the lock (``shared``: with other fleet processes); False when it is held the other way
        or, exclusive, by anyone (OSError when the dir is unusable)."""
        lock = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(lock.fileno(), (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return False
        self.shared = shared
        if shared:  # several holders: nobody's pid goes into the file
            self._file = lock
            return True
        lock.seek(0)
        pid, _, run_id = lock.read().strip().partition(" ")
        self._stale = (pid, run_id) if pid else None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()} {self.run_id}\n")
        lock.flush()
        self._file = lock
        return True

    def recover_dead_runs(self, is_alive: Callable[[str], bool] | None = None) -> None:
        """Mark ``killed`` every other run still ``running`` (only the lock holder may); a shared
        holder spares the runs ``is_alive`` says still beat."""
        stale_pid, stale_run = self._stale or ("", "")
        for path in sorted((self.root / "runs").glob("*.json")):
            manifest = read_running_manifest(path)
            if manifest is None or manifest.get("run_id") == self.run_id:
                continue
            dead_run = str(manifest.get("run_id"))
            if self.shared and (is_alive is None or is_alive(dead_run)):
                continue
            manifest.update(status="killed", killed_detected_by=self.run_id, killed_detected_at=self.clock.stamp())
            write_manifest(path, manifest)
            for temp in self.root.glob(f"*/*/{dead_run}*{TEMP_SUFFIX}"):
                temp.unlink(missing_ok=True)
            if dead_run == stale_run:
                logger.info(
                    "Took over the lock left by dead process %s: its run %s is marked killed", stale_pid, dead_run
                )
                stale_pid = ""
            else:
                logger.info("Run %s died without closing: marked killed", dead_run)
        # A holder that wrote its final manifest ended its run: only one that died before is news.
        if stale_pid and read_manifest(manifest_path(self.root / "runs", stale_run)) is None:
            logger.info("Took over the lock left by dead process %s (run %s)", stale_pid, stale_run or "unknown")

    def release(self) -> None:
        if self._file is None:
            return
        if not self.shared:
            self._file.seek(0)
            self._file.truncate()
        self._file.close()  # closing the file releases the flock
        self._file = None
