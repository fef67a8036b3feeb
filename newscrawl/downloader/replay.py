"""Record and replay of HTTP responses (the replay archive contract in the README).

An archive is a folder with ``manifest.jsonl``; each line is one recorded response::

    {"url": "...", "status": 200, "headers": {"Content-Type": "..."}, "body": "pages/x.html"}

URLs are matched after ``w3lib.url.canonicalize_url``; the method is ignored; several lines for
one URL are served in order, the last one repeating; a URL not in the archive answers 404.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from w3lib.url import canonicalize_url

from newscrawl.config import SettingError, folder_path, optional, read, writable_folder

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
REPLAY_FLAG = "replay"  # Response.flags of every replayed response
# Bodies are stored decompressed and whole: these headers would describe another encoding.
_TRANSPORT_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


def archive_key(url: str) -> str:
    return canonicalize_url(url)


def archive_folder(name: str, value: object) -> Path:
    """A setting naming a replay archive: a folder that holds a ``manifest.jsonl`` (newscrawl.config parser)."""
    folder = folder_path(name, value)
    if not folder.is_dir():
        raise SettingError(name, f"{folder} is not a folder" if folder.exists() else f"{folder} does not exist")
    if not (folder / MANIFEST).is_file():
        raise SettingError(name, f"{folder} has no {MANIFEST} (it is not a replay archive)")
    return folder


class ReplayArchive:
    """The recorded responses of one archive folder, served in order per URL."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        manifest = self.folder / MANIFEST
        self._lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._served: dict[str, int] = defaultdict(int)
        self.invalid_lines = 0
        with manifest.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    self._lines[archive_key(str(record["url"]))].append(record)
                except (ValueError, KeyError, TypeError) as exc:
                    self.invalid_lines += 1
                    logger.warning("%s line %d is not a valid record, skipped: %s", manifest, number, exc)

    def __len__(self) -> int:
        return sum(len(v) for v in self._lines.values())

    def next_record(self, url: str) -> dict[str, Any] | None:
        key = archive_key(url)
        records = self._lines.get(key)
        if not records:
            return None
        index = min(self._served[key], len(records) - 1)
        self._served[key] += 1
        return records[index]

    def body_of(self, record: dict[str, Any]) -> bytes:
        name = record.get("body")
        if not name:
            return b""
        path = (self.folder / str(name)).resolve()
        if not path.is_relative_to(self.folder):
            raise ValueError(f"body path {name!r} leaves the archive folder")
        return path.read_bytes()


class ReplayMiddleware:
    """Answers every request from the archive in ``NEWSCRAWL_REPLAY_DIR``; never touches the network."""

    def __init__(self, crawler: Crawler, archive: ReplayArchive) -> None:
        self.crawler = crawler
        self.archive = archive

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        folder = read(crawler.settings, "NEWSCRAWL_REPLAY_DIR", optional(archive_folder))
        if folder is None:
            logger.debug("Replay off: NEWSCRAWL_REPLAY_DIR is not set")
            raise NotConfigured  # bare: Scrapy logs a message as a WARNING, and this is no problem
        archive = ReplayArchive(folder)
        logger.info("Replaying %d recorded responses from %s (no network)", len(archive), archive.folder)
        return cls(crawler, archive)

    def process_request(self, request: Request) -> Response:
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        record = self.archive.next_record(request.url)
        if record is None:
            stats.inc_value("newscrawl/replay/missing")
            logger.info("Not in the replay archive (answering 404): %s", request.url)
            return Response(request.url, status=404, request=request, flags=[REPLAY_FLAG])
        try:
            body = self.archive.body_of(record)
            status = int(record.get("status", 200))
            raw_headers = record.get("headers") or {}
            if not isinstance(raw_headers, dict):
                raise ValueError("headers must be an object")
        except (OSError, ValueError) as exc:
            stats.inc_value("newscrawl/replay/broken_record")
            logger.error("Broken replay record for %s (answering 404): %s", request.url, exc)
            return Response(request.url, status=404, request=request, flags=[REPLAY_FLAG])
        headers = Headers({str(k): str(v) for k, v in raw_headers.items()})
        for name in _TRANSPORT_HEADERS:
            headers.pop(name, None)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        stats.inc_value("newscrawl/replay/served")
        return cls(url=request.url, status=status, headers=headers, body=body, request=request, flags=[REPLAY_FLAG])


class RecordMiddleware:
    """Writes every response of a live crawl to ``NEWSCRAWL_RECORD_DIR`` in the archive format.

    It sits below HttpCompression, so bodies are stored decompressed. Redirects are turned into
    requests above it; the chain is rebuilt from the final response's ``redirect_urls`` meta so
    that a replay follows the same redirects.
    """

    def __init__(self, crawler: Crawler, folder: Path) -> None:
        self.crawler = crawler
        self.folder = folder
        self._manifest: IO[str] | None = None
        self._count = 0
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        folder = read(crawler.settings, "NEWSCRAWL_RECORD_DIR", optional(writable_folder))
        if folder is None:
            logger.debug("Recording off: NEWSCRAWL_RECORD_DIR is not set")
            raise NotConfigured
        if crawler.settings.get("NEWSCRAWL_REPLAY_DIR"):
            logger.warning("NEWSCRAWL_RECORD_DIR is ignored: recording a replay would copy the archive")
            raise NotConfigured
        return cls(crawler, folder)

    def _write(self, record: dict[str, Any]) -> None:
        if self._manifest is None:
            (self.folder / "bodies").mkdir(parents=True, exist_ok=True)
            self._manifest = (self.folder / MANIFEST).open("a", encoding="utf-8")
        self._manifest.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._manifest.flush()

    def process_response(self, request: Request, response: Response) -> Response:
        if REPLAY_FLAG in response.flags:
            return response
        chain = list(request.meta.get("redirect_urls", []))
        reasons = list(request.meta.get("redirect_reasons", []))
        hops = [*chain, response.url]
        for (source, target), reason in zip(pairwise(hops), reasons, strict=False):
            status = reason if isinstance(reason, int) else 302
            self._write({"url": source, "status": status, "headers": {"Location": target}})
        self._count += 1
        digest = hashlib.sha256(response.url.encode()).hexdigest()[:16]
        name = f"bodies/{digest}-{self._count}.body"
        headers = {
            k.decode("latin-1"): v[0].decode("latin-1")
            for k, v in response.headers.items()
            if v and k.lower() not in _TRANSPORT_HEADERS
        }
        self._write({"url": response.url, "status": response.status, "headers": headers, "body": name})
        (self.folder / name).write_bytes(response.body)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newscrawl/record/written")
        return response

    def spider_closed(self) -> None:
        if self._manifest is not None:
            self._manifest.close()
            logger.info("Recorded %d responses into %s", self._count, self.folder)
