"""The wire contract (docs/api-contract.md) as msgspec Structs: separate create and read shapes.

The API answers these; its clients read them. No ORM object crosses the wire;
services build these from rows. The kinds of quotes and speakers are defined
here once; the store's check constraints and its queries use these tuples.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

import msgspec
from msgspec import Meta, Struct

__all__ = [
    "ATTRIBUTE_TYPES",
    "QUOTE_KINDS",
    "SPEAKER_KINDS",
    "ArticleCreate",
    "ArticleDetail",
    "ArticlePage",
    "ArticleRef",
    "ArticleSummary",
    "ArticleUpdate",
    "AttributeType",
    "OutletCount",
    "OutletCounts",
    "SpeakerCount",
    "SpeakerCounts",
    "UnnamedShare",
    "WeekCount",
    "WeekCounts",
    "ExtractRequest",
    "ExtractResponse",
    "ExtractedQuote",
    "ExtractedSpeaker",
    "Health",
    "JobRead",
    "JobState",
    "Page",
    "Problem",
    "QuoteKind",
    "QuotePage",
    "QuoteRead",
    "Readiness",
    "SeenValue",
    "SpeakerDetail",
    "SpeakerHit",
    "SpeakerHitPage",
    "SpeakerKind",
    "SpeakerMerge",
    "SpeakerRef",
    "SpeakerRename",
    "SpeakerSplit",
]

SpeakerKind = Literal["person", "anonymous", "organisation"]
QuoteKind = Literal["direct", "mixed", "indirect", "continuation"]
AttributeType = Literal["title", "role", "organisation"]
SPEAKER_KINDS: tuple[str, ...] = get_args(SpeakerKind)
QUOTE_KINDS: tuple[str, ...] = get_args(QuoteKind)
ATTRIBUTE_TYPES: tuple[str, ...] = get_args(AttributeType)

ShortText = Annotated[str, Meta(max_length=1000)]
UrlText = Annotated[str, Meta(max_length=2000)]
NameText = Annotated[str, Meta(min_length=1, max_length=300)]

EXAMPLE_TEXT = (
    "“I believe that going forward, they’re going to want us to be with them,” "
    "U.S. Central Command head Marine Gen. Kenneth McKenzie told reporters Tuesday."
)

# --- create shapes -------------------------------------------------------------


class ArticleCreate(Struct, forbid_unknown_fields=True, kw_only=True):
    """A news article to store; its quotes are extracted and their speakers tracked.

    Give one of: `text`; `html` (a web page: its article text, title, outlet, date and
    byline are read from it); or `url` alone (the server fetches the page). Any of
    title, outlet, published given here wins over what the page says.
    """

    text: Annotated[str, Meta(description="The article text (limit: QUOTELENS_MAX_ARTICLE_CHARS).",
                              examples=[EXAMPLE_TEXT])] | None = None
    html: Annotated[str, Meta(description="A web page's HTML, as its site served it; with `url`, its address.")] \
        | None = None
    title: ShortText | None = None
    url: Annotated[str, Meta(max_length=2000, description=(
        "The article's address. Alone (no text, no html): the server fetches it (http or https; "
        "a public address unless QUOTELENS_FETCH_ALLOW_PRIVATE)."))] | None = None
    outlet: Annotated[str, Meta(max_length=300)] | None = None
    published: Annotated[date, Meta(description="Publication date, YYYY-MM-DD.")] | None = None


class ArticleUpdate(Struct, forbid_unknown_fields=True, kw_only=True):
    """Corrections to a stored article's details: a field left out stays, null clears it.

    A new `published` date moves the article's quotes to that day (none: the article
    sorts last and is in no since/until range).
    """

    title: ShortText | None | msgspec.UnsetType = msgspec.UNSET
    outlet: Annotated[str, Meta(max_length=300)] | None | msgspec.UnsetType = msgspec.UNSET
    published: Annotated[date, Meta(description="Publication date, YYYY-MM-DD.")] | None | msgspec.UnsetType = \
        msgspec.UNSET
    url: UrlText | None | msgspec.UnsetType = msgspec.UNSET
    authors: Annotated[list[NameText], Meta(max_length=50, description="The byline's names (never speakers).")] \
        | None | msgspec.UnsetType = msgspec.UNSET


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
    kind: SpeakerKind


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
    kind: QuoteKind
    start: Annotated[int, Meta(description="Offset of the quote in the article text (characters).")]
    end: int
    cue: str | None
    mention: str | None
    via: str | None
    confidence: Annotated[float, Meta(description="0-1: how likely the speaker is the right one (calibrated).")]
    context: Annotated[str, Meta(description="About 200 characters of the article around the quote.")]
    speaker: Annotated[SpeakerRef | None, Meta(
        description="Who said it; null when no speaker was found or when the speaker is uncertain "
                    "(`speaker_uncertain`: the likely speaker is then in `speaker_guess`).")]
    article: ArticleRef
    speaker_uncertain: Annotated[bool, Meta(
        description="The speaker's confidence is below the service's threshold: the words are kept, the name "
                    "is not given as the speaker (`speaker` is null).")] = False
    speaker_guess: Annotated[SpeakerRef | None, Meta(
        description="When `speaker_uncertain`: the speaker the engine found, to be shown as a guess at most; "
                    "null otherwise.")] = None


class ArticleDetail(ArticleRef, kw_only=True):
    text: str
    content_hash: str
    created_at: datetime
    quotes: list[QuoteRead]
    authors: Annotated[list[str], Meta(description="The byline: the article's writers (never speakers).")] = []
    language: Annotated[str | None, Meta(description="ISO 639-1 code of the text's language, when known.")] = None
    skipped: Annotated[str | None, Meta(description="Why no quotes were extracted (another language).")] = None


T = TypeVar("T")


class Page(Struct, Generic[T], kw_only=True):
    """One page of a list: `items` from `offset` on, at most `limit` of them, `total` in all."""

    items: list[T]
    total: int
    limit: int
    offset: int
    total_is_estimate: Annotated[bool, Meta(description=(
        "`total` is an estimate (quote searches matching more than 100 quotes; on PostgreSQL also other "
        "listings but a speaker's or an outlet's), not a count."
    ))] = False


def rounded_estimate(total: int) -> int:
    """An estimated total as people are told it: to two significant figures (3,713 -> 3,700), below 100 as it is."""
    if total < 100:
        return total
    step = 10 ** (len(str(total)) - 2)
    return round(total / step) * step


class QuotePage(Page[QuoteRead], kw_only=True):
    """A page of quotes, and the speaker confidence a quote needed to be listed."""

    min_confidence: Annotated[float, Meta(
        description="Quotes below this speaker confidence were left out (0: none were).")] = 0.0


SpeakerHitPage = Page[SpeakerHit]
ArticlePage = Page[ArticleSummary]


class ExtractedSpeaker(Struct, kw_only=True):
    """Who the engine found saying a quote, with what the text tells about them."""

    name: str
    key: Annotated[str, Meta(description="The name reduced for matching: the same person gives the same key.")]
    kind: SpeakerKind
    titles: list[str]
    roles: list[str]
    organisations: list[str]
    gender: Annotated[str | None, Meta(
        description='A person\'s gender as the text tells it ("m", "f": honorific, gendered role, pronouns); '
                    "null when it does not.")] = None


class ExtractedQuote(Struct, kw_only=True):
    """One quote the engine found; offsets are characters in the posted text (`attribution.Quote`)."""

    start: Annotated[int, Meta(description="Offset of the quote in the text (characters).")]
    end: int
    text: str
    kind: QuoteKind
    speaker: Annotated[str | None, Meta(description="The speaker's resolved name.")]
    speaker_key: str | None
    speaker_kind: SpeakerKind | None
    speaker_start: Annotated[int | None, Meta(description="Offset of the speaker's mention, if any.")]
    speaker_end: int | None
    mention: Annotated[str | None, Meta(description="The words that name the speaker in the text.")]
    cue: Annotated[str | None, Meta(description="The reporting word (\"said\", \"told\", ...).")]
    cue_lemma: str | None
    cue_start: int | None
    cue_end: int | None
    via: Annotated[str | None, Meta(description="How the speaker was found when not named at the cue.")]
    confidence: Annotated[float, Meta(description="0-1: how sure the engine is of the attribution.")]
    evidence: dict[str, str]
    speaker_info: ExtractedSpeaker | None
    group: Annotated[int, Meta(description="Quotes that are parts of one attribution share a group number.")]


class ExtractResponse(Struct, kw_only=True):
    """The quotes the engine found in a text, in text order; nothing was stored."""

    quotes: list[ExtractedQuote]


JobState = Literal["queued", "active", "complete", "failed"]


class JobRead(Struct, kw_only=True):
    """An article in the ingest queue: waiting, being stored, stored (with the article), or given up on."""

    id: Annotated[str, Meta(description="The job's id: the article's content hash.")]
    status: JobState
    attempts: Annotated[int, Meta(description="Tries begun so far (a try cut short by a lost worker counts).")]
    error: Annotated[str | None, Meta(description="Why the last try failed, if one did.")] = None
    article: Annotated[ArticleDetail | None, Meta(description="The stored article, once complete.")] = None


class Health(Struct, kw_only=True):
    status: str = "ok"


class Readiness(Struct, kw_only=True):
    status: Literal["ready", "unavailable"]
    database: bool
    pipeline: bool
    # False while the NLP queue would refuse a new text (POST /api/extract, /api/articles: 503).
    nlp_queue: bool = True


class Problem(Struct, kw_only=True, omit_defaults=True):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


# --- aggregates (for charts and dashboards) ---------------------------------------


class SpeakerCount(Struct, kw_only=True):
    speaker: SpeakerRef
    quotes: int


class SpeakerCounts(Struct, kw_only=True):
    """The most quoted speakers of a period (article dates, both ends included; null: open)."""

    since: date | None
    until: date | None
    items: list[SpeakerCount]


class WeekCount(Struct, kw_only=True):
    week: Annotated[date, Meta(description="The Monday the ISO week starts on.")]
    quotes: int


class WeekCounts(Struct, kw_only=True):
    """Quotes per week of a period, every week present (0 when none)."""

    since: date | None
    until: date | None
    speaker: SpeakerRef | None
    outlet: str | None
    items: list[WeekCount]


class OutletCount(Struct, kw_only=True):
    outlet: str | None
    articles: int
    quotes: int


class OutletCounts(Struct, kw_only=True):
    since: date | None
    until: date | None
    items: list[OutletCount]


class UnnamedShare(Struct, kw_only=True):
    """How many quotes of a period come from unnamed sources ("a senior official") or no one known."""

    since: date | None
    until: date | None
    quotes: int
    unnamed: int
    share: Annotated[float, Meta(ge=0, le=1)]


def to_builtins(value: Any) -> Any:
    """A Struct (or list of them) as plain JSON-ready values."""
    return msgspec.to_builtins(value)
