"""From an intent to an answer: the API calls, speaker resolution, and the plain-text form.

    >>> answerer = Answerer(ApiClient("http://127.0.0.1:8000"))
    >>> answer = await answerer.ask("what did McKenzie say about troops")
    >>> print(render_text(answer))

An `Answer` is structured (quotes, a speaker's profile, choices) so the Discord
front can build embeds from it, and renders as plain text for the terminal.
Speaker names are resolved with the API's fuzzy search (`GET /api/speakers?q=`):
one clear match is used; several close matches are asked back as choices; no
match says so and offers the nearest speakers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from rapidfuzz import fuzz, process, utils

from quotelens.contract import rounded_estimate

from .client import ApiClient
from .errors import ApiNotFound
from .models import Quote, Speaker, SpeakerHit, SpeakerRef
from .names import fold, name_forms, name_score, strip_titles
from .questions import Intent, Said, Search, WhoIs, parse_question

__all__ = [
    "AMBIGUITY_MARGIN",
    "LOCAL_MATCH_SCORE",
    "MATCH_MIN_SCORE",
    "SPEAKER_UNCERTAIN",
    "Answer",
    "AnswerKind",
    "Answerer",
    "QuoteQuery",
    "ResolvedSpeaker",
    "Resolution",
    "HELP_TEXT",
    "article_line",
    "clean_text",
    "render_quote_text",
    "render_text",
]

# A speaker search hit scoring below this (0-100) is a suggestion, not a match.
MATCH_MIN_SCORE = 70.0
# Shown instead of a name when the API marks a quote's speaker uncertain.
SPEAKER_UNCERTAIN = "speaker uncertain"
# The bot's own name similarity (0-100) above which it trusts its re-ranking of the hits.
LOCAL_MATCH_SCORE = 75.0
# Hits within this many points of the best are too close to choose between: ask back.
AMBIGUITY_MARGIN = 5.0
# How many close matches or nearest names to offer.
MAX_CHOICES = 5
# "who talked about X" counts speakers over at most this many quotes (the API's page cap).
SPEAKER_TALLY_LIMIT = 100

HELP_TEXT = """\
Ask me about quotes in the news, for example:
  what did McKenzie say
  what did Gen. McKenzie say about troops
  what has Sudani said since 2024
  latest quotes from Austin
  who is Caggins
  who talked about Soleimani
  quotes about withdrawal"""

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
# "#12": a speaker by id, as the Discord autocomplete hands it over.
_ID_REF = re.compile(r"^#(\d{1,18})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class AnswerKind(StrEnum):
    """What sort of answer it is; the fronts pick a layout by it."""

    QUOTES = "quotes"  # a page of quotes (by a speaker, or about a topic)
    NO_QUOTES = "no_quotes"  # the question was understood but nothing matches
    SPEAKER = "speaker"  # a speaker's profile
    AMBIGUOUS = "ambiguous"  # several speakers match: which one?
    UNKNOWN_SPEAKER = "unknown_speaker"  # nobody by that name; nearest offered
    HELP = "help"  # not understood: what can be asked


@dataclass(frozen=True)
class ResolvedSpeaker:
    """A speaker the question was taken to mean, with what the answer shows of them."""

    id: int
    slug: str
    name: str
    kind: str = "person"
    roles: tuple[str, ...] = ()
    quote_count: int = 0

    @property
    def label(self) -> str:
        """The name with the first role: "Kenneth McKenzie (U.S. Central Command head)"."""
        return f"{self.name} ({self.roles[0]})" if self.roles else self.name

    @classmethod
    def from_hit(cls, hit: SpeakerHit) -> ResolvedSpeaker:
        return cls(hit.id, hit.slug, hit.name, hit.kind, tuple(hit.roles), hit.quote_count)

    @classmethod
    def from_speaker(cls, speaker: Speaker) -> ResolvedSpeaker:
        roles = tuple(a.value for a in speaker.roles) or tuple(a.value for a in speaker.titles)
        return cls(speaker.id, speaker.slug, speaker.name, speaker.kind, roles, speaker.quote_count)


@dataclass(frozen=True)
class Resolution:
    """The outcome of looking a name up: a speaker, or choices, or the nearest names."""

    speaker: ResolvedSpeaker | None = None
    choices: tuple[SpeakerHit, ...] = ()  # several close matches
    nearest: tuple[SpeakerHit, ...] = ()  # no match; these come closest


@dataclass(frozen=True)
class QuoteQuery:
    """A pageable request for quotes: by a speaker and/or about a topic, within dates."""

    speaker: ResolvedSpeaker | None = None
    topic: str | None = None
    since: date | None = None
    until: date | None = None
    latest: bool = False
    limit: int = 3


@dataclass(frozen=True)
class Answer:
    """What the bot says back, structured for embeds and renderable as text."""

    kind: AnswerKind
    headline: str
    quotes: tuple[Quote, ...] = ()
    total: int = 0
    offset: int = 0
    query: QuoteQuery | None = None
    profile: Speaker | None = None
    choices: tuple[SpeakerHit, ...] = ()
    speakers: tuple[tuple[SpeakerRef, int], ...] = ()  # who talked about it, with counts
    intent: Intent | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def remaining(self) -> int:
        """How many more quotes there are after this page."""
        return max(0, self.total - self.offset - len(self.quotes))

    @property
    def has_next(self) -> bool:
        return self.query is not None and self.remaining > 0

    @property
    def has_previous(self) -> bool:
        return self.query is not None and self.offset > 0

    @property
    def page_number(self) -> int:
        limit = self.query.limit if self.query else max(1, len(self.quotes))
        return self.offset // limit + 1

    @property
    def page_count(self) -> int:
        limit = self.query.limit if self.query else max(1, len(self.quotes))
        return max(1, -(-self.total // limit))


def _name_forms(hit: SpeakerHit) -> set[str]:
    """The spellings a user could mean a speaker by: names, aliases and their surnames."""
    return name_forms((hit.name, *hit.aliases), person=hit.kind == "person")


def _name_score(query_forms: set[str], hit: SpeakerHit) -> float:
    """How well an asked name fits a speaker (0-100): typos and partial names forgiven."""
    return name_score(query_forms, _name_forms(hit))


def _date_phrase(since: date | None, until: date | None) -> str:
    if since and until:
        if since == until:
            return f" on {since.isoformat()}"
        return f" between {since.isoformat()} and {until.isoformat()}"
    if since:
        return f" since {since.isoformat()}"
    if until:
        return f" until {until.isoformat()}"
    return ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Answerer:
    """The question-answering core: one per API client, shared by `quotelens ask` and the bot."""

    def __init__(
        self,
        api: ApiClient,
        *,
        page_size: int = 3,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.api = api
        self.page_size = page_size
        self.today = today

    async def ask(self, question: str) -> Answer:
        """Answer an English question."""
        return await self.answer(parse_question(question, self.today()))

    async def answer(self, intent: Intent, speaker: ResolvedSpeaker | None = None) -> Answer:
        """Answer a parsed intent; `speaker` skips name resolution (a choice already made)."""
        if isinstance(intent, Said):
            return await self._said(intent, speaker)
        if isinstance(intent, WhoIs):
            return await self._who_is(intent, speaker)
        if isinstance(intent, Search):
            return await self._search(intent)
        return Answer(AnswerKind.HELP, HELP_TEXT.splitlines()[0], intent=intent, notes=tuple(HELP_TEXT.splitlines()[1:]))

    async def choose(self, answer: Answer, choice: SpeakerHit) -> Answer:
        """Answer an ambiguous question again with the speaker the asker picked."""
        if answer.intent is None:
            raise ValueError("this answer has no question to re-ask")
        return await self.answer(answer.intent, ResolvedSpeaker.from_hit(choice))

    async def page(self, answer: Answer, offset: int) -> Answer:
        """Another page of the same quotes (offset clamped to what exists)."""
        if answer.query is None:
            raise ValueError("this answer has no pages")
        offset = max(0, min(offset, max(0, answer.total - 1)))
        return await self._quotes_page(answer.query, offset, answer.intent, answer.speakers)

    # -- speakers -----------------------------------------------------------

    async def resolve_speaker(self, name: str) -> Resolution:
        """The speaker a name means, or the close choices, or the nearest names."""
        name = name.strip()
        if m := _ID_REF.match(name):  # an autocomplete choice: exactly this speaker
            try:
                return Resolution(ResolvedSpeaker.from_speaker(await self.api.get_speaker(int(m[1]))))
            except ApiNotFound:
                return Resolution()
        if _SLUG.match(name):
            try:
                return Resolution(ResolvedSpeaker.from_speaker(await self.api.get_speaker(name)))
            except ApiNotFound:
                pass
        hits = list((await self.api.search_speakers(name, limit=10)).items)
        bare = strip_titles(name)
        if bare != name and (not hits or hits[0].score < MATCH_MIN_SCORE):
            merged = {h.id: h for h in hits}
            for h in (await self.api.search_speakers(bare, limit=10)).items:
                if h.id not in merged or merged[h.id].score < h.score:
                    merged[h.id] = h
            hits = sorted(merged.values(), key=lambda h: -h.score)
        hits.sort(key=lambda h: (-h.score, -h.quote_count))
        good = [h for h in hits if h.score >= MATCH_MIN_SCORE]
        if not good:
            return Resolution(nearest=tuple(hits[:3]) or await self._nearest(bare))
        # Re-rank the API's candidates by how well the asked name fits each one's names,
        # aliases and surname: the API's score is tuned for search, not for picking one.
        query_forms = {fold(name), fold(bare)} - {""}
        scored = [(_name_score(query_forms, h), h) for h in good]
        best = max(score for score, _ in scored)
        if best < LOCAL_MATCH_SCORE:
            # the API found names like it, but none is this name ("Frank McKenzie" is not Kenneth)
            ranked = [h for _, h in sorted(scored, key=lambda sh: -sh[0])]
            return Resolution(nearest=tuple(ranked[:3]))
        close = [h for score, h in sorted(scored, key=lambda sh: -sh[0]) if score >= best - AMBIGUITY_MARGIN]
        people = [h for h in close if h.kind == "person"]
        if len(close) > 1 and people:
            # A name in a question means a person rather than an organisation or an
            # unnamed source that shares it ("McKenzie" the general, not "McKenzie's comments").
            close = people
        if len(close) > 1:
            # "Iraq" is the speaker called exactly that, not "Iraq's parliament"
            exact = [h for h in close if query_forms & {fold(n) for n in (h.name, *h.aliases)}]
            if len(exact) == 1:
                close = exact
        if len(close) == 1:
            return Resolution(ResolvedSpeaker.from_hit(close[0]))
        return Resolution(choices=tuple(close[:MAX_CHOICES]))

    async def _nearest(self, name: str) -> tuple[SpeakerHit, ...]:
        """When the API's search finds nobody, the closest names among the most quoted."""
        everyone = (await self.api.search_speakers(None, limit=100)).items
        if not everyone:
            return ()
        ranked = process.extract(
            name,
            {i: h.name for i, h in enumerate(everyone)},
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=3,
        )
        return tuple(everyone[key] for _, _, key in ranked)

    async def suggest_speakers(self, prefix: str, limit: int = 25) -> list[SpeakerHit]:
        """Speakers for an autocomplete box: the best matches of what is typed, or the most quoted."""
        page = await self.api.search_speakers(prefix.strip() or None, limit=limit)
        return list(page.items)

    def _unresolved(self, name: str, resolution: Resolution, intent: Intent) -> Answer:
        if resolution.choices:
            return Answer(
                AnswerKind.AMBIGUOUS,
                f"“{name}” could mean {len(resolution.choices)} speakers. Which one do you mean?",
                choices=resolution.choices,
                intent=intent,
            )
        if resolution.nearest:
            return Answer(
                AnswerKind.UNKNOWN_SPEAKER,
                f"I don't know anyone called “{name}”. The nearest names I know:",
                choices=resolution.nearest,
                intent=intent,
            )
        return Answer(
            AnswerKind.UNKNOWN_SPEAKER,
            f"I don't know anyone called “{name}”, and nobody has been quoted yet.",
            intent=intent,
        )

    # -- intents -------------------------------------------------------------

    async def _said(self, intent: Said, speaker: ResolvedSpeaker | None) -> Answer:
        if speaker is None:
            resolution = await self.resolve_speaker(intent.speaker)
            if resolution.speaker is None:
                return self._unresolved(intent.speaker, resolution, intent)
            speaker = resolution.speaker
        query = QuoteQuery(
            speaker=speaker,
            topic=intent.topic,
            since=intent.since,
            until=intent.until,
            latest=intent.latest,
            limit=self.page_size,
        )
        answer = await self._quotes_page(query, 0, intent)
        narrowed = bool(intent.topic or intent.since or intent.until)
        if answer.kind is AnswerKind.NO_QUOTES and narrowed and speaker.quote_count:
            hint = f"{speaker.name} has {_plural(speaker.quote_count, 'quote')} in all; try without the topic or dates."
            answer = replace(answer, notes=(*answer.notes, hint))
        return answer

    async def _who_is(self, intent: WhoIs, speaker: ResolvedSpeaker | None) -> Answer:
        if speaker is None:
            resolution = await self.resolve_speaker(intent.name)
            if resolution.speaker is None:
                return self._unresolved(intent.name, resolution, intent)
            speaker = resolution.speaker
        profile = await self.api.get_speaker(speaker.id)
        latest = await self.api.speaker_quotes(profile.id, limit=1)
        notes = [f"Ask “what did {profile.name} say” for their quotes."] if latest.total else []
        return Answer(
            AnswerKind.SPEAKER,
            profile.name,
            quotes=tuple(latest.items),
            total=latest.total,
            profile=profile,
            intent=intent,
            notes=tuple(notes),
        )

    async def _search(self, intent: Search) -> Answer:
        query = QuoteQuery(
            topic=intent.topic, since=intent.since, until=intent.until, limit=self.page_size
        )
        speakers: tuple[tuple[SpeakerRef, int], ...] = ()
        if intent.by_speaker:
            tally_page = await self.api.search_quotes(
                q=intent.topic, since=intent.since, until=intent.until, limit=SPEAKER_TALLY_LIMIT
            )
            counts: Counter[int] = Counter()
            refs: dict[int, SpeakerRef] = {}
            for q in tally_page.items:
                if q.speaker is not None and not q.speaker_uncertain:
                    counts[q.speaker.id] += 1
                    refs[q.speaker.id] = q.speaker
            speakers = tuple((refs[i], n) for i, n in counts.most_common())
        return await self._quotes_page(query, 0, intent, speakers)

    async def _quotes_page(
        self,
        query: QuoteQuery,
        offset: int,
        intent: Intent | None,
        speakers: tuple[tuple[SpeakerRef, int], ...] = (),
    ) -> Answer:
        if query.speaker is not None:
            page = await self.api.speaker_quotes(
                query.speaker.id,
                q=query.topic,
                since=query.since,
                until=query.until,
                limit=query.limit,
                offset=offset,
            )
        else:
            page = await self.api.search_quotes(
                q=query.topic, since=query.since, until=query.until, limit=query.limit, offset=offset
            )
        about = f" about “{query.topic}”" if query.topic else ""
        when = _date_phrase(query.since, query.until)
        if page.total == 0:
            if query.speaker is not None:
                headline = f"I have no quotes from {query.speaker.label}{about}{when}."
            else:
                headline = f"Nobody is quoted{about}{when}."
            return Answer(AnswerKind.NO_QUOTES, headline, query=query, intent=intent)
        count = (f"about {_plural(rounded_estimate(page.total), 'quote')}" if page.total_is_estimate
                 else _plural(page.total, "quote"))
        if query.speaker is not None:
            lead = "Latest from" if query.latest else "What"
            said = "" if query.latest else " said"
            headline = f"{lead} {query.speaker.label}{said}{about}{when} ({count}, newest first):"
        elif isinstance(intent, Search) and intent.by_speaker and speakers:
            who = ", ".join(f"{ref.name} ({n})" for ref, n in speakers[:5])
            more = f" and {len(speakers) - 5} more" if len(speakers) > 5 else ""
            people = _plural(len(speakers), "speaker")
            headline = f"{people} talked{about}{when}: {who}{more}. {count}, newest first:"
        else:
            headline = f"{count}{about}{when}, newest first:"
        return Answer(
            AnswerKind.QUOTES,
            headline,
            quotes=tuple(page.items),
            total=page.total,
            offset=offset,
            query=query,
            intent=intent,
            speakers=speakers,
        )


# -- plain text ---------------------------------------------------------------


def clean_text(text: str) -> str:
    """Text from an article made safe for a terminal: no control or bidi characters."""
    return _CONTROL.sub("", text)


def render_quote_text(quote: Quote) -> str:
    """The quote verbatim: in quotation marks when it was quoted, marked when reported."""
    text = clean_text(quote.text).strip()
    if quote.kind == "indirect":
        return f"{text} (reported speech)"
    return f"“{text}”"


def article_line(quote: Quote) -> str:
    """Where a quote comes from: “Title”, Outlet, 2020-09-09."""
    a = quote.article
    parts = [f"“{clean_text(a.title)}”" if a.title else "an untitled article"]
    if a.outlet:
        parts.append(clean_text(a.outlet))
    if a.published:
        parts.append(a.published.isoformat())
    return ", ".join(parts)


def _profile_lines(profile: Speaker) -> list[str]:
    lines: list[str] = []
    others = [a for a in profile.aliases if a != profile.name]
    if others:
        lines.append("Also called: " + "; ".join(clean_text(a) for a in others))
    for label, values in (
        ("Titles", profile.titles),
        ("Roles", profile.roles),
        ("Organisations", profile.organisations),
    ):
        if values:
            lines.append(f"{label}: " + "; ".join(clean_text(v.value) for v in values))
    quoted = (
        f"Quoted {_plural(profile.quote_count, 'time')} in {_plural(profile.article_count, 'article')}"
    )
    if profile.first_seen and profile.last_seen and profile.first_seen != profile.last_seen:
        quoted += f", first seen {profile.first_seen.isoformat()}, last seen {profile.last_seen.isoformat()}"
    elif profile.first_seen or profile.last_seen:
        seen = profile.first_seen or profile.last_seen
        assert seen is not None
        quoted += f", seen {seen.isoformat()}"
    lines.append(quoted + ".")
    if profile.kind != "person":
        lines.append(f"Kind: {profile.kind} source.")
    return lines


def render_text(answer: Answer, *, more_hint: str = "") -> str:
    """The answer as plain text for a terminal."""
    lines = [clean_text(answer.headline)]
    if answer.kind is AnswerKind.SPEAKER and answer.profile is not None:
        lines += _profile_lines(answer.profile)
        if answer.quotes:
            lines += ["", "Latest quote:"]
    if answer.kind in (AnswerKind.AMBIGUOUS, AnswerKind.UNKNOWN_SPEAKER) and answer.choices:
        for i, hit in enumerate(answer.choices, 1):
            role = f", {clean_text(hit.roles[0])}" if hit.roles else ""
            lines.append(f"  {i}. {clean_text(hit.name)}{role} ({_plural(hit.quote_count, 'quote')})")
        if answer.kind is AnswerKind.AMBIGUOUS:
            lines.append("Ask again with the full name.")
    for i, quote in enumerate(answer.quotes, answer.offset + 1):
        if quote.speaker_uncertain:
            speaker = f"{SPEAKER_UNCERTAIN}, in "
        else:
            speaker = f"{clean_text(quote.speaker.name)}, in " if quote.speaker else "in "
        lines.append("")
        lines.append(f"{i}. {render_quote_text(quote)}")
        lines.append(f"   — {speaker}{article_line(quote)}")
        if quote.article.url:
            lines.append(f"     {clean_text(quote.article.url)}")
    if answer.kind is AnswerKind.QUOTES and answer.remaining:
        lines += ["", f"…and {answer.remaining} more.{more_hint}"]
    if answer.notes:
        if answer.kind is not AnswerKind.HELP:
            lines.append("")
        lines += [clean_text(note) for note in answer.notes]
    return "\n".join(lines).strip("\n")
