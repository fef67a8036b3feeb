"""The simulated site on a loopback HTTP server: its clock, its failures, and what it counted.

``SimSite`` serves :class:`~bench.simsite.site.Site` on ``127.0.0.1`` (a free port), threaded,
HTTP/1.1 keep-alive. Its clock is the simulated "now", set by whoever drives the crawls
(:meth:`SimSite.set_now`); ``Date`` headers carry it. Every answer is counted by kind and
status (304s, injected failures and dropped connections included) and logged with its wall-clock
time, so tests and benchmarks can read the cost of a crawl and the request rate the site saw.

Scenario knobs on the server side (:class:`ServerConfig`): windows when the whole site is down
(every request 503, or the connection reset), transient failures on a share of requests (5xx,
429 with ``Retry-After``, a timeout, a reset), and a fixed latency per answer.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from bench.simsite import render
from bench.simsite.site import FEEDX_PATH, LISTING_KINDS, Answer, Site, SiteConfig, not_modified

if TYPE_CHECKING:
    from bench.simsite.newsroom import Newsroom

logger = logging.getLogger(__name__)

FailureKind = Literal["500", "502", "503", "429", "timeout", "reset"]


@dataclass(frozen=True)
class Window:
    """A span of simulated time, ``start`` included, ``end`` excluded (an outage of the site or the crawler)."""

    start: datetime
    end: datetime
    mode: Literal["503", "reset"] = "503"  # how the site fails while it is down
    retry_after: int = 3600  # seconds, sent with the 503s (down for maintenance: come back in an hour)

    def __contains__(self, t: object) -> bool:
        return isinstance(t, datetime) and self.start <= t < self.end


@dataclass(frozen=True)
class Failures:
    """Transient failures injected on a share of requests.

    Whether the n-th request for a path fails is a function of ``(seed, path, n)``: retries
    draw again, and the outcome does not depend on how requests of other paths interleave.
    """

    share: float = 0.0
    kinds: tuple[FailureKind, ...] = ("500", "502", "503", "429", "timeout", "reset")
    scope: Literal["all", "pages", "listings", "revisits"] = "all"  # revisits: pages already served once
    retry_after: int = 1  # seconds, on 429 and injected 503
    timeout: float = 3.0  # seconds a "timeout" holds the connection before dropping it (> DOWNLOAD_TIMEOUT)
    seed: int = 0


@dataclass(frozen=True)
class ServerConfig:
    down: tuple[Window, ...] = ()  # the site is down: every request fails (each window's mode)
    failures: Failures = field(default_factory=Failures)
    latency: float = 0.0  # seconds before every answer


@dataclass(frozen=True)
class Hit:
    """One request the site answered (or dropped)."""

    wall: float  # seconds since the server started (time.monotonic)
    at: datetime  # simulated time
    kind: str
    status: str  # "200", "304", "404", … or "reset" / "timeout"
    path: str
    repeat: bool = False  # a page request for a path already answered 200 (a revisit)


class Counters:
    """Thread-safe request counts and log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self.hits: list[Hit] = []

    def add(self, at: datetime, kind: str, status: str, path: str, *, repeat: bool = False) -> None:
        with self._lock:
            self.hits.append(Hit(time.monotonic() - self._started, at, kind, status, path, repeat))

    def by_kind(self) -> dict[str, dict[str, int]]:
        """``{kind: {status: count}}`` over everything answered so far."""
        with self._lock:
            hits = list(self.hits)
        table: dict[str, Counter[str]] = {}
        for hit in hits:
            table.setdefault(hit.kind, Counter())[hit.status] += 1
        return {kind: dict(sorted(counts.items())) for kind, counts in sorted(table.items())}

    def listing_304_share(self) -> float | None:
        with self._lock:
            listings = [h for h in self.hits if h.kind in LISTING_KINDS]
        return sum(h.status == "304" for h in listings) / len(listings) if listings else None

    def per_second(self) -> Counter[int]:
        """Requests per 1-second window of wall-clock time since the server started."""
        with self._lock:
            return Counter(int(h.wall) for h in self.hits)

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()
            self._started = time.monotonic()


class SimSite:
    """``with SimSite(newsroom) as site: site.set_now(t); … site.origin; site.counters``."""

    def __init__(
        self,
        newsroom: Newsroom,
        site_config: SiteConfig | None = None,
        server_config: ServerConfig | None = None,
        now: datetime | None = None,
    ) -> None:
        self.site = Site(newsroom, site_config)
        self.newsroom = newsroom
        self.config = server_config or ServerConfig()
        self.counters = Counters()
        self._now = now or newsroom.config.start
        self._lock = threading.Lock()
        self._requests_per_path: Counter[str] = Counter()
        self._pages_served: set[str] = set()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="simsite", daemon=True)

    # --- lifecycle and clock ------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def feedx_url(self) -> str:
        return self.origin + FEEDX_PATH

    @property
    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set_now(self, t: datetime) -> None:
        if t.tzinfo is None:
            raise ValueError("the simulated clock takes aware datetimes")
        with self._lock:
            self._now = t.astimezone(UTC)

    def start(self) -> SimSite:
        self._thread.start()
        logger.info("Simulated site on %s", self.origin)
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> SimSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def loopback(self, url: str) -> str:
        """The URL on this server of a www.rfi.fr URL or of the feedx mirror's feed."""
        parts = urlsplit(url)
        if parts.netloc == "www.rfi.fr":
            return self.origin + parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.netloc == "feedx.net":
            return self.feedx_url
        raise ValueError(f"not a URL of the simulated site: {url}")

    # --- answering ----------------------------------------------------------------------------

    def _failure(self, kind: str, n: int, t: datetime, path: str, *, repeat: bool) -> tuple[FailureKind, int] | None:
        """The failure this request gets, if any, and its Retry-After (the caller holds the lock)."""
        for window in self.config.down:
            if t in window:
                return window.mode, window.retry_after
        failures = self.config.failures
        if failures.share <= 0 or not failures.kinds:
            return None
        in_scope = (
            failures.scope == "all"
            or (failures.scope == "pages" and kind == "page")
            or (failures.scope == "listings" and kind in LISTING_KINDS)
            or (failures.scope == "revisits" and repeat)
        )
        if not in_scope:
            return None
        digest = hashlib.sha256(f"{failures.seed}:{path}:{n}".encode()).digest()
        if int.from_bytes(digest[:4]) / 2**32 >= failures.share:
            return None
        return failures.kinds[int.from_bytes(digest[4:8]) % len(failures.kinds)], failures.retry_after

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "simsite"
            sys_version = ""

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                headers = {k.lower(): v for k, v in self.headers.items()}
                kind = sim.site.kind(path)
                with sim._lock:
                    t = sim._now
                    n = sim._requests_per_path[path]
                    sim._requests_per_path[path] += 1
                    repeat = kind == "page" and path in sim._pages_served
                    failure = sim._failure(kind, n, t, path, repeat=repeat)
                if sim.config.latency:
                    time.sleep(sim.config.latency)
                if failure is not None and failure[0] in ("timeout", "reset"):
                    if failure[0] == "timeout":
                        time.sleep(sim.config.failures.timeout)
                    sim.counters.add(t, kind, failure[0], path, repeat=repeat)
                    self._reset()
                    return
                if failure is not None:
                    answer = _failure_answer(int(failure[0]), kind, failure[1])
                else:
                    answer = sim.site.answer(path, t, variant=n % 2)
                    if answer.status == 200 and kind == "page":
                        with sim._lock:
                            sim._pages_served.add(path)
                unchanged = not_modified(answer, headers)
                # Counted before the answer leaves: whoever reads the counters after a response sees it.
                sim.counters.add(t, kind, "304" if unchanged else str(answer.status), path, repeat=repeat)
                self._send(answer, headers, t, unchanged=unchanged)

            def _send(self, answer: Answer, request_headers: dict[str, str], t: datetime, *, unchanged: bool) -> None:
                self._now = t
                body, headers = answer.body, dict(answer.headers)
                if unchanged:
                    body = b""
                    headers.pop("Content-Type", None)
                elif (
                    answer.compressible
                    and sim.site.config.gzip_sitemaps
                    and "gzip" in request_headers.get("accept-encoding", "")
                ):
                    body = gzip.compress(body, mtime=0)
                    headers["Content-Encoding"] = "gzip"
                    headers["Vary"] = "Accept-Encoding"
                try:
                    self.send_response(304 if unchanged else answer.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _reset(self) -> None:
                """Drop the connection with a TCP reset (SO_LINGER 0), no answer."""
                self.close_connection = True
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                except OSError:
                    pass

            def date_time_string(self, timestamp: float | None = None) -> str:
                """The Date header: simulated time (the request's, or now for http.server's own errors)."""
                return render.http_date(getattr(self, "_now", None) or sim.now)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the request log is ``sim.counters``."""

        return Handler


def _failure_answer(status: int, kind: str, retry_after: int) -> Answer:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    if status in (429, 503):
        headers["Retry-After"] = str(retry_after)
    body = f"<html><body><h1>{status}</h1></body></html>".encode()
    return Answer(status, kind, body, headers)
