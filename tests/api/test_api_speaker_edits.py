"""Merge, split and rename keep every old id and slug pointing at the right person."""

from __future__ import annotations

import httpx
import pytest
from api_records import ScriptedExtractor, person, quote_in

from bot.answers import Answerer, AnswerKind
from bot.client import ApiClient

TEXTS = {
    "kenneth-mckenzie": "“Troops will stay in Iraq,” Gen. Kenneth McKenzie said.",
    "lloyd-austin": "“The mission continues,” Defense Secretary Lloyd Austin said.",
    "mark-milley": "“We are ready for anything,” Gen. Mark Milley said.",
}
NAMES = {"kenneth-mckenzie": "Kenneth McKenzie", "lloyd-austin": "Lloyd Austin", "mark-milley": "Mark Milley"}
WORDS = {"kenneth-mckenzie": "Troops will stay in Iraq", "lloyd-austin": "The mission continues",
         "mark-milley": "We are ready for anything"}


class ViaTestClient(httpx.AsyncBaseTransport):
    """The bot's HTTP requests handed to the app's test client (which runs the app in its own loop)."""

    def __init__(self, client) -> None:  # noqa: ANN001
        self.client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        r = await self.client.request(request.method, request.url.path, params=request.url.params,
                                      content=request.content, headers={"content-type": "application/json"})
        return httpx.Response(r.status_code, headers=r.headers, content=r.content)


async def load(client, extractor: ScriptedExtractor) -> dict[str, int]:  # noqa: ANN001
    ids = {}
    for slug, text in TEXTS.items():
        extractor.add(text, [quote_in(text, WORDS[slug], person(NAMES[slug]))])
        r = await client.post("/api/articles", json={"text": text, "published": "2021-05-01", "title": slug})
        assert r.status_code == 201, r.text
        ids[slug] = (await client.get(f"/api/speakers/{slug}")).json()["id"]
    return ids


async def merge(client, into: str, other: str) -> None:  # noqa: ANN001
    r = await client.post(f"/api/speakers/{into}/merge", json={"other": other})
    assert r.status_code == 200, r.text


async def split(client, source: str, alias: str) -> dict:  # noqa: ANN001
    r = await client.post(f"/api/speakers/{source}/split", json={"alias": alias})
    assert r.status_code == 201, r.text
    return r.json()


async def who(client, ref: str | int) -> str:  # noqa: ANN001
    return (await client.get(f"/api/speakers/{ref}")).json()["name"]


async def quoted_words(client, speaker: str) -> set[str]:  # noqa: ANN001
    return {q["text"] for q in (await client.get("/api/quotes", params={"speaker": speaker})).json()["items"]}


# (edits, where each old id and slug must lead afterwards)
CASES = [
    pytest.param([("merge", "kenneth-mckenzie", "lloyd-austin"), ("split", "kenneth-mckenzie", "Lloyd Austin")],
                 {"kenneth-mckenzie": "kenneth-mckenzie", "lloyd-austin": "lloyd-austin"}, id="merge-then-split"),
    pytest.param([("merge", "kenneth-mckenzie", "lloyd-austin")],
                 {"kenneth-mckenzie": "kenneth-mckenzie", "lloyd-austin": "kenneth-mckenzie"}, id="merge"),
    pytest.param([("merge", "mark-milley", "lloyd-austin"), ("merge", "kenneth-mckenzie", "mark-milley"),
                  ("split", "kenneth-mckenzie", "Lloyd Austin")],
                 {"kenneth-mckenzie": "kenneth-mckenzie", "lloyd-austin": "lloyd-austin",
                  "mark-milley": "kenneth-mckenzie"}, id="chain-then-split-the-first"),
    pytest.param([("merge", "mark-milley", "lloyd-austin"), ("merge", "kenneth-mckenzie", "mark-milley"),
                  ("split", "kenneth-mckenzie", "Mark Milley")],
                 {"kenneth-mckenzie": "kenneth-mckenzie", "lloyd-austin": "kenneth-mckenzie",
                  "mark-milley": "mark-milley"}, id="chain-then-split-the-second"),
    pytest.param([("merge", "kenneth-mckenzie", "lloyd-austin"), ("split", "kenneth-mckenzie", "Lloyd Austin"),
                  ("rename", "lloyd-austin", "Lloyd J. Austin III"), ("merge", "kenneth-mckenzie", "lloyd-austin"),
                  ("split", "kenneth-mckenzie", "Lloyd J. Austin III")],
                 {"kenneth-mckenzie": "kenneth-mckenzie", "lloyd-austin": "lloyd-austin"}, id="rename-in-between"),
]


@pytest.mark.parametrize("edits, leads_to", CASES)
async def test_old_ids_and_slugs_follow_the_person(client, extractor, edits, leads_to) -> None:  # noqa: ANN001
    ids = await load(client, extractor)
    for op, a, b in edits:
        if op == "merge":
            await merge(client, a, b)
        elif op == "split":
            await split(client, a, b)
        else:
            r = await client.patch(f"/api/speakers/{a}", json={"name": b})
            assert r.status_code == 200, r.text
    for old, now in leads_to.items():
        by_slug = (await client.get(f"/api/speakers/{old}")).json()
        by_id = (await client.get(f"/api/speakers/{ids[old]}")).json()
        assert by_slug["slug"] == by_id["slug"] == now, (old, by_slug, by_id)
        assert WORDS[old] in await quoted_words(client, old)
        listed = (await client.get(f"/api/speakers/{ids[old]}/quotes")).json()["items"]
        assert WORDS[old] in {q["text"] for q in listed}
    for slug in {v for v in leads_to.values()}:  # each person's list holds only its own quotes
        own = {WORDS[k] for k, v in leads_to.items() if v == slug}
        assert await quoted_words(client, slug) == own, slug


async def test_split_gives_back_the_id_and_the_bot_answers_about_him(client, extractor) -> None:  # noqa: ANN001
    ids = await load(client, extractor)
    await merge(client, "kenneth-mckenzie", "lloyd-austin")
    back = await split(client, "kenneth-mckenzie", "Lloyd Austin")
    assert (back["id"], back["slug"], back["name"]) == (ids["lloyd-austin"], "lloyd-austin", "Lloyd Austin")
    assert await who(client, "lloyd-austin") == await who(client, ids["lloyd-austin"]) == "Lloyd Austin"
    assert await who(client, "kenneth-mckenzie") == "Kenneth McKenzie"
    # a later article naming him goes to him, not to McKenzie
    text = "“We will be there,” Lloyd Austin said."
    extractor.add(text, [quote_in(text, "We will be there", person("Lloyd Austin"))])
    assert (await client.post("/api/articles", json={"text": text, "published": "2021-06-01"})).status_code == 201
    assert await quoted_words(client, "lloyd-austin") == {"The mission continues", "We will be there"}
    transport = ViaTestClient(client)
    async with ApiClient("http://api.test", transport=transport) as api:
        answerer = Answerer(api)
        for question in ("what did lloyd-austin say", "what did Lloyd Austin say", f"what did #{ids['lloyd-austin']} say"):
            answer = await answerer.ask(question)
            assert answer.kind is AnswerKind.QUOTES, answer.headline
            assert answer.headline.startswith("What Lloyd Austin"), answer.headline
            assert {q.text for q in answer.quotes} == {"The mission continues", "We will be there"}


async def test_split_of_a_name_never_merged_in_makes_a_new_speaker(client, extractor) -> None:  # noqa: ANN001
    ids = await load(client, extractor)
    text = "“Quiet now,” McKenzie said."
    extractor.add(text, [quote_in(text, "Quiet now", person("McKenzie"))])
    assert (await client.post("/api/articles", json={"text": text, "published": "2021-06-01"})).status_code == 201
    await merge(client, "kenneth-mckenzie", "lloyd-austin")
    assert "McKenzie" in (await client.get("/api/speakers/kenneth-mckenzie")).json()["aliases"]
    new = await split(client, "kenneth-mckenzie", "McKenzie")
    assert new["id"] not in ids.values() and new["slug"] == "mckenzie" and new["quote_count"] == 1
    # Lloyd Austin was not split off: his old id and slug still lead to where he was merged
    assert await who(client, "lloyd-austin") == await who(client, ids["lloyd-austin"]) == "Kenneth McKenzie"
