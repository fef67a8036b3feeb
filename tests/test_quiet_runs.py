"""A normal run says nothing at WARNING or above, and shows no traceback: a WARNING means trouble."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import BUNDLED_ARCHIVE, manifests, run_crawl

LOUD = re.compile(r"\] (WARNING|ERROR|CRITICAL):|Traceback")


def loud_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if LOUD.search(line)]


def test_the_demo_run_and_a_run_after_a_crash_are_quiet(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run_crawl(data, replay=BUNDLED_ARCHIVE)
    assert first.returncode == 0
    assert loud_lines(first.stderr) == []

    # A crawl killed with -9 leaves its pid in the lock file and its manifest "running".
    dead_run = "20240101T000000Z-deadbeef"
    (data / "rfi_cn" / "runs" / f"{dead_run}.json").write_text(
        json.dumps({"run_id": dead_run, "status": "running"}), encoding="utf-8"
    )
    (data / "rfi_cn" / ".lock").write_text(f"4194301 {dead_run}\n", encoding="utf-8")
    second = run_crawl(data, replay=BUNDLED_ARCHIVE)
    assert second.returncode == 0
    assert loud_lines(second.stderr) == []
    takeovers = [line for line in second.stderr.splitlines() if "4194301" in line]
    assert len(takeovers) == 1
    assert takeovers[0].endswith(
        f"INFO: Took over the lock left by dead process 4194301: its run {dead_run} is marked killed"
    )
    assert {m["run_id"]: m["status"] for m in manifests(data)}[dead_run] == "killed"
