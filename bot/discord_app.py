"""The Discord front: slash commands, answers to mentions, embeds and paging buttons.

`QuoteHandlers` holds the behaviour and is what the tests drive with mocked
interactions and messages; `QuoteBot` is the thin discord.py client that wires
it to the gateway; `run_bot` starts it. Everything shown comes from the core
(`bot.answers`), which talks to the API over HTTP.

Text taken from articles is untrusted: every message is sent with
`AllowedMentions.none()` and every piece of API text goes through `escape`, so a
quote can neither ping anyone nor break formatting. Messages stay within
Discord's limits (2,000 characters of content, 6,000 across a message's embeds).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import discord
from discord import app_commands

from .answers import Answer, Answerer, AnswerKind, clean_text
from .client import ApiClient
from .errors import ApiError, ApiUnavailable
from .models import Quote, Speaker, SpeakerHit
from .questions import WhoIs, said_intent, search_intent

__all__ = [
    "API_DOWN_TEXT",
    "AnswerView",
    "Cooldown",
    "DiscordReply",
    "QuoteBot",
    "QuoteHandlers",
    "TokenRedactor",
    "build_commands",
    "clip",
    "error_text",
    "escape",
    "inert",
    "profile_embed",
    "quote_embed",
    "render_answer",
    "run_bot",
]

log = logging.getLogger("quotelens.bot")

T = TypeVar("T")

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
EMBEDS_TOTAL_LIMIT = 6000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_AUTHOR_LIMIT = 256
EMBED_FOOTER_LIMIT = 2048
FIELD_VALUE_LIMIT = 1024
BUTTON_LABEL_LIMIT = 80
OUTLET_LIMIT = 100
CHOICE_NAME_LIMIT = 100
# Room kept under the 6,000 total for safety (rounding, a future field).
_EMBED_BUDGET = 5800
# A long quote is cut here even when the budget would allow more: the link has the rest.
_QUOTE_DESCRIPTION_MAX = 1500

# Interactions must be acknowledged within 3 s; past this, defer and answer later.
DEFER_AFTER_SECONDS = 1.5
AUTOCOMPLETE_TIMEOUT_SECONDS = 2.5
VIEW_TIMEOUT_SECONDS = 600.0

NO_MENTIONS = discord.AllowedMentions.none()

API_DOWN_TEXT = (
    "Sorry, I can't reach the quotes service right now. Please try again in a minute."
)
API_ERROR_TEXT = "Sorry, something went wrong while looking that up. Please try again later."
COOLDOWN_TEXT = "You're asking a little fast. Please try again in {seconds} s."

_COLOUR = discord.Colour(0x3B6EA5)
_MENTION_LIKE = re.compile(r"@(?=[!&]?\d)")
# <@…>, <#…>, <t:…>, </cmd:…>, <:emoji:…>, <a:emoji:…>: Discord's angle-bracket tokens.
_ANGLE_TOKEN = re.compile(r"<(?=[@#/:]|a:|t:)")
_ORDERED_LIST = re.compile(r"^(\s*\d+)\.(?=\s)", re.M)


# -- text safety ------------------------------------------------------------------


def escape(text: str) -> str:
    """Untrusted text made inert for Discord: no markdown, no mentions, no control characters."""
    text = clean_text(text)
    text = discord.utils.escape_markdown(text)
    text = _ORDERED_LIST.sub(r"\1\\.", text)
    text = discord.utils.escape_mentions(text)
    text = _MENTION_LIKE.sub("@\u200b", text)
    return _ANGLE_TOKEN.sub("<\u200b", text)


def inert(text: str) -> str:
    """Untrusted text for places Discord shows as plain text (author, footer, labels): no pings."""
    text = discord.utils.escape_mentions(clean_text(text))
    text = _MENTION_LIKE.sub("@\u200b", text)
    return _ANGLE_TOKEN.sub("<\u200b", text)


def clip(text: str, limit: int) -> str:
    """Text cut to `limit` characters with an ellipsis, never ending in half an escape."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:  # a lone backslash would escape the ellipsis
        cut = cut[:-1]
    return cut + "…"


def _http_url(url: str | None) -> str | None:
    """The URL if Discord will accept it as an embed link (http/https, sane length)."""
    if url and re.match(r"^https?://[^\s<>]+$", url) and len(url) <= 2000:
        return url
    return None


# -- answers as Discord messages ---------------------------------------------------------


@dataclass
class DiscordReply:
    """What one message will carry: content and embeds, within Discord's limits."""

    content: str
    embeds: list[discord.Embed] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        return {"content": self.content, "embeds": self.embeds, "allowed_mentions": NO_MENTIONS}


def _quote_line(quote: Quote) -> str:
    text = escape(quote.text.strip())
    return f"{text} *(reported speech)*" if quote.kind == "indirect" else f"“{text}”"


def quote_embed(quote: Quote, number: int, total: int, description_limit: int) -> discord.Embed:
    """One quote: speaker and role on top, the words, then the article it comes from."""
    article = quote.article
    embed = discord.Embed(
        title=clip(escape(article.title or "Untitled article"), EMBED_TITLE_LIMIT),
        url=_http_url(article.url),
        description=_clip_quote(_quote_line(quote), description_limit),
        colour=_COLOUR,
    )
    if quote.speaker is not None:
        embed.set_author(name=clip(inert(quote.speaker.name), EMBED_AUTHOR_LIMIT))
    footer = [
        clip(inert(article.outlet), OUTLET_LIMIT) if article.outlet else "",
        article.published.isoformat() if article.published else "",
    ]
    footer.append(f"{number} of {total}")
    embed.set_footer(text=clip(" · ".join(p for p in footer if p), EMBED_FOOTER_LIMIT))
    return embed


def _clip_quote(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    # keep the closing mark visible so a cut quote still reads as a quote
    closing = "”" if line.endswith("”") else ""
    return clip(line[: len(line) - len(closing)], limit - len(closing)) + closing


def _with_role(answer: Answer, embed: discord.Embed) -> discord.Embed:
    """Speaker label with role on quote embeds when the whole answer is one speaker's."""
    speaker = answer.query.speaker if answer.query else None
    if speaker is not None:
        embed.set_author(name=clip(inert(speaker.label), EMBED_AUTHOR_LIMIT))
    return embed


def _attr_values(values: list[Any]) -> str:
    return "; ".join(clean_text(v.value) for v in values)


def profile_embed(profile: Speaker) -> discord.Embed:
    """Who a speaker is: names, titles, roles, organisations, how often and when quoted."""
    others = [a for a in profile.aliases if a != profile.name]
    embed = discord.Embed(
        title=clip(escape(profile.name), EMBED_TITLE_LIMIT),
        description=clip(escape("Also called: " + "; ".join(others)), 1000) if others else None,
        colour=_COLOUR,
    )
    for label, values in (
        ("Titles", profile.titles),
        ("Roles", profile.roles),
        ("Organisations", profile.organisations),
    ):
        if values:
            embed.add_field(name=label, value=clip(escape(_attr_values(values)), FIELD_VALUE_LIMIT), inline=False)
    quoted = f"{profile.quote_count} time{'s' if profile.quote_count != 1 else ''} in {profile.article_count} article{'s' if profile.article_count != 1 else ''}"
    embed.add_field(name="Quoted", value=quoted, inline=True)
    if profile.first_seen:
        embed.add_field(name="First seen", value=profile.first_seen.isoformat(), inline=True)
    if profile.last_seen:
        embed.add_field(name="Last seen", value=profile.last_seen.isoformat(), inline=True)
    if profile.kind != "person":
        embed.set_footer(text=f"{inert(profile.kind)} source")
    return embed


def _choice_lines(choices: tuple[SpeakerHit, ...]) -> list[str]:
    lines = []
    for i, hit in enumerate(choices, 1):
        role = f" — {escape(hit.roles[0])}" if hit.roles else ""
        count = f"{hit.quote_count} quote{'s' if hit.quote_count != 1 else ''}"
        lines.append(f"{i}. **{escape(hit.name)}**{role} ({count})")
    return lines


def render_answer(answer: Answer) -> DiscordReply:
    """The answer as one Discord message: a short content line and an embed per quote."""
    lines = [f"**{escape(answer.headline)}**" if answer.kind is not AnswerKind.HELP else escape(answer.headline)]
    embeds: list[discord.Embed] = []
    if answer.kind is AnswerKind.HELP:
        lines.append("```\n" + "\n".join(n.strip() for n in answer.notes).replace("`", "'") + "\n```")
        lines.append("Or use `/said`, `/speaker` and `/quotes`.")
    if answer.kind in (AnswerKind.AMBIGUOUS, AnswerKind.UNKNOWN_SPEAKER):
        lines += _choice_lines(answer.choices)
        if answer.choices:
            lines.append("Pick one below, or ask again with the full name.")
    if answer.kind is AnswerKind.SPEAKER and answer.profile is not None:
        embeds.append(profile_embed(answer.profile))
    if answer.quotes:
        overhead = sum(len(e) for e in embeds) + len(answer.quotes) * (
            EMBED_TITLE_LIMIT + EMBED_AUTHOR_LIMIT + 120
        )
        per_quote = max(200, min(_QUOTE_DESCRIPTION_MAX, (_EMBED_BUDGET - overhead) // len(answer.quotes)))
        for i, quote in enumerate(answer.quotes, answer.offset + 1):
            embeds.append(_with_role(answer, quote_embed(quote, i, answer.total, per_quote)))
    if answer.kind is AnswerKind.QUOTES and answer.query is not None and answer.total > len(answer.quotes):
        lines.append(
            f"Page {answer.page_number} of {answer.page_count} · {answer.remaining} more after this page"
        )
    lines += [escape(n) for n in answer.notes] if answer.kind is not AnswerKind.HELP else []
    content = clip("\n".join(lines), CONTENT_LIMIT)
    return DiscordReply(content, _fit_embeds(embeds))


def _fit_embeds(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """Embeds trimmed (descriptions first, then whole embeds) to Discord's per-message total."""
    embeds = embeds[:10]
    while sum(len(e) for e in embeds) > EMBEDS_TOTAL_LIMIT:
        excess = sum(len(e) for e in embeds) - EMBEDS_TOTAL_LIMIT
        longest = max(embeds, key=lambda e: len(e.description or ""))
        description = longest.description or ""
        if len(description) > 200:
            longest.description = clip(description, max(100, len(description) - excess - 10))
        else:
            embeds.pop()
    return embeds


def error_text(exc: BaseException) -> str:
    """What to tell the asker when the API failed."""
    return API_DOWN_TEXT if isinstance(exc, ApiUnavailable) else API_ERROR_TEXT


# -- cooldown ---------------------------------------------------------------------------


class Cooldown:
    """A per-user sliding window: at most `rate` questions per `per` seconds."""

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate < 1 or per <= 0:
            raise ValueError("a cooldown needs rate >= 1 and per > 0")
        self.rate = rate
        self.per = per
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}

    def retry_after(self, user_id: int) -> float:
        """0 and the question counted when allowed; else the seconds left to wait."""
        now = self._clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.per:
            hits.popleft()
        if len(hits) >= self.rate:
            return hits[0] + self.per - now
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle users now and then
            self._hits = {u: h for u, h in self._hits.items() if h and h[-1] > now - self.per}
        return 0.0


# -- paging and choices ---------------------------------------------------------------


async def _with_deferral(
    interaction: discord.Interaction,
    work: Awaitable[T],
    defer_after: float,
    *,
    thinking: bool,
) -> tuple[T, bool]:
    """Await `work`, deferring the interaction first if it takes longer than `defer_after`."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=defer_after)
    deferred = False
    if not done:
        await interaction.response.defer(thinking=thinking)
        deferred = True
    return await task, deferred


class AnswerView(discord.ui.View):
    """Buttons under an answer: previous/next page, or the speakers to choose between."""

    def __init__(
        self, answerer: Answerer, answer: Answer, *, defer_after: float = DEFER_AFTER_SECONDS, timeout: float = VIEW_TIMEOUT_SECONDS
    ) -> None:
        super().__init__(timeout=timeout)
        self.answerer = answerer
        self.answer = answer
        self.defer_after = defer_after
        self.message: discord.Message | discord.InteractionMessage | discord.WebhookMessage | None = None
        self.previous_button: discord.ui.Button[AnswerView] | None = None
        self.next_button: discord.ui.Button[AnswerView] | None = None
        self._build()

    @staticmethod
    def wanted(answer: Answer) -> bool:
        """Whether an answer needs buttons at all."""
        pages = answer.query is not None and answer.total > answer.query.limit
        return pages or (answer.kind in (AnswerKind.AMBIGUOUS, AnswerKind.UNKNOWN_SPEAKER) and bool(answer.choices))

    def _build(self) -> None:
        self.clear_items()
        answer = self.answer
        if answer.query is not None and answer.total > answer.query.limit:
            self.previous_button = discord.ui.Button(label="◀ Previous", style=discord.ButtonStyle.secondary)
            self.next_button = discord.ui.Button(label="Next ▶", style=discord.ButtonStyle.primary)
            self.previous_button.disabled = not answer.has_previous
            self.next_button.disabled = not answer.has_next
            self.previous_button.callback = self._previous  # type: ignore[method-assign,assignment]
            self.next_button.callback = self._next  # type: ignore[method-assign,assignment]
            self.add_item(self.previous_button)
            self.add_item(self.next_button)
        if answer.kind in (AnswerKind.AMBIGUOUS, AnswerKind.UNKNOWN_SPEAKER):
            for hit in answer.choices[:5]:
                button: discord.ui.Button[AnswerView] = discord.ui.Button(
                    label=clip(inert(hit.name), BUTTON_LABEL_LIMIT) or str(hit.id),
                    style=discord.ButtonStyle.secondary,
                )
                button.callback = self._chooser(hit)  # type: ignore[method-assign,assignment]
                self.add_item(button)

    async def _previous(self, interaction: discord.Interaction) -> None:
        limit = self.answer.query.limit if self.answer.query else 1
        await self._show(interaction, self.answerer.page(self.answer, self.answer.offset - limit))

    async def _next(self, interaction: discord.Interaction) -> None:
        limit = self.answer.query.limit if self.answer.query else 1
        await self._show(interaction, self.answerer.page(self.answer, self.answer.offset + limit))

    def _chooser(self, hit: SpeakerHit) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
        async def choose(interaction: discord.Interaction) -> None:
            await self._show(interaction, self.answerer.choose(self.answer, hit))

        return choose

    async def _show(self, interaction: discord.Interaction, work: Awaitable[Answer]) -> None:
        """Replace the message with another answer (a page, or the chosen speaker's)."""
        try:
            answer, deferred = await _with_deferral(interaction, work, self.defer_after, thinking=False)
        except ApiError as exc:
            log.warning("API error while paging: %s", exc)
            await _send_ephemeral(interaction, error_text(exc))
            return
        self.answer = answer
        self._build()
        reply = render_answer(answer)
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


async def _send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


# -- the handlers -----------------------------------------------------------------------


class QuoteHandlers:
    """What the bot does for each slash command, autocomplete and mention."""

    def __init__(
        self,
        answerer: Answerer,
        cooldown: Cooldown,
        *,
        defer_after: float = DEFER_AFTER_SECONDS,
        view_timeout: float = VIEW_TIMEOUT_SECONDS,
    ) -> None:
        self.answerer = answerer
        self.cooldown = cooldown
        self.defer_after = defer_after
        self.view_timeout = view_timeout

    # slash commands

    async def said(self, interaction: discord.Interaction, speaker: str, topic: str | None = None) -> None:
        """/said speaker [topic]: what a speaker said, optionally about a topic (dates allowed)."""
        intent = said_intent(speaker, topic, self.answerer.today())
        await self._answer_interaction(interaction, lambda: self.answerer.answer(intent))

    async def speaker(self, interaction: discord.Interaction, name: str) -> None:
        """/speaker name: who a speaker is."""
        await self._answer_interaction(interaction, lambda: self.answerer.answer(WhoIs(name.strip())))

    async def quotes(self, interaction: discord.Interaction, search: str) -> None:
        """/quotes search: quotes about a topic."""
        intent = search_intent(search, self.answerer.today())
        await self._answer_interaction(interaction, lambda: self.answerer.answer(intent))

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

    async def _answer_interaction(
        self, interaction: discord.Interaction, make_answer: Callable[[], Awaitable[Answer]]
    ) -> None:
        wait = self.cooldown.retry_after(interaction.user.id)
        if wait > 0:
            await _send_ephemeral(interaction, COOLDOWN_TEXT.format(seconds=max(1, round(wait))))
            return
        try:
            answer, deferred = await _with_deferral(interaction, make_answer(), self.defer_after, thinking=True)
        except ApiError as exc:
            log.warning("API error answering /%s: %s", _command_name(interaction), exc)
            await _send_ephemeral(interaction, error_text(exc))
            return
        reply = render_answer(answer)
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
        if not AnswerView.wanted(answer):
            return None
        return AnswerView(self.answerer, answer, defer_after=self.defer_after, timeout=self.view_timeout)

    # mentions

    async def on_message(self, message: discord.Message, me: discord.abc.User | None) -> None:
        """Answer a plain-English question when the bot is mentioned (or in a direct message)."""
        if me is None or message.author.bot or message.author.id == me.id:
            return
        if not self._addressed(message, me):
            return
        question = re.sub(rf"<@!?{me.id}>", " ", message.content or "").strip()
        wait = self.cooldown.retry_after(message.author.id)
        if wait > 0:
            await message.reply(
                COOLDOWN_TEXT.format(seconds=max(1, round(wait))),
                allowed_mentions=NO_MENTIONS,
                mention_author=False,
            )
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
        reply = render_answer(answer)
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


def _command_name(interaction: discord.Interaction) -> str:
    command = getattr(interaction, "command", None)
    return getattr(command, "name", "?")


# -- commands and client -------------------------------------------------------------------


def build_commands(handlers: QuoteHandlers) -> list[app_commands.Command[Any, ..., Any]]:
    """The slash commands, each a few lines delegating to `handlers`."""

    @app_commands.command(name="said", description="What someone said, optionally about a topic")
    @app_commands.describe(
        speaker="Who said it (start typing a name)",
        topic="About what (optional; dates work too: 'troops since 2024')",
    )
    async def said(
        interaction: discord.Interaction,
        speaker: app_commands.Range[str, 1, 100],
        topic: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        await handlers.said(interaction, speaker, topic)

    @app_commands.command(name="speaker", description="Who someone is: roles, organisations, how often quoted")
    @app_commands.describe(name="The speaker's name (start typing)")
    async def speaker(interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        await handlers.speaker(interaction, name)

    @app_commands.command(name="quotes", description="Quotes about a topic")
    @app_commands.describe(search="Words to look for, e.g. withdrawal or Soleimani")
    async def quotes(interaction: discord.Interaction, search: app_commands.Range[str, 1, 200]) -> None:
        await handlers.quotes(interaction, search)

    async def speaker_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await handlers.speaker_choices(current)

    said.autocomplete("speaker")(speaker_autocomplete)
    speaker.autocomplete("name")(speaker_autocomplete)
    return [said, speaker, quotes]


class QuoteBot(discord.Client):
    """The discord.py client: gateway connection, command tree, mention events."""

    def __init__(self, handlers: QuoteHandlers, *, guild_id: int | None = None) -> None:
        # Default intents only: messages that mention the bot, and direct messages,
        # carry their content without the privileged message-content intent.
        super().__init__(intents=discord.Intents.default(), allowed_mentions=NO_MENTIONS)
        self.handlers = handlers
        self.guild_id = guild_id
        self.tree = app_commands.CommandTree(self)
        for command in build_commands(handlers):
            self.tree.add_command(command)
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        if self.guild_id:
            guild = discord.Object(id=self.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("registered %d slash commands", len(synced))
        if not await self.handlers.answerer.api.is_healthy():
            log.warning(
                "the quotelens API at %s is not answering; questions will get a polite apology until it is",
                self.handlers.answerer.api.base_url,
            )

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s", self.user)

    async def on_message(self, message: discord.Message) -> None:
        await self.handlers.on_message(message, self.user)

    async def _on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("slash command /%s failed", _command_name(interaction), exc_info=error)
        with contextlib.suppress(discord.HTTPException):
            await _send_ephemeral(interaction, API_ERROR_TEXT)

    async def close(self) -> None:
        await super().close()
        await self.handlers.answerer.api.aclose()


class TokenRedactor(logging.Filter):
    """Replaces the bot token in any log record, should anything ever try to log it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in record.getMessage():
            record.msg = record.getMessage().replace(self.token, "[redacted]")
            record.args = None
        return True


def run_bot(
    token: str,
    api_url: str,
    *,
    api_timeout: float,
    cooldown_rate: int,
    cooldown_seconds: float,
    guild_id: int | None = None,
) -> None:
    """Connect to Discord and answer until stopped (blocks)."""
    handler = logging.StreamHandler()
    handler.addFilter(TokenRedactor(token))
    discord.utils.setup_logging(handler=handler, root=True)
    api = ApiClient(api_url, timeout=api_timeout)
    handlers = QuoteHandlers(Answerer(api, page_size=3), Cooldown(cooldown_rate, cooldown_seconds))
    bot = QuoteBot(handlers, guild_id=guild_id)
    log.info("starting the Discord bot against the API at %s", api_url)
    bot.run(token, log_handler=None)

