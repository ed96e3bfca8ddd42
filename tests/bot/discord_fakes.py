"""Stand-ins for discord.py's Interaction and Message that record what would be sent.

They keep Discord's rules that matter here: an interaction is answered once
(send, defer or edit), after which only the followup webhook or the original
response can be used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
from discord.ext import commands

from bot.answers import Answerer
from bot.commands import QuoteCommands
from bot.discord_client import QuoteBot

BOT_ID = 987654321098765432

MENTION_RE = re.compile(r"<@[!&]?\d|@everyone|@here")


def unescaped(markup: str, text: str) -> bool:
    """Whether `markup` occurs in `text` without a backslash before it."""
    return re.search(r"(?<!\\)" + re.escape(markup), text) is not None


def assert_safe(sent: Sent) -> None:
    """What every message must be: no pings, no injected markup, within Discord's limits."""
    mentions = sent.kwargs["allowed_mentions"]
    assert isinstance(mentions, discord.AllowedMentions)
    assert mentions.to_dict() == discord.AllowedMentions.none().to_dict()
    assert mentions.everyone is False and mentions.users is False and mentions.roles is False
    assert mentions.replied_user is False
    assert len(sent.content or "") <= 2000  # Discord: message content
    embeds = sent.embeds
    assert len(embeds) <= 10
    assert sum(len(e) for e in embeds) <= 6000  # Discord: all embeds of a message
    for embed in embeds:
        data = embed.to_dict()
        assert len(data.get("title", "")) <= 256
        assert len(data.get("description", "")) <= 4096
        assert len(data.get("author", {}).get("name", "")) <= 256
        assert len(data.get("footer", {}).get("text", "")) <= 2048
        assert len(data.get("fields", [])) <= 25
        for f in data.get("fields", []):
            assert len(f["name"]) <= 256 and len(f["value"]) <= 1024
        if "url" in data:
            assert data["url"].startswith(("http://", "https://"))
    text = sent.all_text()
    assert not MENTION_RE.search(text), text
    # where Discord renders markdown (content, titles, descriptions, field values), none gets through;
    # author names, footers and labels are plain text in Discord and are only kept from pinging
    rendered = sent.markdown_text()
    for raw in ("**bold**", "__u__", "~~s~~", "||spoiler||", "`code`", "[click](", "\n# head"):
        assert not unescaped(raw, rendered), raw


@dataclass
class Sent:
    """One message or edit as it would reach Discord."""

    via: str
    content: str | None
    kwargs: dict[str, Any]

    @property
    def embeds(self) -> list[discord.Embed]:
        return list(self.kwargs.get("embeds") or [])

    @property
    def view(self) -> discord.ui.View | None:
        return self.kwargs.get("view")

    def all_text(self) -> str:
        """Every string a user would see: content and each embed's parts."""
        parts = [self.content or ""]
        for embed in self.embeds:
            data = embed.to_dict()
            parts += [data.get("title", ""), data.get("description", "")]
            parts.append(data.get("author", {}).get("name", ""))
            parts.append(data.get("footer", {}).get("text", ""))
            for f in data.get("fields", []):
                parts += [f["name"], f["value"]]
        view = self.view
        if view is not None:
            parts += [getattr(item, "label", "") or "" for item in view.children]
        return "\n".join(parts)


    def markdown_text(self) -> str:
        """The strings Discord renders as markdown: content, titles, descriptions, field values."""
        parts = [self.content or ""]
        for embed in self.embeds:
            data = embed.to_dict()
            parts += [data.get("title", ""), data.get("description", "")]
            parts += [f["value"] for f in data.get("fields", [])]
        return "\n".join(parts)


class FakeResponse:
    def __init__(self, log: list[Sent]) -> None:
        self._log = log
        self._done = False
        self.deferred: dict[str, Any] | None = None

    def is_done(self) -> bool:
        return self._done

    def _answer(self) -> None:
        if self._done:
            raise discord.InteractionResponded(MagicMock())
        self._done = True

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        self._answer()
        self._log.append(Sent("response.send_message", content, kwargs))

    async def defer(self, *, ephemeral: bool = False, thinking: bool = False) -> None:
        self._answer()
        self.deferred = {"ephemeral": ephemeral, "thinking": thinking}

    async def edit_message(self, **kwargs: Any) -> None:
        self._answer()
        self._log.append(Sent("response.edit_message", kwargs.pop("content", None), kwargs))


class FakeFollowup:
    def __init__(self, interaction: FakeInteraction) -> None:
        self._interaction = interaction

    async def send(self, content: str | None = None, **kwargs: Any) -> MagicMock:
        if not self._interaction.response.is_done():
            raise RuntimeError("followup before the interaction was answered")
        self._interaction.sent.append(Sent("followup.send", content, kwargs))
        return MagicMock(name="WebhookMessage")


@dataclass
class FakeInteraction:
    """Enough of `discord.Interaction` for the command tree, the cog and the views."""

    user_id: int = 1
    sent: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.user = SimpleNamespace(id=self.user_id, bot=False)
        self.response = FakeResponse(self.sent)
        self.followup = FakeFollowup(self)
        # what the command tree reads of an application command interaction
        self.type = discord.InteractionType.application_command
        self.data: dict[str, Any] = {}
        self.guild_id: int | None = None
        self.guild = None
        self._state = None
        self.command_failed = False

    @property
    def command(self) -> Any:
        """The command being run, as the tree records it (`Interaction.command`)."""
        return getattr(self, "_cs_command", None)

    async def original_response(self) -> MagicMock:
        if not self.response.is_done():
            raise RuntimeError("no response yet")
        message = MagicMock(name="InteractionMessage")
        message.edit = AsyncMock()
        return message

    async def edit_original_response(self, **kwargs: Any) -> None:
        if not self.response.is_done():
            raise RuntimeError("edit before the interaction was answered")
        self.sent.append(Sent("edit_original_response", kwargs.pop("content", None), kwargs))


class _Typing:
    def __init__(self, channel: FakeChannel) -> None:
        self.channel = channel

    async def __aenter__(self) -> None:
        self.channel.typing_entered += 1

    async def __aexit__(self, *exc: object) -> None:
        return None


class FakeChannel:
    def __init__(self) -> None:
        self.typing_entered = 0

    def typing(self) -> _Typing:
        return _Typing(self)


@dataclass
class FakeMessage:
    """Enough of `discord.Message` for the mention handler."""

    content: str
    author_id: int = 42
    author_bot: bool = False
    mentions_bot: bool = True
    in_guild: bool = True
    replies: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.author = SimpleNamespace(id=self.author_id, bot=self.author_bot)
        self.mentions = [SimpleNamespace(id=BOT_ID)] if self.mentions_bot else []
        self.role_mentions: list[Any] = []
        self.guild = SimpleNamespace(me=SimpleNamespace(roles=[])) if self.in_guild else None
        self.channel = FakeChannel()

    async def reply(self, content: str | None = None, **kwargs: Any) -> MagicMock:
        self.replies.append(Sent("message.reply", content, kwargs))
        return MagicMock(name="Message")


ME = SimpleNamespace(id=BOT_ID)


async def run_slash(bot: commands.Bot, interaction: FakeInteraction, command: str, /, **options: str | None) -> None:
    """A slash command as the gateway hands it to discord.py: through the bot's command tree.

    The tree finds the command, runs its checks (the cog's cooldown), converts the
    options and calls the cog's method; errors go to the cog's error handler.
    """
    interaction.data = {
        "type": 1,
        "id": "1",
        "name": command,
        "options": [{"name": k, "type": 3, "value": v} for k, v in options.items() if v is not None],
    }
    await bot.tree._call(interaction)  # type: ignore[arg-type]


class BotHarness:
    """The bot with its cog, driven with fake interactions and messages; nothing reaches Discord."""

    def __init__(self, answerer: Answerer, *, rate: int = 100, per: float = 60.0, defer_after: float = 5.0) -> None:
        self.bot = QuoteBot(answerer, cooldown_rate=rate, cooldown_seconds=per)
        self.cog = QuoteCommands(self.bot, answerer, self.bot.question_cooldown, defer_after=defer_after)
        self._loaded = False

    async def _load(self) -> None:
        if not self._loaded:
            await self.bot.add_cog(self.cog)
            self._loaded = True

    async def slash(self, interaction: FakeInteraction, command: str, /, **options: str | None) -> None:
        await self._load()
        await run_slash(self.bot, interaction, command, **options)

    async def said(self, interaction: FakeInteraction, speaker: str, topic: str | None = None) -> None:
        await self.slash(interaction, "said", speaker=speaker, topic=topic)

    async def speaker(self, interaction: FakeInteraction, name: str) -> None:
        await self.slash(interaction, "speaker", name=name)

    async def quotes(self, interaction: FakeInteraction, search: str) -> None:
        await self.slash(interaction, "quotes", search=search)

    async def speaker_choices(self, current: str) -> list[discord.app_commands.Choice[str]]:
        return await self.cog.speaker_choices(current)

    async def on_message(self, message: FakeMessage, me: Any) -> None:
        """A message as the cog's `on_message` listener gets it, with `me` as the bot's user."""
        await self._load()
        await self.cog.answer_mention(message, me)  # type: ignore[arg-type]
