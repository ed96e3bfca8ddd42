"""The Discord client: a `commands.Bot` that loads the cog, registers the slash commands, and runs.

    run_bot(token, "http://127.0.0.1:8000", api_timeout=10, cooldown_rate=3, cooldown_seconds=30)

`QuoteBot` holds what the cog needs (the core over the API client, the askers'
cooldown) and loads the cog in `setup_hook` (RoboDanny's `bot.py`); `run_bot`
sets up logging with the token redacted and blocks until stopped.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from .answers import Answerer
from .client import ApiClient
from .commands import question_cooldown
from .rendering import NO_MENTIONS

__all__ = ["EXTENSIONS", "QuoteBot", "TokenRedactor", "run_bot"]

log = logging.getLogger("quotelens.bot")

# The cogs, loaded in this order by `setup_hook`.
EXTENSIONS = ("bot.commands",)


class QuoteBot(commands.Bot):
    """The discord.py client: gateway connection, the cog with the commands, the command tree."""

    def __init__(
        self,
        answerer: Answerer,
        *,
        cooldown_rate: int,
        cooldown_seconds: float,
        guild_id: int | None = None,
    ) -> None:
        # Default intents only: messages that mention the bot, and direct messages,
        # carry their content without the privileged message-content intent.
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents.default(),
            allowed_mentions=NO_MENTIONS,
        )
        self.answerer = answerer
        self.question_cooldown = question_cooldown(cooldown_rate, cooldown_seconds)
        self.guild_id = guild_id

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.guild_id:
            guild = discord.Object(id=self.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("registered %d slash commands", len(synced))
        if not await self.answerer.api.is_healthy():
            log.warning(
                "the quotelens API at %s is not answering; questions will get a polite apology until it is",
                self.answerer.api.base_url,
            )

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s", self.user)

    async def on_message(self, message: discord.Message, /) -> None:
        # No prefix commands: questions come as slash commands, or as mentions that the
        # cog's listener answers. `Bot.on_message` would read a mention as an unknown command.
        return None

    async def close(self) -> None:
        await super().close()
        await self.answerer.api.aclose()


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
    bot = QuoteBot(
        Answerer(api, page_size=3),
        cooldown_rate=cooldown_rate,
        cooldown_seconds=cooldown_seconds,
        guild_id=guild_id,
    )
    log.info("starting the Discord bot against the API at %s", api_url)
    bot.run(token, log_handler=None)
