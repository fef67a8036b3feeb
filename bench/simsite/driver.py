"""Runs the crawler against the simulated site as a scheduler would: every ``interval`` of simulated time.

Before each run the site's clock is set to the run's time ``t``; the run gets
``-s NEWSCRAWL_NOW=t`` (RFC 3339 UTC), ``-s NEWSCRAWL_FETCH_ORIGIN=<the site>``,
``-s NEWSCRAWL_DATA_DIR=<data dir>``, the crawler's default feeds mapped onto the site, and
politeness off for speed (no delay, no AutoThrottle, no retry back-off, no browser; robots.txt
still obeyed). Runs scheduled while the crawler is down are skipped.

Two modes, same runs:
- ``subprocess``: one ``scrapy crawl rfi_cn`` process per run (the project's own command, exactly
  what cron runs); costs the interpreter and Scrapy start-up (≈ 1–2 s) every run.
- ``inprocess``: one worker process (``python -m bench.simsite.driver``, so it never shares a
  reactor with its caller) runs every crawl in turn on one Twisted reactor with ``CrawlerRunner``;
  before each crawl it asks the caller, which owns the site, to set the clock (stdin/stdout lines).

The run's outcome is read from the manifest it wrote (``runs/<run_id>.json``), in both modes.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from bench.measure import REPO, bench_env
from newscrawl.settings import NEWSCRAWL_FEEDS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from bench.simsite.server import SimSite, Window

logger = logging.getLogger(__name__)

SPIDER = "rfi_cn"
Mode = Literal["subprocess", "inprocess"]
_PROTOCOL = "SIMSITE "  # prefix of the in-process worker's lines on stdout
# Politeness off for speed; robots.txt still obeyed. DOWNLOAD_TIMEOUT stays below the site's
# injected "timeout" (Failures.timeout, 3 s) so that one ends as a client timeout.
FAST_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "ROBOTSTXT_OBEY": "True",
    "NEWSCRAWL_BROWSER_FALLBACK": "False",
    "NEWSCRAWL_RETRY_BACKOFF_BASE": "0",
    "DOWNLOAD_TIMEOUT": "2",
    "LOG_LEVEL": "INFO",
}
# The crawler's own default feeds (www.rfi.fr feeds and the feedx mirror), mapped onto the site.
DEFAULT_FEEDS: tuple[str, ...] = tuple(NEWSCRAWL_FEEDS)


@dataclass(frozen=True)
class RunResult:
    at: datetime  # the run's simulated time
    executed: bool  # False: the crawler was down
    status: str | None = None  # the manifest's status ("finished", "failed", …); None: no manifest
    wall: float = 0.0  # wall-clock seconds the run took
    manifest: dict[str, Any] = field(default_factory=dict, repr=False)


def rfc3339(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule(start: datetime, end: datetime, interval: timedelta) -> list[datetime]:
    """Run times from ``start`` to ``end`` (both included when ``end`` falls on the grid)."""
    times, t = [], start
    while t <= end:
        times.append(t)
        t += interval
    return times


class Driver:
    """``Driver(site, data_dir).run(start, end)``: the crawler every ``interval`` of simulated time."""

    def __init__(
        self,
        site: SimSite,
        data_dir: Path,
        *,
        interval: timedelta = timedelta(minutes=15),
        mode: Mode = "subprocess",
        feeds: Sequence[str] = DEFAULT_FEEDS,
        settings: Mapping[str, str] | None = None,
        arguments: Mapping[str, str] | None = None,
        log_file: Path | None = None,
        run_timeout: float = 600.0,
    ) -> None:
        self.site = site
        self.data_dir = data_dir
        self.interval = interval
        self.mode = mode
        self.feeds = [site.loopback(url) for url in feeds]
        self.settings = {
            **FAST_SETTINGS,
            "NEWSCRAWL_FETCH_ORIGIN": site.origin,
            "NEWSCRAWL_DATA_DIR": str(data_dir),
            **(settings or {}),
        }
        self.arguments = {"feeds": ",".join(self.feeds), **(arguments or {})}
        self.log_file = log_file or data_dir / "crawls.log"
        self.run_timeout = run_timeout

    def run(self, start: datetime, end: datetime, crawler_down: Sequence[Window] = ()) -> list[RunResult]:
        times = schedule(start, end, self.interval)
        executed = [t for t in times if not any(t in window for window in crawler_down)]
        self.data_dir.mkdir(parents=True, exist_ok=True)
        logger.info("%d runs scheduled, %d executed (%s mode)", len(times), len(executed), self.mode)
        done = self._run_subprocesses(executed) if self.mode == "subprocess" else self._run_inprocess(executed)
        return [done.get(t) or RunResult(t, executed=False) for t in times]

    # --- modes --------------------------------------------------------------------------------

    def _run_subprocesses(self, times: Sequence[datetime]) -> dict[datetime, RunResult]:
        results = {}
        for t in times:
            self.site.set_now(t)
            command = [sys.executable, "-m", "scrapy", "crawl", SPIDER]
            for name, value in {**self.settings, "NEWSCRAWL_NOW": rfc3339(t)}.items():
                command += ["-s", f"{name}={value}"]
            for name, value in self.arguments.items():
                command += ["-a", f"{name}={value}"]
            known = self._manifest_names()
            started = time.monotonic()
            process = subprocess.run(
                command,
                cwd=REPO,
                env=bench_env(),
                capture_output=True,
                text=True,
                timeout=self.run_timeout,
                check=False,
            )
            wall = time.monotonic() - started
            with self.log_file.open("a", encoding="utf-8") as log:
                log.write(f"=== run {rfc3339(t)} exit {process.returncode}\n{process.stdout}{process.stderr}")
            results[t] = self._result(t, wall, known)
        return results

    def _run_inprocess(self, times: Sequence[datetime]) -> dict[datetime, RunResult]:
        job = {
            "times": [rfc3339(t) for t in times],
            "settings": {**self.settings, "LOG_FILE": str(self.log_file)},
            "arguments": self.arguments,
        }
        results: dict[datetime, RunResult] = {}
        known = self._manifest_names()
        with self.log_file.open("a", encoding="utf-8") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "bench.simsite.driver"],
                cwd=REPO,
                env=bench_env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        assert worker.stdin is not None
        assert worker.stdout is not None
        try:
            worker.stdin.write(json.dumps(job) + "\n")
            worker.stdin.flush()
            for line in worker.stdout:
                if not line.startswith(_PROTOCOL):
                    continue  # something else printed on stdout
                word, *rest = line[len(_PROTOCOL) :].split()
                if word == "clock":
                    self.site.set_now(_parse(rest[0]))
                    known = self._manifest_names()
                    worker.stdin.write("ok\n")
                    worker.stdin.flush()
                elif word == "done":
                    t = _parse(rest[0])
                    results[t] = self._result(t, float(rest[1]), known)
            if worker.wait() != 0:
                raise RuntimeError(f"the crawl worker failed (exit {worker.returncode}); see {self.log_file}")
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        return results

    # --- outcomes -----------------------------------------------------------------------------

    def _runs_dir(self) -> Path:
        return self.data_dir / SPIDER / "runs"

    def _manifest_names(self) -> set[str]:
        runs = self._runs_dir()
        return {p.name for p in runs.glob("*.json")} if runs.is_dir() else set()

    def _result(self, t: datetime, wall: float, known: set[str]) -> RunResult:
        new = sorted(self._manifest_names() - known)
        if not new:
            logger.warning("Run at %s wrote no manifest (see %s)", rfc3339(t), self.log_file)
            return RunResult(t, executed=True, wall=wall)
        manifest = json.loads((self._runs_dir() / new[-1]).read_text(encoding="utf-8"))
        return RunResult(t, executed=True, status=manifest.get("status"), wall=wall, manifest=manifest)


def _parse(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def inprocess_worker() -> None:
    """The in-process mode's worker (``python -m bench.simsite.driver``): every crawl in turn on one reactor.

    Reads the job (one JSON line) on stdin; before each crawl writes ``clock <t>`` and waits for a
    line back (the caller has set the site's clock); after it, ``done <t> <wall seconds>``.
    """
    os.chdir(REPO)
    job = json.loads(sys.stdin.readline())
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy.crawler import Crawler, CrawlerRunner
    from scrapy.settings import Settings
    from scrapy.utils.log import configure_logging
    from twisted.internet import defer, reactor

    base = Settings()
    base.setmodule("newscrawl.settings", priority="project")
    base.update(job["settings"], priority="cmdline")
    configure_logging(base)
    runner = CrawlerRunner(base)
    spider = runner.spider_loader.load(SPIDER)
    failures: list[BaseException] = []

    def say(*words: object) -> None:
        print(_PROTOCOL + " ".join(map(str, words)), flush=True)

    @defer.inlineCallbacks
    def crawl_all() -> Any:
        try:
            for at in job["times"]:
                say("clock", at)
                if not sys.stdin.readline():
                    raise RuntimeError("the driver is gone (stdin closed)")
                settings = base.copy()
                settings.set("NEWSCRAWL_NOW", at, priority="cmdline")
                started = time.monotonic()
                yield runner.crawl(Crawler(spider, settings), **job["arguments"])
                say("done", at, time.monotonic() - started)
        except BaseException as exc:
            failures.append(exc)
        finally:
            reactor.stop()  # type: ignore[misc]

    reactor.callWhenRunning(crawl_all)
    reactor.run()  # type: ignore[misc]
    if failures:
        raise failures[0]


if __name__ == "__main__":
    inprocess_worker()
