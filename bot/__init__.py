"""The chat front of quotelens: a question-answering core over the HTTP API, for Discord and the terminal.

    >>> async with ApiClient("http://127.0.0.1:8000") as api:
    ...     answer = await Answerer(api).ask("what did McKenzie say about troops")
    ...     print(render_text(answer))

`bot` talks to the API over HTTP only and never imports `api` or `attribution`.

    questions   English questions to intents (pure)
    names       name folding, titles, how well a name fits (pure; the bot's own, no spaCy)
    client      the HTTP client of the API; models: the wire shapes it reads
    answers     intents to answers through the client; the plain-text form
    rendering   answers as Discord messages: escaping, embeds, limits
    views       the page source and the paging/choice buttons
    commands    the cog: /said, /speaker, /quotes, mentions, the askers' cooldown
    discord_client  the commands.Bot that loads the cog; run_bot

The Discord modules are not imported here, so the core and `quotelens ask`
load without discord.py.
"""

from .answers import Answer, Answerer, AnswerKind, QuoteQuery, ResolvedSpeaker, render_text
from .client import ApiClient
from .errors import ApiBadResponse, ApiError, ApiNotFound, ApiUnavailable, BotError
from .questions import Help, Intent, Said, Search, WhoIs, parse_question

__all__ = [
    "Answer",
    "AnswerKind",
    "Answerer",
    "ApiBadResponse",
    "ApiClient",
    "ApiError",
    "ApiNotFound",
    "ApiUnavailable",
    "BotError",
    "Help",
    "Intent",
    "QuoteQuery",
    "ResolvedSpeaker",
    "Said",
    "Search",
    "WhoIs",
    "parse_question",
    "render_text",
]
