"""Speaker and quote reads, filters and edits through the real app."""

from __future__ import annotations

from api_records import ScriptedExtractor, anonymous, person, quote_in

A1 = "“We will keep troops in Iraq for now,” Gen. Kenneth McKenzie said. “Iraq is safer,” Caggins said."
A2 = ("“Our troops are welcome and valued,” Marine Gen. Kenneth McKenzie said. "
      "“The threat does remain,” a senior defense official said.")
A3 = "“The justifications are no longer there,” Mohammed Shia al Sudani said."


async def load(client, extractor: ScriptedExtractor) -> dict[str, int]:  # noqa: ANN001
    extractor.add(A1, [
        quote_in(A1, "We will keep troops in Iraq for now", person("Gen. Kenneth McKenzie", roles=("CENTCOM commander",))),
        quote_in(A1, "Iraq is safer", person("Myles B. Caggins III")),
    ])
    extractor.add(A2, [
        quote_in(A2, "Our troops are welcome and valued", person("Kenneth McKenzie", titles=("Marine Gen.",)), kind="mixed"),
        quote_in(A2, "The threat does remain", anonymous("a senior defense official")),
    ])
    extractor.add(A3, [quote_in(A3, "The justifications are no longer there", person("Mohammed Shia al Sudani"))])
    ids = {}
    for name, text, day in (("a1", A1, "2020-06-09"), ("a2", A2, "2020-06-10"), ("a3", A3, "2024-11-15")):
        r = await client.post("/api/articles", json={"text": text, "published": day, "title": name})
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    return ids


async def test_search_speakers(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    for q in ("mckenzie", "Kenneth Mckenzy", "McKenzie"):
        page = (await client.get("/api/speakers", params={"q": q})).json()
        top = page["items"][0]
        assert top["slug"] == "kenneth-mckenzie", (q, page)
        assert 0 < top["score"] <= 100 and top["quote_count"] == 2
        assert set(top["aliases"]) == {"Gen. Kenneth McKenzie", "Kenneth McKenzie"}
        assert top["roles"] == ["CENTCOM commander"]
    by_count = (await client.get("/api/speakers")).json()
    assert by_count["total"] == 4 and by_count["items"][0]["slug"] == "kenneth-mckenzie"
    assert (await client.get("/api/speakers", params={"q": "zzqxv"})).json()["total"] == 0


async def test_speaker_detail_by_id_or_slug(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    detail = (await client.get("/api/speakers/kenneth-mckenzie")).json()
    assert detail["quote_count"] == 2 and detail["article_count"] == 2
    assert (detail["first_seen"], detail["last_seen"]) == ("2020-06-09", "2020-06-10")
    assert detail["roles"] == [{"value": "CENTCOM commander", "first_seen": "2020-06-09", "last_seen": "2020-06-09"}]
    assert detail["titles"] == [{"value": "Marine Gen.", "first_seen": "2020-06-10", "last_seen": "2020-06-10"}]
    same = (await client.get(f"/api/speakers/{detail['id']}")).json()
    assert same == detail
    r = await client.get("/api/speakers/nobody")
    assert r.status_code == 404 and r.json()["title"] == "Not Found"


async def test_speaker_quotes_filters(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    url = "/api/speakers/kenneth-mckenzie/quotes"
    all_q = (await client.get(url)).json()
    assert all_q["total"] == 2
    assert [q["article"]["published"] for q in all_q["items"]] == ["2020-06-10", "2020-06-09"]  # newest first
    cases = [
        ({"since": "2020-06-10"}, ["Our troops are welcome and valued"]),
        ({"until": "2020-06-09"}, ["We will keep troops in Iraq for now"]),
        ({"kind": "mixed"}, ["Our troops are welcome and valued"]),
        ({"q": "troop"}, ["Our troops are welcome and valued", "We will keep troops in Iraq for now"]),
        ({"q": "valued troops"}, ["Our troops are welcome and valued"]),
        ({"q": "Iraq keep"}, ["We will keep troops in Iraq for now"]),
        ({"q": "bananas"}, []),
        ({"q": "!!!"}, []),
    ]
    for params, expected in cases:
        page = (await client.get(url, params=params)).json()
        assert [q["text"] for q in page["items"]] == expected, params
        assert page["total"] == len(expected)
    assert (await client.get(url, params={"kind": "shouted"})).status_code == 400
    assert (await client.get(url, params={"since": "yesterday"})).status_code == 400
    assert (await client.get("/api/speakers/nobody/quotes")).status_code == 404


async def test_quotes_across_speakers(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    everything = (await client.get("/api/quotes")).json()
    assert everything["total"] == 5
    q = everything["items"][0]
    assert set(q) == {"id", "text", "kind", "start", "end", "cue", "mention", "via", "confidence", "context",
                      "speaker", "article", "speaker_uncertain", "speaker_guess"}
    cases = [
        ({"speaker": "kenneth-mckenzie"}, 2),
        ({"speaker": "McKenzie"}, 2),
        ({"speaker": "Kenneth Mckenzy"}, 2),
        ({"speaker": "mckenzy"}, 2),
        ({"speaker": "sudani", "q": "justifications"}, 1),
        ({"speaker": "sudani", "q": "troops"}, 0),
        ({"q": "troops"}, 2),
        ({"q": "threat", "since": "2020-06-10", "until": "2020-06-10"}, 1),
        ({"kind": "direct"}, 4),
    ]
    for params, total in cases:
        page = (await client.get("/api/quotes", params=params)).json()
        assert page["total"] == total == len(page["items"]), (params, page)
    nobody = await client.get("/api/quotes", params={"speaker": "Nobody Atall"})
    assert nobody.status_code == 404 and "no speaker matches 'Nobody Atall'" in nobody.json()["detail"]
    sudani_id = (await client.get("/api/speakers", params={"q": "sudani"})).json()["items"][0]["id"]
    assert (await client.get("/api/quotes", params={"speaker": str(sudani_id)})).json()["total"] == 1
    anon = (await client.get("/api/quotes", params={"q": "threat"})).json()["items"][0]
    assert anon["speaker"]["kind"] == "anonymous"


async def test_edits_through_the_api(client, extractor: ScriptedExtractor) -> None:  # noqa: ANN001
    await load(client, extractor)
    anon_slug = (await client.get("/api/quotes", params={"q": "threat"})).json()["items"][0]["speaker"]["slug"]
    merged = await client.post("/api/speakers/kenneth-mckenzie/merge", json={"other": anon_slug})
    assert merged.status_code == 200, merged.text
    assert merged.json()["quote_count"] == 3
    assert (await client.get(f"/api/speakers/{anon_slug}")).json()["slug"] == "kenneth-mckenzie"

    # undo: the official's description goes off to a speaker of its own again, with its quote
    split = await client.post("/api/speakers/kenneth-mckenzie/split", json={"alias": "a senior defense official"})
    assert split.status_code == 201, split.text
    assert split.json()["quote_count"] == 1 and split.json()["kind"] == "anonymous"
    assert (await client.get("/api/speakers/kenneth-mckenzie")).json()["quote_count"] == 2

    renamed = await client.patch("/api/speakers/kenneth-mckenzie", json={"name": "Kenneth F. McKenzie Jr."})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Kenneth F. McKenzie Jr."

    assert (await client.post("/api/speakers/kenneth-mckenzie/merge", json={"other": "kenneth-mckenzie"})).status_code == 409
    assert (await client.post("/api/speakers/kenneth-mckenzie/split", json={"alias": "Nobody"})).status_code == 404
    assert (await client.patch("/api/speakers/kenneth-mckenzie", json={"name": ""})).status_code == 400
    assert (await client.patch("/api/speakers/kenneth-mckenzie", json={"name": "   "})).status_code == 422
    assert (await client.post("/api/speakers/nobody/merge", json={"other": 1})).status_code == 404


async def test_topic_search_agrees_with_every_filter_and_follows_edits(client, extractor, database_url) -> None:  # noqa: ANN001
    """On SQLite the full-text index answers topic listings alone (speaker, kind and dates are in it):
    every combination must list what filtering all quotes by hand lists, before and after edits."""
    import itertools
    import sqlite3

    await load(client, extractor)

    async def check() -> None:
        everything = (await client.get("/api/quotes", params={"limit": 100})).json()["items"]
        slugs = {q["speaker"]["slug"] for q in everything if q["speaker"]}
        for slug, kind, since, until, word in itertools.product(
            [None, *sorted(slugs)], [None, "direct", "mixed"], [None, "2020-06-10"], [None, "2020-06-10"],
            ["troops", "threat", "iraq", "justifications"],
        ):
            params = {k: v for k, v in {"speaker": slug, "kind": kind, "since": since, "until": until,
                                        "q": word}.items() if v is not None}
            expected = [
                q["id"] for q in everything
                if word in q["text"].lower()
                and (slug is None or (q["speaker"] or {}).get("slug") == slug)
                and (kind is None or q["kind"] == kind)
                and (since is None or q["article"]["published"] >= since)
                and (until is None or q["article"]["published"] <= until)
            ]
            page = (await client.get("/api/quotes", params=params)).json()
            assert [q["id"] for q in page["items"]] == expected, params
            assert page["total"] == len(expected), params

    await check()
    anon_slug = (await client.get("/api/quotes", params={"q": "threat"})).json()["items"][0]["speaker"]["slug"]
    assert (await client.post("/api/speakers/kenneth-mckenzie/merge", json={"other": anon_slug})).status_code == 200
    await check()
    threat = (await client.get("/api/speakers/kenneth-mckenzie/quotes", params={"q": "threat"})).json()
    assert threat["total"] == 1
    split = await client.post("/api/speakers/kenneth-mckenzie/split", json={"alias": "a senior defense official"})
    assert split.status_code == 201
    await check()
    assert (await client.get("/api/speakers/kenneth-mckenzie/quotes", params={"q": "threat"})).json()["total"] == 0
    if database_url.startswith("sqlite"):
        con = sqlite3.connect(database_url.split("///", 1)[1])
        try:  # the index agrees with itself after the edits' deletes and inserts
            con.execute("INSERT INTO quotes_fts(quotes_fts) VALUES ('integrity-check')")
        finally:
            con.close()
