"""A cheap HTTP/1.1 server for the crawl benchmarks: a replay archive's bodies served from memory.

Run as its own process (``python -m bench.server ARCHIVE [--gate browser]``); it prints
``PORT <n>`` on stdout once it listens on 127.0.0.1. Every ``https://www.rfi.fr`` URL of the
archive is served at the same path on this server (the spider's NEWSCRAWL_FETCH_ORIGIN maps
them here). asyncio with keep-alive and pre-built responses: per request it parses the request
head and writes bytes, so its CPU stays far below the crawler's.

``--gate browser`` answers 403 to article pages unless the request comes from a real browser:
Chromium sends ``Sec-Fetch-Mode: navigate`` on a navigation, a plain HTTP client does not (a
User-Agent naming Chrome passes too). ``--latency S`` waits S seconds before each answer (per
connection, like a slow site: other connections are served meanwhile). ``GET /_bench/stats``
returns the counters as JSON; ``GET /_bench/arrivals`` the arrival time of every request (seconds
since the server started), for rate checks measured at the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from bench.corpus import ORIGIN


def _response(status: int, body: bytes, content_type: str) -> bytes:
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("latin-1") + body


NOT_FOUND = _response(404, b"not found", "text/plain")
FORBIDDEN = _response(403, b"<html><body>Access denied</body></html>", "text/html; charset=utf-8")


def load_archive(folder: Path) -> dict[str, bytes]:
    """Path → complete HTTP response, for every www.rfi.fr URL of the archive's manifest."""
    routes: dict[str, bytes] = {}
    with (folder / "manifest.jsonl").open(encoding="utf-8") as manifest:
        for line in manifest:
            record = json.loads(line)
            url = str(record["url"])
            if not url.startswith(ORIGIN + "/"):
                continue
            body = (folder / record["body"]).read_bytes()
            content_type = record.get("headers", {}).get("Content-Type", "application/octet-stream")
            routes[urlsplit(url).path] = _response(int(record.get("status", 200)), body, content_type)
    return routes


class Server:
    def __init__(self, routes: dict[str, bytes], gate_browser: bool, latency: float = 0.0) -> None:
        self.routes = routes
        self.gate_browser = gate_browser
        self.latency = latency
        self.started = time.monotonic()
        self.arrivals: list[float] = []
        self.stats = {"requests": 0, "served": 0, "refused": 0, "browser_served": 0, "not_found": 0}

    def _answer(self, path: str, headers: dict[str, str]) -> bytes:
        if path == "/_bench/stats":
            return _response(200, json.dumps(self.stats).encode(), "application/json")
        if path == "/_bench/arrivals":
            return _response(200, json.dumps(self.arrivals).encode(), "application/json")
        self.stats["requests"] += 1
        response = self.routes.get(path)
        if response is None:
            self.stats["not_found"] += 1
            return NOT_FOUND
        if self.gate_browser and path.startswith("/cn/") and not path.endswith("/rss"):
            from_browser = headers.get("sec-fetch-mode") == "navigate" or "Chrome" in headers.get("user-agent", "")
            if not from_browser:
                self.stats["refused"] += 1
                return FORBIDDEN
            self.stats["browser_served"] += 1
        self.stats["served"] += 1
        return response

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                parts = request_line.split(" ")
                if len(parts) != 3:
                    break
                headers = {}
                for line in header_lines:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                path = urlsplit(parts[1]).path
                if not path.startswith("/_bench/"):
                    self.arrivals.append(round(time.monotonic() - self.started, 4))
                    if self.latency:
                        await asyncio.sleep(self.latency)
                writer.write(self._answer(path, headers))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()


async def serve(routes: dict[str, bytes], gate_browser: bool, latency: float = 0.0) -> None:
    server = Server(routes, gate_browser, latency)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with listener:
        await listener.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, help="replay archive folder (manifest.jsonl + bodies)")
    parser.add_argument("--gate", choices=("none", "browser"), default="none")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    asyncio.run(serve(load_archive(args.archive), args.gate == "browser", args.latency))


if __name__ == "__main__":
    main()
