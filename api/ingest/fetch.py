"""Fetching pages and feeds over HTTP, safely: the one way quotelens reaches the web.

- only http and https; every address a host name resolves to is checked, and
  loopback, private, link-local, shared, reserved and multicast addresses are
  refused unless allowed (`QUOTELENS_FETCH_ALLOW_PRIVATE=true`, for tests and
  intranets). The connection goes to the address that was checked (the host name
  is kept for the Host header and TLS), so a name cannot resolve to a public
  address for the check and a private one for the request;
- timeouts, a cap on the body's size (checked on the declared length and while
  reading), redirects followed by hand up to a bound, each hop checked again, and
  a loop reported as a loop;
- a user agent that says what is asking; one request at a time per host;
- conditional GET: pass the ETag / Last-Modified of the last fetch, and a 304
  comes back as `not_modified` with no body.

Every failure is a FetchError whose message is one line a person can act on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from email.message import Message
from types import TracebackType
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

__all__ = ["FetchError", "Fetched", "Fetcher", "USER_AGENT", "check_url"]

USER_AGENT = "quotelens/0.1 (news quote extraction; +https://github.com/quotelens/quotelens)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A URL that could not be fetched; the message says why in one line.

    `refused`: quotelens would not take it (not http(s), a private address, over the size
    cap), as against the site failing to give it (unreachable, an HTTP error, a timeout).
    """

    def __init__(self, url: str, reason: str, *, refused: bool = False) -> None:
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason
        self.refused = refused


@dataclass(frozen=True, slots=True)
class Fetched:
    """One response: the final URL after redirects, and its body (empty when not modified)."""

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""  # the media type, lower case, without parameters
    encoding: str | None = None  # the charset the server declared, if any
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _human_bytes(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL quotelens may fetch (FetchError for another scheme or no host)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(url, f"not a valid URL: {exc}", refused=True) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(url, f"only http and https URLs are fetched, not {scheme or 'a URL without a scheme'}",
                         refused=True)
    host = parts.hostname
    if not host:
        raise FetchError(url, "the URL has no host", refused=True)
    return scheme, host, port or (443 if scheme == "https" else 80)


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not fetched from by default (None: a public address)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private or (isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10")):
        return "a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a reserved address"
    return None


class Fetcher:
    """An HTTP client for pages and feeds with the rules above; use as an async context manager."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        max_bytes: int = 5_000_000,
        timeout: float = 20.0,
        max_redirects: int = 5,
        user_agent: str = USER_AGENT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_redirects = max_redirects
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
            trust_env=False,  # no proxy from the environment: the address check must hold
        )
        self._host_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _address(self, url: str, host: str, port: int) -> str:
        """The address to connect to for `host`, after checking every address it resolves to."""
        try:
            literal = ipaddress.ip_address(host)
            addresses = [literal]
        except ValueError:
            loop = asyncio.get_running_loop()
            try:
                infos = await asyncio.wait_for(
                    loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout=min(self.timeout, 10.0)
                )
            except (OSError, TimeoutError) as exc:
                raise FetchError(url, f"cannot resolve the host {host}: {exc}") from None
            addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not addresses:
            raise FetchError(url, f"cannot resolve the host {host}")
        if not self.allow_private:
            for ip in addresses:
                why = _refused(ip)
                if why is not None:
                    raise FetchError(
                        url, f"refused: {host} is {why} ({ip}); set QUOTELENS_FETCH_ALLOW_PRIVATE=true to allow it",
                        refused=True,
                    )
        return str(addresses[0])

    def _lock(self, host: str) -> asyncio.Lock:
        lock = self._host_locks.get(host)
        if lock is None:
            lock = self._host_locks[host] = asyncio.Lock()
        return lock

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    ) -> Fetched:
        """GET a URL, following redirects (FetchError for anything but a 2xx or a 304)."""
        seen: list[str] = []
        current = url.strip()
        for _hop in range(self.max_redirects + 1):
            if current in seen:
                raise FetchError(url, f"redirect loop: {' -> '.join([*seen, current])}")
            seen.append(current)
            response, body = await self._get_once(url, current, etag, last_modified, accept)
            if response.status_code in _REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(url, f"HTTP {response.status_code} redirect without a Location")
                current = urljoin(current, location.strip())
                continue
            return self._result(url, current, response, body)
        raise FetchError(url, f"more than {self.max_redirects} redirects")

    async def _get_once(
        self, original: str, url: str, etag: str | None, last_modified: str | None, accept: str
    ) -> tuple[httpx.Response, bytes]:
        scheme, host, port = check_url(url)
        parts = urlsplit(url)
        headers = {"Accept": accept, "Host": parts.netloc.rsplit("@", 1)[-1]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._lock(host.lower()):
            address = await self._address(original, host, port)
            netloc = f"[{address}]" if ":" in address else address
            pinned = urlunsplit((scheme, f"{netloc}:{port}", parts.path or "/", parts.query, ""))
            extensions = {"sni_hostname": host} if scheme == "https" else {}
            try:
                request = self._client.build_request("GET", pinned, headers=headers, extensions=extensions)
                response = await self._client.send(request, stream=True)
            except httpx.TimeoutException:
                raise FetchError(original, f"timed out after {self.timeout:g} s") from None
            except httpx.ConnectError as exc:
                raise FetchError(original, f"cannot connect to {host}: {exc or 'connection refused'}") from None
            except httpx.HTTPError as exc:
                raise FetchError(original, f"request failed: {exc or type(exc).__name__}") from None
            try:
                if response.status_code in _REDIRECTS or response.status_code == 304:
                    return response, b""
                if response.status_code >= 400:
                    raise FetchError(original, f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
                if not 200 <= response.status_code < 300:
                    raise FetchError(original, f"unexpected HTTP {response.status_code}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(
                        original,
                        f"too large: {_human_bytes(int(declared))} declared, the cap is {_human_bytes(self.max_bytes)}",
                        refused=True,
                    )
                chunks: list[bytes] = []
                size = 0
                try:
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise FetchError(
                                original, f"too large: over the cap of {_human_bytes(self.max_bytes)}", refused=True
                            )
                        chunks.append(chunk)
                except httpx.TimeoutException:
                    raise FetchError(original, f"timed out after {self.timeout:g} s while reading") from None
                except httpx.HTTPError as exc:
                    raise FetchError(original, f"the response broke off: {exc or type(exc).__name__}") from None
                return response, b"".join(chunks)
            finally:
                await response.aclose()

    @staticmethod
    def _result(original: str, final_url: str, response: httpx.Response, body: bytes) -> Fetched:
        message = Message()
        message["content-type"] = response.headers.get("content-type", "")
        content_type = message.get_content_type() if response.headers.get("content-type") else ""
        charset = message.get_param("charset")
        return Fetched(
            url=final_url,
            status=response.status_code,
            body=body,
            content_type=content_type,
            encoding=charset if isinstance(charset, str) else None,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            headers=dict(response.headers),
        )
