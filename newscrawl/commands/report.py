"""``scrapy report [SPIDER] [--days N] [--out PATH]``: build the run-health report on demand.

The same report every crawl rebuilds at its end (``<data>/<spider>/report.html``), from the
run manifests and the runs' article files only: it runs beside a crawl, on a copy of the data
dir, or on a machine without network.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from newscrawl.config import SettingError, positive_int, read
from newscrawl.extract.text import counted
from newscrawl.health.report import write_report

EXIT_BAD_CONFIGURATION = 2


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[SPIDER] [--days N] [--out PATH]"

    def short_desc(self) -> str:
        return "Build the run-health report (report.html) from the run manifests"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--days", help="days of runs to cover (default: NEWSCRAWL_REPORT_DAYS)")
        parser.add_argument("--out", type=Path, help="where to write it (default: <data dir>/<spider>/report.html)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        spiders = sorted(get_spider_loader(self.settings).list())
        if len(args) > 1 or (not args and len(spiders) != 1):
            raise UsageError(f"give one spider name ({', '.join(spiders)})")
        spider = args[0] if args else spiders[0]
        if spider not in spiders:
            raise UsageError(f"no spider {spider!r} (spiders: {', '.join(spiders)})")
        try:
            if opts.days is None:
                days = read(self.settings, "NEWSCRAWL_REPORT_DAYS", positive_int)
            else:
                days = positive_int("--days", opts.days)
        except SettingError as error:
            print(f"Error: {error}", file=sys.stderr)
            self.exitcode = EXIT_BAD_CONFIGURATION
            return
        root = Path(self.settings["NEWSCRAWL_DATA_DIR"] or "data").resolve() / spider
        if not (root / "runs").is_dir():
            print(f"Error: no run manifests under {root / 'runs'} (check NEWSCRAWL_DATA_DIR)", file=sys.stderr)
            self.exitcode = 1
            return
        began = time.perf_counter()
        report = write_report(root, days, out=opts.out.resolve() if opts.out else None)
        took = time.perf_counter() - began
        print(f"Report {report.path}: {counted(report.runs, 'run')} over {counted(days, 'day')}, in {took:.1f} s")
