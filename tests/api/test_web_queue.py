"""Web pages through the job queue: `quotelens ingest --queue` of URLs and saved pages, `watch` with a queue.

Both read pages as the synchronous commands do (the page's text, title, outlet, date),
queue them, and store nothing themselves; a worker then stores what was queued.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from api_records import ScriptedExtractor
from test_api_jobs import _drain, queued, redis_url  # noqa: F401 - the fixtures

from api.services import Services
from quotelens.settings import Settings
from tests.api.local_web import LocalWeb, Route, page, rss
from tests.api.test_api_cli import cli_env, run_cli  # noqa: F401 - the fixture

DATE = "Tue, 12 Mar 2024 09:30:00 GMT"
HARBOUR_TITLE = "Council approves harbour plan after long debate"
GAZETTE = "The Northfield Gazette"


def _stored(settings: Settings, database_url: str) -> list[tuple[str | None, str | None]]:
    """(title, outlet) of each stored article."""

    async def read() -> list[tuple[str | None, str | None]]:
        services = Services.build(settings, database_url=database_url)
        try:
            found = await services.articles.page(100, 0)
            return sorted((a.title, a.outlet) for a in found.items)
        finally:
            await services.close()

    return asyncio.run(read())


def _queue_env(tmp_path: Path, database_url: str, queued: Settings) -> dict[str, str]:  # noqa: F811
    return cli_env(tmp_path / "data", database_url, QUOTELENS_FETCH_ALLOW_PRIVATE="true",
                   QUOTELENS_REDIS_URL=queued.redis_url or "", QUOTELENS_QUEUE_NAME=queued.queue_name)


def test_ingest_queue_takes_urls_and_saved_pages(tmp_path: Path, database_url: str, queued: Settings,  # noqa: F811
                                                 run_cli) -> None:  # noqa: ANN001, F811
    saved = tmp_path / "marina.html"
    saved.write_bytes(page("harbour.html").replace(b"harbour", b"marina"))
    log = tmp_path / "queued.jsonl"
    with LocalWeb({"/harbour": Route(page("harbour.html")), "/gone": Route(b"x", status=404)}) as web:
        env = _queue_env(tmp_path, database_url, queued)
        args = ("ingest", "--queue", "--no-progress", "--log", str(log), web.url("/harbour"), web.url("/gone"),
                str(saved))
        first = run_cli(*args, env=env)
        assert "articles: 2 queued, 0 already stored, 1 failed" in first.stdout, first.stdout + first.stderr
        assert "/gone: HTTP 404" in first.stderr
        assert web.hits["/harbour"] == 1
        statuses = sorted(json.loads(line)["status"] for line in log.read_text().splitlines())
        assert statuses == ["failed", "queued", "queued"]
        assert _stored(queued, database_url) == []  # queued, not stored here

        asyncio.run(_drain(queued, database_url, ScriptedExtractor()))
        stored = _stored(queued, database_url)
        assert stored == sorted([(HARBOUR_TITLE, GAZETTE), (HARBOUR_TITLE.replace("harbour", "marina"), GAZETTE)])

        # Stored now: the URL is not fetched again, the saved page is the same text.
        again = run_cli(*args, env=env)
        assert "articles: 0 queued, 2 already stored, 1 failed" in again.stdout, again.stdout
        assert web.hits["/harbour"] == 1


def test_watch_with_a_queue_queues_new_items(tmp_path: Path, database_url: str, queued: Settings,  # noqa: F811
                                             run_cli) -> None:  # noqa: ANN001, F811
    with LocalWeb({"/harbour": Route(page("harbour.html")), "/gone": Route(b"x", status=404)}) as web:
        items = [(web.url("/harbour"), "Harbour", DATE), (web.url("/gone"), "Gone", DATE)]
        web.routes["/feed.xml"] = Route(rss(items), content_type="application/rss+xml", etag='"r1"')
        env = _queue_env(tmp_path, database_url, queued)
        args = ("watch", "--once", "--no-progress", web.url("/feed.xml"))

        first = run_cli(*args, env=env)
        assert first.returncode == 1  # an item failed
        assert "articles: 1 queued, 0 already stored, 1 failed" in first.stdout, first.stdout + first.stderr
        assert "new items queued" in first.stdout
        assert _stored(queued, database_url) == []  # nothing extracted in this process

        asyncio.run(_drain(queued, database_url, ScriptedExtractor()))
        assert _stored(queued, database_url) == [(HARBOUR_TITLE, GAZETTE)]
        second = run_cli(*args, env=env)  # the item that failed is asked for again; the stored one is not
        assert "articles: 0 queued, 1 already stored, 1 failed" in second.stdout, second.stdout
        assert web.hits["/harbour"] == 1 and web.hits["/gone"] == 2
