"""Ask the quotelens bot a question in plain English, from the terminal.

    quotelens ask "what did McKenzie say about troops"
    quotelens ask            # several questions, one per line; "more" pages on

The answer comes from the API at QUOTELENS_API_URL (default: a local
`quotelens serve`), through the same question-answering core as the Discord bot.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import httpx

NAME = "ask"
HELP = "ask a question in plain English (\"what did McKenzie say?\") through the API"

UNREACHABLE = (
    "Cannot reach the quotelens API at {url} ({reason}).\n"
    "Start it with `quotelens serve`, or point QUOTELENS_API_URL (or --api) at a running one."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "question",
        nargs="*",
        help="the question (quote it or not); none: ask several, one per line",
    )
    parser.add_argument("--api", metavar="URL", help="the API's base URL (default: QUOTELENS_API_URL)")
    parser.add_argument(
        "--limit", type=int, default=5, metavar="N", help="quotes per answer (default: 5, at most 100)"
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from quotelens.settings import get_settings

    settings = get_settings()
    url = (args.api or settings.api_url).rstrip("/")
    question = " ".join(args.question).strip()
    limit = max(1, min(int(args.limit), 100))
    return asyncio.run(ask(url, question, limit=limit, timeout=settings.api_timeout))


async def ask(
    url: str,
    question: str,
    *,
    limit: int = 5,
    timeout: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Answer one question, or read questions from stdin; 0 answered, 1 the API failed."""
    from bot.answers import Answer, Answerer, render_text
    from bot.client import ApiClient
    from bot.errors import ApiError, ApiUnavailable

    stream = stdin if stdin is not None else sys.stdin
    async with ApiClient(url, timeout=timeout, transport=transport) as api:
        answerer = Answerer(api, page_size=limit)
        interactive = not question
        previous: Answer | None = None
        while True:
            if interactive:
                if stream.isatty():
                    print("? ", end="", flush=True)
                line = stream.readline()
                if not line:
                    return 0
                question = line.strip()
                if not question:
                    continue
                if question.lower() in {"quit", "exit", "q"}:
                    return 0
            try:
                if interactive and question.lower() in {"more", "next", "m"} and previous and previous.has_next:
                    assert previous.query is not None
                    answer = await answerer.page(previous, previous.offset + previous.query.limit)
                else:
                    answer = await answerer.ask(question)
            except ApiUnavailable as exc:
                reason = str(exc.__cause__ or "") or (f"HTTP {exc.status}" if exc.status else "no answer")
                if isinstance(exc.__cause__, TimeoutError) or "Timeout" in type(exc.__cause__).__name__:
                    reason = f"no answer within {timeout:g} s"
                print(UNREACHABLE.format(url=url, reason=reason), file=sys.stderr)
                return 1
            except ApiError as exc:
                print(f"The API could not answer: {exc}", file=sys.stderr)
                return 1
            hint = " Type “more” for the next ones." if interactive else ""
            print(render_text(answer, more_hint=hint))
            if not interactive:
                return 0
            print()
            previous = answer
