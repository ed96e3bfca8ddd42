"""Speaker confidence as users meet it: confident quotes listed, the others marked uncertain."""

from __future__ import annotations

import pytest
from api_records import ScriptedExtractor, person, quote_in

from api.services import speaker_confidence
from attribution.confidence import DEFAULT_THRESHOLD
from quotelens.errors import SettingsError
from quotelens.settings import settings_from_env

TEXT = ("“We are ready,” Jane Holloway said. “Taxes will rise,” she added. "
        "“The plan is sound,” Holloway told reporters.")


async def load(client, extractor: ScriptedExtractor) -> int:  # noqa: ANN001
    extractor.add(TEXT, [
        quote_in(TEXT, "We are ready", person("Jane Holloway"), confidence=0.95),
        quote_in(TEXT, "Taxes will rise", person("Jane Holloway"), cue="added", confidence=0.4),
        quote_in(TEXT, "The plan is sound", person("Jane Holloway"), cue="told", confidence=0.85),
    ])
    r = await client.post("/api/articles", json={"text": TEXT, "published": "2021-03-04", "title": "t"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.mark.parametrize("env, expected", [
    ({}, DEFAULT_THRESHOLD),
    ({"QUOTELENS_SPEAKER_CONFIDENCE": "0.6"}, 0.6),
    ({"QUOTELENS_SPEAKER_CONFIDENCE": "0"}, 0.0),
    ({"QUOTELENS_SPEAKER_CONFIDENCE": " "}, DEFAULT_THRESHOLD),
])
def test_threshold_setting(env: dict[str, str], expected: float) -> None:
    assert speaker_confidence(settings_from_env(env)) == expected


@pytest.mark.parametrize("raw", ["1.5", "-0.1", "nan", "high"])
def test_threshold_setting_checked(raw: str) -> None:
    with pytest.raises(SettingsError, match="QUOTELENS_SPEAKER_CONFIDENCE"):
        settings_from_env({"QUOTELENS_SPEAKER_CONFIDENCE": raw})


@pytest.mark.parametrize("url, params, texts, threshold", [
    ("/api/speakers/jane-holloway/quotes", {}, {"We are ready", "The plan is sound"}, DEFAULT_THRESHOLD),
    ("/api/speakers/jane-holloway/quotes", {"min_confidence": 0}, {"We are ready", "The plan is sound",
                                                                     "Taxes will rise"}, 0.0),
    ("/api/speakers/jane-holloway/quotes", {"min_confidence": 0.9}, {"We are ready"}, 0.9),
    ("/api/speakers/jane-holloway/quotes", {"q": "taxes"}, set(), DEFAULT_THRESHOLD),
    ("/api/speakers/jane-holloway/quotes", {"q": "taxes", "min_confidence": 0}, {"Taxes will rise"}, 0.0),
    ("/api/quotes", {"speaker": "jane-holloway"}, {"We are ready", "The plan is sound"}, DEFAULT_THRESHOLD),
    ("/api/quotes", {"speaker": "Holloway", "min_confidence": "0"}, {"We are ready", "The plan is sound",
                                                                     "Taxes will rise"}, 0.0),
    ("/api/quotes", {}, {"We are ready", "The plan is sound", "Taxes will rise"}, 0.0),  # no speaker: all
    ("/api/quotes", {"q": "plan", "speaker": "jane-holloway"}, {"The plan is sound"}, DEFAULT_THRESHOLD),
])
async def test_speaker_lists_hold_confident_quotes(client, extractor, url, params, texts, threshold) -> None:  # noqa: ANN001
    await load(client, extractor)
    page = (await client.get(url, params=params)).json()
    assert {q["text"] for q in page["items"]} == texts, page
    assert page["total"] == len(texts) and page["min_confidence"] == threshold
    for q in page["items"]:
        assert q["speaker_uncertain"] is (q["confidence"] < DEFAULT_THRESHOLD)


async def test_uncertain_quotes_are_marked_everywhere(client, extractor) -> None:  # noqa: ANN001
    article_id = await load(client, extractor)
    detail = (await client.get(f"/api/articles/{article_id}")).json()
    marks = {q["text"]: q["speaker_uncertain"] for q in detail["quotes"]}
    assert marks == {"We are ready": False, "Taxes will rise": True, "The plan is sound": False}
    # An uncertain quote names nobody as its speaker; the engine's guess is kept apart.
    for q in detail["quotes"]:
        if q["speaker_uncertain"]:
            assert q["speaker"] is None and q["speaker_guess"]["slug"] == "jane-holloway"
        else:
            assert q["speaker"]["slug"] == "jane-holloway" and q["speaker_guess"] is None
    csv_text = (await client.get("/api/quotes", headers={"Accept": "text/csv"})).text
    uncertain_rows = [line for line in csv_text.splitlines() if "Taxes will rise" in line]
    assert len(uncertain_rows) == 1 and ",yes,jane-holloway," in uncertain_rows[0]
    # The quote count shown and ranked by counts what the list shows.
    assert (await client.get("/api/speakers/jane-holloway")).json()["quote_count"] == 2
    assert (await client.get("/api/speakers", params={"q": "holloway"})).json()["items"][0]["quote_count"] == 2
    assert (await client.get("/api/speakers")).json()["items"][0]["quote_count"] == 2


async def test_threshold_zero_lists_everything(make_client, extractor) -> None:  # noqa: ANN001
    async with make_client(speaker_confidence=0.0) as client:
        await load(client, extractor)
        page = (await client.get("/api/speakers/jane-holloway/quotes")).json()
        assert page["total"] == 3 and page["min_confidence"] == 0.0
        assert not any(q["speaker_uncertain"] for q in page["items"])
        assert (await client.get("/api/speakers/jane-holloway")).json()["quote_count"] == 3


@pytest.mark.parametrize("value", ["-1", "1.01", "x"])
async def test_min_confidence_checked(client, value: str) -> None:  # noqa: ANN001
    r = await client.get("/api/quotes", params={"min_confidence": value})
    assert r.status_code == 400
