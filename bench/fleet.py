"""``python -m bench.fleet``: many ``scrapy crawl rfi_cn`` processes sharing one Redis (issue 14).

Four measurements, each against a real redis-server (no persistence) and, except the last, the
benchmark server (``bench.server``, a separate process) answering every request after
``--latency`` seconds (per connection, so concurrent requests overlap like on a real site):

- **scaling**: a back-fill of ``--articles`` pages (one feed listing them all) by 1, 2 and 4
  processes, each capped at ``--concurrency`` requests at a time, global rate off. Throughput is
  articles published / wall time from the first start to the last exit; ratios against 1, best of
  ``--scaling-repeats`` runs per count, the order reversed every other repeat.
- **rate**: 3 processes with ``NEWSCRAWL_GLOBAL_RATE=--rate``; the server's own arrival times
  give the most requests it saw in any 1-second window (sliding and aligned).
- **kill**: ``--kill-trials`` trials of 3 processes where one, chosen at random, is killed with
  SIGKILL once the site has served a random number of the pages (a tenth to nine tenths); the
  union of the survivors' (and the victim's, if it published) files must hold every article
  exactly once.
- **overhead**: one process in replay mode with and without Redis, same archive, best of
  ``--repeats`` by CPU: CPU per article with Redis / without.

Every run checks that the union of the dataset files is exactly the corpus (no article missing,
none twice). Figures go to ``bench/out/fleet.json`` and a Markdown report to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.request import urlopen

import psutil

from bench.corpus import FEED_URL, make_pages, write_archive
from bench.measure import REPO, ServerProcess, bench_env
from tests.redisserver import RedisServer

if TYPE_CHECKING:
    from collections.abc import Callable

OUT = REPO / "bench" / "out"
TARGETS = {"2 processes / 1": 1.8, "4 processes / 1": 3.4}
OVERHEAD_TARGET = 1.3

COMMON = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "NEWSCRAWL_BROWSER_FALLBACK": "False",
    "TELNETCONSOLE_ENABLED": "False",
    "LOG_LEVEL": "INFO",
}


@dataclass
class FleetRun:
    processes: int
    articles: int  # in the corpus
    published: int  # records in the union of the dataset files
    distinct: int  # distinct URLs among them
    missing: int
    duplicates: int
    wall: float
    cpu: float  # all crawl processes, user+sys
    exit_codes: list[int]
    late_slots: int = 0  # rate slots given up by processes that woke too late for them
    requeued: int = 0  # requests that came back to the queue after their process's lease lapsed
    killed: int | None = None  # index of the process killed, and when (s after the start)
    killed_at: float | None = None
    killed_after: int | None = None  # pages the site had answered then
    logs: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.missing == 0 and self.duplicates == 0 and self.published == self.articles

    @property
    def throughput(self) -> float:
        return self.published / self.wall


def crawl_command(data_dir: Path, settings: dict[str, str], feed: str) -> list[str]:
    pairs = {**COMMON, "NEWSCRAWL_DATA_DIR": str(data_dir), **settings}
    flags = [arg for name, value in pairs.items() for arg in ("-s", f"{name}={value}")]
    return [sys.executable, "-m", "scrapy", "crawl", "rfi_cn", "-a", f"feeds={feed}", *flags]


def manifest_stat(workdir: Path, name: str) -> int:
    """A ``newscrawl/...`` stat summed over the manifests of every process of a run."""
    total = 0
    for path in workdir.glob("p*/data/rfi_cn/runs/*.json"):
        total += int(json.loads(path.read_text(encoding="utf-8")).get("stats", {}).get(name, 0))
    return total


def requeued(logs: list[str]) -> int:
    """Requests the survivors put back in the queue (their owner's lease lapsed), from their logs."""
    pattern = re.compile(r"Fleet: (\d+) request\(s\) of \S+ came back to the queue")
    return sum(int(m[1]) for log in logs for m in pattern.finditer(Path(log).read_text(encoding="utf-8")))


def published_urls(workdir: Path) -> list[str]:
    urls = []
    for path in sorted(workdir.glob("p*/data/rfi_cn/articles/*/*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            urls += [json.loads(line)["url"] for line in lines]
    return urls


def run_fleet(
    workdir: Path,
    count: int,
    settings: dict[str, str],
    feed: str,
    expected: set[str],
    *,
    kill: tuple[int, int] | None = None,
    progress: Callable[[], int] | None = None,
    timeout: float = 1800,
) -> FleetRun:
    """``count`` crawl processes at once, each with its own data dir (as on separate machines).

    ``kill=(index, n)``: process ``index`` gets SIGKILL once ``progress()`` (pages the site has
    answered) reaches ``n`` — a moment in the crawl, whatever the machine's load does to start-up.
    """
    if workdir.exists():
        shutil.rmtree(workdir)
    children: list[subprocess.Popen[bytes]] = []
    logs = []
    started = time.perf_counter()
    for index in range(count):
        folder = workdir / f"p{index}"
        folder.mkdir(parents=True)
        log = folder / "crawl.log"
        logs.append(str(log))
        with log.open("wb") as out:
            children.append(
                subprocess.Popen(
                    crawl_command(folder / "data", settings, feed),
                    cwd=REPO,
                    env=bench_env(),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    watched = [psutil.Process(child.pid) for child in children]
    cpu = [0.0] * count
    killed_at = None
    while any(child.poll() is None for child in children):
        now = time.perf_counter() - started
        for i, process in enumerate(watched):
            try:
                times = process.cpu_times()
                cpu[i] = times.user + times.system
            except psutil.Error:
                pass
        if kill is not None and progress is not None and killed_at is None and progress() >= kill[1]:
            victim = children[kill[0]]
            if victim.poll() is None:
                os.kill(victim.pid, signal.SIGKILL)
            killed_at = now
        if now > timeout:
            for child in children:
                child.kill()
            raise RuntimeError(f"the fleet did not finish within {timeout} s: {logs}")
        time.sleep(0.1)
    wall = time.perf_counter() - started
    urls = published_urls(workdir)
    counted = Counter(urls)
    return FleetRun(
        processes=count,
        articles=len(expected),
        published=len(urls),
        distinct=len(counted),
        missing=len(expected - set(counted)),
        duplicates=sum(n - 1 for n in counted.values() if n > 1),
        wall=round(wall, 2),
        cpu=round(sum(cpu), 2),
        exit_codes=[child.returncode for child in children],
        late_slots=manifest_stat(workdir, "newscrawl/fleet/late_slots"),
        requeued=requeued(logs),
        killed=kill[0] if kill else None,
        killed_after=kill[1] if kill else None,
        killed_at=round(killed_at, 2) if killed_at is not None else None,
        logs=logs,
    )


def busiest_second(arrivals: list[float]) -> tuple[int, int]:
    """The most arrivals in any 1-second window: sliding (any start), and aligned to whole seconds."""
    arrivals = sorted(arrivals)
    sliding, start = 0, 0
    for end, t in enumerate(arrivals):
        while t - arrivals[start] >= 1.0:
            start += 1
        sliding = max(sliding, end - start + 1)
    aligned = max(Counter(int(t) for t in arrivals).values(), default=0)
    return sliding, aligned


def server_arrivals(server: ServerProcess) -> list[float]:
    with urlopen(f"{server.origin}/_bench/arrivals", timeout=30) as response:
        arrivals: list[float] = json.load(response)
    return arrivals


def fleet_settings(redis_url: str, server: ServerProcess, concurrency: int, **more: str) -> dict[str, str]:
    return {
        "NEWSCRAWL_REDIS_URL": redis_url,
        "NEWSCRAWL_FETCH_ORIGIN": server.origin,
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        **more,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="scaling,rate,kill,overhead")
    parser.add_argument("--articles", type=int, default=2000, help="scaling corpus (default: %(default)s)")
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=2, help="requests at a time per process")
    parser.add_argument("--scaling-repeats", type=int, default=2, help="scaling runs per count (best kept)")
    parser.add_argument("--rate", type=float, default=4.0, help="NEWSCRAWL_GLOBAL_RATE for the rate check")
    parser.add_argument("--rate-articles", type=int, default=120)
    parser.add_argument("--kill-trials", type=int, default=10)
    parser.add_argument("--kill-articles", type=int, default=300)
    parser.add_argument("--lease", default="3s", help="NEWSCRAWL_REDIS_LEASE in the kill trials")
    parser.add_argument("--overhead-articles", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", type=Path, default=OUT / "fleet.json")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    rng = random.Random(args.seed)
    results: dict[str, Any] = {
        "settings": vars(args) | {"json": str(args.json)},
        "load_average_at_start": os.getloadavg(),
    }
    biggest = max(args.articles, args.kill_articles, args.rate_articles, args.overhead_articles)
    pages = make_pages(biggest)
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp, RedisServer() as redis_server:
        root = Path(tmp)
        archives = {}
        for size in {args.articles, args.kill_articles, args.rate_articles, args.overhead_articles}:
            archives[size] = write_archive(root / f"archive-{size}", pages[:size])
        expected = {size: {page.url for page in pages[:size]} for size in archives}

        def fresh_redis() -> str:
            redis_server.client().flushall()
            return redis_server.url

        if "scaling" in parts:
            # Repeated, the order reversed every other time (1, 2, 4 then 4, 2, 1), best throughput
            # kept per count: a stretch of load from elsewhere does not fall on one count only.
            runs: dict[int, FleetRun] = {}
            every: list[dict[str, Any]] = []
            for repeat in range(args.scaling_repeats):
                for count in (1, 2, 4) if repeat % 2 == 0 else (4, 2, 1):
                    with ServerProcess(archives[args.articles], latency=args.latency) as server:
                        settings = fleet_settings(fresh_redis(), server, args.concurrency, NEWSCRAWL_GLOBAL_RATE="0")
                        feed = f"{server.origin}/cn/rss"
                        run = run_fleet(root / f"scaling-{count}", count, settings, feed, expected[args.articles])
                    load = round(os.getloadavg()[0], 2)
                    every.append({"processes": count, "wall": run.wall, "exact": run.exact, "load_after": load})
                    if count not in runs or run.throughput > runs[count].throughput:
                        runs[count] = run
                    print(f"scaling {count}: {run.published} in {run.wall} s, exact={run.exact}", file=sys.stderr)
            base = runs[1].throughput
            results["scaling"] = {
                "runs": {count: asdict(run) | {"throughput": round(run.throughput, 2)} for count, run in runs.items()},
                "every_run": every,
                "ratios": {f"{count} processes / 1": round(runs[count].throughput / base, 2) for count in (2, 4)},
                "exact": all(entry["exact"] for entry in every),
            }
        if "rate" in parts:
            with ServerProcess(archives[args.rate_articles], latency=args.latency) as server:
                settings = fleet_settings(
                    fresh_redis(), server, args.concurrency, NEWSCRAWL_GLOBAL_RATE=f"{args.rate:g}"
                )
                run = run_fleet(root / "rate", 3, settings, f"{server.origin}/cn/rss", expected[args.rate_articles])
                arrivals = server_arrivals(server)
            sliding, aligned = busiest_second(arrivals)
            span = max(arrivals) - min(arrivals)
            results["rate"] = {
                "run": asdict(run),
                "requests": len(arrivals),
                "busiest_sliding_second": sliding,
                "busiest_aligned_second": aligned,
                "mean_rate": round((len(arrivals) - 1) / span, 2) if span else None,
                "limit": args.rate,
                "within_limit": sliding <= args.rate,
                "late_slots": run.late_slots,
            }
        if "kill" in parts:
            trials = []
            size = args.kill_articles
            for trial in range(args.kill_trials):
                with ServerProcess(archives[size], latency=args.latency) as server:
                    settings = fleet_settings(
                        fresh_redis(),
                        server,
                        args.concurrency,
                        NEWSCRAWL_GLOBAL_RATE="0",
                        NEWSCRAWL_REDIS_LEASE=args.lease,
                    )
                    # Somewhere between a tenth and nine tenths of the pages served.
                    kill = (rng.randrange(3), rng.randint(size // 10, size * 9 // 10))
                    feed = f"{server.origin}/cn/rss"
                    run = run_fleet(
                        root / f"kill-{trial}", 3, settings, feed, expected[size], kill=kill, progress=server.served
                    )
                trials.append(asdict(run) | {"exact": run.exact})
                print(f"kill trial {trial}: victim {kill}, exact={run.exact}, wall {run.wall} s", file=sys.stderr)
            results["kill"] = {
                "trials": trials,
                "exact": sum(trial["exact"] for trial in trials),
                "lost": sum(trial["missing"] for trial in trials),
                "duplicates": sum(trial["duplicates"] for trial in trials),
                "requeued": [trial["requeued"] for trial in trials],
            }
        if "overhead" in parts:
            size = args.overhead_articles
            best: dict[str, FleetRun] = {}
            for repeat in range(args.repeats):
                for mode in ("sqlite", "redis") if repeat % 2 == 0 else ("redis", "sqlite"):
                    settings = {"NEWSCRAWL_REPLAY_DIR": str(archives[size])}
                    if mode == "redis":
                        settings["NEWSCRAWL_REDIS_URL"] = fresh_redis()
                    run = run_fleet(root / f"overhead-{mode}", 1, settings, FEED_URL, expected[size])
                    if not run.exact:
                        raise RuntimeError(f"overhead run ({mode}) is not exact: {run}")
                    if mode not in best or run.cpu < best[mode].cpu:
                        best[mode] = run
            per_article = {mode: best[mode].cpu / size for mode in best}
            results["overhead"] = {
                "cpu_ms_per_article": {mode: round(value * 1000, 2) for mode, value in per_article.items()},
                "ratio_redis_sqlite": round(per_article["redis"] / per_article["sqlite"], 3),
            }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(report(results))


def verdict(value: float, op: str, target: float) -> str:
    met = value >= target if op == ">=" else value <= target
    return f"target {op} {target}: {'met' if met else 'MISSED'}"


def report(results: dict[str, Any]) -> str:
    s = results["settings"]
    lines = [f"# Fleet benchmark (latency {s['latency']} s, {s['concurrency']} requests at a time per process)", ""]
    if "scaling" in results:
        scaling = results["scaling"]
        lines += [
            "## Scaling (global rate off)",
            "",
            "| processes | articles | wall s | articles/s | CPU s | exact |",
            "|---:|---:|---:|---:|---:|---|",
        ]
        for count, run in scaling["runs"].items():
            exact = run["missing"] == 0 and run["duplicates"] == 0
            cells = (count, run["published"], run["wall"], run["throughput"], run["cpu"], exact)
            lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
        walls = ", ".join(f"{e['processes']}: {e['wall']} s (load {e['load_after']})" for e in scaling["every_run"])
        lines += ["", f"Best of {len(scaling['every_run']) // 3} per count; every run: {walls}."]
        lines.append("")
        for name, value in scaling["ratios"].items():
            lines.append(f"- {name}: **{value}** ({verdict(value, '>=', TARGETS[name])})")
        lines.append("")
    if "rate" in results:
        rate = results["rate"]
        lines += [
            f"## Global rate {rate['limit']:g}/s, 3 processes",
            "",
            f"{rate['requests']} requests at the server; the busiest 1-second window had "
            f"{rate['busiest_sliding_second']} (sliding windows) and {rate['busiest_aligned_second']} (whole seconds); "
            f"mean {rate['mean_rate']}/s; within the limit: **{rate['within_limit']}**; "
            f"slots given up by a late process: {rate['late_slots']}",
            "",
        ]
    if "kill" in results:
        kill = results["kill"]
        trials = len(kill["trials"])
        lines += [
            f"## kill -9 one of 3 processes ({trials} trials)",
            "",
            f"exact in **{kill['exact']}/{trials}** trials; lost {kill['lost']}, duplicates {kill['duplicates']}; "
            f"requests of the killed process put back in the queue, per trial: {kill['requeued']}",
            "",
        ]
    if "overhead" in results:
        overhead = results["overhead"]
        ratio = overhead["ratio_redis_sqlite"]
        lines += [
            "## Overhead (replay, one process)",
            "",
            f"CPU per article: {overhead['cpu_ms_per_article']} ms; Redis/SQLite **{ratio}** "
            f"({verdict(ratio, '<=', OVERHEAD_TARGET)})",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
