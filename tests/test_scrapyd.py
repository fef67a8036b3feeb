"""Scheduled runs on a real Scrapyd (issue: scheduled runs on Scrapyd).

One Scrapyd per module, on a free loopback port, in a temp dir with the committed
deploy/scrapyd.conf (port and poll interval changed), basic auth from SCRAPYD_USERNAME and
SCRAPYD_PASSWORD. The project is deployed with the real scrapyd-deploy from a copy of the
checkout (committed setup.py, scrapy.cfg with its ${VAR} credentials), and every job is scheduled
through ``python -m newscrawl.scheduling``. Jobs import the deployed egg only: Scrapyd's
directory is outside the checkout and its environment has no PYTHONPATH.
"""

from __future__ import annotations

import base64
import configparser
import json
import logging
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import pytest

from newscrawl import settings as project_settings
from newscrawl.scheduling import (
    Scheduler,
    Scrapyd,
    ScrapydError,
    build_parser,
    job_settings,
    log_errors,
    main,
    manifest_outcome,
    run_every,
    run_on_each,
    schedule_parameters,
    schedulers_from_options,
)
from tests.archive import ArchiveBuilder, article_url
from tests.conftest import BUNDLED_ARCHIVE, FEED, REPO, SPIDER, dataset, flat_total, manifests

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

pytestmark = pytest.mark.scrapyd

PROJECT = "newscrawl"
USERNAME = "newscrawl-test"
PASSWORD = "s3cret%pass"  # a "%" survives scrapy.cfg's interpolation
DEPLOY = REPO / "deploy"
# What a checkout holds besides newscrawl that must stay out of the egg (scrapyd-deploy's default
# setup.py would package tests/ and bench/).
NOT_PACKAGED = ("tests", "bench", "fixtures")


@dataclass(frozen=True)
class Server:
    url: str
    root: Path
    process: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would point a process at the checkout or another Scrapyd."""
    dropped = ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT", "NEWSCRAWL_DATA_DIR")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("SCRAPYD_")}
    return {**env, **extra}


def auth_env() -> dict[str, str]:
    return {"SCRAPYD_USERNAME": USERNAME, "SCRAPYD_PASSWORD": PASSWORD}


def api(server: Server, endpoint: str, *, auth: bool = True) -> dict[str, Any]:
    request = Request(server.url + endpoint)
    if auth:
        token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    with urlopen(request, timeout=10) as response:
        data: dict[str, Any] = json.load(response)
    return data


def spider_jobs(server: Server) -> dict[str, list[str]]:
    listing = api(server, f"listjobs.json?project={PROJECT}")
    return {
        state: [job["id"] for job in listing[state] if job["spider"] == SPIDER]
        for state in ("pending", "running", "finished")
    }


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def scrapyd_config(port: int) -> str:
    """The committed deploy/scrapyd.conf, on another port and polling the queue often."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(DEPLOY / "scrapyd.conf", encoding="utf-8")
    config["scrapyd"]["http_port"] = str(port)
    config["scrapyd"]["poll_interval"] = "0.2"
    lines: list[str] = []
    for section in config.sections():
        lines.append(f"[{section}]")
        lines += [f"{name} = {value}" for name, value in config[section].items()]
    return "\n".join(lines) + "\n"


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop Scrapyd and every job it started (they share its process group): terminate, wait, kill."""
    group = process.pid
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if process.poll() is not None and not group_alive(group):
                return
            time.sleep(0.1)
    process.wait(timeout=5)


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def start_scrapyd(root: Path) -> Server:
    root.mkdir(parents=True)
    for _ in range(3):  # another process may take the free port before Scrapyd binds it
        port = free_port()
        (root / "scrapyd.conf").write_text(scrapyd_config(port), encoding="utf-8")
        with (root / "scrapyd.out").open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "scrapyd", "--pidfile="],
                cwd=root,
                env=clean_env(**auth_env(), HOME=str(root)),  # no ~/.scrapyd.conf may override ours
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(f"http://127.0.0.1:{port}/", root, process)
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            try:
                api(server, "daemonstatus.json")
            except (URLError, ConnectionError):
                time.sleep(0.1)
            else:
                return server
        stop(process)
    raise RuntimeError("Scrapyd did not start:\n" + (root / "scrapyd.out").read_text(encoding="utf-8")[-3000:])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start_scrapyd(tmp_path_factory.mktemp("scrapyd") / "server")
    try:
        yield started
    finally:
        stop(started.process)
        assert not group_alive(started.process.pid), "a process started by Scrapyd survived"


def copy_checkout(folder: Path, deploy_url: str) -> Path:
    """A copy of the checkout (so the build leaves nothing in the real one), its ``local`` target at ``deploy_url``."""
    copy = folder / "newscrawl"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "newscrawl", copy / "newscrawl", ignore=ignore)
    for name in NOT_PACKAGED:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, copy / name, ignore=ignore)
    for name in ("setup.py", "pyproject.toml", "README.md"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, copy / name)
    committed = (REPO / "scrapy.cfg").read_text(encoding="utf-8")
    (copy / "scrapy.cfg").write_text(committed.replace("http://127.0.0.1:6800/", deploy_url), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory, server: Server) -> Path:
    """A copy of the checkout deploying to ``server``."""
    return copy_checkout(tmp_path_factory.mktemp("checkout"), server.url)


def scrapyd_deploy(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", *args],
        cwd=checkout,
        env=clean_env(**auth_env()),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def egg(checkout: Path) -> Path:
    path = checkout.parent / "newscrawl.egg"
    built = scrapyd_deploy(checkout, "--build-egg", str(path))
    assert built.returncode == 0, built.stderr
    return path


@pytest.fixture(scope="module")
def deployed(server: Server, checkout: Path, egg: Path) -> Server:
    """The egg deployed with `scrapyd-deploy local`, credentials from scrapy.cfg's ${VAR}s."""
    result = scrapyd_deploy(checkout, "local", "--egg", str(egg), "--version", "test-1")
    assert result.returncode == 0, result.stderr + result.stdout
    assert json.loads(result.stdout)["status"] == "ok"
    assert SPIDER in api(server, f"listspiders.json?project={PROJECT}")["spiders"]
    return server


@pytest.fixture
def scrapyd(deployed: Server) -> Iterator[Server]:
    """The deployed server; after the test, no job of the spider may be left pending or running."""
    yield deployed
    wait_until(lambda: not any(spider_jobs(deployed)[s] for s in ("pending", "running")), 60, "idle Scrapyd")


def schedule_command(server: Server, data_dir: Path, *args: str) -> list[str]:
    command = [sys.executable, "-m", "newscrawl.scheduling", "--url", server.url, "--poll", "0.2"]
    return [*command, "--data-dir", str(data_dir), *args]


def schedule_options(password: str = PASSWORD) -> dict[str, Any]:
    env = clean_env(PYTHONPATH=str(REPO), SCRAPYD_USERNAME=USERNAME, SCRAPYD_PASSWORD=password)
    return {"cwd": REPO, "env": env, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}


def schedule(server: Server, data_dir: Path, *args: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    """`python -m newscrawl.scheduling` against ``server``, as cron would run it."""
    command = schedule_command(server, data_dir, *args)
    return subprocess.run(command, **schedule_options(password), text=True, timeout=90, check=False)


def scheduled_job(result: subprocess.CompletedProcess[str]) -> str:
    match = re.search(rf"Scheduled {SPIDER} job (\w+) on ", result.stderr)
    assert match, result.stderr
    return match[1]


def manifest_of(data_dir: Path, job_id: str) -> dict[str, Any]:
    found = [m for m in manifests(data_dir) if m["arguments"]["spider"].get("_job") == job_id]
    assert len(found) == 1, f"manifests of job {job_id}: {found}"
    return found[0]


def replay_settings() -> list[str]:
    return ["-s", f"NEWSCRAWL_REPLAY_DIR={BUNDLED_ARCHIVE}"]


# --- packaging ------------------------------------------------------------------------------------


def test_egg_carries_the_package_and_its_data_and_nothing_else(egg: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
        top_level = archive.read("EGG-INFO/top_level.txt").decode().split()
    assert "[scrapy]\nsettings = newscrawl.settings" in entry_points
    assert top_level == ["newscrawl"]
    assert not [name for name in names if name.split("/")[0] in NOT_PACKAGED]
    shipped = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "newscrawl").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert "newscrawl/schema/article.schema.json" in shipped
    assert shipped <= names, f"missing from the egg: {sorted(shipped - names)}"
    # The schema and the settings load from inside the egg alone (-I: no checkout on sys.path).
    probe = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "import newscrawl.schema, newscrawl.settings; "
        "print(json.dumps({'from': newscrawl.schema.__file__, 'settings': newscrawl.settings.__file__, "
        "'schema': newscrawl.schema.record_schema()}))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(egg)],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["from"].startswith(str(egg))
    assert loaded["settings"].startswith(str(egg))
    committed = json.loads((REPO / "newscrawl/schema/article.schema.json").read_text(encoding="utf-8"))
    assert loaded["schema"] == committed


# --- scheduled jobs on Scrapyd -----------------------------------------------------------------------


def test_scheduled_job_writes_the_dataset_and_a_second_job_adds_nothing(scrapyd: Server, tmp_path: Path) -> None:
    data = tmp_path / "data"
    feeds = ",".join(project_settings.NEWSCRAWL_FEEDS)  # commas and %-escapes, passed through unchanged
    first = schedule(scrapyd, data, *replay_settings(), "-a", f"feeds={feeds}", "--wait")
    assert first.returncode == 0, first.stderr
    job = scheduled_job(first)
    assert re.search(rf"Scheduled {SPIDER} job {job} succeeded: run \S+ finished", first.stderr), first.stderr

    records = dataset(data)
    assert records
    assert len({record["url"] for record in records}) == len(records)
    run = manifest_of(data, job)
    assert run["status"] == "finished"
    assert run["errors"] == []
    counts = run["counts"]
    assert counts["add_up"] is True
    assert flat_total(counts) == counts["entries_seen"] > 0
    assert counts["new"] + counts["feed_only"] == len(records)
    assert run["arguments"]["spider"]["feeds"] == feeds
    assert run["arguments"]["settings"]["NEWSCRAWL_REPLAY_DIR"] == str(BUNDLED_ARCHIVE)
    assert run["arguments"]["settings"]["NEWSCRAWL_DATA_DIR"] == str(data)
    # The job ran from Scrapyd's directory; its log is Scrapyd's, the data lives only in the data dir.
    assert (scrapyd.root / "logs" / PROJECT / SPIDER / f"{job}.log").is_file()
    assert not (scrapyd.root / "data").exists()
    assert not (scrapyd.root / "items").exists()

    second = schedule(scrapyd, data, *replay_settings(), "-a", f"feeds={feeds}", "--wait")
    assert second.returncode == 0, second.stderr
    assert f"Previous {SPIDER} job {job} succeeded" in second.stderr
    again = manifest_of(data, scheduled_job(second))
    assert again["status"] == "finished"
    assert (again["counts"]["new"], again["counts"]["feed_only"]) == (0, 0)
    assert again["counts"]["add_up"] is True
    assert dataset(data) == records
    assert len(list((data / SPIDER / "articles").glob("*/*.jsonl"))) == 1


def test_failed_jobs_are_reported_from_the_manifest_or_the_log(scrapyd: Server, tmp_path: Path) -> None:
    data = tmp_path / "data"
    missing_feed = "https://www.rfi.fr/cn/no-such-section/rss"  # not in the archive: 404
    # Feeds only: the bundled archive's news sitemap would otherwise still give articles.
    failed = schedule(scrapyd, data, *replay_settings(), "-a", f"feeds={missing_feed}", "-a", "sitemaps=", "--wait")
    assert failed.returncode == 1, failed.stderr
    job = scheduled_job(failed)
    assert re.search(
        rf"ERROR Scheduled {SPIDER} job {job} FAILED: run \S+ failed: .*no feed could be fetched", failed.stderr
    ), failed.stderr
    assert manifest_of(data, job)["status"] == "failed"
    assert dataset(data) == []

    # Cron without --wait: the next scheduling reports the failed job and exits non-zero. Its own
    # job dies while it starts (a setting Scrapy cannot read), before the run has a manifest.
    following = schedule(scrapyd, data, *replay_settings(), "-s", "DOWNLOAD_TIMEOUT=soon")
    assert following.returncode == 1, following.stderr
    assert f"ERROR Previous {SPIDER} job {job} FAILED: run " in following.stderr
    broken = scheduled_job(following)
    scheduler = Scheduler(Scrapyd(scrapyd.url, USERNAME, PASSWORD), data)
    finished = scheduler.wait(broken, poll=0.2, timeout=60)
    assert finished is not None
    outcome = scheduler.outcome(finished)
    assert not outcome.ok
    log_url = f"{scrapyd.url}logs/{PROJECT}/{SPIDER}/{broken}.log"
    assert outcome.summary.startswith(f"no run manifest under {data / SPIDER / 'runs'}; its log {log_url} shows")
    assert "ValueError: could not convert string to float: 'soon'" in outcome.summary

    # A bad argument stops the job before the run exists: its one error line is in the job log.
    refused = schedule(scrapyd, data, *replay_settings(), "-a", "feeds=not-a-url", "--wait")
    assert refused.returncode == 1, refused.stderr
    bad = scheduled_job(refused)
    log_url = f"{scrapyd.url}logs/{PROJECT}/{SPIDER}/{bad}.log"
    assert (
        f"ERROR Scheduled {SPIDER} job {bad} FAILED: no run manifest under {data / SPIDER / 'runs'}; "
        f"its log {log_url} shows 1 error(s): Not crawling: -a feeds: 'not-a-url' is not an http(s) URL"
    ) in refused.stderr
    assert [run["arguments"]["spider"]["_job"] for run in manifests(data)] == [job]


def test_no_second_job_while_one_is_running(scrapyd: Server, tmp_path: Path) -> None:
    builder = ArchiveBuilder(tmp_path / "slow")
    builder.add("https://www.rfi.fr/robots.txt", "User-agent: *\nAllow: /\n", Content_Type="text/plain")
    builder.add_feed(FEED, [article_url(1)])
    builder.add(article_url(1), "slow down", status=429, Retry_After="5")  # the first answer; then the page
    builder.add_article(1)
    slow = ["-s", f"NEWSCRAWL_REPLAY_DIR={builder.write()}", "-a", f"feeds={FEED}", "-a", "sitemaps="]
    data = tmp_path / "data"

    # The first scheduling waits for its job (as cron or the systemd unit would) while others try.
    first = subprocess.Popen(schedule_command(scrapyd, data, *slow, "--wait"), **schedule_options(), text=True)
    try:
        wait_until(lambda: bool(spider_jobs(scrapyd)["running"]), 20, "the slow job to run")
        job = spider_jobs(scrapyd)["running"][0]
        for extra in (["--wait"], []):
            refused = schedule(scrapyd, data, *slow, *extra)
            assert f"WARNING Not scheduling {SPIDER}: job {job} is still running" in refused.stderr
            assert "Scheduled" not in refused.stderr
            # Exit 3 (busy), unless, without --wait, the previous finished job failed: that wins.
            previous_failed = "ERROR Previous" in refused.stderr
            assert refused.returncode == (1 if previous_failed and not extra else 3), refused.stderr
        jobs = spider_jobs(scrapyd)
        assert jobs["pending"] == []
        assert jobs["running"] == [job]
        _, stderr = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, stderr
    assert f"Scheduled {SPIDER} job {job} succeeded" in stderr
    run = manifest_of(data, job)
    assert run["status"] == "finished"
    assert run["counts"]["new"] == 1
    assert run["stats"]["newscrawl/replay/served"] == 4  # robots.txt, feed, 429, page


def test_scrapyd_requires_the_credentials(scrapyd: Server, tmp_path: Path) -> None:
    with pytest.raises(HTTPError) as refused:
        api(scrapyd, f"listjobs.json?project={PROJECT}", auth=False)
    assert refused.value.code == 401
    result = schedule(scrapyd, tmp_path / "data", "--wait", password="wrong")
    assert result.returncode == 4, result.stderr
    assert "authentication refused" in result.stderr
    assert spider_jobs(scrapyd)["pending"] == spider_jobs(scrapyd)["running"] == []


# --- the scheduling command line, without Scrapyd -----------------------------------------------------


def test_arguments_and_settings_reach_schedule_json_unchanged() -> None:
    options = build_parser().parse_args(
        [
            "--data-dir",
            "/srv/data",
            "-a",
            "feeds=https://www.rfi.fr/cn/rss,https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/rss",
            "-a",
            "note= a=b ",
            "-s",
            "NEWSCRAWL_REPLAY_DIR=/srv/replay",
            "-s",
            "DOWNLOAD_DELAY=2.5",
        ]
    )
    [scheduler] = schedulers_from_options(options)
    form = schedule_parameters(scheduler.arguments, job_settings(scheduler.data_dir, scheduler.settings))
    assert (scheduler.project, scheduler.spider) == ("newscrawl", "rfi_cn")
    assert form == [
        ("setting", "NEWSCRAWL_REPLAY_DIR=/srv/replay"),
        ("setting", "DOWNLOAD_DELAY=2.5"),
        ("setting", "NEWSCRAWL_DATA_DIR=/srv/data"),
        ("feeds", "https://www.rfi.fr/cn/rss,https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/rss"),
        ("note", " a=b "),
    ]


def test_data_dir_setting_is_the_data_dir() -> None:
    [scheduler] = schedulers_from_options(build_parser().parse_args(["-s", "NEWSCRAWL_DATA_DIR=/srv/data"]))
    assert scheduler.data_dir == Path("/srv/data")
    assert job_settings(scheduler.data_dir, scheduler.settings) == [("NEWSCRAWL_DATA_DIR", "/srv/data")]


@pytest.mark.parametrize(
    "argv",
    [
        [],  # no data dir
        ["--data-dir", "data"],  # relative: would resolve in Scrapyd's directory
        ["--data-dir", "/srv/a", "-s", "NEWSCRAWL_DATA_DIR=/srv/b"],
        ["--data-dir", "/srv/a", "-a", "project=other"],  # eaten by schedule.json
        ["--data-dir", "/srv/a", "-a", "feeds=x", "-a", "feeds=y"],
        ["--data-dir", "/srv/a", "--timeout", "60"],  # --timeout needs --wait
        ["--data-dir", "/srv/a", "--url", "file:///etc/passwd"],
        ["--data-dir", "/srv/a", "--url", "http://a:6800/", "--url", "http://a:6800/"],
        ["--data-dir", "/srv/a", "-a", "feeds"],
        ["--data-dir", "/srv/a", "--every", "0"],
    ],
)
def test_inconsistent_command_lines_are_usage_errors(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSCRAWL_DATA_DIR", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


def test_help_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newscrawl.scheduling", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0
    assert "--every MINUTES" in result.stdout
    assert "--wait" in result.stdout


@pytest.mark.parametrize(
    ("manifest", "ok", "summary"),
    [
        (
            {
                "run_id": "r1",
                "status": "finished",
                "counts": {"new": 2, "feed_only": 1},
                "output": {"dataset_published": True},
            },
            True,
            "run r1 finished",
        ),
        (
            {"run_id": "r2", "status": "finished", "counts": {"new": 0, "feed_only": 0}, "output": {}},
            True,
            "run r2 finished",
        ),
        (
            {"run_id": "r3", "status": "failed", "errors": ["no feed could be fetched"]},
            False,
            "run r3 failed: no feed could be fetched",
        ),
        ({"run_id": "r4", "status": "killed", "errors": []}, False, "run r4 killed"),
        ({"run_id": "r5", "status": "running"}, False, "run r5 never closed"),
        (
            {
                "run_id": "r6",
                "status": "finished",
                "counts": {"new": 3, "feed_only": 0},
                "output": {"dataset_published": False},
            },
            False,
            "never reached the dataset (is Scrapyd's items_dir set?",
        ),
    ],
)
def test_manifest_outcome(manifest: dict[str, Any], ok: bool, summary: str) -> None:
    assert manifest_outcome(manifest)[0] is ok
    assert summary in manifest_outcome(manifest)[1]


def test_log_errors_finds_error_lines_and_exceptions() -> None:
    log = """2026-11-29 19:14:25 [scrapy.utils.log] INFO: Scrapy 2.19.0 started (bot: newscrawl)
2026-11-29 19:14:25 [newscrawl.spiders.rfi_cn] WARNING: Feed x is malformed
2026-11-29 19:14:25 [twisted] CRITICAL: Unhandled error in Deferred:
2026-11-29 19:14:25 [twisted] CRITICAL:
Traceback (most recent call last):
  File "/x.py", line 1, in <module>
    int("x")
ValueError: invalid literal for int() with base 10: 'x'
2026-11-29 19:14:26 [newscrawl.run.extension] ERROR: Run r failed: no feed could be fetched
"""
    assert log_errors(log) == [
        "Unhandled error in Deferred:",
        "ValueError: invalid literal for int() with base 10: 'x'",
        "Run r failed: no feed could be fetched",
    ]
    assert log_errors("2026-11-29 19:14:25 [scrapy.core.engine] INFO: Spider closed (finished)\n") == []


class FakeScrapyd(Scrapyd):
    """Scrapyd's job list in memory: a scheduled job runs until the test ends it (``end``)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.running: list[dict[str, Any]] = []
        self.finished: list[dict[str, Any]] = []
        self.outages: list[str] = []
        self.scheduled: list[list[tuple[str, str]]] = []

    def jobs(self, project: str) -> dict[str, Any]:
        if self.outages:
            raise ScrapydError(self.outages.pop())
        assert project == PROJECT
        return {"status": "ok", "pending": [], "running": self.running, "finished": self.finished}

    def schedule(self, project: str, spider: str, parameters: list[tuple[str, str]]) -> str:
        assert (project, spider) == (PROJECT, SPIDER)
        self.scheduled.append(parameters)
        job = f"job{len(self.scheduled)}"
        self.running.append({"id": job, "spider": SPIDER})
        return job

    def end(self, data_dir: Path, status: str) -> None:
        job = self.running.pop()
        run_id = f"2026010{len(self.finished)}T000000Z-{job['id']}"
        runs = data_dir / SPIDER / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        manifest = {
            "run_id": run_id,
            "status": status,
            "errors": [] if status == "finished" else ["it broke"],
            "arguments": {"spider": {"_job": job["id"]}, "settings": {}},
        }
        (runs / f"{run_id}.json").write_text(json.dumps(manifest), encoding="utf-8")
        self.finished.append({**job, "end_time": f"2026-01-01 00:00:0{len(self.finished)}", "log_url": None})


class EndOfTest(Exception):
    pass


def test_loop_mode_schedules_every_period_and_reports_each_job_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeScrapyd("http://scrapyd.invalid/")

    def fail_then_go_down() -> None:
        fake.end(tmp_path, "failed")
        fake.outages.append("connection refused")

    clock = [0.0]

    def overrun() -> None:
        clock[0] += 45 * 60  # the next scheduling takes 45 minutes (waiting for Scrapyd, say)

    # What happens while the loop sleeps, one step per sleep.
    steps: list[Callable[[], None]] = [
        lambda: fake.end(tmp_path, "finished"),
        fail_then_go_down,
        overrun,
        lambda: None,  # job3 keeps running
    ]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds
        if not steps:
            raise EndOfTest
        steps.pop(0)()

    monkeypatch.setattr(time, "sleep", sleep)
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    caplog.set_level(logging.INFO, logger="newscrawl.scheduling")
    with pytest.raises(EndOfTest):
        run_every([Scheduler(fake, tmp_path)], 30, wait=False, poll=1, timeout=None)
    messages = [record.getMessage() for record in caplog.records]
    assert [m.split(" on ")[0] for m in messages if m.startswith("Scheduled")] == [
        f"Scheduled {SPIDER} job job1",
        f"Scheduled {SPIDER} job job2",
        f"Scheduled {SPIDER} job job3",
    ]
    assert len([m for m in messages if m.startswith(f"Previous {SPIDER} job job1 succeeded")]) == 1
    assert len([m for m in messages if m.startswith(f"Previous {SPIDER} job job2 FAILED: run ")]) == 1
    assert "Scrapyd: connection refused" in messages
    assert "The last run overran: skipping 1 scheduling time(s)" in messages
    assert messages[-1] == f"Not scheduling {SPIDER}: job job3 is still running (one job at a time)"
    # Every 30 minutes on the clock; after the overrun, back on the next 30-minute mark.
    assert sleeps == [1800, 1800, 1800, 900, 1800]


def test_several_nodes_each_get_a_job_and_the_worst_outcome_is_the_exit_status(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    idle, busy, down = (FakeScrapyd(f"http://node{n}.invalid/") for n in range(3))
    busy.running.append({"id": "old", "spider": SPIDER})
    down.outages.append("connection refused")
    caplog.set_level(logging.INFO, logger="newscrawl.scheduling")
    schedulers = [Scheduler(node, tmp_path) for node in (idle, busy, down)]
    assert run_on_each(schedulers, wait=False, poll=1, timeout=None) == 4
    assert len(idle.scheduled) == 1, "an unreachable or busy node does not stop the others"
    assert busy.scheduled == []
    messages = [record.getMessage() for record in caplog.records]
    assert f"Not scheduling {SPIDER}: job old is still running (one job at a time)" in messages
    assert "Scrapyd: connection refused" in messages
    assert run_on_each(schedulers[:2], wait=False, poll=1, timeout=None) == 3


# --- the deployment files ------------------------------------------------------------------------------


def test_scrapyd_conf_keeps_the_dataset_out_of_scrapyd() -> None:
    config = configparser.ConfigParser(interpolation=None)
    config.read(DEPLOY / "scrapyd.conf", encoding="utf-8")
    scrapyd = config["scrapyd"]
    assert scrapyd["bind_address"] == "127.0.0.1"
    assert scrapyd["items_dir"] == "", "a non-empty items_dir replaces the project's FEEDS"
    assert scrapyd["username"] == scrapyd["password"] == "", "credentials come from the environment"
    assert int(scrapyd["max_proc"]) >= 1
    assert int(scrapyd["jobs_to_keep"]) >= 1
    assert all(scrapyd[name] for name in ("logs_dir", "eggs_dir", "dbs_dir"))


def scheduling_command(line: str) -> list[str]:
    """The arguments after `-m newscrawl.scheduling` in a shell command line."""
    words = shlex.split(line)
    start = words.index("newscrawl.scheduling") + 1
    end = next((i for i, word in enumerate(words[start:], start) if word in ("&&", ";", "|", ">>", ">")), len(words))
    return words[start:end]


@pytest.mark.parametrize(
    ("name", "prefix"),
    [("newscrawl.cron", ""), ("newscrawl-schedule.service", "ExecStart=")],
)
def test_deployed_command_lines_are_valid(name: str, prefix: str) -> None:
    lines = [
        line
        for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines()
        if "newscrawl.scheduling" in line and not line.startswith("#") and line.startswith(prefix)
    ]
    assert len(lines) == 1
    options = build_parser().parse_args(scheduling_command(lines[0]))
    [scheduler] = schedulers_from_options(options)
    assert scheduler.data_dir.is_absolute()
    assert options.wait


def test_a_scrapyd_that_never_answers_is_given_up_after_the_timeout() -> None:
    """ScrapydClient sets no timeout: the scheduler's own deadline must end a call that hangs."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections (the kernel does), never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        started = time.monotonic()
        with pytest.raises(ScrapydError, match=r"no answer within 0\.5 s"):
            Scrapyd(url, timeout=0.5).jobs("newscrawl")
        assert time.monotonic() - started < 5
