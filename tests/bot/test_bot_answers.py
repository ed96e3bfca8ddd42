"""The question-answering core over a fake API: resolution, answers, paging, text."""

from __future__ import annotations

from datetime import date

import pytest
from bot_fake_api import INJECTION, FakeApi

from bot.answers import Answerer, AnswerKind, render_text
from bot.client import ApiClient
from bot.errors import ApiUnavailable
from bot.questions import Said


async def test_what_did_mckenzie_say(answerer: Answerer) -> None:
    answer = await answerer.ask("what did McKenzie say")
    assert answer.kind is AnswerKind.QUOTES
    assert {q.speaker.name for q in answer.quotes if q.speaker} == {"Kenneth McKenzie"}
    assert answer.total == 4 and len(answer.quotes) == 3 and answer.remaining == 1
    # newest article first
    dates = [q.article.published for q in answer.quotes]
    assert dates == sorted(dates, reverse=True)
    assert "Kenneth McKenzie (U.S. Central Command head)" in answer.headline


async def test_an_estimated_total_is_said_as_about(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.estimated_total = 3713  # a search the API walked only partly
    answer = await answerer.ask("what did McKenzie say")
    assert "(about 3700 quotes, newest first)" in answer.headline
    fake_api.estimated_total = None
    assert "(4 quotes, newest first)" in (await answerer.ask("what did McKenzie say")).headline


async def test_topic_and_title(answerer: Answerer, fake_api: FakeApi) -> None:
    answer = await answerer.ask("what did Gen. McKenzie say about troops")
    assert answer.kind is AnswerKind.QUOTES
    assert answer.total == 2
    assert all("troops" in q.text for q in answer.quotes)
    assert fake_api.requests[-1].url.params["q"] == "troops"
    assert "about “troops”" in answer.headline


async def test_since(answerer: Answerer, fake_api: FakeApi) -> None:
    answer = await answerer.ask("what has Sudani said since 2024")
    assert answer.kind is AnswerKind.QUOTES
    assert {q.speaker.slug for q in answer.quotes if q.speaker} == {"mohammed-shia-al-sudani"}
    assert fake_api.requests[-1].url.params["since"] == "2024-01-01"
    assert all(q.article.published and q.article.published >= date(2024, 1, 1) for q in answer.quotes)


async def test_latest(answerer: Answerer) -> None:
    answer = await answerer.ask("latest quotes from Austin")
    assert answer.kind is AnswerKind.QUOTES
    assert answer.headline.startswith("Latest from Lloyd Austin")
    assert answer.quotes[0].text.startswith("The U.S. will remain in Iraq")


@pytest.mark.parametrize("name", ["Mckenzy", "mckenzie", "Kenneth McKenzie", "Gen. McKenzie", "kenneth-mckenzie"])
async def test_typos_partial_names_and_slugs(answerer: Answerer, name: str) -> None:
    answer = await answerer.answer(Said(name))
    assert answer.kind is AnswerKind.QUOTES
    assert answer.query is not None and answer.query.speaker is not None
    assert answer.query.speaker.name == "Kenneth McKenzie"


async def test_partial_name_with_particle(answerer: Answerer) -> None:
    answer = await answerer.ask("what did Kadhimi say")
    assert answer.query is not None and answer.query.speaker is not None
    assert answer.query.speaker.name == "Mustafa al-Kadhimi"


async def test_ambiguous_name_asks_back(answerer: Answerer, fake_api: FakeApi) -> None:
    frank = fake_api.add_speaker("Frank McKenzie", aliases=["McKenzie"], roles=["Senator"])
    fake_api.add_quote("Frank's words on troops,", frank.id, article_id=4)
    answer = await answerer.ask("what did McKenzie say")
    assert answer.kind is AnswerKind.AMBIGUOUS
    assert {h.name for h in answer.choices} == {"Kenneth McKenzie", "Frank McKenzie"}
    assert not answer.quotes
    text = render_text(answer)
    assert "Which one do you mean?" in text and "Frank McKenzie" in text and "Kenneth McKenzie" in text
    # the full name is not ambiguous
    assert (await answerer.ask("what did Frank McKenzie say")).quotes[0].text == "Frank's words on troops,"
    # picking a choice answers the same question for that speaker
    chosen = await answerer.choose(answer, next(h for h in answer.choices if h.name == "Frank McKenzie"))
    assert chosen.kind is AnswerKind.QUOTES
    assert [q.text for q in chosen.quotes] == ["Frank's words on troops,"]


async def test_unknown_name_offers_nearest(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.search_cutoff = 101  # the API's search finds nobody: fall back to the most quoted
    answer = await answerer.ask("what did Caggens say")
    assert answer.kind is AnswerKind.UNKNOWN_SPEAKER
    assert "“Caggens”" in answer.headline
    assert answer.choices and answer.choices[0].name == "Myles B. Caggins III"
    assert "Myles B. Caggins III" in render_text(answer)


async def test_unknown_name_with_weak_hits(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.search_cutoff = 0  # everyone comes back, all weak
    answer = await answerer.ask("what did Zbigniew say")
    assert answer.kind is AnswerKind.UNKNOWN_SPEAKER
    assert 1 <= len(answer.choices) <= 3


async def test_unknown_name_with_nobody_quoted(fake_api: FakeApi) -> None:
    fake_api.speakers.clear()
    fake_api.quotes.clear()
    async with ApiClient("http://t", transport=fake_api.transport) as api:
        answer = await Answerer(api).ask("what did McKenzie say")
    assert answer.kind is AnswerKind.UNKNOWN_SPEAKER
    assert "nobody has been quoted yet" in answer.headline


async def test_who_is(answerer: Answerer) -> None:
    answer = await answerer.ask("who is Caggins")
    assert answer.kind is AnswerKind.SPEAKER
    assert answer.profile is not None and answer.profile.name == "Myles B. Caggins III"
    text = render_text(answer)
    for expected in (
        "Myles B. Caggins III",
        "Roles: Operation Inherent Resolve (OIR) Spokesman",
        "Organisations: Operation Inherent Resolve",
        "Quoted 2 times in 1 article",
        "2020-09-09",
    ):
        assert expected in text
    assert len(answer.quotes) == 1  # the latest quote comes along


async def test_who_talked_about(answerer: Answerer) -> None:
    answer = await answerer.ask("who talked about Soleimani")
    assert answer.kind is AnswerKind.QUOTES
    assert {ref.name for ref, _ in answer.speakers} == {"Kenneth McKenzie", "Mohammed Shia al-Sudani"}
    assert answer.headline.startswith("2 speakers talked about “Soleimani”")


async def test_quotes_about(answerer: Answerer) -> None:
    answer = await answerer.ask("quotes about withdrawal")
    assert answer.kind is AnswerKind.QUOTES
    assert answer.total == 2
    assert all("withdrawal" in q.text for q in answer.quotes)


async def test_nothing_found_says_so(answerer: Answerer) -> None:
    answer = await answerer.ask("quotes about bananas")
    assert answer.kind is AnswerKind.NO_QUOTES
    assert answer.headline == "Nobody is quoted about “bananas”."
    none_from = await answerer.ask("what did Caggins say about bananas since 2024")
    assert none_from.kind is AnswerKind.NO_QUOTES
    assert "no quotes from Myles B. Caggins III" in none_from.headline
    assert any("2 quotes in all" in n for n in none_from.notes)


async def test_unparsable_question_gets_help(answerer: Answerer, fake_api: FakeApi) -> None:
    answer = await answerer.ask("asdf qwerty")
    assert answer.kind is AnswerKind.HELP
    text = render_text(answer)
    assert "what did McKenzie say" in text and "who is Caggins" in text
    assert fake_api.requests == []  # no API call for a question not understood


async def test_paging(answerer: Answerer) -> None:
    first = await answerer.ask("what did McKenzie say")
    assert first.has_next and not first.has_previous and first.page_number == 1 and first.page_count == 2
    second = await answerer.page(first, first.offset + 3)
    assert second.offset == 3 and len(second.quotes) == 1 and second.remaining == 0
    assert not second.has_next and second.has_previous and second.page_number == 2
    assert {q.id for q in first.quotes}.isdisjoint({q.id for q in second.quotes})
    back = await answerer.page(second, -5)  # clamped
    assert back.offset == 0 and [q.id for q in back.quotes] == [q.id for q in first.quotes]


async def test_text_answer_names_the_article_and_counts_the_rest(answerer: Answerer) -> None:
    text = render_text(await answerer.ask("what did McKenzie say"))
    assert "“I believe that going forward, they’re going to want us to be with them,”" in text  # verbatim
    assert "“US general predicts some troops will remain in Iraq”, The Hill, 2020-09-10" in text
    assert "https://example.org/a3" in text
    assert "…and 1 more." in text
    indirect = render_text(await answerer.ask("what did McKenzie say about confident"))
    assert "he was confident that ongoing talks" in indirect and "(reported speech)" in indirect


async def test_text_answer_strips_terminal_control_characters(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.add_quote("clear \x1b[2J screen \u202e reversed " + INJECTION, 3, article_id=2)
    text = render_text(await answerer.ask("latest quotes from Austin"))
    assert "\x1b" not in text and "\u202e" not in text
    assert "clear [2J screen" in text  # the words stay, verbatim, without the escape byte
    assert "@everyone" in text  # a terminal cannot be pinged: plain text stays as it was


async def test_api_down_raises_unavailable(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.down = True
    with pytest.raises(ApiUnavailable):
        await answerer.ask("what did McKenzie say")


async def test_suggest_speakers(answerer: Answerer) -> None:
    assert (await answerer.suggest_speakers("cag"))[0].name == "Myles B. Caggins III"
    top = await answerer.suggest_speakers("")
    assert top[0].name == "Kenneth McKenzie"  # most quoted first


async def test_a_fuller_name_than_any_known_is_not_taken_for_another(answerer: Answerer) -> None:
    answer = await answerer.ask("what did Frank McKenzie say")
    assert answer.kind is AnswerKind.UNKNOWN_SPEAKER
    assert [h.name for h in answer.choices][:1] == ["Kenneth McKenzie"]  # offered, not assumed


async def test_a_person_is_preferred_to_an_organisation_sharing_the_name(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.add_speaker("McKenzie", kind="organisation")
    fake_api.add_speaker("McKenzie’s comments", kind="organisation")
    for question in ("what did McKenzie say", "what did Mckenzy say"):
        answer = await answerer.ask(question)
        assert answer.query is not None and answer.query.speaker is not None, question
        assert answer.query.speaker.name == "Kenneth McKenzie", question


async def test_an_exact_name_is_preferred_to_a_longer_one(answerer: Answerer, fake_api: FakeApi) -> None:
    iraq = fake_api.add_speaker("Iraq", kind="organisation")
    fake_api.add_speaker("Iraq’s parliament", kind="organisation")
    fake_api.add_quote("Iraq's own words,", iraq.id, article_id=4, kind="direct")
    answer = await answerer.ask("what did Iraq say")
    assert answer.query is not None and answer.query.speaker is not None
    assert answer.query.speaker.name == "Iraq"


async def test_groups_of_unnamed_sources_are_asked_back(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.add_speaker("iraqi officials", kind="anonymous")
    fake_api.add_speaker("two administration officials", kind="anonymous")
    answer = await answerer.ask("what did officials say")
    assert answer.kind is AnswerKind.AMBIGUOUS
    assert {h.name for h in answer.choices} == {"iraqi officials", "two administration officials"}


@pytest.mark.parametrize("name, expected", [("Caggens", "Myles B. Caggins III"), ("Lloyd Austen", "Lloyd Austin"), ("Sudany", "Mohammed Shia al-Sudani")])
async def test_typos(answerer: Answerer, name: str, expected: str) -> None:
    answer = await answerer.answer(Said(name))
    assert answer.query is not None and answer.query.speaker is not None
    assert answer.query.speaker.name == expected


async def test_uncertain_speaker_in_text_and_tally(answerer: Answerer, fake_api: FakeApi) -> None:
    mckenzie = next(s for s in fake_api.speakers if s.name == "Kenneth McKenzie")
    fake_api.add_quote("The zebra plan is final,", mckenzie.id, article_id=3, uncertain=True)
    fake_api.add_quote("The zebra plan is sound,", mckenzie.id, article_id=3)
    answer = await answerer.ask("who talked about zebra")
    # only the quote whose speaker is certain counts for McKenzie
    assert [(ref.name, n) for ref, n in answer.speakers] == [("Kenneth McKenzie", 1)]
    text = render_text(answer)
    final = text.index("The zebra plan is final")
    sound = text.index("The zebra plan is sound")
    assert text[final:].split("\n")[1].strip().startswith("— speaker uncertain, in ")
    assert text[sound:].split("\n")[1].strip().startswith("— Kenneth McKenzie, in ")
