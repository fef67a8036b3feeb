"""``python -m bench.simsite --scenario NAME [--days N] [--feeds-only | --compare]``: crawl the simulated site.

Prints the scores as a table (``--compare``: feeds alone and feeds with sitemaps side by side)
and, with ``--json``, writes every figure; ``--check`` judges them against issues 12 and 13's goals
and exits 1 when one is missed. See bench/README.md, "Simulated site".
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from scrapy.settings import Settings

from bench.simsite.goals import check, report
from bench.simsite.run import run_scenario
from bench.simsite.scenarios import DEFAULT_DAYS, NAMES, build
from bench.simsite.score import table
from newscrawl import settings as default_settings
from newscrawl.discovery.revisits import RevisitPolicy


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, equals, setting = value.partition("=")
        if not equals or not name:
            raise SystemExit(f"{option} takes NAME=VALUE, not {value!r}")
        pairs[name] = setting
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.simsite", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scenario", choices=NAMES, default="steady")
    parser.add_argument("--days", type=float, help=f"simulated days (default per scenario: {DEFAULT_DAYS})")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rate", type=float, default=1.0, metavar="FACTOR", help="scale the publication rate (default 1: ≈ 38 a day)"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--feeds-only", action="store_true", help="switch the crawler's sitemaps off (-a sitemaps=)")
    which.add_argument("--compare", action="store_true", help="run feeds alone, then feeds and sitemaps")
    parser.add_argument("--mode", choices=("inprocess", "subprocess"), default="inprocess")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="extra crawler setting")
    parser.add_argument("-a", "--arg", action="append", default=[], metavar="NAME=VALUE", help="extra spider argument")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument(
        "--check",
        action="store_true",
        help="judge the last variant against issues 12 and 13's goals: exit 1 if one is missed",
    )
    parser.add_argument("--keep", type=Path, help="keep the data dirs (and crawls.log) here instead of temporary ones")
    args = parser.parse_args(argv)
    settings, arguments = _pairs(args.set, "--set"), _pairs(args.arg, "--arg")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    try:
        scenario = build(args.scenario, args.days, args.seed, rate=args.rate)
    except ValueError as exc:
        parser.error(str(exc))
    variants = [("feeds only", True), ("feeds and sitemaps", False)] if args.compare else [
        ("feeds only" if args.feeds_only else "feeds and sitemaps", args.feeds_only)
    ]  # fmt: skip
    root = args.keep or Path(tempfile.mkdtemp(prefix="simsite-"))
    results = {}
    try:
        for name, feeds_only in variants:
            data_dir = root / name.replace(" ", "-")
            outcome = run_scenario(
                scenario, data_dir, mode=args.mode, feeds_only=feeds_only, settings=settings, arguments=arguments
            )
            results[name] = outcome.scores
            rate = f", rate ×{args.rate:g}" if args.rate != 1 else ""
            wall = f"{outcome.wall:.0f} s wall ({args.mode} mode)"
            print(f"scenario {scenario.name}, seed {args.seed}{rate}, {name}: {wall}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(table(*results.values(), headers=list(results)))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if not args.check:
        return 0
    crawler_settings = Settings()
    crawler_settings.setmodule(default_settings)
    crawler_settings.update(settings)
    confirm_after = RevisitPolicy.from_settings(crawler_settings).confirm_after  # as the crawls read it
    verdicts = check(results[variants[-1][0]], interval=scenario.interval, confirm_after=confirm_after)
    print(f"\nGoals ({variants[-1][0]}):\n{report(verdicts)}")
    return 1 if any(verdict.holds is False for verdict in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
