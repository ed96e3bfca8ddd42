"""Web pages into articles (api/ingest/html.py) and furniture lines in plain text (boilerplate.py)."""

from __future__ import annotations

from datetime import date

import pytest

from api.ingest.boilerplate import is_boilerplate, strip_boilerplate
from api.ingest.html import PageError, decode_html, read_page
from tests.api.local_web import page


def test_page_text_and_metadata() -> None:
    p = read_page(page("harbour.html"), "http://127.0.0.1:9/harbour")
    assert p.title == "Council approves harbour plan after long debate"
    assert p.outlet == "The Northfield Gazette"
    assert p.published == date(2024, 3, 12)
    assert p.authors == ("Dana Whitlock",)
    assert p.url == "https://news.example.org/2024/03/12/council-approves-harbour-plan"
    assert p.language == "en"
    assert p.text.startswith("The Northfield town council voted 7 to 2")
    assert '"The harbour is the reason this town exists."' in p.text
    assert "Tom Avery" in p.text
    # not the article: the headline (stored as the title), byline, navigation, tags, sharing, related, comments
    for furniture in ("Council approves harbour plan", "By Dana Whitlock", "Subscribe", "Tags:", "Share this",
                      "School roof repairs delayed", "Leave a Reply", "All rights reserved"):
        assert furniture not in p.text, furniture
    assert "\n\n" in p.text  # paragraphs apart, as in text files


def test_page_in_another_language() -> None:
    p = read_page(page("marche.html"))
    assert p.language == "fr"
    assert p.title == "Le marché couvert rouvre ses portes"


@pytest.mark.parametrize("raw", [b"%PDF-1.4 binary", b'{"json": true}', b"", b"just some words, no markup"])
def test_not_html(raw: bytes) -> None:
    with pytest.raises(PageError, match="not an HTML page"):
        read_page(raw)


def test_page_without_article_text() -> None:
    with pytest.raises(PageError, match="no article text"):
        read_page(b"<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>")


@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252", "ascii", "no-such-charset", None])
def test_utf8_bytes_read_as_utf8_whatever_is_declared(declared: str | None) -> None:
    raw = "<html><body><p>Café Zürich: «naïve» — ok</p></body></html>".encode()
    assert "Café Zürich: «naïve» — ok" in decode_html(raw, declared)


@pytest.mark.parametrize("declared", ["utf-8", None, "bogus"])
def test_legacy_bytes_declared_as_utf8(declared: str | None) -> None:
    text = "<html><body><p>" + "Le café de la gare a rouvert ses portes, à la grande joie des habitués. " * 5
    raw = (text + "</p></body></html>").encode("cp1252")
    assert "Le café de la gare a rouvert ses portes, à la grande joie" in decode_html(raw, declared)


def test_declared_legacy_encoding_is_used_when_it_fits() -> None:
    raw = '<html><head><meta charset="windows-1251"></head><body><p>Привет, мир</p></body></html>'.encode("cp1251")
    assert "Привет, мир" in decode_html(raw, None)


@pytest.mark.parametrize("line", [
    "Font Size:", "Leave a Reply", "Leave a comment", "Tags Iraq Islamic State Kenneth McKenzie troops",
    "Tags: harbour, council", "CLICK HERE TO READ MORE FROM THE WASHINGTON EXAMINER", "Daily Caller News Foundation logo",
    "REUTERS/Idrees Ali", "Getty Images", "Home › News › World", "See all Video", "Load more", "Most Popular",
    "Advertisement", "Share this article", "Follow us on Twitter", "© 2024 Example Media. All rights reserved.",
    "Photo: Jane Doe/Example", "Sign up for our daily newsletter",
])
def test_furniture_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    '"We will not leave Iraq," the general said.',
    "Tags on the luggage were checked by officers at the border before the flight left.",
    "The company unveiled its new logo on Tuesday, and critics were quick to respond.",
    "Home prices rose 4 percent in March, the fastest pace in a year.",
    "Read more books, the minister told pupils, and you will write better.",
    "U.S. And Iraq Reportedly Restart ISIS Counterterrorism Efforts",
])
def test_article_lines_are_kept(line: str) -> None:
    assert not is_boilerplate(line)
    assert strip_boilerplate(line) == line


def test_breadcrumb_before_the_headline() -> None:
    text = (
        "Home Global News U.S. And Iraq Reportedly Restart ISIS Counterterrorism Efforts\n"
        "U.S. And Iraq Reportedly Restart ISIS Counterterrorism Efforts\n\n"
        "Topline: The U.S. and Iraq have reportedly resumed their partnership.\n"
        "Font Size:\n"
        "Leave a Reply"
    )
    assert strip_boilerplate(text) == (
        "U.S. And Iraq Reportedly Restart ISIS Counterterrorism Efforts\n\n"
        "Topline: The U.S. and Iraq have reportedly resumed their partnership."
    )
