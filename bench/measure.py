"""Process measurement: CPU (user+sys) and peak memory of child processes, sampled with psutil."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.request import urlopen

import psutil

if TYPE_CHECKING:
    from collections.abc import Callable

REPO = Path(__file__).resolve().parents[1]
SAMPLE_EVERY = 0.2  # seconds


@dataclass
class ProcessRun:
    returncode: int
    cpu: float  # user + sys seconds of the process itself (psutil, read when it has exited)
    wall: float  # seconds from start to exit
    peak_rss: int  # bytes: the kernel's RSS high-water mark (VmHWM), read every SAMPLE_EVERY while it runs
    log: str  # stdout and stderr (Scrapy's log)


def bench_env() -> dict[str, str]:
    """The child's environment: the repository on the path, no stray Scrapy project settings.

    Bytecode is cached (under bench/out/pycache, outside the source tree) even where the shell
    sets PYTHONDONTWRITEBYTECODE: an installed project (pip, a Scrapyd egg) runs from compiled
    modules, and compiling the project's ~50 modules anew costs each crawl ~40 ms of CPU that
    the floor, a single small file, hardly pays.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("SCRAPY_SETTINGS_MODULE", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONPYCACHEPREFIX"] = str(REPO / "bench" / "out" / "pycache")
    return env


def run_process(
    command: list[str],
    cwd: Path,
    *,
    log_path: Path,
    sampler: Callable[[psutil.Process], None] | None = None,
    timeout: float = 900,
    env: dict[str, str] | None = None,
) -> ProcessRun:
    """Run ``command`` to its end; its CPU is read from the exited (not yet reaped) process.

    Every SAMPLE_EVERY seconds while it runs, its RSS high-water mark is read and ``sampler``
    (if any) is called with it.
    """
    with log_path.open("wb") as log:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=cwd, env={**bench_env(), **(env or {})}, stdout=log, stderr=subprocess.STDOUT
        )
    process = psutil.Process(child.pid)
    peak_rss = 0
    while process.status() != psutil.STATUS_ZOMBIE:
        elapsed = time.perf_counter() - started
        if elapsed > timeout:
            process.kill()
        peak_rss = max(peak_rss, high_water_rss(child.pid))
        if sampler is not None:
            # A process of the tree may exit while it is read; the next sample sees the new tree.
            with contextlib.suppress(psutil.Error):
                sampler(process)
        time.sleep(SAMPLE_EVERY)
    wall = time.perf_counter() - started
    times = process.cpu_times()
    _, status = os.waitpid(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return ProcessRun(
        returncode=child.returncode,
        cpu=times.user + times.system,
        wall=wall,
        peak_rss=peak_rss,
        log=log_path.read_text(encoding="utf-8", errors="replace"),
    )


def high_water_rss(pid: int | str = "self") -> int:
    """The process's peak RSS in bytes (VmHWM), 0 once it has exited.

    Not ``getrusage``'s ``ru_maxrss``: on Linux a child started with vfork/exec inherits its
    parent's high-water mark there, so a child of a big parent would look big.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


class ServerProcess:
    """``python -m bench.server`` in its own process, measured apart from the crawler."""

    def __init__(self, archive: Path, gate: str = "none", latency: float = 0.0) -> None:
        command = [sys.executable, "-m", "bench.server", str(archive), "--gate", gate, "--latency", str(latency)]
        self.child = subprocess.Popen(command, cwd=REPO, env=bench_env(), stdout=subprocess.PIPE, text=True)
        assert self.child.stdout is not None
        line = self.child.stdout.readline()
        if not line.startswith("PORT "):
            self.child.kill()
            raise RuntimeError(f"the benchmark server did not start: {line!r}")
        self.port = int(line.split()[1])
        self.origin = f"http://127.0.0.1:{self.port}"
        self.process = psutil.Process(self.child.pid)
        self.cpu_at_start = cpu_seconds(self.process)

    def served(self) -> int:
        """Requests the server has answered so far (its /_bench/stats counter)."""
        with urlopen(f"{self.origin}/_bench/stats", timeout=10) as response:
            return int(json.load(response)["requests"])

    def cpu_used(self) -> float:
        """CPU seconds since the server was ready (loading the archive is not counted)."""
        return cpu_seconds(self.process) - self.cpu_at_start

    def stop(self) -> None:
        self.child.terminate()
        self.child.wait(timeout=10)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def mib(value: float) -> float:
    return value / (1024 * 1024)
