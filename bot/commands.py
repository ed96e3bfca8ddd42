"""The bot's commands as a discord.py cog: /said, /speaker, /quotes, and answers to mentions.

Loaded by the client with `bot.load_extension("bot.commands")`, which calls
`setup(bot)`. Each command is a few lines: it turns its options into an intent
and hands it to the core (`bot.answers`, over HTTP); rendering and the buttons
live in `bot.rendering` and `bot.views`.

One cooldown per asker covers slash commands and mentions alike: discord.py's
own `CooldownMapping`, checked for every slash command by the cog's
`interaction_check` (the library raises `CommandOnCooldown`, and
`cog_app_command_error` answers it politely) and by the mention listener.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

import discord
from discord import app_commands
from discord.ext import commands

from .answers import Answer, Answerer
from .errors import ApiError
from .questions import WhoIs, said_intent, search_intent
from .rendering import (
    API_ERROR_TEXT,
    CHOICE_NAME_LIMIT,
    NO_MENTIONS,
    clip,
    cooldown_text,
    error_text,
    inert,
)
from .views import (
    DEFER_AFTER_SECONDS,
    VIEW_TIMEOUT_SECONDS,
    AnswerPageSource,
    AnswerView,
    answer_within,
    send_ephemeral,
)

__all__ = [
    "AUTOCOMPLETE_TIMEOUT_SECONDS",
    "QuestionBot",
    "QuestionCooldown",
    "QuoteCommands",
    "question_cooldown",
    "setup",
]

log = logging.getLogger("quotelens.bot")

AUTOCOMPLETE_TIMEOUT_SECONDS = 2.5

# Keyed by the asker (a user or member: anything with an id).
QuestionCooldown = commands.CooldownMapping[discord.abc.Snowflake]


def _asker_id(user: discord.abc.Snowflake) -> int:
    return user.id


def question_cooldown(rate: int, per: float) -> QuestionCooldown:
    """At most `rate` questions per asker in a window of `per` seconds (discord.py's cooldown)."""
    if rate < 1 or per <= 0:
        raise ValueError("a cooldown needs rate >= 1 and per > 0")
    return commands.CooldownMapping(commands.Cooldown(rate, per), _asker_id)


@runtime_checkable
class QuestionBot(Protocol):
    """What the cog needs of the bot that loads it: the core and the askers' cooldown."""

    answerer: Answerer
    question_cooldown: QuestionCooldown


def _command_name(interaction: discord.Interaction) -> str:
    command = getattr(interaction, "command", None)
    return getattr(command, "name", "?")


class QuoteCommands(commands.Cog):
    """What the bot does for each slash command, autocomplete and mention."""

    def __init__(
        self,
        bot: commands.Bot,
        answerer: Answerer,
        cooldown: QuestionCooldown,
        *,
        defer_after: float = DEFER_AFTER_SECONDS,
        view_timeout: float = VIEW_TIMEOUT_SECONDS,
    ) -> None:
        self.bot = bot
        self.answerer = answerer
        self.cooldown = cooldown
        self.pages = AnswerPageSource(answerer)
        self.defer_after = defer_after
        self.view_timeout = view_timeout

    # -- slash commands ---------------------------------------------------------------

    @app_commands.command(name="said", description="What someone said, optionally about a topic")
    @app_commands.describe(
        speaker="Who said it (start typing a name)",
        topic="About what (optional; dates work too: 'troops since 2024')",
    )
    async def said(
        self,
        interaction: discord.Interaction,
        speaker: app_commands.Range[str, 1, 100],
        topic: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        """/said speaker [topic]: what a speaker said, optionally about a topic (dates allowed)."""
        intent = said_intent(speaker, topic, self.answerer.today())
        await self._answer_interaction(interaction, lambda: self.answerer.answer(intent))

    @app_commands.command(name="speaker", description="Who someone is: roles, organisations, how often quoted")
    @app_commands.describe(name="The speaker's name (start typing)")
    async def speaker(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        """/speaker name: who a speaker is."""
        await self._answer_interaction(interaction, lambda: self.answerer.answer(WhoIs(name.strip())))

    @app_commands.command(name="quotes", description="Quotes about a topic")
    @app_commands.describe(search="Words to look for, e.g. withdrawal or Soleimani")
    async def quotes(self, interaction: discord.Interaction, search: app_commands.Range[str, 1, 200]) -> None:
        """/quotes search: quotes about a topic."""
        intent = search_intent(search, self.answerer.today())
        await self._answer_interaction(interaction, lambda: self.answerer.answer(intent))

    @said.autocomplete("speaker")
    @speaker.autocomplete("name")
    async def speaker_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.speaker_choices(current)

    async def speaker_choices(self, current: str) -> list[app_commands.Choice[str]]:
        """Autocomplete for speaker options: the API's matches for what is typed so far."""
        try:
            hits = await asyncio.wait_for(
                self.answerer.suggest_speakers(current[:100], limit=25), AUTOCOMPLETE_TIMEOUT_SECONDS
            )
        except (ApiError, TimeoutError) as exc:
            log.info("speaker autocomplete failed: %s", exc)
            return []
        choices = []
        for hit in hits[:25]:
            label = f"{hit.name} — {hit.roles[0]}" if hit.roles else hit.name
            # by id: a slug such as "mckenzie" could be fuzzily taken for someone else
            value = f"#{hit.id}"
            choices.append(app_commands.Choice(name=clip(inert(label), CHOICE_NAME_LIMIT), value=value))
        return choices

    # -- checks and errors of the slash commands --------------------------------------------

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Every slash command of the cog counts against the asker's cooldown."""
        bucket = self.cooldown.get_bucket(interaction.user)
        retry_after = bucket.update_rate_limit() if bucket is not None else None
        if bucket is not None and retry_after is not None:
            raise app_commands.CommandOnCooldown(bucket, retry_after)
        return True

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CommandOnCooldown):
            await send_ephemeral(interaction, cooldown_text(error.retry_after))
            return
        log.error("slash command /%s failed", _command_name(interaction), exc_info=error)
        with contextlib.suppress(discord.HTTPException):
            await send_ephemeral(interaction, API_ERROR_TEXT)

    async def _answer_interaction(
        self, interaction: discord.Interaction, make_answer: Callable[[], Awaitable[Answer]]
    ) -> None:
        try:
            answer, deferred = await answer_within(interaction, make_answer(), self.defer_after, thinking=True)
        except ApiError as exc:
            log.warning("API error answering /%s: %s", _command_name(interaction), exc)
            await send_ephemeral(interaction, error_text(exc))
            return
        reply = self.pages.format_page(answer)
        view = self._view(answer)
        extra: dict[str, Any] = {"view": view} if view is not None else {}
        if deferred:
            message = await interaction.followup.send(**reply.kwargs(), **extra, wait=True)
            if view is not None:
                view.message = message
        else:
            await interaction.response.send_message(**reply.kwargs(), **extra)
            if view is not None:  # to take the buttons off when they time out
                with contextlib.suppress(discord.HTTPException):
                    view.message = await interaction.original_response()

    def _view(self, answer: Answer) -> AnswerView | None:
        if not self.pages.wanted(answer):
            return None
        return AnswerView(self.pages, answer, defer_after=self.defer_after, timeout=self.view_timeout)

    # -- mentions -------------------------------------------------------------------------

    @commands.Cog.listener("on_message")
    async def on_message(self, message: discord.Message) -> None:
        await self.answer_mention(message, self.bot.user)

    async def answer_mention(self, message: discord.Message, me: discord.abc.User | None) -> None:
        """Answer a plain-English question when the bot is mentioned (or in a direct message)."""
        if me is None or message.author.bot or message.author.id == me.id:
            return
        if not self._addressed(message, me):
            return
        question = re.sub(rf"<@!?{me.id}>", " ", message.content or "").strip()
        retry_after = self.cooldown.update_rate_limit(message.author)
        if retry_after is not None:
            await message.reply(cooldown_text(retry_after), allowed_mentions=NO_MENTIONS, mention_author=False)
            return
        try:
            async with message.channel.typing():
                answer = await self.answerer.ask(question)
        except ApiError as exc:
            log.warning("API error answering a mention: %s", exc)
            await message.reply(error_text(exc), allowed_mentions=NO_MENTIONS, mention_author=False)
            return
        except Exception:
            log.exception("failed to answer a mention")
            await message.reply(API_ERROR_TEXT, allowed_mentions=NO_MENTIONS, mention_author=False)
            return
        reply = self.pages.format_page(answer)
        view = self._view(answer)
        extra: dict[str, Any] = {"view": view} if view is not None else {}
        sent = await message.reply(**reply.kwargs(), **extra, mention_author=False)
        if view is not None:
            view.message = sent

    @staticmethod
    def _addressed(message: discord.Message, me: discord.abc.User) -> bool:
        if message.guild is None:  # a direct message is always addressed to the bot
            return True
        if any(user.id == me.id for user in message.mentions):
            return True
        # a mention of the bot's own managed role reads the same to people
        my_member = message.guild.me
        my_roles = {r.id for r in getattr(my_member, "roles", []) if r.is_bot_managed()}
        return any(role.id in my_roles for role in message.role_mentions)


async def setup(bot: commands.Bot) -> None:
    """The extension's entry point (`bot.load_extension("bot.commands")`): add the cog."""
    if not isinstance(bot, QuestionBot):
        raise TypeError("bot.commands needs a bot with an `answerer` and a `question_cooldown`")
    await bot.add_cog(QuoteCommands(bot, bot.answerer, bot.question_cooldown))
