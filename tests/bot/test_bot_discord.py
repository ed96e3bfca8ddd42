"""The Discord front, driven with mocked interactions and messages; nothing reaches Discord."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from unittest.mock import AsyncMock

import discord
import pytest
from bot_fake_api import INJECTION, FakeApi
from discord_fakes import (
    ME,
    BotHarness,
    FakeInteraction,
    FakeMessage,
    Sent,
    assert_safe,
    run_slash,
    unescaped,
)

from bot.answers import Answerer
from bot.commands import question_cooldown
from bot.discord_client import QuoteBot, TokenRedactor
from bot.rendering import API_DOWN_TEXT, API_ERROR_TEXT, clip, escape
from bot.views import AnswerView
from quotelens.settings import settings_from_env


def handlers_for(answerer: Answerer, *, rate: int = 100, defer_after: float = 5.0) -> BotHarness:
    """The bot and its cog: slash commands through the command tree, mentions through the listener."""
    return BotHarness(answerer, rate=rate, per=60.0, defer_after=defer_after)


def only(sent: list[Sent]) -> Sent:
    assert len(sent) == 1, sent
    return sent[0]


# -- text safety ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, must_not_contain, must_contain",
    [
        ("@everyone look", "@everyone", "@\u200beveryone"),
        ("@here now", "@here", "@\u200bhere"),
        ("<@&1> and <@123456789012345678>", "<@", "<\u200b@\u200b&1>"),
        ("<#123456789012345678> <t:1700000000:R> </said:1>", "<#", "<\u200b#"),
        ("**bold** and __under__", "**bold**", r"\*\*bold\*\*"),
        ("||spoiler|| ~~strike~~ `code`", "||spoiler||", r"\|\|spoiler\|\|"),
        ("[click](https://evil.example)", "[click](", r"\[click](https://evil.example)"),
        ("[multi\nline](https://evil.example)", "[multi", r"\[multi"),  # issue 12: a link across lines
        ("# Heading", "\n# ", r"\# Heading"),
        ("1. first", "1. first", r"1\. first"),
        ("> quoted", "> quoted", r"\> quoted"),
        ("bell\x07 and \x1b[31mred", "\x1b", r"bell and \[31mred"),
    ],
)
def test_escape(raw: str, must_not_contain: str, must_contain: str) -> None:
    escaped = escape(raw)
    assert not unescaped(must_not_contain, "\n" + escaped)
    assert must_contain in escaped


@pytest.mark.parametrize("name", ["\u200b\u200d\u2060", " \u200b ", "\u00ad\u200e", "\u0301"])
def test_an_invisible_speaker_name_still_gives_an_author(name: str) -> None:
    """Issue 12: a speaker renamed to invisible characters gave an empty author; Discord refused the reply."""
    from bot.models import ArticleRef, Quote, SpeakerRef
    from bot.rendering import UNNAMED_SPEAKER, author_name, quote_embed

    assert author_name(name) == UNNAMED_SPEAKER
    assert author_name("José Martí") == "José Martí"
    quote = Quote(id=1, text="We will stay.", article=ArticleRef(id=1, title="T"),
                  speaker=SpeakerRef(id=1, slug="x", name=name))
    assert quote_embed(quote, 1, 1, 4000).to_dict()["author"]["name"] == UNNAMED_SPEAKER


def test_escape_leaves_ordinary_text_alone() -> None:
    text = "Iraq’s forces, 5,200 troops (in 2020) - said McKenzie. https://example.org/a_b"
    assert escape(text) == text


@pytest.mark.parametrize("text, limit", [("x" * 5000, 100), ("\\*" * 300, 11), ("\\*" * 300, 12), ("short", 10)])
def test_clip(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    if len(text) > limit:
        assert clipped.endswith("…")
        body = clipped[:-1]
        assert (len(body) - len(body.rstrip("\\"))) % 2 == 0  # no lone escape before the ellipsis
    else:
        assert clipped == text


# -- slash commands -----------------------------------------------------------------


async def test_said_replies_with_quote_embeds_and_page_buttons(answerer: Answerer) -> None:
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "McKenzie")
    sent = only(interaction.sent)
    assert sent.via == "response.send_message"
    assert_safe(sent)
    assert "What Kenneth McKenzie (U.S. Central Command head) said (4 quotes, newest first):" in sent.content
    assert "Page 1 of 2 · 1 more after this page" in sent.content
    assert len(sent.embeds) == 3
    first = sent.embeds[0].to_dict()
    assert first["author"]["name"] == "Kenneth McKenzie (U.S. Central Command head)"
    assert first["title"] == "US general predicts some troops will remain in Iraq"
    assert first["url"] == "https://example.org/a3"
    assert first["description"] == "“The killing of Soleimani changed the relationship,”"
    assert first["footer"]["text"] == "The Hill · 2020-09-10 · 1 of 4"
    view = sent.view
    assert isinstance(view, AnswerView)
    labels = {item.label: item.disabled for item in view.children}
    assert labels == {"◀ Previous": True, "Next ▶": False}


async def test_said_with_topic_and_dates(answerer: Answerer, fake_api: FakeApi) -> None:
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "#1", "troops since 2020-09-10")
    sent = only(interaction.sent)
    assert_safe(sent)
    params = fake_api.requests[-1].url.params
    assert params["q"] == "troops" and params["since"] == "2020-09-10"
    assert len(sent.embeds) == 1 and "troops" in sent.embeds[0].description
    assert sent.view is None  # one page: no buttons


async def test_indirect_quotes_are_marked_as_reported(answerer: Answerer) -> None:
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "McKenzie", "confident")
    description = only(interaction.sent).embeds[0].description
    assert description.startswith("he was confident that ongoing talks")
    assert description.endswith("*(reported speech)*")


async def test_speaker_profile(answerer: Answerer) -> None:
    interaction = FakeInteraction()
    await handlers_for(answerer).speaker(interaction, "Caggins")
    sent = only(interaction.sent)
    assert_safe(sent)
    profile = sent.embeds[0].to_dict()
    assert profile["title"] == "Myles B. Caggins III"
    fields = {f["name"]: f["value"] for f in profile["fields"]}
    assert fields["Roles"] == "Operation Inherent Resolve (OIR) Spokesman"
    assert fields["Organisations"] == "Operation Inherent Resolve"
    assert fields["Titles"] == "Col."
    assert fields["Quoted"] == "2 times in 1 article"
    assert fields["First seen"] == "2020-09-09" and fields["Last seen"] == "2020-09-09"
    assert len(sent.embeds) == 2  # and the latest quote
    assert sent.embeds[1].description.startswith("“It’s going to take everybody")


async def test_quotes_search(answerer: Answerer) -> None:
    interaction = FakeInteraction()
    await handlers_for(answerer).quotes(interaction, "withdrawal")
    sent = only(interaction.sent)
    assert_safe(sent)
    assert sent.content.startswith("**2 quotes about “withdrawal”")
    authors = [e.to_dict()["author"]["name"] for e in sent.embeds]
    assert authors == ["a senior U.S. defense official", "Kenneth McKenzie"]


async def test_commands_registered_on_the_tree_call_the_handlers(answerer: Answerer) -> None:
    bot = QuoteBot(answerer, cooldown_rate=100, cooldown_seconds=60.0)
    await bot.load_extension("bot.commands")  # as setup_hook loads the cog
    commands = {c.name: c for c in bot.tree.get_commands()}
    assert set(commands) == {"said", "speaker", "quotes"}
    said = commands["said"]
    params = {p.name: p for p in said.parameters}
    assert params["speaker"].required and params["speaker"].autocomplete
    assert not params["topic"].required
    assert {p.name: p.autocomplete for p in commands["speaker"].parameters} == {"name": True}
    assert [p.name for p in commands["quotes"].parameters] == ["search"]
    interaction = FakeInteraction()
    await run_slash(bot, interaction, "said", speaker="Austin")
    assert "Lloyd Austin" in only(interaction.sent).content
    interaction = FakeInteraction()
    await run_slash(bot, interaction, "quotes", search="Soleimani")
    assert "quotes about “Soleimani”" in only(interaction.sent).content
    # the client never asks for privileged intents and never pings by default
    assert bot.intents.message_content is False
    assert bot.allowed_mentions is not None
    assert bot.allowed_mentions.to_dict() == discord.AllowedMentions.none().to_dict()


async def test_setup_hook_loads_the_cog_and_registers_the_commands(
    answerer: Answerer, fake_api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    bot = QuoteBot(answerer, cooldown_rate=3, cooldown_seconds=30.0, guild_id=42)
    bot.tree.sync = AsyncMock(return_value=[object()] * 3)  # type: ignore[method-assign]
    fake_api.down = True
    with caplog.at_level(logging.INFO, logger="quotelens.bot"):
        await bot.setup_hook()
    assert list(bot.cogs) == ["QuoteCommands"]
    assert bot.extensions.keys() == {"bot.commands"}
    guild_commands = {c.name for c in bot.tree.get_commands(guild=discord.Object(id=42))}
    assert guild_commands == {"said", "speaker", "quotes"}
    bot.tree.sync.assert_awaited_once()
    assert bot.tree.sync.await_args.kwargs["guild"].id == 42
    assert "registered 3 slash commands" in caplog.text
    assert "is not answering" in caplog.text


async def test_speaker_autocomplete(answerer: Answerer, fake_api: FakeApi) -> None:
    handlers = handlers_for(answerer)
    choices = await handlers.speaker_choices("mcken")
    assert choices[0].name == "Kenneth McKenzie — U.S. Central Command head"
    assert choices[0].value == "#1"
    assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in choices)
    most_quoted = await handlers.speaker_choices("")
    assert 1 < len(most_quoted) <= 25
    fake_api.add_speaker("X" * 300, slug="x" * 150)
    long = await handlers.speaker_choices("X" * 300)
    assert long and all(len(c.name) <= 100 and len(c.value) <= 100 for c in long)
    fake_api.down = True
    assert await handlers.speaker_choices("mck") == []


async def test_an_autocomplete_choice_means_exactly_that_speaker(answerer: Answerer, fake_api: FakeApi) -> None:
    org = fake_api.add_speaker("McKenzie", kind="organisation")
    fake_api.add_quote("The organisation's statement,", org.id, article_id=4)
    handlers = handlers_for(answerer)
    choices = {c.name: c.value for c in await handlers.speaker_choices("McKenzie")}
    assert choices["McKenzie"] == f"#{org.id}"
    interaction = FakeInteraction()
    await handlers.said(interaction, choices["McKenzie"])
    sent = only(interaction.sent)
    assert [e.description for e in sent.embeds] == ["“The organisation's statement,”"]
    gone = FakeInteraction()
    await handlers.said(gone, "#999")
    assert "I don't know anyone called “#999”" in only(gone.sent).content


async def test_buttons_come_off_when_the_view_times_out(answerer: Answerer) -> None:
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "McKenzie")
    view = only(interaction.sent).view
    assert isinstance(view, AnswerView) and view.message is not None
    await view.on_timeout()
    view.message.edit.assert_awaited_once_with(view=None)  # type: ignore[union-attr]


async def test_defers_when_the_api_is_slow(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.delay = 0.2
    interaction = FakeInteraction()
    await handlers_for(answerer, defer_after=0.01).said(interaction, "McKenzie")
    assert interaction.response.deferred == {"ephemeral": False, "thinking": True}
    sent = only(interaction.sent)
    assert sent.via == "followup.send"
    assert_safe(sent)
    assert len(sent.embeds) == 3 and isinstance(sent.view, AnswerView)


async def test_fast_answers_are_not_deferred(answerer: Answerer) -> None:
    interaction = FakeInteraction()
    await handlers_for(answerer, defer_after=5.0).said(interaction, "McKenzie")
    assert interaction.response.deferred is None


async def test_polite_reply_when_the_api_is_down(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.down = True
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "McKenzie")
    sent = only(interaction.sent)
    assert sent.content == API_DOWN_TEXT
    assert sent.kwargs["ephemeral"] is True
    assert_safe(sent)


async def test_polite_reply_when_the_api_is_down_after_deferring(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.down = True
    fake_api.delay = 0.1
    interaction = FakeInteraction()
    await handlers_for(answerer, defer_after=0.01).quotes(interaction, "withdrawal")
    sent = only(interaction.sent)
    assert sent.via == "followup.send" and sent.content == API_DOWN_TEXT


async def test_polite_reply_on_api_error(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.status_override = 500
    interaction = FakeInteraction()
    await handlers_for(answerer).speaker(interaction, "Caggins")
    assert only(interaction.sent).content == API_ERROR_TEXT


async def test_per_user_cooldown(answerer: Answerer, fake_api: FakeApi) -> None:
    handlers = handlers_for(answerer, rate=2)
    for _ in range(2):
        interaction = FakeInteraction(user_id=7)
        await handlers.quotes(interaction, "withdrawal")
        assert only(interaction.sent).embeds
    calls = len(fake_api.requests)
    blocked = FakeInteraction(user_id=7)
    await handlers.quotes(blocked, "withdrawal")
    sent = only(blocked.sent)
    assert sent.content.startswith("You're asking a little fast") and sent.kwargs["ephemeral"] is True
    assert len(fake_api.requests) == calls  # no API call for a blocked question
    other = FakeInteraction(user_id=8)  # another user is not held up
    await handlers.quotes(other, "withdrawal")
    assert only(other.sent).embeds


async def test_slash_commands_and_mentions_share_one_cooldown(answerer: Answerer, fake_api: FakeApi) -> None:
    handlers = handlers_for(answerer, rate=1)
    asked = FakeMessage(f"<@{ME.id}> quotes about withdrawal", author_id=7)
    await handlers.on_message(asked, ME)  # type: ignore[arg-type]
    assert only(asked.replies).embeds
    calls = len(fake_api.requests)
    blocked = FakeInteraction(user_id=7)
    await handlers.speaker(blocked, "Caggins")
    sent = only(blocked.sent)
    # the friendly message, with the wait rounded to whole seconds, and no API call made
    assert sent.content == "You're asking a little fast. Please try again in 60 s."
    assert sent.via == "response.send_message" and sent.kwargs["ephemeral"] is True
    assert_safe(sent)
    assert len(fake_api.requests) == calls
    assert blocked.command_failed is True  # the tree saw the check fail


async def test_unexpected_failure_in_a_slash_command_gets_a_polite_reply(
    answerer: Answerer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(answerer, "answer", broken)
    interaction = FakeInteraction()
    with caplog.at_level(logging.ERROR, logger="quotelens.bot"):
        await handlers_for(answerer).quotes(interaction, "withdrawal")
    sent = only(interaction.sent)
    assert sent.content == API_ERROR_TEXT and sent.kwargs["ephemeral"] is True
    assert "slash command /quotes failed" in caplog.text


def test_cooldown_window() -> None:
    cooldown = question_cooldown(2, 10.0)  # discord.py's CooldownMapping, one bucket per asker
    one, two = SimpleNamespace(id=1), SimpleNamespace(id=2)
    assert cooldown.update_rate_limit(one, 100.0) is None and cooldown.update_rate_limit(one, 100.0) is None
    assert cooldown.update_rate_limit(one, 100.0) == pytest.approx(10.0)
    assert cooldown.update_rate_limit(one, 105.0) == pytest.approx(5.0)
    assert cooldown.update_rate_limit(two, 105.0) is None
    assert cooldown.update_rate_limit(one, 110.5) is None
    with pytest.raises(ValueError):
        question_cooldown(0, 10.0)


# -- paging and choices ----------------------------------------------------------------------


def button(view: discord.ui.View, label: str) -> discord.ui.Button:
    return next(item for item in view.children if getattr(item, "label", None) == label)  # type: ignore[return-value]


async def test_page_buttons(answerer: Answerer) -> None:
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "McKenzie")
    view = only(interaction.sent).view
    assert isinstance(view, AnswerView)

    press = FakeInteraction(user_id=99)  # anyone in the channel may page
    await button(view, "Next ▶").callback(press)
    page2 = only(press.sent)
    assert page2.via == "response.edit_message"
    assert_safe(page2)
    assert len(page2.embeds) == 1
    assert page2.embeds[0].footer.text.endswith("4 of 4")
    assert "Page 2 of 2" in page2.content
    assert page2.view is view
    assert button(view, "Next ▶").disabled and not button(view, "◀ Previous").disabled

    back = FakeInteraction()
    await button(view, "◀ Previous").callback(back)
    page1 = only(back.sent)
    assert [e.footer.text[-6:] for e in page1.embeds] == ["1 of 4", "2 of 4", "3 of 4"]


async def test_page_buttons_defer_when_slow(answerer: Answerer, fake_api: FakeApi) -> None:
    interaction = FakeInteraction()
    handlers = handlers_for(answerer, defer_after=0.01)
    await handlers.said(interaction, "McKenzie")
    view = only(interaction.sent).view
    assert isinstance(view, AnswerView)
    fake_api.delay = 0.1
    press = FakeInteraction()
    await button(view, "Next ▶").callback(press)
    assert press.response.deferred == {"ephemeral": False, "thinking": False}
    assert only(press.sent).via == "edit_original_response"


async def test_page_button_when_the_api_went_down(answerer: Answerer, fake_api: FakeApi) -> None:
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "McKenzie")
    view = only(interaction.sent).view
    fake_api.down = True
    press = FakeInteraction()
    await button(view, "Next ▶").callback(press)  # type: ignore[arg-type]
    sent = only(press.sent)
    assert sent.content == API_DOWN_TEXT and sent.kwargs["ephemeral"] is True


async def test_ambiguous_name_offers_buttons(answerer: Answerer, fake_api: FakeApi) -> None:
    frank = fake_api.add_speaker("Frank McKenzie", aliases=["McKenzie"], roles=["Senator"])
    fake_api.add_quote("Frank's words on troops,", frank.id, article_id=4)
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "McKenzie")
    sent = only(interaction.sent)
    assert_safe(sent)
    assert "could mean 2 speakers" in sent.content
    assert "**Frank McKenzie** — Senator (1 quote)" in sent.content
    view = sent.view
    assert isinstance(view, AnswerView)
    assert {item.label for item in view.children} == {"Kenneth McKenzie", "Frank McKenzie"}

    press = FakeInteraction()
    await button(view, "Frank McKenzie").callback(press)
    chosen = only(press.sent)
    assert chosen.via == "response.edit_message"
    assert chosen.embeds[0].description == "“Frank's words on troops,”"
    assert chosen.kwargs["view"] is None  # one page, no more choices


async def test_unknown_name_offers_nearest(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.search_cutoff = 101
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "Caggens")
    sent = only(interaction.sent)
    assert "I don't know anyone called “Caggens”" in sent.content
    assert "Myles B. Caggins III" in sent.content
    assert any(item.label == "Myles B. Caggins III" for item in sent.view.children)  # type: ignore[union-attr]


# -- mentions -------------------------------------------------------------------------------


async def test_mention_is_answered_through_the_same_core(answerer: Answerer) -> None:
    message = FakeMessage(f"<@{ME.id}> what did McKenzie say about troops?")
    await handlers_for(answerer).on_message(message, ME)  # type: ignore[arg-type]
    sent = only(message.replies)
    assert_safe(sent)
    assert sent.kwargs["mention_author"] is False
    assert "said about “troops”" in sent.content
    assert len(sent.embeds) == 2
    assert message.channel.typing_entered == 1


async def test_nickname_mention_and_dm(answerer: Answerer) -> None:
    message = FakeMessage(f"<@!{ME.id}> who is Caggins")
    await handlers_for(answerer).on_message(message, ME)  # type: ignore[arg-type]
    assert only(message.replies).embeds[0].title == "Myles B. Caggins III"
    dm = FakeMessage("latest quotes from Austin", mentions_bot=False, in_guild=False)
    await handlers_for(answerer).on_message(dm, ME)  # type: ignore[arg-type]
    assert "Lloyd Austin" in only(dm.replies).content


@pytest.mark.parametrize(
    "message",
    [
        FakeMessage("what did McKenzie say", mentions_bot=False),  # not addressed to the bot
        FakeMessage(f"<@{ME.id}> what did McKenzie say", author_bot=True),  # bots are ignored
        FakeMessage(f"<@{ME.id}> what did McKenzie say", author_id=ME.id),  # its own messages
    ],
)
async def test_messages_not_for_the_bot_are_ignored(answerer: Answerer, fake_api: FakeApi, message: FakeMessage) -> None:
    await handlers_for(answerer).on_message(message, ME)  # type: ignore[arg-type]
    assert message.replies == [] and fake_api.requests == []


async def test_mention_that_cannot_be_parsed_gets_help(answerer: Answerer) -> None:
    message = FakeMessage(f"<@{ME.id}> make me a sandwich")
    await handlers_for(answerer).on_message(message, ME)  # type: ignore[arg-type]
    sent = only(message.replies)
    assert_safe(sent)
    assert "what did McKenzie say" in sent.content and "/said" in sent.content
    bare = FakeMessage(f"<@{ME.id}>")
    await handlers_for(answerer).on_message(bare, ME)  # type: ignore[arg-type]
    assert "Ask me about quotes" in only(bare.replies).content


async def test_mention_when_the_api_is_down(answerer: Answerer, fake_api: FakeApi) -> None:
    fake_api.down = True
    message = FakeMessage(f"<@{ME.id}> what did McKenzie say")
    await handlers_for(answerer).on_message(message, ME)  # type: ignore[arg-type]
    sent = only(message.replies)
    assert sent.content == API_DOWN_TEXT
    assert_safe(sent)


async def test_mention_cooldown(answerer: Answerer) -> None:
    handlers = handlers_for(answerer, rate=1)
    first = FakeMessage(f"<@{ME.id}> quotes about withdrawal")
    await handlers.on_message(first, ME)  # type: ignore[arg-type]
    second = FakeMessage(f"<@{ME.id}> quotes about withdrawal")
    await handlers.on_message(second, ME)  # type: ignore[arg-type]
    assert only(second.replies).content.startswith("You're asking a little fast")


# -- injection and limits ------------------------------------------------------------------------


@pytest.fixture
def poisoned(fake_api: FakeApi) -> FakeApi:
    """A speaker, article and quote whose every text tries to ping or break formatting."""
    fake_api.articles[0].title = INJECTION
    fake_api.articles[0].outlet = "@here **Outlet**"
    fake_api.articles[0].url = "javascript:alert(1)"
    evil = fake_api.add_speaker("Evil Everyone", aliases=["@everyone", "<@&1>"], roles=[INJECTION],
                                organisations=["||spoiler|| org"])
    fake_api.add_quote(INJECTION, evil.id, article_id=1)
    fake_api.add_quote("line one\n# big heading\n> quoted @everyone", evil.id, article_id=1)
    return fake_api


async def test_injection_in_slash_answers(answerer: Answerer, poisoned: FakeApi) -> None:
    for call in ("said", "speaker", "quotes"):
        interaction = FakeInteraction()
        handlers = handlers_for(answerer)
        if call == "said":
            await handlers.said(interaction, "Evil Everyone")
        elif call == "speaker":
            await handlers.speaker(interaction, "Evil Everyone")
        else:
            await handlers.quotes(interaction, "everyone")
        sent = only(interaction.sent)
        assert sent.embeds, call
        assert_safe(sent)
    # the words are still there, only made inert
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "Evil Everyone")
    text = only(interaction.sent).all_text()
    assert "@\u200beveryone" in text and r"\*\*bold\*\*" in text
    assert "url" not in only(interaction.sent).embeds[0].to_dict()  # a javascript: link is dropped


async def test_injection_in_mention_answers_and_choices(answerer: Answerer, poisoned: FakeApi) -> None:
    message = FakeMessage(f"<@{ME.id}> what did Evil Everyone say")
    await handlers_for(answerer).on_message(message, ME)  # type: ignore[arg-type]
    assert_safe(only(message.replies))
    # the asker's own words echoed back are escaped too
    asked = FakeMessage(f"<@{ME.id}> what did @everyone **Nobody** <@&1> say")
    poisoned.search_cutoff = 101
    await handlers_for(answerer).on_message(asked, ME)  # type: ignore[arg-type]
    assert_safe(only(asked.replies))


async def test_huge_texts_stay_within_discord_limits(answerer: Answerer, fake_api: FakeApi) -> None:
    big = fake_api.add_speaker("Verbose Speaker", roles=["R" * 5000])
    fake_api.articles[1].title = "T*" * 3000
    fake_api.articles[1].outlet = "O" * 5000
    for _ in range(5):
        fake_api.add_quote("*_" * 6000 + " end", big.id, article_id=2)
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "Verbose Speaker", "end " + "x" * 190)
    no_match = only(interaction.sent)
    assert_safe(no_match)
    interaction = FakeInteraction()
    await handlers_for(answerer).said(interaction, "Verbose Speaker")
    sent = only(interaction.sent)
    assert_safe(sent)
    assert len(sent.embeds) == 3
    assert all(e.description.endswith("…”") for e in sent.embeds)  # cut, but still a closed quote
    interaction = FakeInteraction()
    await handlers_for(answerer).speaker(interaction, "Verbose Speaker")
    assert_safe(only(interaction.sent))


# -- secrets ---------------------------------------------------------------------------------------


def test_token_is_redacted_from_logs(caplog: pytest.LogCaptureFixture) -> None:
    token = "MTIz.secret-token-value.abc"
    logger = logging.getLogger("quotelens.test.redact")
    redactor = TokenRedactor(token)
    logger.addFilter(redactor)
    try:
        with caplog.at_level(logging.INFO, logger="quotelens.test.redact"):
            logger.info("connecting with %s", token)
            logger.info("nothing secret here")
    finally:
        logger.removeFilter(redactor)
    assert token not in caplog.text
    assert "connecting with [redacted]" in caplog.text and "nothing secret here" in caplog.text


def test_settings_never_show_the_token() -> None:
    settings = settings_from_env(
        {
            "DISCORD_TOKEN": "super-secret-token",
            "QUOTELENS_BOT_COOLDOWN_RATE": "5",
            "QUOTELENS_BOT_COOLDOWN_SECONDS": "12.5",
            "QUOTELENS_API_TIMEOUT": "3",
            "DISCORD_GUILD_ID": "123456789012345678",
        }
    )
    assert settings.discord_token == "super-secret-token"
    assert "super-secret-token" not in repr(settings) and "super-secret-token" not in str(settings)
    assert (settings.bot_cooldown_rate, settings.bot_cooldown_seconds) == (5, 12.5)
    assert settings.api_timeout == 3.0 and settings.discord_guild_id == 123456789012345678
    defaults = settings_from_env({})
    assert (defaults.bot_cooldown_rate, defaults.bot_cooldown_seconds, defaults.discord_guild_id) == (3, 30.0, None)


async def test_mention_with_an_unexpected_failure_still_gets_a_reply(
    answerer: Answerer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(question: str) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(answerer, "ask", broken)
    message = FakeMessage(f"<@{ME.id}> what did McKenzie say")
    await handlers_for(answerer).on_message(message, ME)  # type: ignore[arg-type]
    sent = only(message.replies)
    assert sent.content == API_ERROR_TEXT
    assert_safe(sent)


# -- speaker uncertain ---------------------------------------------------------------


@pytest.mark.parametrize("ask", ["quotes", "said"])
async def test_uncertain_speaker_is_not_asserted(answerer: Answerer, fake_api: FakeApi, ask: str) -> None:
    mckenzie = next(s for s in fake_api.speakers if s.name == "Kenneth McKenzie")
    fake_api.add_quote("The zebra withdrawal plan is final,", mckenzie.id, article_id=3, uncertain=True)
    interaction = FakeInteraction()
    if ask == "quotes":
        await handlers_for(answerer).quotes(interaction, "zebra")
    else:
        await handlers_for(answerer).said(interaction, "McKenzie", "zebra")
    sent = only(interaction.sent)
    assert_safe(sent)
    (embed,) = sent.embeds
    assert embed.description == "“The zebra withdrawal plan is final,”"
    assert embed.to_dict()["author"]["name"] == "speaker uncertain"
    assert "McKenzie" not in str(embed.to_dict())
