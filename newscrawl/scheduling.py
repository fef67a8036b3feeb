"""Schedule a spider on Scrapyd, one job at a time, and report the jobs that failed.

Scrapyd cannot tell a failed job from a good one: ``listjobs.json`` has no exit status. A job's
outcome is the project's run manifest, ``<data dir>/<spider>/runs/<run_id>.json`` (the one whose
``arguments.spider._job`` is the Scrapyd job id, which Scrapyd passes as a spider argument) or,
when the job left no manifest, its log on Scrapyd. So this script is given the data dir, and
gives it to every job it schedules as ``NEWSCRAWL_DATA_DIR``: one absolute path for both.

Each run (or each tick of ``--every``) first reports the outcome of the spider's last finished
job, then schedules a new job, unless one is still pending or running. Spider arguments
(``-a NAME=VALUE``) and settings (``-s NAME=VALUE``) go to ``schedule.json`` unchanged. Basic
auth comes from SCRAPYD_USERNAME and SCRAPYD_PASSWORD, the variables Scrapyd itself reads.

Exit status: 0 ok; 1 a job failed (with ``--wait`` the new job, else the previous one) or did
not finish within ``--timeout``; 2 usage error; 3 not scheduled, a job of the spider is still
pending or running; 4 Scrapyd unreachable, credentials refused, or request rejected.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

import requests
from scrapyd_client import ScrapydClient
from scrapyd_client.exceptions import ErrorResponse, MalformedResponse

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:6800/"
DEFAULT_PROJECT = "newscrawl"
DEFAULT_SPIDER = "rfi_cn"
DATA_DIR_SETTING = "NEWSCRAWL_DATA_DIR"
# Parameters schedule.json keeps for itself: a spider argument with one of these names never
# reaches the spider (Scrapyd adds `_job` itself).
RESERVED_ARGUMENTS = frozenset({"project", "spider", "setting", "jobid", "priority", "_version", "_job"})

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BUSY = 3  # 2 is argparse's usage error
EXIT_SCRAPYD = 4
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports it

# A Scrapy log line at ERROR or CRITICAL level (Scrapy's default LOG_FORMAT and LOG_DATEFORMAT).
_LOG_ERROR = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[^\]]+\] (?:ERROR|CRITICAL): (?P<message>.*\S)")
_TRACEBACK = "Traceback (most recent call last):"
_LISTED_LOG_ERRORS = 3


class ScrapydError(Exception):
    """Scrapyd could not be reached, refused the credentials, or answered with an error."""


class NotFoundError(ScrapydError):
    """Scrapyd answered 404 (for a job log: deleted by ``jobs_to_keep``)."""


class Scrapyd:
    """Scrapyd's API as the scheduler uses it: scrapyd-client's ``ScrapydClient``, plus what it lacks.

    What ScrapydClient (2.0.3) does not do, and how it is made up for here:
    - it cannot read a job's log (a file Scrapyd serves, not a JSON endpoint): ``text()`` fetches
      it with ``requests`` and the same credentials;
    - it takes a refused login (HTTP 401, an HTML page) for a malformed answer: a response hook on
      its ``auth`` turns 401 into "authentication refused";
    - it passes no timeout to ``requests``, and offers no way to set one: each call runs on a
      daemon thread and is given up after ``timeout`` seconds (``_within``), so a Scrapyd that
      accepts connections but never answers cannot block the scheduler.
    """

    def __init__(self, url: str, username: str = "", password: str = "", timeout: float = 30.0) -> None:
        self.url = url
        self.timeout = timeout
        self.client = ScrapydClient(url.rstrip("/"))
        # Only SCRAPYD_USERNAME/SCRAPYD_PASSWORD, as Scrapyd reads them (ScrapydClient would fall back on ~/.netrc).
        self.client.auth = _CheckedAuth(username, password) if username else _CheckedAuth(None, None)

    def jobs(self, project: str) -> dict[str, Any]:
        return dict(self._call("listjobs.json", self.client.jobs, project))

    def schedule(self, project: str, spider: str, parameters: list[tuple[str, str]]) -> str:
        return str(self._call("schedule.json", self.client.schedule, project, spider, parameters))

    def text(self, path: str) -> str:
        """A file Scrapyd serves, such as a job log (``/logs/<project>/<spider>/<job>.log``)."""
        url = self.url_for(path)
        try:
            response = requests.get(url, auth=self.client.auth, timeout=self.timeout)
        except requests.RequestException as error:
            raise ScrapydError(f"{url}: {error}") from error
        if response.status_code == 404:
            raise NotFoundError(f"{url}: not found")
        if not response.ok:
            raise ScrapydError(f"{url}: HTTP {response.status_code} {response.reason}")
        return response.content.decode("utf-8", "replace")

    def url_for(self, path: str) -> str:
        # Relative to the base URL, so that a base behind a path prefix keeps its prefix.
        return urljoin(self.url if self.url.endswith("/") else self.url + "/", path.lstrip("/"))

    def _call(self, endpoint: str, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return _within(self.timeout, method, *args)
        except TimeoutError as error:
            raise ScrapydError(f"{self.url_for(endpoint)}: no answer within {self.timeout:g} s") from error
        except ErrorResponse as error:
            raise ScrapydError(f"{endpoint} refused the request: {error}") from error
        except MalformedResponse as error:
            raise ScrapydError(f"{endpoint} did not answer JSON: {str(error)[:200]!r}") from error
        except requests.RequestException as error:
            raise ScrapydError(f"{self.url_for(endpoint)}: {error}") from error


def _within(timeout: float, method: Callable[..., Any], *args: Any) -> Any:
    """``method(*args)``, or TimeoutError after ``timeout`` seconds (the call is left to finish on its own)."""
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["value"] = method(*args)
        except Exception as error:  # re-raised in the caller's thread below
            outcome["error"] = error

    worker = threading.Thread(target=call, name="scrapyd-call", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class _CheckedAuth(requests.auth.AuthBase):
    """Basic auth when there are credentials, and a clear error when Scrapyd refuses them."""

    def __init__(self, username: str | None, password: str | None) -> None:
        self.basic = requests.auth.HTTPBasicAuth(username, password or "") if username else None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.basic is not None:
            request = self.basic(request)
        request.register_hook("response", _refused_login)
        return request


def _refused_login(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    if response.status_code == 401:
        raise ScrapydError(
            f"{response.url}: authentication refused "
            "(set SCRAPYD_USERNAME and SCRAPYD_PASSWORD to Scrapyd's credentials)"
        )


@dataclass(frozen=True)
class Job:
    """One Scrapyd job of the spider, as ``listjobs.json`` shows it."""

    id: str
    state: str  # pending, running or finished
    end_time: str = ""
    log_url: str | None = None


@dataclass(frozen=True)
class Outcome:
    job_id: str
    ok: bool
    summary: str


def manifest_outcome(manifest: dict[str, Any]) -> tuple[bool, str]:
    """Whether the run a manifest describes succeeded, and a one-line summary of it."""
    run_id = manifest.get("run_id")
    status = manifest.get("status")
    counts = manifest.get("counts") or {}
    output = manifest.get("output") or {}
    if status == "finished":
        published = int(counts.get("new", 0)) + int(counts.get("feed_only", 0))
        if published and not output.get("dataset_published"):
            return False, (
                f"run {run_id} finished, but its {published} records never reached the dataset "
                "(is Scrapyd's items_dir set? it replaces the project's FEEDS)"
            )
        return True, (
            f"run {run_id} finished: {counts.get('entries_seen', 0)} listed entries, {counts.get('new', 0)} new, "
            f"{counts.get('feed_only', 0)} feed-only; dataset file {output.get('articles') or 'none (nothing new)'}"
        )
    if status == "running":
        return False, f"run {run_id} never closed (its manifest still says running: the crawl process died)"
    errors = "; ".join(str(error) for error in manifest.get("errors") or []) or "no error recorded"
    return False, f"run {run_id} {status}: {errors}"


def find_manifest(runs_dir: Path, job_id: str) -> dict[str, Any] | None:
    """The run manifest of a Scrapyd job (newest first: run ids start with the UTC start time)."""
    for path in sorted(runs_dir.glob("*.json"), reverse=True):
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            logger.warning("Unreadable run manifest %s: %s", path, error)
            continue
        arguments = manifest.get("arguments") if isinstance(manifest, dict) else None
        spider_arguments = arguments.get("spider") if isinstance(arguments, dict) else None
        if isinstance(spider_arguments, dict) and spider_arguments.get("_job") == job_id:
            return dict(manifest)
    return None


def log_errors(text: str) -> list[str]:
    """The errors of a Scrapy log: ERROR/CRITICAL messages and the exception line of each traceback."""
    errors: list[str] = []
    in_traceback = False
    for line in text.splitlines():
        if line.startswith(_TRACEBACK):
            in_traceback = True
        elif in_traceback:
            if line.strip() and not line[0].isspace():
                errors.append(line.strip())
                in_traceback = False
        elif match := _LOG_ERROR.match(line):
            errors.append(match["message"])
    return errors


def job_settings(data_dir: Path, settings: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The job's settings: the given ones, in order, and the data dir the outcome is read from."""
    if any(name == DATA_DIR_SETTING for name, _ in settings):
        return list(settings)
    return [*settings, (DATA_DIR_SETTING, str(data_dir))]


def schedule_parameters(arguments: list[tuple[str, str]], settings: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """schedule.json's parameters besides project and spider: ``-s NAME=VALUE`` → ``setting=NAME=VALUE``,
    ``-a NAME=VALUE`` → ``NAME=VALUE``."""
    return [*(("setting", f"{name}={value}") for name, value in settings), *arguments]


@dataclass
class Scheduler:
    """Schedules one spider of one project, and tells how its jobs ended."""

    scrapyd: Scrapyd
    data_dir: Path
    project: str = DEFAULT_PROJECT
    spider: str = DEFAULT_SPIDER
    arguments: list[tuple[str, str]] = field(default_factory=list)
    settings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / self.spider / "runs"

    def jobs(self) -> list[Job]:
        listing = self.scrapyd.jobs(self.project)
        return [
            Job(
                id=str(entry["id"]),
                state=state,
                end_time=str(entry.get("end_time") or ""),
                log_url=entry.get("log_url"),
            )
            for state in ("pending", "running", "finished")
            for entry in listing.get(state, [])
            if entry.get("spider") == self.spider
        ]

    def schedule(self) -> str:
        parameters = schedule_parameters(self.arguments, job_settings(self.data_dir, self.settings))
        return self.scrapyd.schedule(self.project, self.spider, parameters)

    def wait(self, job_id: str, *, poll: float, timeout: float | None) -> Job | None:
        """The job once it finished; None if it is still pending or running after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = next((job for job in self.jobs() if job.id == job_id), None)
            if job is None:
                logger.warning("Job %s is no longer listed by Scrapyd (restarted?): reading its outcome anyway", job_id)
                return Job(job_id, "finished")
            if job.state == "finished":
                return job
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(poll)

    def outcome(self, job: Job) -> Outcome:
        manifest = find_manifest(self.runs_dir, job.id)
        if manifest is not None:
            ok, summary = manifest_outcome(manifest)
            return Outcome(job.id, ok, summary)
        missing = f"no run manifest under {self.runs_dir}"
        if job.log_url is None:
            return Outcome(job.id, False, f"{missing}, and Scrapyd has no log of it")
        log_url = self.scrapyd.url_for(job.log_url)
        try:
            errors = log_errors(self.scrapyd.text(job.log_url))
        except NotFoundError:
            return Outcome(job.id, False, f"{missing}, and its log {log_url} is gone")
        if errors:
            listed = " | ".join(errors[:_LISTED_LOG_ERRORS])
            return Outcome(job.id, False, f"{missing}; its log {log_url} shows {len(errors)} error(s): {listed}")
        return Outcome(
            job.id,
            False,
            f"{missing}, and its log {log_url} shows no error: was the job given another {DATA_DIR_SETTING}?",
        )


def report(scheduler: Scheduler, outcome: Outcome, which: str, *, failure_level: int = logging.ERROR) -> None:
    if outcome.ok:
        logger.info("%s %s job %s succeeded: %s", which, scheduler.spider, outcome.job_id, outcome.summary)
    else:
        logger.log(failure_level, "%s %s job %s FAILED: %s", which, scheduler.spider, outcome.job_id, outcome.summary)


def schedule_next(scheduler: Scheduler, *, wait: bool, reported: set[str] | None = None) -> tuple[int, str | None]:
    """Report the last finished job, schedule a new one unless one is active.

    Returns the status so far and the new job's id (None when a job was still active).
    ``reported`` (loop mode) holds the jobs already reported, which are not reported again.
    """
    jobs = scheduler.jobs()
    status = EXIT_OK
    finished = [job for job in jobs if job.state == "finished"]
    previous = max(finished, key=lambda job: job.end_time, default=None)
    if previous is not None and (reported is None or previous.id not in reported):
        outcome = scheduler.outcome(previous)
        # With --wait the previous job's failure was reported, as an error, by the run that waited for it.
        report(scheduler, outcome, "Previous", failure_level=logging.WARNING if wait else logging.ERROR)
        if reported is not None:
            reported.add(previous.id)
        if not outcome.ok and not wait:
            status = EXIT_FAILED
    active = [job for job in jobs if job.state != "finished"]
    if active:
        logger.warning(
            "Not scheduling %s: job %s is still %s (one job at a time)", scheduler.spider, active[0].id, active[0].state
        )
        return status or EXIT_BUSY, None
    job_id = scheduler.schedule()
    logger.info(
        "Scheduled %s job %s on %s (data dir %s)", scheduler.spider, job_id, scheduler.scrapyd.url, scheduler.data_dir
    )
    return status, job_id


def wait_for(
    scheduler: Scheduler, job_id: str, *, poll: float, timeout: float | None, reported: set[str] | None = None
) -> int:
    """Wait for a job scheduled by ``schedule_next`` and report how it ended."""
    job = scheduler.wait(job_id, poll=poll, timeout=timeout)
    if job is None:
        logger.error("Job %s did not finish within %s s; it keeps running on Scrapyd", job_id, timeout)
        return EXIT_FAILED
    outcome = scheduler.outcome(job)
    report(scheduler, outcome, "Scheduled")
    if reported is not None:
        reported.add(job.id)
    return EXIT_OK if outcome.ok else EXIT_FAILED


# Several nodes: the exit status is the most serious of theirs.
_SEVERITY = (EXIT_OK, EXIT_BUSY, EXIT_FAILED, EXIT_SCRAPYD)


def run_on_each(
    schedulers: list[Scheduler], *, wait: bool, poll: float, timeout: float | None, reported: set[str] | None = None
) -> int:
    """On every Scrapyd node (processes sharing one Redis): report the last job and schedule a new one on
    all (``schedule_next``), then, with ``wait``, wait for all (``wait_for``).

    A node that cannot be reached is reported and the others still get their job.
    """
    statuses: list[int] = []
    scheduled: list[tuple[Scheduler, str]] = []
    for scheduler in schedulers:
        try:
            status, job_id = schedule_next(scheduler, wait=wait, reported=reported)
        except ScrapydError as error:
            logger.error("Scrapyd: %s", error)
            statuses.append(EXIT_SCRAPYD)
            continue
        statuses.append(status)
        if job_id is not None and wait:
            scheduled.append((scheduler, job_id))
    for scheduler, job_id in scheduled:
        try:
            statuses.append(wait_for(scheduler, job_id, poll=poll, timeout=timeout, reported=reported))
        except ScrapydError as error:
            logger.error("Scrapyd: %s", error)
            statuses.append(EXIT_SCRAPYD)
    return max(statuses, key=_SEVERITY.index, default=EXIT_OK)


def run_every(
    schedulers: list[Scheduler], minutes: float, *, wait: bool, poll: float, timeout: float | None
) -> NoReturn:
    """Loop mode: one ``run_on_each`` every ``minutes``, the first at once; Scrapyd errors are logged, not fatal."""
    period = minutes * 60
    reported: set[str] = set()
    tick = time.monotonic()
    while True:
        run_on_each(schedulers, wait=wait, poll=poll, timeout=timeout, reported=reported)
        tick += period
        now = time.monotonic()
        if tick < now:
            missed = math.ceil((now - tick) / period)
            logger.warning("The last run overran: skipping %d scheduling time(s)", missed)
            tick += missed * period
        time.sleep(tick - now)


def name_value(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def positive(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.scheduling",
        description=(
            "Schedule a newscrawl spider on Scrapyd, one job at a time, and report failed jobs. "
            "Basic auth: SCRAPYD_USERNAME and SCRAPYD_PASSWORD from the environment."
        ),
        epilog=(
            "Exit status: 0 ok; 1 a job failed (with --wait the new one, else the previous one) or did not finish "
            "within --timeout; 2 usage error; 3 not scheduled, a job is still pending or running; 4 Scrapyd "
            "unreachable, credentials refused, or request rejected."
        ),
    )
    parser.add_argument(
        "--url",
        dest="urls",
        action="append",
        metavar="URL",
        help=f"Scrapyd's URL (default: $SCRAPYD_URL or {DEFAULT_URL}); repeat it to start one job on each of "
        "several Scrapyd nodes (processes sharing one Redis, NEWSCRAWL_REDIS_URL)",
    )
    parser.add_argument("--project", default=DEFAULT_PROJECT, help="the deployed project (default: %(default)s)")
    parser.add_argument("--spider", default=DEFAULT_SPIDER, help="the spider to schedule (default: %(default)s)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=os.environ.get(DATA_DIR_SETTING) or None,
        help=f"absolute data dir, given to the job as {DATA_DIR_SETTING} and read for its outcome "
        f"(default: ${DATA_DIR_SETTING}, or the -s {DATA_DIR_SETTING}=... setting)",
    )
    parser.add_argument(
        "-a",
        dest="arguments",
        metavar="NAME=VALUE",
        type=name_value,
        action="append",
        default=[],
        help="spider argument, passed unchanged (repeatable), e.g. -a feeds=URL,URL",
    )
    parser.add_argument(
        "-s",
        dest="settings",
        metavar="NAME=VALUE",
        type=name_value,
        action="append",
        default=[],
        help="Scrapy setting, passed unchanged (repeatable), e.g. -s NEWSCRAWL_REPLAY_DIR=/abs/archive",
    )
    parser.add_argument("--wait", action="store_true", help="wait for the new job and exit with its outcome")
    parser.add_argument(
        "--timeout", type=positive, metavar="SECONDS", help="with --wait: give up waiting after this many seconds"
    )
    parser.add_argument(
        "--poll",
        type=positive,
        default=5.0,
        metavar="SECONDS",
        help="seconds between two looks at Scrapyd's job list (default: 5)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="log errors only: a failed job, Scrapyd unreachable (cron mails any output)",
    )
    parser.add_argument(
        "--every",
        type=positive,
        metavar="MINUTES",
        help="keep running: schedule every MINUTES (the first at once); for a daemon, not for cron",
    )
    return parser


def schedulers_from_options(options: argparse.Namespace) -> list[Scheduler]:
    """One scheduler per Scrapyd URL the command line gives; ValueError when it is inconsistent."""
    urls: list[str] = options.urls or [os.environ.get("SCRAPYD_URL") or DEFAULT_URL]
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"--url must be an http(s) URL, not {url!r}")
    if len(set(urls)) != len(urls):
        raise ValueError("a Scrapyd URL is given twice")
    if options.timeout is not None and not options.wait:
        raise ValueError("--timeout needs --wait")
    arguments: list[tuple[str, str]] = options.arguments
    settings: list[tuple[str, str]] = options.settings
    names = [name for name, _ in arguments]
    for name in names:
        if name in RESERVED_ARGUMENTS:
            raise ValueError(f"spider argument {name!r} is a parameter of Scrapyd's schedule.json; it cannot be passed")
        if names.count(name) > 1:
            raise ValueError(f"spider argument {name!r} is given twice")
    given = [Path(value) for name, value in settings if name == DATA_DIR_SETTING]
    data_dir: Path | None = options.data_dir
    if data_dir is None and given:
        data_dir = given[0]
    if data_dir is None:
        raise ValueError(f"give the data dir: --data-dir /absolute/path (or ${DATA_DIR_SETTING})")
    if not data_dir.is_absolute():
        raise ValueError(f"the data dir must be an absolute path (jobs run in Scrapyd's directory): {data_dir}")
    if any(path != data_dir for path in given):
        raise ValueError(f"-s {DATA_DIR_SETTING} differs from --data-dir {data_dir}")
    username, password = os.environ.get("SCRAPYD_USERNAME", ""), os.environ.get("SCRAPYD_PASSWORD", "")
    return [
        Scheduler(Scrapyd(url, username, password), data_dir, options.project, options.spider, arguments, settings)
        for url in urls
    ]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.ERROR if options.quiet else logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    try:
        schedulers = schedulers_from_options(options)
    except ValueError as error:
        parser.error(str(error))
    try:
        if options.every is not None:
            run_every(schedulers, options.every, wait=options.wait, poll=options.poll, timeout=options.timeout)
        return run_on_each(schedulers, wait=options.wait, poll=options.poll, timeout=options.timeout)
    except KeyboardInterrupt:
        logger.info("Interrupted")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
