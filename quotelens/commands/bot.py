"""Run the quotelens Discord bot.

Reads the bot token from DISCORD_TOKEN and talks to the API at
QUOTELENS_API_URL. Slash commands /said, /speaker, /quotes, and plain-English
questions when the bot is mentioned. Stop with Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys

NAME = "bot"
HELP = "run the Discord bot (token from DISCORD_TOKEN, API from QUOTELENS_API_URL)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", metavar="URL", help="the API's base URL (default: QUOTELENS_API_URL)")
    parser.add_argument(
        "--guild",
        type=int,
        metavar="ID",
        help="register slash commands in this server at once (default: DISCORD_GUILD_ID, else globally)",
    )


def run(args: argparse.Namespace) -> int:
    from quotelens.settings import get_settings

    settings = get_settings()
    token = settings.discord_token.strip()
    if not token:
        print(
            "DISCORD_TOKEN is not set: create a bot at https://discord.com/developers/applications, "
            "then export DISCORD_TOKEN=… (never commit it).",
            file=sys.stderr,
        )
        return 2

    import discord

    from bot.discord_client import run_bot

    try:
        run_bot(
            token,
            (args.api or settings.api_url).rstrip("/"),
            api_timeout=settings.api_timeout,
            cooldown_rate=settings.bot_cooldown_rate,
            cooldown_seconds=settings.bot_cooldown_seconds,
            guild_id=args.guild or settings.discord_guild_id,
        )
    except discord.LoginFailure:
        # discord.py's own message names no token; neither does ours.
        print("Discord refused the token in DISCORD_TOKEN (invalid or revoked).", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print("Discord refused the bot's intents; check the bot's settings in the developer portal.", file=sys.stderr)
        return 1
    return 0
