"""A small HTTP server on 127.0.0.1 for tests that crawl for real (no network beyond loopback),
and what such a crawl needs: a feed with full-text descriptions, the crawl arguments.

Routes map a path to replies served in order, the last one repeating (like the replay archive);
a reply may be a function of the request (to answer by cookie, say). Every request is logged with
its arrival time and headers, so tests can assert what the crawler really sent, and when. The
crawler is pointed at the server with NEWSCRAWL_FETCH_ORIGIN: the feed links stay canonical
https://www.rfi.fr/cn/... URLs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

RFI_ORIGIN = "https://www.rfi.fr"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: str | bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer starts (a slow server, a timeout)
    drop: bool = False  # close the connection without an answer (a reset)


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    path: str  # decoded path, without the query
    at: float  # time.monotonic() on arrival
    headers: dict[str, str]  # lower-cased names

    def cookie(self, name: str) -> str | None:
        for pair in self.headers.get("cookie", "").split(";"):
            key, _, value = pair.strip().partition("=")
            if key == name:
                return value
        return None


Responder = Reply | Callable[[Seen], Reply]
NOT_FOUND = Reply(404, "not found", {"Content-Type": "text/plain"})


def html(body: str, status: int = 200, **headers: str) -> Reply:
    return Reply(
        status,
        body,
        {"Content-Type": "text/html; charset=utf-8", **{k.replace("_", "-"): v for k, v in headers.items()}},
    )


def path_of(url: str) -> str:
    """The path a canonical www.rfi.fr URL is fetched at on the local origin."""
    assert url.startswith(RFI_ORIGIN + "/"), url
    return url[len(RFI_ORIGIN) :]


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    description: str = "摘要"  # the short summary RFI's own feeds carry: no full text
    updated: str | None = None  # an <atom:updated> date, as written


def feed_reply(items: Iterable[FeedItem]) -> Reply:
    """An RSS 2.0 feed (RFI's, or the feedx mirror's when descriptions carry full text)."""
    entries = "".join(
        f"<item><title>{escape(item.title)}</title><link>{escape(item.link)}</link>"
        f"<guid>{escape(item.link)}</guid><pubDate>Mon, 01 Apr 2024 08:00:00 GMT</pubDate>"
        f"<description><![CDATA[{item.description}]]></description>"
        + (f"<atom:updated>{escape(item.updated)}</atom:updated>" if item.updated else "")
        + "</item>"
        for item in items
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        "<channel><title>RFI 华语</title>"
        f"<link>https://www.rfi.fr/cn/</link><description>test</description>{entries}</channel></rss>"
    )
    return Reply(200, xml, {"Content-Type": "application/rss+xml; charset=utf-8"})


def feedx_fulltext(url: str, title: str, lead: str, paragraphs: list[str]) -> str:
    """A feedx-style full-text description: epoch comment, link line, date line, bold lead, body, footer."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!--1711958400000-->\n[{escape(title)}]({url})\n------\n\n<div>01/04/2024 - 10:00</div>"
        f"<p><strong>{escape(lead)}</strong></p><div>{body}<div data-selfpromo-newsletter></div></div>"
        '<br><hr><div>获取更多RSS：<br><a href="https://feedx.net">https://feedx.net</a></div>'
    )


def crawl_arguments(origin: str, *settings: str) -> list[str]:
    """`scrapy crawl` arguments for a crawl of the local site: its feed, no sitemaps (a test that
    serves some names them with a later ``-a sitemaps=``), its origin, no waiting."""
    fixed = {
        "NEWSCRAWL_FETCH_ORIGIN": origin,
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "NEWSCRAWL_RETRY_BACKOFF_BASE": "0",
    }
    pairs = [f"{name}={value}" for name, value in fixed.items()] + list(settings)
    return ["-a", f"feeds={origin}/cn/rss", "-a", "sitemaps=", *(arg for pair in pairs for arg in ("-s", pair))]


class LocalServer:
    """``with LocalServer() as server: server.route("/x", Reply(...)); ... server.origin``."""

    def __init__(self) -> None:
        self._routes: dict[str, list[Responder]] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self.requests: list[Seen] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="localserver", daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def route(self, path: str, *replies: Responder) -> None:
        """Serve ``replies`` in order for ``path`` (decoded, no query), the last one repeating."""
        with self._lock:
            self._routes[unquote(path)] = list(replies)
            self._served[unquote(path)] = 0

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.requests if seen.path == unquote(path)]

    def _reply(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            replies = self._routes.get(seen.path)
            if not replies:
                return NOT_FOUND
            index = min(self._served[seen.path], len(replies) - 1)
            self._served[seen.path] += 1
        responder = replies[index]
        return responder if isinstance(responder, Reply) else responder(seen)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                seen = Seen(
                    path=unquote(urlsplit(self.path).path),
                    at=time.monotonic(),
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                reply = server._reply(seen)
                time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    return
                body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting (a timeout under test)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the request log is ``server.requests``."""

        return Handler

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
