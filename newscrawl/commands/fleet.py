"""``scrapy fleet [--json]``: what the processes sharing one Redis are doing.

Per process (from its heartbeats): host, pid, state, last heartbeat, entries, articles, errors and
the requests it holds; then the frontier (queued, in flight, past their lease), the claims and
the published URLs. Uses ``NEWSCRAWL_REDIS_URL`` (setting or environment) or ``--redis URL``.
Exit status 0, 1 when Redis cannot be read, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys

import redis
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.config import SettingError, redacted_url, redis_url, shared_redis_url
from newscrawl.fleet.config import connect, key_prefix
from newscrawl.fleet.summary import fleet_summary, format_summary

DEFAULT_SPIDER = "rfi_cn"


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--redis URL] [--spider NAME] [--json]"

    def short_desc(self) -> str:
        return "Show the processes sharing one Redis: heartbeats, counts, frontier, leases"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--redis", metavar="URL", help="Redis URL (default: NEWSCRAWL_REDIS_URL)")
        parser.add_argument("--spider", default=DEFAULT_SPIDER, help="whose fleet (default: %(default)s)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            url = redis_url("--redis", opts.redis) if opts.redis else shared_redis_url(self.settings)
        except SettingError as error:
            raise UsageError(str(error)) from None
        if args or url is None:
            raise UsageError("give --redis URL or set NEWSCRAWL_REDIS_URL")
        client = connect(url)
        try:
            summary = fleet_summary(client, key_prefix(opts.spider))
        except redis.RedisError as error:
            print(f"fleet: Redis at {redacted_url(url)} cannot be read: {error}", file=sys.stderr)
            self.exitcode = 1
            return
        finally:
            client.close()
        if opts.json:
            print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        else:
            sys.stdout.write(format_summary(summary, f"{redacted_url(url)} ({opts.spider})"))
