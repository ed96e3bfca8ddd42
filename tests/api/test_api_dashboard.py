"""The dashboard's server side through the real app, on SQLite and PostgreSQL: aggregate routes,
CSV listings, the HTML pages, and the review page's key and form posts."""

from __future__ import annotations

import csv
import io

from api_records import ScriptedExtractor, anonymous, person, quote_in

from api.quotes import service as quote_service
from api.web.pages import search as search_page
from api.web.pages._common import Paging

A1 = "“We will keep troops in Iraq for now,” Gen. Kenneth McKenzie said. “Iraq is safer,” Caggins said."
A2 = ("“Our troops are welcome and valued,” Marine Gen. Kenneth McKenzie said. "
      "“The threat does remain,” a senior defense official said.")
A3 = "“The justifications are no longer there,” Mohammed Shia al Sudani said."


async def load(client, extractor: ScriptedExtractor, headers: dict[str, str] | None = None) -> dict[str, int]:  # noqa: ANN001
    extractor.add(A1, [
        quote_in(A1, "We will keep troops in Iraq for now", person("Gen. Kenneth McKenzie")),
        quote_in(A1, "Iraq is safer", person("Myles B. Caggins III")),
    ])
    extractor.add(A2, [
        quote_in(A2, "Our troops are welcome and valued", person("Kenneth McKenzie"), kind="mixed"),
        quote_in(A2, "The threat does remain", anonymous("a senior defense official")),
    ])
    extractor.add(A3, [quote_in(A3, "The justifications are no longer there", person("Mohammed Shia al Sudani"))])
    ids = {}
    # 2020-06-09 is a Tuesday, 2020-06-15 the next Monday.
    for name, text, day, outlet in (("a1", A1, "2020-06-09", "Al Arabiya"), ("a2", A2, "2020-06-15", "The Hill"),
                                    ("a3", A3, "2020-07-01", "The Hill")):
        r = await client.post("/api/articles", json={"text": text, "published": day, "title": name, "outlet": outlet},
                              headers=headers or {})
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    return ids


async def test_top_speakers_over_a_period_and_all_time(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    every = (await client.get("/api/stats/top-speakers")).json()
    assert [(c["speaker"]["slug"], c["quotes"]) for c in every["items"]][0] == ("kenneth-mckenzie", 2)
    assert sum(c["quotes"] for c in every["items"]) == 5
    june = (await client.get("/api/stats/top-speakers", params={"since": "2020-06-10", "until": "2020-06-30"})).json()
    assert {c["speaker"]["slug"]: c["quotes"] for c in june["items"]} == {
        "kenneth-mckenzie": 1, "a-senior-defense-official-a2": 1}
    assert (await client.get("/api/stats/top-speakers", params={"since": "2020-07-02", "until": "2020-06-01"})
            ).status_code == 400


async def test_quotes_per_week_fill_empty_weeks(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    weeks = (await client.get("/api/stats/weekly")).json()["items"]
    assert weeks == [{"week": "2020-06-08", "quotes": 2}, {"week": "2020-06-15", "quotes": 2},
                     {"week": "2020-06-22", "quotes": 0}, {"week": "2020-06-29", "quotes": 1}]
    his = (await client.get("/api/stats/weekly", params={"speaker": "kenneth-mckenzie"})).json()
    assert his["speaker"]["slug"] == "kenneth-mckenzie"
    assert [(w["week"], w["quotes"]) for w in his["items"]] == [("2020-06-08", 1), ("2020-06-15", 1)]
    hill = (await client.get("/api/stats/weekly", params={"outlet": "The Hill", "since": "2020-06-15",
                                                          "until": "2020-06-21"})).json()
    assert hill["items"] == [{"week": "2020-06-15", "quotes": 2}]
    assert (await client.get("/api/stats/weekly", params={"speaker": "nobody"})).status_code == 404


async def test_outlets_and_unnamed_share(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    outlets = (await client.get("/api/stats/outlets")).json()["items"]
    assert outlets == [{"outlet": "The Hill", "articles": 2, "quotes": 3}, {"outlet": "Al Arabiya", "articles": 1,
                                                                          "quotes": 2}]
    share = (await client.get("/api/stats/unnamed")).json()
    assert (share["quotes"], share["unnamed"], share["share"]) == (5, 1, 0.2)
    july = (await client.get("/api/stats/unnamed", params={"since": "2020-07-01"})).json()
    assert (july["quotes"], july["unnamed"]) == (1, 0)


async def test_quote_listings_as_csv(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    as_json = (await client.get("/api/quotes", params={"q": "troops"})).json()
    r = await client.get("/api/quotes", params={"q": "troops"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [int(row["quote_id"]) for row in rows] == [q["id"] for q in as_json["items"]]
    assert rows[0]["text"] == as_json["items"][0]["text"] and r.headers["x-total-count"] == str(as_json["total"])
    r = await client.get("/api/speakers/kenneth-mckenzie/quotes", headers={"Accept": "text/csv"})
    assert {row["speaker_slug"] for row in csv.DictReader(io.StringIO(r.text))} == {"kenneth-mckenzie"}
    # JSON stays the answer unless CSV is preferred.
    r = await client.get("/api/quotes", headers={"Accept": "application/json, text/csv;q=0.5"})
    assert r.headers["content-type"].startswith("application/json")


async def test_pages_render_the_store(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    ids = await load(client, extractor)
    home = await client.get("/", params={"period": "all"})
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert "Kenneth McKenzie" in home.text and 'role="img"' in home.text and "20.0%" in home.text
    page = await client.get("/speakers/kenneth-mckenzie", params={"q": "troops", "kind": "mixed"})
    assert "Our <mark>troops</mark> are welcome and valued" in page.text and "We will keep" not in page.text
    blank = await client.get("/speakers/kenneth-mckenzie", params={"since": "", "until": "", "kind": ""})
    assert blank.status_code == 200 and "We will keep troops" in blank.text
    moved = await client.get(f"/speakers/{(await client.get('/api/speakers/kenneth-mckenzie')).json()['id']}",
                             follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/speakers/kenneth-mckenzie"
    article = await client.get(f"/articles/{ids['a1']}")
    assert article.text.count('class="q ') == 2 and "Myles B. Caggins III" in article.text
    search = await client.get("/search", params={"q": "troops", "since": "nope"})
    assert search.status_code == 200 and "not a date" in search.text and "We will keep <mark>troops</mark>" in search.text
    download = await client.get("/search.csv", params={"q": "troops"})
    assert download.headers["content-disposition"].startswith("attachment")
    assert len(list(csv.DictReader(io.StringIO(download.text)))) == 2
    missing = await client.get("/speakers/nobody")
    assert missing.status_code == 404 and "<h1>Not Found</h1>" in missing.text
    assert (await client.get("/articles/999999")).status_code == 404
    assert (await client.get("/", params={"period": "12"})).status_code == 400


async def test_review_needs_a_key_when_keys_are_configured(make_client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    key = {"X-API-Key": "k1"}
    async with make_client(api_keys=("k1",)) as client:
        await load(client, extractor, headers=key)
        r = await client.get("/review")
        assert r.status_code == 401 and 'name="key"' in r.text
        assert (await client.get("/review", headers=key)).status_code == 200
        wrong = await client.post("/review/sign-in", data={"key": "nope", "next": "/review"})
        assert wrong.status_code == 401 and "not one of" in wrong.text
        signed = await client.post("/review/sign-in", data={"key": "k1", "next": "/review"}, follow_redirects=False)
        assert signed.status_code == 303 and "httponly" in signed.headers["set-cookie"].lower()
        assert "samesite=strict" in signed.headers["set-cookie"].lower()
        assert (await client.get("/review")).status_code == 200  # the cookie now
        # The API's own routes do not take the cookie: a write still needs the header.
        assert (await client.post("/api/speakers/kenneth-mckenzie/merge", json={"other": "x"})).status_code == 401
        # A form post another site made a browser send is refused.
        caggins = (await client.get("/api/speakers", params={"q": "Caggins"}, headers=key)).json()["items"][0]["slug"]
        evil = await client.post("/review/merge", data={"speaker": "kenneth-mckenzie", "other": caggins},
                                 headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
        assert evil.status_code == 403  # the web layer refuses a cross-site write before the page sees it
        done = await client.post("/review/merge", data={"speaker": "kenneth-mckenzie", "other": caggins},
                                 follow_redirects=False)
        assert done.status_code == 303, done.text
        shown = await client.get(done.headers["location"])
        assert "Merged" in shown.text and "now 3 quotes" in shown.text
        assert (await client.get(f"/api/speakers/{caggins}")).json()["slug"] == "kenneth-mckenzie"


async def test_review_actions_show_errors(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    same = await client.post("/review/merge", data={"speaker": "kenneth-mckenzie", "other": "kenneth-mckenzie"})
    assert same.status_code == 409 and "merge failed" in same.text
    split = await client.post("/review/split", data={"speaker": "kenneth-mckenzie", "alias": "Somebody Else"})
    assert split.status_code == 404 and "split failed" in split.text
    renamed = await client.post("/review/rename", data={"speaker": "kenneth-mckenzie", "name": "Gen. K. McKenzie"})
    assert renamed.status_code == 200 and "Renamed" in renamed.text and "Gen. K. McKenzie" in renamed.text
    review = await client.get("/review")
    assert review.status_code == 200 and "Names seen once" in review.text


async def test_quotes_by_outlet(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    hill = (await client.get("/api/quotes", params={"outlet": "The Hill"})).json()
    assert hill["total"] == 3 and {q["article"]["outlet"] for q in hill["items"]} == {"The Hill"}
    first = (await client.get("/api/quotes", params={"outlet": "The Hill", "limit": 1})).json()
    assert first["total"] == 3 and len(first["items"]) == 1  # counted, not the page's length
    troops = (await client.get("/api/quotes", params={"outlet": "The Hill", "q": "troops"})).json()
    assert [q["text"] for q in troops["items"]] == ["Our troops are welcome and valued"] and troops["total"] == 1
    july = (await client.get("/api/quotes", params={"outlet": "The Hill", "since": "2020-07-01"})).json()
    assert [q["text"] for q in july["items"]] == ["The justifications are no longer there"]
    direct = (await client.get("/api/quotes", params={"outlet": "Al Arabiya", "kind": "direct",
                                                      "speaker": "kenneth-mckenzie"})).json()
    assert [q["text"] for q in direct["items"]] == ["We will keep troops in Iraq for now"]
    assert (await client.get("/api/quotes", params={"outlet": "Nobody's Paper"})).json()["total"] == 0
    page = await client.get("/search", params={"outlet": "The Hill", "q": "troops"})
    assert "Our <mark>troops</mark> are welcome" in page.text and "We will keep" not in page.text


A4 = "“Nobody told us the date,” Caggins said. “Neither did we,” a spokesman said."


async def add_undated(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    extractor.add(A4, [quote_in(A4, "Nobody told us the date", person("Myles B. Caggins III")),
                       quote_in(A4, "Neither did we", anonymous("a spokesman"))])
    r = await client.post("/api/articles", json={"text": A4, "title": "a4"})
    assert r.status_code == 201, r.text


async def test_undated_articles_are_in_no_week(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    await add_undated(client, extractor)
    # All time counts them, but no week holds them: the series still starts in June 2020, not in year 1.
    weeks = (await client.get("/api/stats/weekly")).json()["items"]
    assert weeks[0]["week"] == "2020-06-08" and sum(w["quotes"] for w in weeks) == 5
    assert (await client.get("/api/stats/unnamed")).json()["quotes"] == 7
    home = await client.get("/", params={"period": "all"})
    assert "2 quotes from undated articles are in no week." in home.text
    assert "1 Jan 1" not in home.text and "0001" not in home.text
    caggins = (await client.get("/api/speakers", params={"q": "Caggins"})).json()["items"][0]["slug"]
    page = await client.get(f"/speakers/{caggins}")
    assert "1 quote from undated articles is in no week." in page.text
    article = (await client.get("/api/articles", params={"limit": 1, "offset": 3})).json()["items"][0]
    assert "undated" in (await client.get(f"/articles/{article['id']}")).text


async def test_overview_shows_30_days_by_default(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    await add_undated(client, extractor)  # fewer undated quotes than dated ones
    home = await client.get("/")
    assert "(the last 30 days of articles)" in home.text and "Articles from 2 Jun 2020 to 1 Jul 2020" in home.text
    assert '<a href="/?period=30" aria-current="true">' in home.text


async def test_overview_shows_all_time_when_most_quotes_are_undated(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    for n in range(3):  # more undated quotes than dated ones
        text = f"“Still no date {n},” Caggins said. “Nor here {n},” Caggins said."
        extractor.add(text, [quote_in(text, f"Still no date {n}", person("Myles B. Caggins III")),
                             quote_in(text, f"Nor here {n}", person("Myles B. Caggins III"))])
        assert (await client.post("/api/articles", json={"text": text})).status_code == 201
    home = await client.get("/")
    assert "All articles: most quotes are in articles without a date" in home.text
    assert '<a href="/?period=all" aria-current="true">' in home.text
    # Asked for, a period is what it says, undated articles or not.
    assert "(the last 30 days of articles)" in (await client.get("/", params={"period": "30"})).text


async def test_speaker_page_lists_uncertain_attributions_on_request(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    text = "“Maybe we stay in Iraq,” someone near Kenneth McKenzie said."
    extractor.add(text, [quote_in(text, "Maybe we stay in Iraq", person("Kenneth McKenzie"), confidence=0.2)])
    assert (await client.post("/api/articles", json={"text": text, "published": "2020-06-20"})).status_code == 201
    page = await client.get("/speakers/kenneth-mckenzie")
    assert "2 quotes</a> in 3 articles" in page.text and "And 1 more attributed with less confidence" in page.text
    assert "Maybe we stay in Iraq" not in page.text
    assert 'href="/speakers/kenneth-mckenzie?uncertain=1#quotes-h"' in page.text
    every = await client.get("/speakers/kenneth-mckenzie", params={"uncertain": "1", "q": "Iraq"})
    assert "<mark>Iraq</mark>" in every.text and "speaker uncertain" in every.text
    assert 'name="uncertain" type="checkbox" value="1" checked' in every.text
    # The search marks the speaker as uncertain too.
    search = await client.get("/search", params={"q": "maybe"})
    assert "speaker uncertain" in search.text and "<mark>Maybe</mark>" in search.text


async def test_pages_send_a_content_policy_and_no_deprecated_parameters(make_client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # Litestar's deprecations are DeprecationWarnings
        async with make_client() as client:
            await load(client, extractor)
            for path in ("/", "/speakers", "/speakers/kenneth-mckenzie", "/articles", "/articles/1", "/search",
                         "/search.csv", "/review"):
                r = await client.get(path)
                assert r.status_code == 200, path
                if path != "/search.csv":
                    policy = r.headers["content-security-policy"]
                    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
                    assert r.headers["x-content-type-options"] == "nosniff"


async def test_review_suggests_speakers_and_the_names_of_the_one_being_fixed(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    page = await client.get("/review", params={"fix": "kenneth-mckenzie"})
    him = (await client.get("/api/speakers/kenneth-mckenzie")).json()
    assert f'Fixing <a href="/speakers/kenneth-mckenzie">{him["name"]}</a>' in page.text
    assert f'<option value="kenneth-mckenzie">{him["name"]}</option>' in page.text  # the speaker fields' list
    assert len(him["aliases"]) > 1
    for alias in him["aliases"]:
        assert f'<option value="{alias}"></option>' in page.text  # the split field's list
    assert f'id="r-name" name="name" value="{him["name"]}"' in page.text
    unknown = await client.get("/review", params={"fix": "nobody-at-all"})
    assert unknown.status_code == 200 and "Fixing" not in unknown.text


async def test_search_page_says_about_for_an_estimated_total(client, extractor: ScriptedExtractor,  # noqa: ANN001
                                                            monkeypatch) -> None:  # noqa: ANN001
    await load(client, extractor)
    exact = await client.get("/search", params={"q": "troops"})
    assert "2 quotes" in exact.text and "about" not in exact.text
    # Counted up to one, a page of one: the walk stops at the second match and the total is estimated.
    monkeypatch.setattr(quote_service, "EXACT_TOTAL_UP_TO", 1)
    monkeypatch.setattr(search_page, "PAGE_SIZE", 1)
    estimated = await client.get("/search", params={"q": "troops"})
    assert "1–1 of about 2 quotes" in estimated.text and "page 1 of about 2" in estimated.text


def test_estimated_totals_are_shown_to_two_figures() -> None:
    assert Paging(1, 3713, 20, {}, "/search", estimate=True).shown_total == 3700
    assert Paging(1, 3713, 20, {}, "/search").shown_total == 3713  # a count is shown as it is
    assert Paging(1, 96, 20, {}, "/search", estimate=True).shown_total == 96
    assert Paging(1, 125_499, 20, {}, "/search", estimate=True).shown_total == 130_000
    assert Paging(186, 3713, 20, {}, "/search", estimate=True).shown_total == 3713  # never below what is listed
