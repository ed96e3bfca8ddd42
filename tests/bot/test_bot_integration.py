"""The bot against the real API: the Litestar app in-process, loaded with the seed articles.

The app runs with its real store (a temporary SQLite file) and the real
attribution engine; the bot reaches it only over HTTP, through
`httpx.ASGITransport`. Expectations follow the hand-annotated gold
(/work/shared/gold/seeds.jsonl): they hold when the engine attributes the
seed quotes correctly.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from discord_fakes import ME, BotHarness, FakeInteraction, FakeMessage, assert_safe

from bot.answers import Answer, Answerer, AnswerKind
from bot.client import ApiClient
from quotelens.commands import ask as ask_command

pytestmark = pytest.mark.asyncio(loop_scope="session")

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TODAY = date(2025, 6, 1)

# An article whose quote and title try to ping everyone and break formatting.
INJECTION_ARTICLE = {
    "title": "@everyone **Breaking** <@&1> news",
    "outlet": "@here Gazette",
    "published": "2025-01-15",
    "url": "https://example.org/injection",
    "text": (
        "Officials met in Baghdad on Tuesday to discuss the security agreement.\n"
        "“@everyone <@&1> **free** __money__ ||now|| [click](https://evil.example) `rm -rf`,” "
        "John Smith, a ministry spokesman, told reporters.\n"
        "The talks will continue next month.\n"
    ),
}


@asynccontextmanager
async def _running(app: Any) -> AsyncIterator[None]:
    """The app's startup and shutdown, both run in one task of their own.

    A fixture's setup and teardown run in different tasks, and the app's
    lifespan (an anyio task group) must be exited in the task that entered it.
    """
    started = asyncio.Event()
    stop = asyncio.Event()

    async def lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(lifespan())
    await asyncio.wait({task, asyncio.ensure_future(started.wait())}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # startup failed: raise its error here
    try:
        yield
    finally:
        stop.set()
        await task


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def transport(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.ASGITransport]:
    """The real app with the seeds (and one hostile article) ingested through POST /api/articles."""
    from api.ingest.readers import article_from_text_file
    from api.store.migrate import upgrade
    from api.web.app import create_app
    from quotelens.settings import Settings

    tmp = tmp_path_factory.mktemp("quotelens-api")
    settings = Settings(
        data_dir=tmp,
        database_url=f"sqlite+aiosqlite:///{tmp / 'quotelens.db'}",
        rate_limit="off",
        seed_on_start=False,
    )
    await upgrade(settings.effective_database_url)  # as `quotelens serve` does before starting the app
    app = create_app(settings)
    async with _running(app):
        asgi = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=asgi, base_url="http://api.test") as http:
            seeds = sorted(SEEDS.glob("*.txt"))
            assert len(seeds) == 5
            for path in seeds:
                article = article_from_text_file(path.read_text("utf-8"))
                body = {"text": article.text, "title": article.title, "outlet": article.outlet,
                        "published": article.published.isoformat() if article.published else None}
                response = await http.post("/api/articles", json={k: v for k, v in body.items() if v})
                assert response.status_code in (200, 201), response.text
            response = await http.post("/api/articles", json=INJECTION_ARTICLE)
            assert response.status_code in (200, 201), response.text
        yield asgi


@pytest_asyncio.fixture(loop_scope="session")
async def answerer(transport: httpx.ASGITransport) -> AsyncIterator[Answerer]:
    async with ApiClient("http://api.test", transport=transport) as api:
        yield Answerer(api, page_size=3, today=lambda: TODAY)


def speakers_of(answer: Answer) -> set[str]:
    """The speakers an answer names (a quote marked speaker-uncertain names nobody)."""
    return {q.speaker.name for q in answer.quotes if q.speaker is not None and not q.speaker_uncertain}


def resolved_name(answer: Answer) -> str | None:
    return answer.query.speaker.name if answer.query and answer.query.speaker else None


async def test_what_did_mckenzie_say(answerer: Answerer) -> None:
    answer = await answerer.ask("what did McKenzie say")
    assert answer.kind is AnswerKind.QUOTES, answer.headline
    assert resolved_name(answer) == "Kenneth McKenzie"
    assert speakers_of(answer) == {"Kenneth McKenzie"}
    assert answer.total >= 8  # the gold has 10 across two articles
    assert answer.remaining == answer.total - 3


async def test_what_did_gen_mckenzie_say_about_troops(answerer: Answerer) -> None:
    answer = await answerer.ask("what did Gen. McKenzie say about troops")
    assert answer.kind is AnswerKind.QUOTES, answer.headline
    assert resolved_name(answer) == "Kenneth McKenzie"
    # The gold has two; a speaker's list holds only quotes whose speaker confidence reaches the
    # threshold (QUOTELENS_SPEAKER_CONFIDENCE), and the engine is less sure of one of them.
    assert answer.total >= 1
    assert all("troops" in q.text.lower() for q in answer.quotes)


async def test_what_has_sudani_said_since_2024(answerer: Answerer) -> None:
    answer = await answerer.ask("what has Sudani said since 2024")
    assert answer.kind is AnswerKind.QUOTES, answer.headline
    assert "Sudani" in (resolved_name(answer) or "")
    assert speakers_of(answer) == {resolved_name(answer)}
    # the API dates an undated article by the day it was stored, so only dated ones can be checked
    assert all(q.article.published >= date(2024, 1, 1) for q in answer.quotes if q.article.published)
    assert any("coalition" in q.text for q in answer.quotes)  # said in the November 2024 article


async def test_latest_quotes_from_austin(answerer: Answerer) -> None:
    answer = await answerer.ask("latest quotes from Austin")
    assert answer.kind is AnswerKind.QUOTES, answer.headline
    assert resolved_name(answer) == "Lloyd Austin"
    assert answer.headline.startswith("Latest from Lloyd Austin")
    assert answer.total >= 5  # the gold has 6


async def test_who_is_caggins(answerer: Answerer) -> None:
    answer = await answerer.ask("who is Caggins")
    assert answer.kind is AnswerKind.SPEAKER, answer.headline
    profile = answer.profile
    assert profile is not None and profile.name == "Myles B. Caggins III"
    assert profile.quote_count >= 8 and profile.article_count == 1  # the gold has 9, in one article
    assert any("Spokesman" in r.value for r in profile.roles)
    # seed 000 carries no date: an undated article gives no first or last seen day
    assert profile.first_seen is None and profile.last_seen is None
    assert answer.quotes and answer.quotes[0].speaker and answer.quotes[0].speaker.name == "Myles B. Caggins III"


async def test_who_talked_about_soleimani(answerer: Answerer) -> None:
    answer = await answerer.ask("who talked about Soleimani")
    assert answer.kind in (AnswerKind.QUOTES, AnswerKind.NO_QUOTES), answer.headline
    assert all("soleimani" in q.text.lower() for q in answer.quotes)
    tallied = {ref.name for ref, _ in answer.speakers}
    assert speakers_of(answer) <= tallied


async def test_quotes_about_withdrawal(answerer: Answerer) -> None:
    answer = await answerer.ask("quotes about withdrawal")
    assert answer.kind is AnswerKind.QUOTES, answer.headline
    assert all("withdr" in q.text.lower() for q in answer.quotes)
    every = await answerer.page(answer, 0)
    names = set()
    offset = 0
    while True:
        # the speaker as stored, even when the answer marks it uncertain (then only a guess)
        names |= {(q.speaker or q.speaker_guess).name.lower() for q in every.quotes
                  if (q.speaker or q.speaker_guess) is not None}
        offset += 3
        if offset >= every.total:
            break
        every = await answerer.page(answer, offset)
    assert "iraqi officials" in names  # the gold's only withdrawal quotes


@pytest.mark.parametrize(
    "question, speaker",
    [
        ("what did Mckenzy say", "Kenneth McKenzie"),
        ("what did mckenzie say about troops", "Kenneth McKenzie"),
        ("what did Kadhimi say", "Mustafa al-Kadhimi"),
        ("what did Caggins say", "Myles B. Caggins III"),
    ],
)
async def test_typos_and_partial_names(answerer: Answerer, question: str, speaker: str) -> None:
    answer = await answerer.ask(question)
    assert answer.kind is AnswerKind.QUOTES, answer.headline
    assert resolved_name(answer) == speaker


async def test_several_matching_speakers_are_asked_back(answerer: Answerer) -> None:
    answer = await answerer.ask("what did officials say")
    assert answer.kind is AnswerKind.AMBIGUOUS, answer.headline
    assert len(answer.choices) >= 2
    assert all("official" in h.name.lower() for h in answer.choices)


async def test_unknown_name_offers_nearest(answerer: Answerer) -> None:
    answer = await answerer.ask("what did Zebediah Quarrington say")
    assert answer.kind is AnswerKind.UNKNOWN_SPEAKER
    assert "“Zebediah Quarrington”" in answer.headline
    assert answer.choices


async def test_paging_through_the_real_api(answerer: Answerer) -> None:
    first = await answerer.ask("what did McKenzie say")
    assert first.has_next
    second = await answerer.page(first, 3)
    assert second.offset == 3 and second.total == first.total
    assert {q.id for q in first.quotes}.isdisjoint({q.id for q in second.quotes})


async def test_slash_command_against_the_real_api(answerer: Answerer) -> None:
    handlers = BotHarness(answerer)
    choices = {c.name.split(" — ")[0]: c.value for c in await handlers.speaker_choices("mcken")}
    assert "Kenneth McKenzie" in choices
    interaction = FakeInteraction()
    await handlers.said(interaction, choices["Kenneth McKenzie"], "troops")  # the autocomplete value
    (sent,) = interaction.sent
    assert_safe(sent)
    assert sent.embeds
    assert all(e.author.name and e.author.name.startswith("Kenneth McKenzie") for e in sent.embeds)
    assert all(e.title for e in sent.embeds)  # every quote names its article


async def test_mention_against_the_real_api(answerer: Answerer) -> None:
    message = FakeMessage(f"<@{ME.id}> who is Caggins?")
    await BotHarness(answerer).on_message(message, ME)  # type: ignore[arg-type]
    (sent,) = message.replies
    assert_safe(sent)
    assert sent.embeds[0].title == "Myles B. Caggins III"


async def test_injected_quote_from_a_real_article_is_inert(answerer: Answerer) -> None:
    answer = await answerer.ask("what did John Smith say")
    assert answer.kind is AnswerKind.QUOTES, answer.headline
    assert "@everyone" in answer.quotes[0].text  # stored and returned verbatim by the API
    handlers = BotHarness(answerer)
    interaction = FakeInteraction()
    await handlers.said(interaction, "John Smith")
    (sent,) = interaction.sent
    assert_safe(sent)
    assert "@\u200beveryone" in sent.embeds[0].description
    message = FakeMessage(f"<@{ME.id}> quotes about money")
    await handlers.on_message(message, ME)  # type: ignore[arg-type]
    (reply,) = message.replies
    assert_safe(reply)


async def test_quotelens_ask_against_the_real_api(
    transport: httpx.ASGITransport, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await ask_command.ask("http://api.test", "what did McKenzie say", limit=2, transport=transport)
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("What Kenneth McKenzie")
    assert "US general predicts some troops will remain in Iraq" in out or "US forces in Iraq" in out
    code = await ask_command.ask(
        "http://api.test", "", transport=transport, stdin=io.StringIO("who is Caggins\n")
    )
    assert code == 0 and "Myles B. Caggins III" in capsys.readouterr().out
