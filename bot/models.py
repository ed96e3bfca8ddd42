"""The API's wire shapes as the bot reads them (see docs/api-contract.md).

Defined here, not imported from `api`: the bot is a client of the HTTP contract
only. Unknown fields are ignored so the API can grow without breaking the bot.
"""

from __future__ import annotations

from datetime import date
from typing import Generic, Literal, TypeVar

import msgspec

__all__ = [
    "ArticleRef",
    "Attribute",
    "Page",
    "Quote",
    "QuoteKind",
    "Speaker",
    "SpeakerHit",
    "SpeakerKind",
    "SpeakerRef",
]

T = TypeVar("T")

SpeakerKind = Literal["person", "anonymous", "organisation"]
QuoteKind = Literal["direct", "mixed", "indirect", "continuation"]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list endpoint."""

    items: list[T]
    total: int
    limit: int
    offset: int
    total_is_estimate: bool = False  # `total` is the API's estimate (a search with many matches), not a count


class SpeakerRef(msgspec.Struct):
    """A speaker as embedded in a quote."""

    id: int
    slug: str
    name: str
    kind: str = "person"


class SpeakerHit(msgspec.Struct):
    """A speaker found by a fuzzy name search, with how well it matched (0-100)."""

    id: int
    slug: str
    name: str
    kind: str = "person"
    score: float = 0.0
    quote_count: int = 0
    aliases: list[str] = msgspec.field(default_factory=list)
    roles: list[str] = msgspec.field(default_factory=list)


class Attribute(msgspec.Struct):
    """A title, role or organisation of a speaker, with when it was seen."""

    value: str
    first_seen: date | None = None
    last_seen: date | None = None


class Speaker(msgspec.Struct):
    """A speaker in full: names, titles, roles, organisations and how often quoted."""

    id: int
    slug: str
    name: str
    kind: str = "person"
    aliases: list[str] = msgspec.field(default_factory=list)
    titles: list[Attribute] = msgspec.field(default_factory=list)
    roles: list[Attribute] = msgspec.field(default_factory=list)
    organisations: list[Attribute] = msgspec.field(default_factory=list)
    quote_count: int = 0
    article_count: int = 0
    first_seen: date | None = None
    last_seen: date | None = None


class ArticleRef(msgspec.Struct):
    """The article a quote comes from."""

    id: int
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    url: str | None = None


class Quote(msgspec.Struct):
    """One quote: its verbatim text, who said it and where."""

    id: int
    text: str
    article: ArticleRef
    kind: str = "direct"
    speaker: SpeakerRef | None = None
    cue: str | None = None
    mention: str | None = None
    context: str = ""
    confidence: float = 0.0
    # The API's word that the speaker's confidence is below its threshold: the words are
    # shown, the name is not asserted (`speaker` is then null; the engine's guess, never
    # shown as the speaker, is `speaker_guess`).
    speaker_uncertain: bool = False
    speaker_guess: SpeakerRef | None = None
