"""`quotelens watch --once`: conditional GET on feeds, each item fetched once, failures one line each."""

from __future__ import annotations

from pathlib import Path

from tests.api.local_web import LocalWeb, Route, page, rss
from tests.api.test_api_cli import cli_env, run_cli  # noqa: F401 - the fixture

DATE = "Tue, 12 Mar 2024 09:30:00 GMT"


def test_watch_rounds(tmp_path: Path, database_url: str, run_cli) -> None:  # noqa: ANN001, F811
    with LocalWeb({"/harbour": Route(page("harbour.html")), "/gone": Route(b"x", status=404)}) as web:
        items = [(web.url("/harbour"), "Harbour", DATE), (web.url("/gone"), "Gone", DATE)]
        web.routes["/feed.xml"] = Route(rss(items), content_type="application/rss+xml", etag='"r1"')
        web.routes["/down.xml"] = Route(b"", status=503)
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"# local feeds\n{web.url('/feed.xml')}\n{web.url('/down.xml')}\n")
        env = cli_env(tmp_path / "data", database_url, QUOTELENS_FETCH_ALLOW_PRIVATE="true")
        args = ("watch", "--once", "--no-progress", "--feeds", str(feeds))

        first = run_cli(*args, env=env)
        assert first.returncode == 1  # a page and a feed failed
        assert "articles: 1 new, 0 already stored, 1 failed" in first.stdout, first.stdout
        assert f"feed: {web.url('/feed.xml')}: 2 items" in first.stdout
        assert f"feed failed: {web.url('/down.xml')}: HTTP 503" in first.stdout
        assert "/gone: HTTP 404" in first.stderr

        # An item failed, so the feed is asked for in full again; the stored item is not fetched again.
        second = run_cli(*args, env=env)
        assert "articles: 0 new, 1 already stored, 1 failed" in second.stdout, second.stdout
        assert web.hits["/harbour"] == 1 and web.hits["/gone"] == 2

        # The failing item mended: the round stores nothing new but succeeds; then the feed is unchanged.
        web.routes["/gone"] = Route(page("harbour.html").replace(b"harbour", b"marina"))
        web.routes["/down.xml"] = Route(rss([]), content_type="application/rss+xml")
        third = run_cli(*args, env=env)
        assert third.returncode == 0, third.stdout + third.stderr
        fourth = run_cli(*args, env=env)
        assert f"feed: {web.url('/feed.xml')}: not modified" in fourth.stdout, fourth.stdout
        assert "articles: 0 new, 0 already stored, 0 failed" in fourth.stdout
        assert web.conditional["/feed.xml"] == 1
        assert web.hits["/harbour"] == 1 and web.hits["/gone"] == 3
