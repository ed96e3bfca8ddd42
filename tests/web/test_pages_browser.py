"""The dashboard in Chromium, on `quotelens serve` holding the seed articles.

Every page renders with no console error and no request to any host but the
server; each highlight covers exactly its quote (the API's offsets into the API's
text); search, filters and paging work; the pages hold at phone width, work from
the keyboard and show their data with JavaScript off; a merge made on /review
shows on the speaker page. Screenshots of each page (desktop and phone) go to
QUOTELENS_SCREENSHOTS when set.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_kit import DESKTOP, PHONE, Server, Watch, open_context

PAGES = ("/", "/?period=all", "/speakers", "/speakers?q=mckenzie", "/articles", "/search", "/search?q=troops",
         "/review")


def _shot_name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "overview"


def _speaker_slug(server: Server, name: str) -> str:
    hits = server.api("/api/speakers", q=name)["items"]
    assert hits, f"no speaker like {name!r} in the seeds"
    return str(hits[0]["slug"])


def _all_pages(server: Server) -> list[str]:
    articles = server.api("/api/articles", limit=100)["items"]
    speakers = server.api("/api/speakers", limit=5)["items"]
    return [*PAGES, *(f"/articles/{a['id']}" for a in articles), *(f"/speakers/{s['slug']}" for s in speakers)]


def test_every_page_renders_with_no_error_and_no_foreign_request(
        browser: Any, server: Server, screenshots: Path) -> None:
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context, watch = open_context(browser, server, viewport=viewport)
        page = context.new_page()
        for path in _all_pages(server):
            response = page.goto(server.base + path)
            assert response is not None and response.status == 200, path
            assert page.locator("h1").first.inner_text().strip(), f"{path}: no heading"
            # Nothing wider than the screen: no sideways scrolling at phone width.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} at {label}: {overflow}px wider than the viewport"
            if not path.startswith("/articles/") or path.endswith("/1"):
                page.screenshot(path=str(screenshots / f"{_shot_name(path)}-{label}.png"), full_page=True)
        context.close()
        watch.assert_clean()


def test_api_docs_render_offline(browser: Any, server: Server, screenshots: Path) -> None:
    context, watch = open_context(browser, server)
    page = context.new_page()
    page.goto(server.base + "/schema")
    # Redoc, served from the package, draws the operations of the OpenAPI document.
    page.get_by_role("heading", name="Search quotes across all articles").first.wait_for(timeout=30_000)
    assert page.get_by_role("heading", name=re.compile("quotelens API")).first.is_visible()
    page.screenshot(path=str(screenshots / "schema-desktop.png"))
    context.close()
    watch.assert_clean()


def _article_text_without_badges(page: Any) -> str:
    return str(page.evaluate("""() => {
        const copy = document.getElementById('article-text').cloneNode(true);
        copy.querySelectorAll('.badge').forEach(b => b.remove());
        return copy.textContent;
    }"""))


def test_each_highlight_covers_exactly_its_quote(desktop: tuple[Any, Watch], server: Server) -> None:
    context, watch = desktop
    page = context.new_page()
    checked = flagged = 0
    for ref in server.api("/api/articles", limit=100)["items"]:
        article = server.api(f"/api/articles/{ref['id']}")
        page.goto(f"{server.base}/articles/{article['id']}")
        assert _article_text_without_badges(page) == article["text"]
        marked: dict[str, str] = page.evaluate("""() => {
            const out = {};
            document.querySelectorAll('#article-text a.q').forEach(a => {
                for (const id of a.dataset.quotes.split(' ')) out[id] = (out[id] || '') + a.textContent;
            });
            return out;
        }""")
        assert sorted(map(int, marked)) == sorted(q["id"] for q in article["quotes"])
        for q in article["quotes"]:
            assert marked[str(q["id"])] == article["text"][q["start"]:q["end"]], q
            checked += 1
        # One letter per speaker: every quote of a speaker carries that speaker's letter.
        # A question mark for the quotes that name no speaker: none found, or uncertain.
        letters = page.evaluate("""() => Array.from(document.querySelectorAll('#article-text .badge'))
            .map(b => [b.id.slice(2), b.textContent, b.title])""")
        nobody = {str(q["id"]) for q in article["quotes"] if q["speaker"] is None}
        uncertain = {str(q["id"]) for q in article["quotes"] if q["speaker_uncertain"]}
        by_speaker: dict[str, set[str]] = {}
        for quote_id, letter, name in letters:
            assert (letter == "?") == (quote_id in nobody), (quote_id, letter)
            by_speaker.setdefault(name, set()).add(letter)
        assert all(len(v) == 1 for v in by_speaker.values()), by_speaker
        assert len({next(iter(v)) for v in by_speaker.values()}) == len(by_speaker)
        flagged += len(uncertain)
    assert checked >= 20 and flagged >= 1
    watch.assert_clean()


def test_selecting_a_quote_shows_its_details_by_mouse_and_keyboard(desktop: tuple[Any, Watch],
                                                                   server: Server) -> None:
    context, watch = desktop
    article = server.api("/api/articles/1")
    quote = next(q for q in article["quotes"] if q["speaker"])
    page = context.new_page()
    page.goto(f"{server.base}/articles/1")
    page.locator(f'#article-text a.q[data-quote="{quote["id"]}"]').first.click()
    panel = page.locator("#selected")
    assert panel.is_visible()
    text = panel.inner_text()
    for label in ("Mention", "Cue", "Kind", "Confidence"):
        assert label in text
    assert quote["speaker"]["name"] in text and (quote["cue"] or "—") in text
    assert f'{quote["confidence"]:.2f}' in text
    page.get_by_role("button", name="Close").click()
    assert not panel.is_visible()
    # Keyboard only: Tab to the first quote mark and press Enter.
    page.goto(f"{server.base}/articles/1")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('q')"):
            break
    else:
        pytest.fail("no quote mark reachable with Tab")
    focused = page.evaluate("document.activeElement.dataset.quote")
    page.keyboard.press("Enter")
    assert page.locator("#selected").is_visible()
    assert page.locator(f"#q-{focused}").evaluate("e => e.classList.contains('active')")
    watch.assert_clean()


def test_skip_link_is_the_first_stop(desktop: tuple[Any, Watch], server: Server) -> None:
    context, watch = desktop
    page = context.new_page()
    page.goto(server.base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    watch.assert_clean()


def _listed_quotes(page: Any) -> list[str]:
    return [t.strip("“”") for t in page.locator("ol.quotes li.quote blockquote").all_inner_texts()]


def test_search_filters_and_paging(desktop: tuple[Any, Watch], server: Server) -> None:
    context, watch = desktop
    page = context.new_page()
    total = server.api("/api/quotes", limit=1)["total"]
    assert total > 40, "the seeds should hold more than two pages of quotes"
    page.goto(server.base + "/search")
    assert page.locator(".pager p").first.inner_text().startswith(f"1–20 of {total} quotes")
    seen = list(_listed_quotes(page))
    page.get_by_role("link", name="Next →").first.click()
    assert page.locator(".pager p").first.inner_text().startswith(f"21–40 of {total}")
    second = _listed_quotes(page)
    assert len(second) == 20 and not set(second) & set(seen)
    api_second = [q["text"] for q in server.api("/api/quotes", limit=20, offset=20)["items"]]
    assert second == api_second
    # Words, typed into the form.
    page.goto(server.base + "/search")
    page.fill("#s-q", "troops")
    page.click("form[role=search] button[type=submit] >> text=Search")
    page.wait_for_url(re.compile(r"/search\?q=troops"))
    found = _listed_quotes(page)
    expected = server.api("/api/quotes", q="troops", limit=20)
    assert found == [q["text"] for q in expected["items"]] and found
    assert all(re.search(r"troop", t, re.I) for t in found)
    # Kind and speaker filters.
    page.select_option("#s-kind", "direct")
    page.fill("#s-speaker", "McKenzie")
    page.fill("#s-q", "")
    page.click("form[role=search] button[type=submit] >> text=Search")
    direct = server.api("/api/quotes", speaker="McKenzie", kind="direct", limit=20)
    assert direct["items"], "McKenzie has direct quotes in the seeds"
    assert _listed_quotes(page) == [q["text"] for q in direct["items"]]
    assert set(page.locator("li.quote .kind").all_inner_texts()) == {"direct"}
    # An outlet, from the overview's table of outlets.
    outlets = [o["outlet"] for o in server.api("/api/stats/outlets")["items"] if o["outlet"]]
    assert outlets, "the seeds name an outlet"
    page.goto(server.base + "/?period=all")
    page.locator("#outlets-h ~ table a", has_text=outlets[0]).click()
    expected = server.api("/api/quotes", outlet=outlets[0], limit=20)
    assert _listed_quotes(page) == [q["text"] for q in expected["items"]] and expected["items"]
    assert set(page.locator("li.quote .outlet").all_inner_texts()) == {outlets[0]}
    # A bad date is a message on the page, not an error.
    page.goto(server.base + "/search?since=yesterday")
    assert "not a date" in page.locator(".notice").inner_text()
    watch.assert_clean()


def test_csv_download_matches_the_listing(desktop: tuple[Any, Watch], server: Server) -> None:
    import csv
    import io

    import httpx

    context, watch = desktop
    page = context.new_page()
    page.goto(server.base + "/search?q=troops")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download as CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    expected = server.api("/api/quotes", q="troops", limit=100)
    assert [int(r["quote_id"]) for r in rows] == [q["id"] for q in expected["items"]]
    # The API's own listings give CSV for Accept: text/csv.
    r = httpx.get(server.base + "/api/quotes", params={"q": "troops", "limit": 5}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert [int(x["quote_id"]) for x in csv.DictReader(io.StringIO(r.text))] == [
        q["id"] for q in expected["items"][:5]]
    assert r.headers["x-total-count"] == str(expected["total"])
    watch.assert_clean()


def test_reporter_finds_mckenzie_on_iraq_in_three_steps(desktop: tuple[Any, Watch], server: Server,
                                                        screenshots: Path) -> None:
    """From the overview: McKenzie in the most quoted (1 click), words 'Iraq' (typed), Filter (2 clicks)."""
    context, watch = desktop
    page = context.new_page()
    page.goto(server.base + "/")
    page.locator("ol.bars a", has_text="McKenzie").first.click()
    assert "McKenzie" in page.locator("h1").inner_text()
    page.fill("#f-q", "Iraq")
    page.get_by_role("button", name="Filter").click()
    slug = _speaker_slug(server, "McKenzie")
    expected = server.api(f"/api/speakers/{slug}/quotes", q="Iraq", limit=20)
    shown = _listed_quotes(page)
    assert shown == [q["text"] for q in expected["items"]] and shown
    page.screenshot(path=str(screenshots / "mckenzie-iraq-desktop.png"), full_page=True)
    watch.assert_clean()


def test_pages_show_their_data_with_javascript_off(browser: Any, server: Server) -> None:
    context, watch = open_context(browser, server, javascript=False)
    page = context.new_page()
    page.goto(server.base + "/")
    top = server.api("/api/stats/top-speakers", limit=3)["items"]
    bars = page.locator("ol.bars a").all_inner_texts()
    assert bars and bars[0] == top[0]["speaker"]["name"]
    assert page.locator("svg#weekly rect.bar").count() >= 1
    article = server.api("/api/articles/1")
    page.goto(f"{server.base}/articles/1")
    assert page.locator("#article-text a.q").count() >= len(article["quotes"])
    # Selecting a quote without script: the link leads to its details.
    first = article["quotes"][0]
    page.locator(f'#article-text a.q[data-quote="{first["id"]}"]').first.click()
    assert page.url.endswith(f"#q-{first['id']}")
    assert page.locator(f"#q-{first['id']}").is_visible()
    slug = _speaker_slug(server, "McKenzie")
    page.goto(f"{server.base}/speakers/{slug}?q=Iraq")
    assert _listed_quotes(page)
    context.close()
    watch.assert_clean()


def test_merge_on_review_shows_on_the_speaker_page(desktop: tuple[Any, Watch], server: Server,
                                                   screenshots: Path) -> None:
    context, watch = desktop
    keep = _speaker_slug(server, "McKenzie")
    before = server.api(f"/api/speakers/{keep}")
    other = next(s for s in server.api("/api/speakers", limit=100)["items"]
                 if s["slug"] != keep and s["kind"] == "person" and s["quote_count"] >= 1)
    page = context.new_page()
    page.goto(server.base + "/review")
    page.fill("#m-speaker", keep)
    page.fill("#m-other", other["slug"])
    page.get_by_role("button", name="Merge", exact=True).click()
    result = page.locator("#result")
    assert f"Merged “{other['name']}” into" in result.inner_text()
    page.screenshot(path=str(screenshots / "review-after-merge-desktop.png"), full_page=True)
    undo = server.base + str(result.get_by_role("link", name="Undo with a split").get_attribute("href"))
    result.get_by_role("link").first.click()
    assert page.url.endswith(f"/speakers/{keep}")
    assert f"{before['quote_count'] + other['quote_count']} quotes" in page.locator(".lede").inner_text()
    assert other["name"] in page.locator("section[aria-labelledby=names-h] ul.names").inner_text()
    # The merged speaker's old page leads to the one kept.
    page.goto(f"{server.base}/speakers/{other['slug']}")
    assert page.url.endswith(f"/speakers/{keep}")
    # Undone as the message offers: a split of the merged name, offered in the split form's list.
    page.goto(undo)
    assert page.locator(f'#alias-list option[value="{other["name"]}"]').count() == 1
    page.fill("#s-alias", other["name"])
    page.get_by_role("button", name="Split", exact=True).click()
    assert "Split off" in page.locator("#result").inner_text()
    page.locator("#result").get_by_role("link").first.click()
    assert page.locator("h1").inner_text().strip() == other["name"]
    watch.assert_clean()


def _tab_to(page: Any, test: str, limit: int = 80) -> None:
    """Press Tab until `test` (a JS expression over `e`, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!({test}); }})()"):
            return
    pytest.fail(f"Tab never reached an element where {test}")


def test_keyboard_only_from_the_overview_to_a_speakers_quotes_on_a_topic(desktop: tuple[Any, Watch],
                                                                          server: Server) -> None:
    """The three-click path with the keyboard alone, every stop showing where the focus is."""
    context, watch = desktop
    page = context.new_page()
    page.goto(server.base + "/")
    _tab_to(page, "e.id === 'find-speaker'")
    page.keyboard.type("McKenzie")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/speakers\?q=McKenzie"))
    _tab_to(page, "e.tagName === 'A' && e.closest('table') && /McKenzie/.test(e.textContent)")
    # The focus is visible: an outline of some width, not the page's colour.
    outline = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); "
                            "return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
    assert outline[0] != "none" and outline[1] >= 2, outline
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/speakers/[a-z0-9-]+$"))
    _tab_to(page, "e.id === 'f-q'")
    page.keyboard.type("Iraq")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Iraq"))
    slug = _speaker_slug(server, "McKenzie")
    expected = server.api(f"/api/speakers/{slug}/quotes", q="Iraq", limit=20)
    assert _listed_quotes(page) == [q["text"] for q in expected["items"]] and expected["items"]
    assert page.locator("ol.quotes mark").count() >= 1  # the word is marked in what was found
    watch.assert_clean()


def test_charts_and_forms_hold_at_phone_width(browser: Any, server: Server) -> None:
    context, watch = open_context(browser, server, viewport=PHONE)
    page = context.new_page()
    page.goto(server.base + "/?period=all")
    # Axis labels are text at a readable size, inside the chart's card.
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll('figure.chart .x-axis span, figure.chart .y-axis span'))
        .map(s => [parseFloat(getComputedStyle(s).fontSize), s.getBoundingClientRect().left,
                   s.getBoundingClientRect().right, s.closest('.card').getBoundingClientRect().right])""")
    assert sizes and all(size >= 11 for size, *_ in sizes), sizes
    assert all(left >= 0 and right <= card for _, left, right, card in sizes), sizes
    assert page.locator("figure.chart svg.bars").bounding_box()["height"] >= 120
    # The search form: every field inside the screen, the dates side by side.
    page.goto(server.base + "/search")
    boxes = {i: page.locator(f"#{i}").bounding_box() for i in ("s-q", "s-speaker", "s-outlet", "s-since", "s-until")}
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] for b in boxes.values()), boxes
    assert boxes["s-since"]["y"] == boxes["s-until"]["y"]
    # A listing table becomes one block per row: the quote count says what it counts.
    page.goto(server.base + "/articles")
    first = page.locator("table.articles tbody tr").first.inner_text()
    assert re.search(r"\d+ quotes?", first), first
    context.close()
    watch.assert_clean()


def test_speaker_page_lists_uncertain_attributions_on_request(desktop: tuple[Any, Watch], server: Server) -> None:
    context, watch = desktop
    page = context.new_page()
    # The speaker with the most quotes below the confidence threshold, as the API reports them.
    counts: dict[str, int] = {}
    for q in server.api("/api/quotes", limit=100)["items"]:
        if q["speaker_uncertain"]:
            counts[q["speaker_guess"]["slug"]] = counts.get(q["speaker_guess"]["slug"], 0) + 1
    assert counts, "the seeds have quotes whose speaker is uncertain"
    slug = max(counts, key=lambda k: counts[k])
    sure = server.api(f"/api/speakers/{slug}/quotes", limit=100)
    page.goto(f"{server.base}/speakers/{slug}")
    assert not page.locator("ol.quotes .tag.doubt").count()
    page.get_by_role("link", name="list them too").click()
    page.wait_for_url(re.compile(r"uncertain=1"))
    assert page.locator("#f-uncertain").is_checked()
    every = server.api(f"/api/speakers/{slug}/quotes", limit=20, min_confidence=0)
    assert every["total"] == sure["total"] + counts[slug]
    assert _listed_quotes(page) == [q["text"] for q in every["items"]]
    assert page.locator("ol.quotes .tag.doubt").count() == sum(q["speaker_uncertain"] for q in every["items"]) > 0
    # Unticked and filtered again: back to the sure ones.
    page.locator("#f-uncertain").uncheck()
    page.get_by_role("button", name="Filter").click()
    assert page.locator("ol.quotes li.quote").count() == min(20, sure["total"])
    watch.assert_clean()
