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
    """Enough of `discord.Interaction` for the handlers and views."""

    user_id: int = 1
    sent: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.user = SimpleNamespace(id=self.user_id, bot=False)
        self.response = FakeResponse(self.sent)
        self.followup = FakeFollowup(self)
        self.command = SimpleNamespace(name="said")

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
