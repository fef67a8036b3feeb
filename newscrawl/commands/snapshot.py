"""``scrapy snapshot [--format jsonl|parquet] [--out PATH] [--include-removed]``: the latest version of
every article, as one file (``newscrawl.store.snapshot``).

Reads the dataset files under ``NEWSCRAWL_DATA_DIR/<spider>/`` (``-s NEWSCRAWL_DATA_DIR=...``
like a crawl); writes ``<data dir>/<spider>/snapshot.<format>`` unless ``--out`` says otherwise.
Needs no lock: dataset files are complete or absent, and a crawl running meanwhile only adds files
(whose records the snapshot may or may not include). Exit status 2 for a usage error.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.config import SettingError, optional, read, writable_folder
from newscrawl.store.snapshot import FORMATS, write_snapshot

logger = logging.getLogger(__name__)

DEFAULT_SPIDER = "rfi_cn"


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--format jsonl|parquet] [--out PATH] [--include-removed]"

    def short_desc(self) -> str:
        return "Write the latest version of every article (JSON Lines or Parquet)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--format", choices=FORMATS, default="jsonl", help="output format (default: jsonl)")
        parser.add_argument("--out", type=Path, help="output file (default: <data dir>/<spider>/snapshot.<format>)")
        parser.add_argument("--include-removed", action="store_true", help="keep articles whose latest is a tombstone")
        parser.add_argument("--spider", default=DEFAULT_SPIDER, help=f"whose dataset (default: {DEFAULT_SPIDER})")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("snapshot takes no positional arguments")
        assert self.settings is not None
        try:
            data_dir = read(self.settings, "NEWSCRAWL_DATA_DIR", optional(writable_folder)) or Path("data")
        except SettingError as error:
            raise UsageError(str(error), print_help=False) from None
        root = data_dir / opts.spider
        if not (root / "articles").is_dir():
            raise UsageError(f"no dataset under {root} (is NEWSCRAWL_DATA_DIR right?)", print_help=False)
        out = opts.out or root / f"snapshot.{opts.format}"
        result = write_snapshot(root, out, opts.format, include_removed=opts.include_removed)
        logger.info(
            "Snapshot %s: %d articles (latest versions of %d records%s)",
            result.path,
            result.articles,
            result.records_read,
            f"; {result.removed_left_out} removed left out" if result.removed_left_out else "",
        )
