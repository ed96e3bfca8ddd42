"""uvicorn as `quotelens serve` runs it: slow clients cut off, connections capped, proxies trusted by address.

uvicorn (0.3x-0.5x) has a keep-alive timeout and a cap on concurrent requests
(`limit_concurrency`, answered 503), but no timeout for a client that sends its headers
or body slowly, and it accepts connections without bound (slowloris). `GuardedHttpTools`
adds those to uvicorn's httptools protocol:

- headers: a request's headers must arrive within `header_timeout` seconds of its first
  byte (of the connection for the first request); else 408 and the connection is closed;
- body: the whole body within `body_timeout` seconds of the headers; else the connection
  is closed (the app sees the client disconnect);
- connections: past `max_connections` open in this process, a new one is closed at once.

Forwarded headers (X-Forwarded-For/-Proto) are believed only from QUOTELENS_TRUSTED_PROXIES.

With `--workers`, each worker's app is `worker_app`: the worker ends when its supervisor
does, even killed (uvicorn's workers would live on, serving, with their engine processes).
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import uvicorn
from litestar import Litestar
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.ingest.engine_process import die_with
from api.web.app import create_app
from quotelens.settings import Settings

__all__ = ["GuardedHttpTools", "ServerConfig", "server_config", "worker_app"]

_REQUEST_TIMEOUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                    b"content-length: 23\r\nconnection: close\r\n\r\nrequest took too long\r\n")


class ServerConfig(uvicorn.Config):
    """uvicorn's Config plus the slow-client limits (picklable: `--workers` hands it to each process)."""

    def __init__(self, app: Any, *, header_timeout: float = 10.0, body_timeout: float = 30.0,
                 max_connections: int = 1000, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.max_connections = max_connections


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with header and body deadlines and a connection cap."""

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self._header_timeout = float(getattr(config, "header_timeout", 10.0))
        self._body_timeout = float(getattr(config, "body_timeout", 30.0))
        self._max_connections = int(getattr(config, "max_connections", 1000))
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float, in_body: bool) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._timed_out, in_body)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self, in_body: bool) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if not in_body:
            self.transport.write(_REQUEST_TIMEOUT)
        self.transport.close()  # in a body: connection_lost tells the app the client is gone

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self._max_connections:
            self.connections.discard(self)
            transport.abort()
            return
        self._arm(self._header_timeout, in_body=False)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:
            self._arm(self._header_timeout, in_body=False)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()
        self._arm(self._body_timeout, in_body=True)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()


def server_config(settings: Settings, app: Any, **kwargs: Any) -> ServerConfig:
    """The uvicorn config for `app` (or an app factory) under `settings`; kwargs: host, port, workers, ..."""
    proxies = list(settings.trusted_proxies)
    return ServerConfig(
        app,
        http=GuardedHttpTools,
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
        max_connections=settings.max_connections,
        limit_concurrency=settings.max_connections + 1,  # requests in flight: 503 past it
        timeout_keep_alive=settings.keep_alive_timeout,  # type: ignore[arg-type]
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        server_header=False,
        **kwargs,
    )



def worker_app(settings: Settings, supervisor: int) -> Litestar:
    """The app of one `--workers` process; the process is sent SIGTERM (it drains, closes its
    engine process and exits) when `supervisor` ends, however it ends."""
    die_with(supervisor, signal.SIGTERM)
    return create_app(settings)
