"""The fetcher (api/ingest/fetch.py) and feeds (api/ingest/feeds.py), against a server on 127.0.0.1."""

from __future__ import annotations

from datetime import date

import pytest

from api.ingest.feeds import FeedError, looks_like_feed, parse_feed
from api.ingest.fetch import USER_AGENT, Fetcher, FetchError
from tests.api.local_web import LocalWeb, Route, page, rss


async def test_fetch_a_page_with_conditional_get() -> None:
    with LocalWeb({"/a": Route(page("harbour.html"), etag='"v1"', last_modified="Tue, 12 Mar 2024 09:30:00 GMT")}) as web:
        async with Fetcher(allow_private=True) as fetcher:
            got = await fetcher.fetch(web.url("/a"))
            assert got.status == 200 and got.content_type == "text/html" and got.encoding == "utf-8"
            assert got.body == page("harbour.html")
            again = await fetcher.fetch(web.url("/a"), etag=got.etag)
            assert again.not_modified and again.body == b""
            by_date = await fetcher.fetch(web.url("/a"), last_modified=got.last_modified)
            assert by_date.not_modified
        assert web.conditional["/a"] == 2
        assert web.user_agents == {USER_AGENT}


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost:9/", "http://10.1.2.3/", "http://[::1]/",
                                 "http://169.254.169.254/latest/meta-data/", "http://192.168.0.1/"])
async def test_private_addresses_refused_by_default(url: str) -> None:
    async with Fetcher() as fetcher:
        with pytest.raises(FetchError, match="refused: .* QUOTELENS_FETCH_ALLOW_PRIVATE"):
            await fetcher.fetch(url)


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)", "example.org"])
async def test_only_http_and_https(url: str) -> None:
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchError, match="only http and https"):
            await fetcher.fetch(url)


async def test_redirect_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test server is on loopback, so let loopback through and refuse 10/8 only:
    # a redirect hop must go through the same address check as the first request.
    import ipaddress

    from api.ingest import fetch

    monkeypatch.setattr(fetch, "_refused", lambda ip: "a private address" if ip in ipaddress.ip_network("10.0.0.0/8") else None)
    with LocalWeb({"/go": Route(status=302, headers={"Location": "http://10.0.0.1/admin"})}) as web:
        async with Fetcher() as fetcher:
            with pytest.raises(FetchError, match=r"refused: 10\.0\.0\.1 is a private address"):
                await fetcher.fetch(web.url("/go"))
        assert web.hits["/go"] == 1


async def test_bad_responses_each_say_why() -> None:
    routes = {
        "/missing": Route(b"gone", status=404),
        "/loop-a": Route(status=302, headers={"Location": "/loop-b"}),
        "/loop-b": Route(status=302, headers={"Location": "/loop-a"}),
        "/big": Route(b"x" * 3000),
                "/error": Route(b"oops", status=500),
    }
    for n in range(8):
        routes[f"/hop{n}"] = Route(status=301, headers={"Location": f"/hop{n + 1}"})
    with LocalWeb(routes) as web:
        async with Fetcher(allow_private=True, max_bytes=2000, max_redirects=5, timeout=5) as fetcher:
            for path, reason in [("/missing", "HTTP 404"), ("/loop-a", "redirect loop"), ("/big", "too large"),
                                 ("/error", "HTTP 500"), ("/hop0", "more than 5 redirects")]:
                with pytest.raises(FetchError, match=reason):
                    await fetcher.fetch(web.url(path))


async def test_body_over_the_cap_without_a_declared_length() -> None:
    # No Content-Length: the body is read until the cap, then refused.
    with LocalWeb({"/stream": Route(b"z" * 50_000, content_length=-1),
                   "/small": Route(b"<html><body>ok</body></html>", content_length=-1)}) as web:
        async with Fetcher(allow_private=True, max_bytes=20_000) as fetcher:
            with pytest.raises(FetchError, match="too large: over the cap of 20 kB"):
                await fetcher.fetch(web.url("/stream"))
            assert (await fetcher.fetch(web.url("/small"))).body == b"<html><body>ok</body></html>"


async def test_unreachable_host() -> None:
    async with Fetcher(allow_private=True, timeout=3) as fetcher:
        with pytest.raises(FetchError, match="cannot connect"):
            await fetcher.fetch("http://127.0.0.1:9/nothing-listens-here")
        with pytest.raises(FetchError, match="cannot resolve"):
            await fetcher.fetch("http://no-such-host.invalid/")


def test_parse_rss() -> None:
    body = rss([("http://127.0.0.1/1", "One", "Tue, 12 Mar 2024 09:30:00 GMT"),
                ("http://127.0.0.1/2", "Two", "Wed, 13 Mar 2024 10:00:00 GMT"),
                ("http://127.0.0.1/1", "One again", "Tue, 12 Mar 2024 09:30:00 GMT")])
    assert looks_like_feed(body, "application/rss+xml") and looks_like_feed(body, "text/xml")
    feed = parse_feed(body, "http://127.0.0.1/feed")
    assert feed.title == "Local news" and feed.warning is None
    assert [(i.url, i.title, i.published) for i in feed.items] == [
        ("http://127.0.0.1/1", "One", date(2024, 3, 12)), ("http://127.0.0.1/2", "Two", date(2024, 3, 13))]


def test_parse_atom_with_relative_links() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title>
<entry><title>A</title><link href="/story/a"/><updated>2024-04-01T12:00:00Z</updated>
<author><name>Sam Lee</name></author></entry></feed>"""
    assert looks_like_feed(body)
    feed = parse_feed(body, "http://127.0.0.1:8080/atom.xml")
    assert [(i.url, i.published, i.authors) for i in feed.items] == [
        ("http://127.0.0.1:8080/story/a", date(2024, 4, 1), ("Sam Lee",))]


@pytest.mark.parametrize("body", [b"<rss><channel><title>x</title><item>", b"this is not xml at all", b""])
def test_broken_feed(body: bytes) -> None:
    with pytest.raises(FeedError, match="broken feed"):
        parse_feed(body, "http://127.0.0.1/feed")


def test_truncated_feed_keeps_the_items_it_has_with_a_warning() -> None:
    body = rss([("http://127.0.0.1/1", "One", "Tue, 12 Mar 2024 09:30:00 GMT")])[:-30]
    feed = parse_feed(body, "http://127.0.0.1/feed")
    assert [i.url for i in feed.items] == ["http://127.0.0.1/1"]
    assert feed.warning and "malformed feed" in feed.warning


def test_a_page_is_not_a_feed() -> None:
    assert not looks_like_feed(page("harbour.html"), "text/html")
