"""`quotelens ask` and `quotelens bot` from the command line."""

from __future__ import annotations

import io

import httpx
import pytest
from bot_fake_api import FakeApi

from quotelens import cli
from quotelens.commands import ask as ask_command


async def test_ask_answers_one_question(fake_api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    code = await ask_command.ask("http://quotelens.test", "what did McKenzie say", limit=2, transport=fake_api.transport)
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("What Kenneth McKenzie (U.S. Central Command head) said (4 quotes, newest first):")
    assert "“The killing of Soleimani changed the relationship,”" in out
    assert "https://example.org/a3" in out
    assert "…and 2 more." in out
    assert fake_api.requests[-1].url.params["limit"] == "2"


async def test_ask_reads_questions_and_pages_with_more(fake_api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.StringIO("what did McKenzie say\nmore\n\nwho is Caggins\nquit\nnever asked\n")
    code = await ask_command.ask("http://quotelens.test", "", limit=3, transport=fake_api.transport, stdin=stdin)
    out = capsys.readouterr().out
    assert code == 0
    assert "Type “more” for the next ones." in out
    assert "4. he was confident that ongoing talks" in out  # the second page, numbered on
    assert "Roles: Operation Inherent Resolve (OIR) Spokesman" in out
    assert "never asked" not in out


async def test_ask_when_the_api_cannot_be_reached(capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    code = await ask_command.ask("http://127.0.0.1:9", "what did McKenzie say", transport=httpx.MockTransport(refuse))
    err = capsys.readouterr().err
    assert code == 1
    assert "Cannot reach the quotelens API at http://127.0.0.1:9 (Connection refused)" in err
    assert "quotelens serve" in err and "QUOTELENS_API_URL" in err


async def test_ask_when_the_api_times_out(capsys: pytest.CaptureFixture[str]) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    code = await ask_command.ask("http://x", "who is Caggins", timeout=2, transport=httpx.MockTransport(slow))
    assert code == 1
    assert "no answer within 2 s" in capsys.readouterr().err


async def test_ask_on_an_api_error(fake_api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    fake_api.status_override = 500
    code = await ask_command.ask("http://x", "who is Caggins", transport=fake_api.transport)
    assert code == 1
    assert "The API could not answer" in capsys.readouterr().err


async def test_ask_help_for_a_question_not_understood(fake_api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    code = await ask_command.ask("http://x", "make me a sandwich", transport=fake_api.transport)
    assert code == 0
    assert "what did McKenzie say" in capsys.readouterr().out


def test_cli_knows_ask_and_bot() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["ask", "what", "did", "McKenzie", "say", "--limit", "7", "--api", "http://h:1"])
    assert args.question == ["what", "did", "McKenzie", "say"] and args.limit == 7 and args.api == "http://h:1"
    assert parser.parse_args(["bot", "--guild", "42"]).guild == 42


def test_ask_command_end_to_end_without_an_api(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from quotelens.settings import get_settings

    monkeypatch.setenv("QUOTELENS_API_URL", "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.setenv("QUOTELENS_API_TIMEOUT", "2")
    get_settings.cache_clear()
    try:
        assert cli.main(["ask", "who is Caggins"]) == 1
    finally:
        get_settings.cache_clear()
    assert "Cannot reach the quotelens API at http://127.0.0.1:9" in capsys.readouterr().err


def test_bot_without_a_token(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from quotelens.settings import get_settings

    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    get_settings.cache_clear()
    try:
        assert cli.main(["bot"]) == 2
    finally:
        get_settings.cache_clear()
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


def test_bot_with_a_rejected_token_never_prints_it(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import discord

    import bot.discord_client
    from quotelens.settings import get_settings

    token = "MTIz.not-a-real-token.xyz"
    seen: dict[str, object] = {}

    def fake_run_bot(given: str, api_url: str, **kwargs: object) -> None:
        seen.update(token=given, api_url=api_url, **kwargs)
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(bot.discord_client, "run_bot", fake_run_bot)
    monkeypatch.setenv("DISCORD_TOKEN", token)
    monkeypatch.setenv("QUOTELENS_API_URL", "http://api:8000/")
    monkeypatch.setenv("QUOTELENS_BOT_COOLDOWN_RATE", "4")
    get_settings.cache_clear()
    try:
        assert cli.main(["bot"]) == 1
    finally:
        get_settings.cache_clear()
    captured = capsys.readouterr()
    assert token not in captured.out + captured.err
    assert "Discord refused the token" in captured.err
    assert seen["token"] == token and seen["api_url"] == "http://api:8000"
    assert seen["cooldown_rate"] == 4 and seen["cooldown_seconds"] == 30.0 and seen["guild_id"] is None
