"""English questions to intents: table-driven, as textacy tests its extractors."""

from __future__ import annotations

from datetime import date

import pytest

from bot.names import strip_titles
from bot.questions import (
    Help,
    Said,
    Search,
    WhoIs,
    extract_dates,
    parse_question,
    said_intent,
    search_intent,
)

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    "question, expected",
    [
        # what someone said
        ("what did McKenzie say", Said("McKenzie")),
        ("What did McKenzie say?", Said("McKenzie")),
        ("what did Gen. McKenzie say about troops", Said("Gen. McKenzie", topic="troops")),
        ("what did McKenzie say about the withdrawal?", Said("McKenzie", topic="withdrawal")),
        ("what has Sudani said since 2024", Said("Sudani", since=date(2024, 1, 1))),
        ("what has Sudani said since March 5, 2024?", Said("Sudani", since=date(2024, 3, 5))),
        ("what did Austin say in March 2023", Said("Austin", since=date(2023, 3, 1), until=date(2023, 3, 31))),
        ("what did Austin say between 2020 and 2022", Said("Austin", since=date(2020, 1, 1), until=date(2022, 12, 31))),
        ("quotes by McKenzie before 2021", Said("McKenzie", until=date(2020, 12, 31))),
        ("what did Caggins say after 2019", Said("Caggins", since=date(2020, 1, 1))),
        ("what did Austin say last year", Said("Austin", since=date(2024, 1, 1), until=date(2024, 12, 31))),
        ("what did Austin say until 2023-03-07", Said("Austin", until=date(2023, 3, 7))),
        ("latest quotes from Austin", Said("Austin", latest=True)),
        ("what's the latest from Austin", Said("Austin", latest=True)),
        ("show me the most recent quotes by Lloyd Austin", Said("Lloyd Austin", latest=True)),
        ("McKenzie quotes about troops", Said("McKenzie", topic="troops")),
        ("McKenzie's latest quotes", Said("McKenzie", latest=True)),
        ("did Caggins say anything about militias", Said("Caggins", topic="militias")),
        ("what is Sudani saying about the coalition", Said("Sudani", topic="coalition")),
        ("what McKenzie said about Iraq", Said("McKenzie", topic="Iraq")),
        ("what did McKenzie tell reporters about troops in Iraq", Said("McKenzie", topic="troops in Iraq")),
        ("what did Austin say on Tuesday about ISIS", Said("Austin", topic="ISIS")),
        ("what did Mckenzy say", Said("Mckenzy")),
        ("what did Kadhimi say", Said("Kadhimi")),
        ("what did a senior defense official say", Said("a senior defense official")),
        ("what did the Prime Minister say", Said("Prime Minister")),
        ("find quotes from Austin", Said("Austin")),
        ("hey, what did McKenzie say please", Said("McKenzie")),
        ("@quotelens what did McKenzie say?", Said("McKenzie")),
        ("<@123456789012345678> what did McKenzie say?", Said("McKenzie")),
        ("can you tell me what McKenzie said", Said("McKenzie")),
        ("what’s McKenzie said about troops", Said("McKenzie", topic="troops")),
        # who someone is
        ("who is Caggins", WhoIs("Caggins")),
        ("Who's Myles Caggins?", WhoIs("Myles Caggins")),
        ("who was Soleimani", WhoIs("Soleimani")),
        ("tell me about Caggins", WhoIs("Caggins")),
        # search
        ("who talked about Soleimani", Search("Soleimani", by_speaker=True)),
        ("who has spoken about the withdrawal?", Search("withdrawal", by_speaker=True)),
        ("who mentioned Soleimani since 2024", Search("Soleimani", since=date(2024, 1, 1), by_speaker=True)),
        ('who said "we will stay"', Search("we will stay", by_speaker=True)),
        ("quotes about withdrawal", Search("withdrawal")),
        ("show me quotes on the militias", Search("militias")),
        ("quotes mentioning ISIS in 2024", Search("ISIS", since=date(2024, 1, 1), until=date(2024, 12, 31))),
        ("what was said about Soleimani", Search("Soleimani")),
        ("what did people say about the withdrawal", Search("withdrawal")),
        ("search withdrawal", Search("withdrawal")),
        # not understood, or help asked for
        ("help", Help("help")),
        ("", Help("")),
        ("hello", Help("hello")),
        ("asdf qwerty", Help("asdf qwerty")),
        ("show me some quotes", Help("show me some quotes")),
        ("what did you say", Help("what did you say")),
        ("McKenzie", Help("McKenzie")),
    ],
)
def test_parse_question(question: str, expected: object) -> None:
    assert parse_question(question, TODAY) == expected


@pytest.mark.parametrize(
    "text, rest, since, until",
    [
        ("troops since 2024", "troops", date(2024, 1, 1), None),
        ("troops in 2020", "troops", date(2020, 1, 1), date(2020, 12, 31)),
        ("troops from 2020 to 2021", "troops", date(2020, 1, 1), date(2021, 12, 31)),
        ("troops before March 2021", "troops", None, date(2021, 2, 28)),
        ("troops since 2024-02", "troops", date(2024, 2, 1), None),
        ("troops this month", "troops", date(2025, 6, 1), date(2025, 6, 30)),
        ("the 2020 election", "the 2020 election", None, None),  # a bare year is part of the topic
        ("troops in Iraq", "troops in Iraq", None, None),
    ],
)
def test_extract_dates(text: str, rest: str, since: date | None, until: date | None) -> None:
    assert extract_dates(text, TODAY) == (rest, since, until)


@pytest.mark.parametrize(
    "name, bare",
    [
        ("Gen. McKenzie", "McKenzie"),
        ("Marine Gen. Kenneth McKenzie", "Kenneth McKenzie"),
        ("Defense Secretary Lloyd Austin", "Lloyd Austin"),
        ("Prime Minister Sudani", "Sudani"),
        ("McKenzie", "McKenzie"),
        ("General", "General"),  # never strips a name to nothing
    ],
)
def test_strip_titles(name: str, bare: str) -> None:
    assert strip_titles(name) == bare


def test_slash_command_fields_become_intents() -> None:
    assert said_intent("kenneth-mckenzie", "troops since 2024", TODAY) == Said(
        "kenneth-mckenzie", topic="troops", since=date(2024, 1, 1)
    )
    assert said_intent("  McKenzie ", None, TODAY) == Said("McKenzie")
    assert search_intent("withdrawal in 2024", TODAY) == Search(
        "withdrawal", since=date(2024, 1, 1), until=date(2024, 12, 31)
    )
    assert isinstance(search_intent("since 2024", TODAY), Help)
