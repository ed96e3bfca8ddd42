"""For the browser tests: a real `quotelens serve` on the seeds, and Debian's Chromium.

The server runs on a free loopback port with a temporary SQLite store, which it
fills with the seed articles on start. Chromium is /usr/bin/chromium (`.ci/run`
installs it), driven by Playwright; no browser is ever downloaded. Every page the
tests open goes through a route handler that lets only the server's own URLs
through and records any other: the tests assert that list stays empty.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("QUOTELENS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT = 240.0  # loading spaCy and ingesting the seeds on a busy 2-core box
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def api(self, path: str, **params: Any) -> Any:
        r = httpx.get(self.base + path, params=params, timeout=30)
        r.raise_for_status()
        return r.json()


def start_server(folder: Path, extra_env: dict[str, str] | None = None) -> Server:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("QUOTELENS_DATABASE_URL", "QUOTELENS_API_KEYS")}
    env.update({"QUOTELENS_DATA_DIR": str(folder), "QUOTELENS_RATE_LIMIT": "off",
                "QUOTELENS_SEEDS_DIR": str(ROOT / "seeds"), **(extra_env or {})})
    log = folder / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "quotelens.cli", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"quotelens serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/ready", timeout=2).status_code == 200:
                return Server(base, process, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"quotelens serve not ready after {START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@dataclass
class Watch:
    """What the pages of one browser context did that they should not have."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.foreign_requests == [], f"requests to other hosts: {self.foreign_requests}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.page_errors == [], f"uncaught errors: {self.page_errors}"
        assert self.failed_requests == [], f"failed requests: {self.failed_requests}"


def open_context(browser: Any, server: Server, *, viewport: dict[str, int] = DESKTOP,
                 javascript: bool = True) -> tuple[Any, Watch]:
    """A browser context that may reach the server only, with a record of what went wrong."""
    watch = Watch()
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(server.base + "/") or url.startswith("data:"):
            r.continue_()
        else:
            watch.foreign_requests.append(url)
            r.abort()

    context.route("**/*", route)

    def on_page(page: Any) -> None:
        page.on("console", lambda m: watch.console_errors.append(f"{page.url}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.page_errors.append(f"{page.url}: {e}"))
        page.on("requestfailed", lambda r: watch.failed_requests.append(f"{r.url}: {r.failure}")
                if r.url.startswith(server.base) else None)
        page.on("response", lambda r: watch.failed_requests.append(f"{r.url}: HTTP {r.status}")
                if r.status >= 400 and "/static/" in r.url else None)

    context.on("page", on_page)
    return context, watch
