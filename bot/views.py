"""Buttons under an answer: the pages of quotes, or the speakers to choose between.

The page source and the paging view are kept apart, as in RoboDanny's
`cogs/utils/paginator.py`: `AnswerPageSource` knows where another page or a
chosen speaker's answer comes from (the core, over HTTP) and how an answer is
formatted; `AnswerView` only holds the current answer, draws the buttons for it
and swaps the message when one is pressed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import discord

from .answers import Answer, Answerer, AnswerKind
from .errors import ApiError
from .models import SpeakerHit
from .rendering import (
    BUTTON_LABEL_LIMIT,
    NO_MENTIONS,
    DiscordReply,
    clip,
    error_text,
    inert,
    render_answer,
)

__all__ = [
    "DEFER_AFTER_SECONDS",
    "VIEW_TIMEOUT_SECONDS",
    "AnswerPageSource",
    "AnswerView",
    "answer_within",
    "send_ephemeral",
]

log = logging.getLogger("quotelens.bot")

T = TypeVar("T")

# Interactions must be acknowledged within 3 s; past this, defer and answer later.
DEFER_AFTER_SECONDS = 1.5
VIEW_TIMEOUT_SECONDS = 600.0
# At most this many speakers offered as buttons.
MAX_CHOICE_BUTTONS = 5


async def answer_within(
    interaction: discord.Interaction,
    work: Awaitable[T],
    defer_after: float,
    *,
    thinking: bool,
) -> tuple[T, bool]:
    """Await `work`, deferring the interaction first if it takes longer than `defer_after`.

    Returns the result and whether the interaction was deferred (then the answer
    goes through the followup webhook or an edit of the original response).
    """
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=defer_after)
    deferred = False
    if not done:
        await interaction.response.defer(thinking=thinking)
        deferred = True
    return await task, deferred


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """A short note only the asker sees, whether or not the interaction was answered yet."""
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


class AnswerPageSource:
    """Where the pages of an answer come from, and how each is shown; knows nothing of buttons."""

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer

    @staticmethod
    def is_paginating(answer: Answer) -> bool:
        """Whether the answer's quotes run over more than one page."""
        return answer.query is not None and answer.total > answer.query.limit

    @staticmethod
    def choices(answer: Answer) -> tuple[SpeakerHit, ...]:
        """The speakers the asker may pick between (none unless the name was unclear)."""
        if answer.kind in (AnswerKind.AMBIGUOUS, AnswerKind.UNKNOWN_SPEAKER):
            return answer.choices[:MAX_CHOICE_BUTTONS]
        return ()

    def wanted(self, answer: Answer) -> bool:
        """Whether an answer needs buttons at all."""
        return self.is_paginating(answer) or bool(self.choices(answer))

    async def next_page(self, answer: Answer) -> Answer:
        return await self.answerer.page(answer, answer.offset + self._limit(answer))

    async def previous_page(self, answer: Answer) -> Answer:
        return await self.answerer.page(answer, answer.offset - self._limit(answer))

    async def choose(self, answer: Answer, hit: SpeakerHit) -> Answer:
        """The question asked again about the speaker picked."""
        return await self.answerer.choose(answer, hit)

    @staticmethod
    def format_page(answer: Answer) -> DiscordReply:
        return render_answer(answer)

    @staticmethod
    def _limit(answer: Answer) -> int:
        return answer.query.limit if answer.query else 1


class AnswerView(discord.ui.View):
    """Buttons under an answer: previous/next page, or the speakers to choose between."""

    def __init__(
        self,
        source: AnswerPageSource,
        answer: Answer,
        *,
        defer_after: float = DEFER_AFTER_SECONDS,
        timeout: float = VIEW_TIMEOUT_SECONDS,
    ) -> None:
        super().__init__(timeout=timeout)
        self.source = source
        self.answer = answer
        self.defer_after = defer_after
        self.message: discord.Message | discord.InteractionMessage | discord.WebhookMessage | None = None
        self.previous_button: discord.ui.Button[AnswerView] | None = None
        self.next_button: discord.ui.Button[AnswerView] | None = None
        self._build()

    def _build(self) -> None:
        self.clear_items()
        answer = self.answer
        if self.source.is_paginating(answer):
            self.previous_button = discord.ui.Button(label="◀ Previous", style=discord.ButtonStyle.secondary)
            self.next_button = discord.ui.Button(label="Next ▶", style=discord.ButtonStyle.primary)
            self.previous_button.disabled = not answer.has_previous
            self.next_button.disabled = not answer.has_next
            self.previous_button.callback = self._previous  # type: ignore[method-assign,assignment]
            self.next_button.callback = self._next  # type: ignore[method-assign,assignment]
            self.add_item(self.previous_button)
            self.add_item(self.next_button)
        for hit in self.source.choices(answer):
            button: discord.ui.Button[AnswerView] = discord.ui.Button(
                label=clip(inert(hit.name), BUTTON_LABEL_LIMIT) or str(hit.id),
                style=discord.ButtonStyle.secondary,
            )
            button.callback = self._chooser(hit)  # type: ignore[method-assign,assignment]
            self.add_item(button)

    async def _previous(self, interaction: discord.Interaction) -> None:
        await self._show(interaction, self.source.previous_page(self.answer))

    async def _next(self, interaction: discord.Interaction) -> None:
        await self._show(interaction, self.source.next_page(self.answer))

    def _chooser(self, hit: SpeakerHit) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
        async def choose(interaction: discord.Interaction) -> None:
            await self._show(interaction, self.source.choose(self.answer, hit))

        return choose

    async def _show(self, interaction: discord.Interaction, work: Awaitable[Answer]) -> None:
        """Replace the message with another answer (a page, or the chosen speaker's)."""
        try:
            answer, deferred = await answer_within(interaction, work, self.defer_after, thinking=False)
        except ApiError as exc:
            log.warning("API error while paging: %s", exc)
            await send_ephemeral(interaction, error_text(exc))
            return
        self.answer = answer
        self._build()
        reply = self.source.format_page(answer)
        view = self if self.children else None
        if deferred:
            await interaction.edit_original_response(**reply.kwargs(), view=view)
        else:
            await interaction.response.edit_message(**reply.kwargs(), view=view)
        if view is None:
            self.stop()

    async def on_timeout(self) -> None:
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=None)
