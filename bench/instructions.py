"""The crawl comparison in instructions: each crawl once under ``valgrind --tool=callgrind``.

CPU time on a shared machine moves by 10–30 % from run to run; the number of instructions a
process executes hardly moves (hash seed fixed, bytecode cached), so small differences between
the spiders can be told apart. Slow (a 500-article crawl takes 2–3 minutes under callgrind), so
it is not part of the default run: ``python -m bench --only instructions``. Replay mode (no
server in the measured process's way), the same commands and settings as ``bench/crawl.py``.
"""

from __future__ import annotations

import re
import shutil
from typing import TYPE_CHECKING, Any

from bench.crawl import OURS_VARIANTS, crawl_once

if TYPE_CHECKING:
    from pathlib import Path

SPIDERS = ("floor", "ours", "ours_noreport")
_COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(spider: str, archive: Path, articles: int, workdir: Path) -> int:
    output = workdir.parent / f"{workdir.name}.callgrind"
    wrapper = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={output}"]
    run = crawl_once(spider, "replay", archive, articles, workdir, wrapper=wrapper, env={"PYTHONHASHSEED": "0"})
    found = _COLLECTED.findall(run.log)
    output.unlink(missing_ok=True)
    if not found:
        raise RuntimeError(f"no instruction count in the log of {spider} ({workdir})")
    return int(found[-1])


def measure(archives: dict[int, Path], workdir: Path) -> dict[str, Any]:
    """Instructions of each spider over the full archive and the empty one, and the ratios."""
    if shutil.which("valgrind") is None:
        return {"missing": "valgrind (Debian package valgrind) is not installed"}
    full = max(archives)
    counts = {
        (spider, articles): instructions(spider, archive, articles, workdir / f"{spider}-{articles}")
        for articles, archive in sorted(archives.items(), reverse=True)
        for spider in SPIDERS
    }
    floor, floor_empty = counts[("floor", full)], counts[("floor", 0)]
    result: dict[str, Any] = {"articles": full, "instructions": {f"{s} {a}": n for (s, a), n in counts.items()}}
    for spider in OURS_VARIANTS:
        ours, ours_empty = counts[(spider, full)], counts[(spider, 0)]
        result[f"ratio_{spider}_floor"] = round(ours / floor, 3)
        result[f"ratio_{spider}_floor_marginal"] = round((ours - ours_empty) / (floor - floor_empty), 3)
    return result
