"""The wire contract (docs/api-contract.md) as msgspec Structs: separate create and read shapes.

No ORM object crosses the wire; services build these from rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

__all__ = [
    "ArticleCreate",
    "ArticleDetail",
    "ArticlePage",
    "ArticleRef",
    "ArticleSummary",
    "ExtractRequest",
    "ExtractResponse",
    "Health",
    "Problem",
    "QuotePage",
    "QuoteRead",
    "Readiness",
    "SeenValue",
    "SpeakerDetail",
    "SpeakerHit",
    "SpeakerHitPage",
    "SpeakerMerge",
    "SpeakerRef",
    "SpeakerRename",
    "SpeakerSplit",
]

SpeakerKindName = Literal["person", "anonymous", "organisation"]
QuoteKindName = Literal["direct", "mixed", "indirect", "continuation"]

ShortText = Annotated[str, Meta(max_length=1000)]
UrlText = Annotated[str, Meta(max_length=2000)]
NameText = Annotated[str, Meta(min_length=1, max_length=300)]

EXAMPLE_TEXT = (
    "“I believe that going forward, they’re going to want us to be with them,” "
    "U.S. Central Command head Marine Gen. Kenneth McKenzie told reporters Tuesday."
)

# --- create shapes -------------------------------------------------------------


class ArticleCreate(Struct, forbid_unknown_fields=True, kw_only=True):
    """A news article to store; its quotes are extracted and their speakers tracked."""

    text: Annotated[str, Meta(description="The article text (limit: QUOTELENS_MAX_ARTICLE_CHARS).",
                              examples=[EXAMPLE_TEXT])]
    title: ShortText | None = None
    url: UrlText | None = None
    outlet: Annotated[str, Meta(max_length=300)] | None = None
    published: Annotated[date, Meta(description="Publication date, YYYY-MM-DD.")] | None = None


class ExtractRequest(Struct, forbid_unknown_fields=True):
    """A text to find quotes in; nothing is stored."""

    text: Annotated[str, Meta(examples=[EXAMPLE_TEXT])]


class SpeakerMerge(Struct, forbid_unknown_fields=True):
    """The speaker to fold into this one (its id, or its slug)."""

    other: int | str


class SpeakerSplit(Struct, forbid_unknown_fields=True):
    """An alias of this speaker that is really someone else: it becomes a speaker of its own."""

    alias: NameText


class SpeakerRename(Struct, forbid_unknown_fields=True):
    """The speaker's new display name; ingest keeps it from now on."""

    name: NameText


# --- read shapes ---------------------------------------------------------------


class SpeakerRef(Struct, kw_only=True):
    id: int
    slug: str
    name: str
    kind: SpeakerKindName


class SpeakerHit(SpeakerRef, kw_only=True):
    """A speaker search result."""

    score: Annotated[float, Meta(ge=0, le=100, description="How well the name matched, 0-100.")]
    quote_count: int
    aliases: list[str]
    roles: list[str]


class SeenValue(Struct, kw_only=True):
    value: str
    first_seen: date | None
    last_seen: date | None


class SpeakerDetail(SpeakerRef, kw_only=True):
    aliases: list[str]
    titles: list[SeenValue]
    roles: list[SeenValue]
    organisations: list[SeenValue]
    quote_count: int
    article_count: int
    first_seen: date | None
    last_seen: date | None


class ArticleRef(Struct, kw_only=True):
    id: int
    title: str | None
    outlet: str | None
    published: date | None
    url: str | None


class ArticleSummary(ArticleRef, kw_only=True):
    quote_count: int


class QuoteRead(Struct, kw_only=True):
    """One quote, with who said it, where, and the text around it."""

    id: int
    text: str
    kind: QuoteKindName
    start: Annotated[int, Meta(description="Offset of the quote in the article text (characters).")]
    end: int
    cue: str | None
    mention: str | None
    via: str | None
    confidence: float
    context: Annotated[str, Meta(description="About 200 characters of the article around the quote.")]
    speaker: SpeakerRef | None
    article: ArticleRef


class ArticleDetail(ArticleRef, kw_only=True):
    text: str
    content_hash: str
    created_at: datetime
    quotes: list[QuoteRead]


class SpeakerHitPage(Struct, kw_only=True):
    items: list[SpeakerHit]
    total: int
    limit: int
    offset: int


class QuotePage(Struct, kw_only=True):
    items: list[QuoteRead]
    total: int
    limit: int
    offset: int


class ArticlePage(Struct, kw_only=True):
    items: list[ArticleSummary]
    total: int
    limit: int
    offset: int


class ExtractResponse(Struct, kw_only=True):
    """The engine's quotes (`attribution.Quote.to_dict()` each)."""

    quotes: list[dict[str, Any]]


class Health(Struct, kw_only=True):
    status: str = "ok"


class Readiness(Struct, kw_only=True):
    status: Literal["ready", "unavailable"]
    database: bool
    pipeline: bool


class Problem(Struct, kw_only=True, omit_defaults=True):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


def to_builtins(value: Any) -> Any:
    """A Struct (or list of them) as plain JSON-ready values."""
    return msgspec.to_builtins(value)
