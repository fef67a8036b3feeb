"""``python -m bench.simsite --scenario NAME [--days N] [--seed S] [--feeds-only]``: crawl the simulated site, score it.

Prints the scores as a table (and, with ``--json``, writes every figure). See bench/README.md,
"Simulated site".
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from bench.simsite.run import run_scenario
from bench.simsite.scenarios import DEFAULT_DAYS, NAMES, build
from bench.simsite.score import table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.simsite", description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=NAMES, default="steady")
    parser.add_argument("--days", type=float, help=f"simulated days (default per scenario: {DEFAULT_DAYS})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--feeds-only", action="store_true", help="switch the crawler's sitemaps off (-a sitemaps=)")
    parser.add_argument("--mode", choices=("inprocess", "subprocess"), default="inprocess")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--keep", type=Path, help="keep the data dir (and crawls.log) here instead of a temporary one")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    scenario = build(args.scenario, args.days, args.seed)
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="simsite-"))
    try:
        outcome = run_scenario(scenario, data_dir, mode=args.mode, feeds_only=args.feeds_only)
    finally:
        if args.keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"scenario {scenario.name}, seed {args.seed}, {'feeds only' if args.feeds_only else 'feeds and sitemaps'}, "
          f"{args.mode} mode, {outcome.wall:.0f} s wall")  # fmt: skip
    print(table(outcome.scores))
    if args.json:
        args.json.write_text(json.dumps(outcome.scores, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
