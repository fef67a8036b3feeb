"""``scrapy migrate --to redis://… | --from redis://…``: copy the seen-store between SQLite and Redis.

``--to`` copies ``<data dir>/<spider>/seen.sqlite3`` into the Redis the fleet uses; ``--from``
copies Redis's seen-store back into that file (moving from many machines to one). Without a URL
after the option, ``NEWSCRAWL_REDIS_URL`` (setting or environment) is used. Copying is
idempotent: run it again after an interruption. Exit status 0, 1 on failure, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import redis
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.config import SettingError, redacted_url, redis_url, shared_redis_url
from newscrawl.fleet.config import connect, key_prefix
from newscrawl.store.migrate import copy_seen
from newscrawl.store.redis_seen import RedisSeenStore
from newscrawl.store.seen import SeenStore

logger = logging.getLogger(__name__)

DEFAULT_SPIDER = "rfi_cn"


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "--to [REDIS_URL] | --from [REDIS_URL] [--spider NAME]"

    def short_desc(self) -> str:
        return "Copy the seen-store (published URLs) from SQLite to Redis, or back"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        direction = parser.add_mutually_exclusive_group(required=True)
        direction.add_argument("--to", nargs="?", const="", metavar="REDIS_URL", help="copy SQLite → Redis")
        direction.add_argument(
            "--from", dest="from_", nargs="?", const="", metavar="REDIS_URL", help="copy Redis → SQLite"
        )
        parser.add_argument("--spider", default=DEFAULT_SPIDER, help="whose seen-store (default: %(default)s)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("no positional arguments: give the URL after --to or --from")
        assert self.settings is not None
        given = opts.to if opts.to is not None else opts.from_
        try:
            url = redis_url("--to/--from", given) if given else shared_redis_url(self.settings)
        except SettingError as error:
            raise UsageError(str(error)) from None
        if url is None:
            raise UsageError("give a Redis URL after --to/--from, or set NEWSCRAWL_REDIS_URL")
        sqlite_path = Path(self.settings["NEWSCRAWL_DATA_DIR"] or "data").resolve() / opts.spider / "seen.sqlite3"
        if opts.to is not None and not sqlite_path.is_file():
            print(f"migrate: no seen-store at {sqlite_path}", file=sys.stderr)
            self.exitcode = 1
            return
        sqlite = SeenStore(sqlite_path)
        shared = RedisSeenStore(connect(url), key_prefix(opts.spider))
        source, target = (sqlite, shared) if opts.to is not None else (shared, sqlite)
        where = {id(sqlite): str(sqlite_path), id(shared): f"{redacted_url(url)} ({shared.seen_key})"}
        try:
            copied = copy_seen(source, target)
        except redis.RedisError as error:
            print(f"migrate: Redis at {redacted_url(url)} failed: {error}", file=sys.stderr)
            self.exitcode = 1
            return
        finally:
            sqlite.close()
            shared.close()
        print(
            f"Copied {copied.read} rows from {where[id(source)]} to {where[id(target)]}: "
            f"{copied.added} new, {copied.read - copied.added} already there"
        )
