"""`quotelens ingest` on pages, saved files and feeds served from 127.0.0.1, with every kind of bad input."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from api.store.models import Article
from tests.api.local_web import LocalWeb, Route, page, rss
from tests.api.test_api_cli import cli_env, run_cli  # noqa: F401 - the fixture

DATE = "Tue, 12 Mar 2024 09:30:00 GMT"


def _articles(database_url: str) -> list[dict[str, object]]:
    async def go() -> list[dict[str, object]]:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as conn:
                rows = (await conn.execute(select(Article).order_by(Article.id))).mappings().all()
                return [dict(r) for r in rows]
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _latin_page() -> bytes:
    # Declared UTF-8 by the server, written in Windows-1252: read right all the same.
    body = ("<html><head><title>Caf\u00e9 owners say the new rules came too fast</title></head><body><article>"
            "<h1>Caf\u00e9 owners say the new rules came too fast</h1>"
            + "<p>The owners of the caf\u00e9s on the Rue Blanche said the new opening hours were decided "
              "without them. \u201cWe learnt about it from the newspaper,\u201d said Marie Lef\u00e8vre, "
              "who has run the corner caf\u00e9 for twenty years.</p>" * 3
            + "</article></body></html>")
    return body.encode("cp1252")


def _routes() -> dict[str, Route]:
    harbour = page("harbour.html")
    return {
        "/harbour": Route(harbour),
        "/marche": Route(page("marche.html")),
        "/latin": Route(_latin_page(), content_type="text/html; charset=utf-8"),
        "/missing-page": Route(b"no", status=404),
        "/report.pdf": Route(b"%PDF-1.7 not a page", content_type="application/pdf"),
        "/huge": Route(b"<html><body><p>" + b"word " * 400_000 + b"</p></body></html>"),
        "/loop": Route(status=302, headers={"Location": "/loop2"}),
        "/loop2": Route(status=302, headers={"Location": "/loop"}),
        # the same story under another address, with its canonical URL: not stored twice
        "/harbour?utm_source=feed": Route(harbour.replace(b"Work is expected", b"Building is expected")),
        "/broken.xml": Route(b"<rss><channel><item><title>x", content_type="application/rss+xml"),
    }


def test_ingest_urls_feeds_and_bad_input(tmp_path: Path, database_url: str, run_cli) -> None:  # noqa: ANN001, F811
    with LocalWeb(_routes()) as web:
        feed_items = [(web.url(p), p.strip("/"), DATE) for p in
                      ("/latin", "/marche", "/missing-page", "/report.pdf", "/huge", "/loop", "/harbour?utm_source=feed")]
        web.routes["/feed.xml"] = Route(rss(feed_items), content_type="application/rss+xml")
        env = cli_env(tmp_path / "data", database_url, QUOTELENS_FETCH_ALLOW_PRIVATE="true",
                      QUOTELENS_FETCH_MAX_BYTES="1000000")
        log = tmp_path / "ingest.log"
        first = run_cli("ingest", "--no-progress", "--log", str(log), web.url("/harbour"), web.url("/feed.xml"),
                        web.url("/broken.xml"), "http://127.0.0.1:9/nobody-listens", env=env)
        assert first.returncode == 1, first.stdout + first.stderr
        assert "articles: 3 new, 1 already stored, 6 failed (1 of the new ones stored without quotes: not English)" \
            in first.stdout, first.stdout
        err = first.stderr
        for origin, reason in [("/missing-page", "HTTP 404"), ("/report.pdf", "not an HTML page (the server says application/pdf)"),
                               ("/huge", "too large"), ("/loop", "redirect loop"), ("/broken.xml", "broken feed"),
                               ("127.0.0.1:9/nobody-listens", "cannot connect")]:
            line = next((ln for ln in err.splitlines() if ln.startswith("  failed:") and origin in ln), "")
            assert reason in line, (origin, err)
        assert "no quotes:" in err and "/marche: language fr" in err
        logged = [json.loads(x) for x in log.read_text().splitlines()]
        assert sorted(x["status"] for x in logged) == ["already stored"] + ["failed"] * 6 + ["new"] * 3
        assert all(x.get("error") for x in logged if x["status"] == "failed")

        rows = {r["url"]: r for r in _articles(database_url)}
        harbour = rows["https://news.example.org/2024/03/12/council-approves-harbour-plan"]
        assert harbour["title"] == "Council approves harbour plan after long debate"
        assert harbour["outlet"] == "The Northfield Gazette" and str(harbour["published"]) == "2024-03-12"
        assert harbour["authors"] == ["Dana Whitlock"] and harbour["language"] == "en"
        assert harbour["quote_count"] >= 2 and harbour["skipped"] is None
        latin = rows[web.url("/latin")]
        assert "Marie Lefèvre" in str(latin["text"]) and "café" in str(latin["text"])
        assert latin["quote_count"] >= 1 and str(latin["published"]) == "2024-03-12"  # the feed's date
        marche = rows[web.url("/marche")]
        assert marche["language"] == "fr" and marche["quote_count"] == 0 and "English only" in str(marche["skipped"])
        assert len(rows) == 3  # nothing half-stored from the failures

        # Again: the stored items are not fetched a second time; the failed ones are tried again.
        hits = dict(web.hits)
        again = run_cli("ingest", "--no-progress", web.url("/feed.xml"), env=env)
        assert again.returncode == 1
        assert "articles: 0 new, 3 already stored, 4 failed" in again.stdout, again.stdout
        for path in ("/latin", "/marche"):
            assert web.hits[path] == hits[path], path
        assert web.hits["/missing-page"] == hits["/missing-page"] + 1


def test_ingest_saved_pages_from_a_folder(tmp_path: Path, database_url: str, run_cli) -> None:  # noqa: ANN001, F811
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "harbour.html").write_bytes(page("harbour.html"))
    (folder / "empty.html").write_bytes(b"<html><body><nav>Home</nav></body></html>")
    env = cli_env(tmp_path / "data", database_url)
    r = run_cli("ingest", "--no-progress", str(folder), env=env)
    assert r.returncode == 1
    assert "articles: 1 new, 0 already stored, 1 failed" in r.stdout
    assert "empty.html: no article text found on the page" in r.stderr
    (row,) = _articles(database_url)
    assert row["title"] == "Council approves harbour plan after long debate" and row["authors"] == ["Dana Whitlock"]
