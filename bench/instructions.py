"""The crawl and the extraction comparisons in instructions, under ``valgrind --tool=callgrind``.

CPU time on a shared machine moves by 10–30 % from run to run; the number of instructions a
process executes hardly moves (hash seed fixed, bytecode cached), so small differences can be
told apart. Slow (a 500-article crawl takes 2–3 minutes under callgrind), so it is not part of
the default run: ``python -m bench --only instructions``.

- crawl: each spider once in replay mode (no server in the measured process's way), the same
  commands and settings as ``bench/crawl.py``, over the full and the empty archive;
- extraction: a child process (``python -m bench.instructions CORPUS PAGES CONTENDER``) builds
  the corpus's pages and runs one contender once on each; ``none`` only builds them, so
  ``(ours - none) / (lxml - none)`` is ours/lxml in instructions.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import lxml.html

from bench import corpus, corpus_grown
from bench.crawl import OURS_VARIANTS, crawl_once
from bench.extraction import parse_with_page_object
from bench.measure import REPO, bench_env

if TYPE_CHECKING:
    from pathlib import Path

SPIDERS = ("floor", "ours", "ours_noreport")
CORPORA = {"generated": corpus.make_pages, "grown": corpus_grown.make_pages}
CONTENDERS = ("none", "lxml", "ours")
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


def extraction_instructions(corpus_name: str, pages: int, contender: str, workdir: Path) -> int:
    output = workdir / f"extraction-{corpus_name}-{contender}.callgrind"
    command = [
        *("valgrind", "--tool=callgrind", f"--callgrind-out-file={output}"),
        *(sys.executable, "-m", "bench.instructions", corpus_name, str(pages), contender),
    ]
    env = {**bench_env(), "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=True)
    output.unlink(missing_ok=True)
    return int(_COLLECTED.findall(done.stderr)[-1])


def measure_extraction(pages: int, workdir: Path) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"pages": pages}
    for name in CORPORA:
        counts = {contender: extraction_instructions(name, pages, contender, workdir) for contender in CONTENDERS}
        result[name] = {
            "instructions": counts,
            "ratio_ours_lxml": round((counts["ours"] - counts["none"]) / (counts["lxml"] - counts["none"]), 3),
        }
    return result


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


def main() -> None:
    """In a child process under valgrind: build the pages, run one contender once on each."""
    parser = argparse.ArgumentParser(
        description="one extraction contender over a corpus (run by bench, under callgrind)"
    )
    parser.add_argument("corpus", choices=sorted(CORPORA))
    parser.add_argument("pages", type=int)
    parser.add_argument("contender", choices=CONTENDERS)
    args = parser.parse_args()
    pages = CORPORA[args.corpus](args.pages)
    for page in pages:
        if args.contender == "lxml":
            lxml.html.fromstring(page.html)
        elif args.contender == "ours":
            parse_with_page_object((page.url, page.html))


if __name__ == "__main__":
    main()
