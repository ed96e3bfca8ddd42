"""A web server on 127.0.0.1 for tests: serves given pages and feeds, counts requests, no outside network.

Each route is a `Route`: status, body, headers; with `etag`/`last_modified` set it
answers a matching conditional GET with 304. A route may also be a callable
returning a Route (a redirect loop, a body that changes). `hits[path]` counts the
requests a path received, `conditional[path]` those answered 304.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).with_name("pages")


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    content_length: int | None = None  # declared length, when not len(body); -1: none, read to the close


class LocalWeb:
    """Start with `with LocalWeb(routes) as web:`; `web.url("/path")` is the address of a route."""

    def __init__(self, routes: dict[str, Route | Callable[[], Route]] | None = None) -> None:
        self.routes: dict[str, Route | Callable[[], Route]] = dict(routes or {})
        self.hits: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.user_agents: set[str] = set()
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                path = self.path
                web.hits[path] += 1
                web.user_agents.add(self.headers.get("User-Agent", ""))
                spec = web.routes.get(path)
                if spec is None:
                    self._send(Route(b"<html><body>not here</body></html>", status=404))
                    return
                route = spec() if callable(spec) else spec
                if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
                ):
                    web.conditional[path] += 1
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self._send(route)

            def _send(self, route: Route) -> None:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                length = route.content_length if route.content_length is not None else len(route.body)
                if length < 0:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(length))
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                for k, v in route.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> LocalWeb:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def page(name: str) -> bytes:
    """A saved page under tests/api/pages/."""
    return (PAGES / name).read_bytes()


def rss(items: list[tuple[str, str, str]], title: str = "Local news") -> bytes:
    """An RSS 2.0 feed of (link, title, RFC 822 date) items."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate></item>" for link, t, d in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link><description>test</description>{entries}</channel></rss>"
    ).encode()
