"""Storing articles and their quotes, and attaching each quote's speaker to a tracked speaker.

Idempotent by content hash: the same text is one article however often, and
however concurrently, it is posted. Each article is written with its quotes,
mentions and speaker changes in one transaction.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import cast
from urllib.parse import urlsplit

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.ingest.text import content_hash, make_context, prepare_article_text
from api.speakers.directory import SpeakerDirectory
from api.speakers.index import AliasInfo, SpeakerEntry, SpeakerIndex, normalised_alias
from api.speakers.slugs import slug_base, unique_slugs
from api.speakers.stats import MentionFacts, add_article_stats, recompute_speakers
from api.store.chunks import chunked
from api.store.db import Store
from api.store.models import Article, Mention, Quote, Speaker, SpeakerAlias
from api.store.values import check_text, clip, seen_day
from attribution.names import name_tokens, speaker_key
from attribution.records import Quote as EngineQuote
from attribution.records import Speaker as EngineSpeaker
from quotelens.contract import QUOTE_KINDS, SPEAKER_KINDS
from quotelens.errors import InvalidInput, NotFound

__all__ = ["DETAILS", "ArticleInput", "IngestOutcome", "IngestService", "PreparedArticle", "prepare_article"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """An article as it arrives: from the API, a file or a JSON line."""

    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: date | None = None
    authors: tuple[str, ...] = ()  # the byline: stored with the article, never speakers
    language: str | None = None  # ISO 639-1, when known
    source_url: str | None = None  # where it was fetched from, when not `url`
    skipped: str | None = None  # why no quotes are to be extracted (another language)


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An article checked and ready to store: its text in final form and its content hash."""

    text: str
    content_hash: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: date | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    source_url: str | None = None
    skipped: str | None = None


def _optional(value: str | None, field_name: str) -> str | None:
    if value is None:
        return None
    value = check_text(value, field_name).strip()
    return value or None


def _web_url(value: str | None) -> str | None:
    """An article's address: http or https only (a javascript: or data: URL would be served as a link)."""
    url = _optional(value, "url")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidInput("url must be an http:// or https:// address", field="url")
    return url


def prepare_article(article: ArticleInput, max_chars: int) -> PreparedArticle:
    """Check an article (InvalidInput when it cannot be stored) and give its stored form."""
    text = prepare_article_text(article.text, max_chars)
    return PreparedArticle(
        text=text,
        content_hash=content_hash(text),
        title=_optional(article.title, "title"),
        url=_web_url(article.url),
        outlet=_optional(article.outlet, "outlet"),
        published=article.published,
        authors=tuple(a for a in (_optional(n, "authors") for n in article.authors) if a),
        language=_optional(article.language, "language"),
        source_url=_optional(article.source_url, "url"),
        skipped=article.skipped,
    )


@dataclass(slots=True)
class IngestOutcome:
    """What storing one article did."""

    article_id: int
    created: bool
    quotes: int = 0
    speakers_new: int = 0
    speakers_matched: int = 0
    updated: bool = False  # stored before, and its details (title, date, ...) were changed now


# An article's details that a correction (PATCH) or the same text with new details changes,
# with the length each column takes.
DETAILS: dict[str, int | None] = {"title": 1000, "outlet": 300, "url": 2000, "published": None, "authors": 300}


def _details_of(article: PreparedArticle) -> dict[str, object]:
    """The details an article arrived with (only those it has: a missing one never clears a stored one)."""
    given: dict[str, object] = {}
    for name, limit in DETAILS.items():
        value = getattr(article, name)
        if name == "authors":
            if value:
                given[name] = [clip(a, 300) for a in value]
        elif value is not None:
            given[name] = clip(value, limit) if isinstance(value, str) and limit else value
    return given


def _differences(row: object, changes: dict[str, object]) -> dict[str, object]:
    """The changes that differ from what the stored article (any object with its details) has."""
    changed: dict[str, object] = {}
    for name, value in changes.items():
        if name == "authors":
            value = list(value or [])  # type: ignore[call-overload]
            if list(getattr(row, name) or []) != value:
                changed[name] = value
        elif getattr(row, name) != value:
            changed[name] = value
    return changed


@dataclass(slots=True)
class _Attached:
    facts: dict[int, MentionFacts] = field(default_factory=dict)
    new: set[int] = field(default_factory=set)
    matched: set[int] = field(default_factory=set)
    quotes: int = 0


# Speakers an article introduces carry these ids until they are inserted: below any
# stored id and ascending in order of creation, so ties among them break as they
# would between stored speakers.
_PROVISIONAL_ID = -(1 << 40)

# Written with Core statements: batched, and no ORM objects to track.
_ARTICLES = cast(Table, Article.__table__)
_SPEAKERS = cast(Table, Speaker.__table__)
_ALIASES = cast(Table, SpeakerAlias.__table__)
_QUOTES = cast(Table, Quote.__table__)
_MENTIONS = cast(Table, Mention.__table__)


@dataclass(slots=True)
class _NewSpeaker:
    """A speaker an article introduces, before it is inserted."""

    provisional_id: int
    first_name: str  # the name it was first quoted under: its slug is made from it
    kind: str


@dataclass(frozen=True, slots=True)
class _AliasUse:
    """The first time an article calls a speaker by a name."""

    speaker_id: int
    name: str
    kind: str
    speaker: EngineSpeaker


@dataclass(frozen=True, slots=True)
class _PlacedQuote:
    quote: EngineQuote
    speaker: EngineSpeaker | None
    name: str | None
    speaker_id: int | None  # provisional for a new speaker


@dataclass(slots=True)
class _Placement:
    """Where an article's quotes go among the speakers, worked out before anything is written."""

    quotes: list[_PlacedQuote] = field(default_factory=list)
    new: list[_NewSpeaker] = field(default_factory=list)
    alias_uses: list[_AliasUse] = field(default_factory=list)
    matched: set[int] = field(default_factory=set)


def _valid_quotes(quotes: Sequence[EngineQuote], text_length: int) -> list[EngineQuote]:
    """The quotes that can be stored, in text order."""
    return [q for q in sorted(quotes, key=lambda q: (q.start, q.end)) if _valid_quote(q, text_length)]


def _place_quotes(
    index: SpeakerIndex, article_id: int, quotes: Sequence[EngineQuote], threshold: float
) -> _Placement:
    """Resolve each quote's speaker to a tracked one or to a speaker new in this article.

    Pure: `index` (current under the write lock) is read, never changed. A new
    speaker's names count for the rest of the article at once, so a later
    mention of it matches it rather than making another.
    """
    placement = _Placement()
    pending = SpeakerIndex()  # speakers created for this article
    resolved: dict[tuple[str, str], int] = {}
    aliases_seen: set[tuple[int, str]] = set()
    for q in quotes:
        speaker = q.speaker
        name = clip((speaker.name or "").strip(), 300) if speaker is not None else None
        speaker_id: int | None = None
        if speaker is not None and name:
            kind = speaker.kind if speaker.kind in SPEAKER_KINDS else "person"
            group = (kind, speaker.key or normalised_alias(name, kind))
            if group not in resolved:
                resolved[group] = _resolve(index, pending, placement, article_id, speaker, name, kind, threshold)
            speaker_id = resolved[group]
            if (speaker_id, name) not in aliases_seen:
                aliases_seen.add((speaker_id, name))
                placement.alias_uses.append(_AliasUse(speaker_id, name, kind, speaker))
                entry = pending.get(speaker_id)
                if entry is not None:
                    info = AliasInfo(
                        name, normalised_alias(name, kind), kind, False, article_id if kind == "anonymous" else None
                    )
                    pending.upsert(SpeakerEntry(id=entry.id, slug=entry.slug, name=entry.name, kind=entry.kind,
                                                aliases=(*entry.aliases, info)))
        placement.quotes.append(_PlacedQuote(q, speaker, name, speaker_id))
    return placement


def _resolve(
    index: SpeakerIndex,
    pending: SpeakerIndex,
    placement: _Placement,
    article_id: int,
    speaker: EngineSpeaker,
    name: str,
    kind: str,
    threshold: float,
) -> int:
    """The tracked speaker this article's speaker is, or a new one (provisional id) when none fits."""
    attributes = [*speaker.titles, *speaker.roles, *speaker.organisations]
    gender = speaker.gender if kind == "person" else None
    known = index.match(name, kind, article_id=article_id, attributes=attributes, threshold=threshold, gender=gender)
    fresh = pending.match(name, kind, article_id=article_id, attributes=attributes, threshold=threshold,
                          gender=gender)
    best = max((m for m in (known, fresh) if m is not None), key=lambda m: m[1], default=None)
    if best is not None:
        placement.matched.add(best[0].id)
        return best[0].id
    speaker_id = _PROVISIONAL_ID + len(placement.new)
    placement.new.append(_NewSpeaker(speaker_id, name, kind))
    pending.upsert(SpeakerEntry(id=speaker_id, slug="", name=name, kind=kind))
    return speaker_id


def _fuller_name(current: str, current_kind: str, locked: bool, name: str, kind: str) -> str:
    """A person's display name after being quoted as `name`: a name with more words replaces it."""
    if (
        not locked
        and current_kind == "person"
        and kind == "person"
        and len(name_tokens(name)) > len(name_tokens(current))
    ):
        return name
    return current


def _valid_quote(q: EngineQuote, text_length: int) -> bool:
    ok = 0 <= q.start <= q.end <= text_length and q.kind in QUOTE_KINDS and bool(q.text)
    if not ok:
        log.warning("dropping a quote the engine returned with bad offsets or kind: %r", q)
    return ok


def _finite(x: float) -> float:
    return min(1.0, max(0.0, x)) if math.isfinite(x) else 0.5


class IngestService:
    """Stores articles and tracks their speakers."""

    def __init__(self, store: Store, directory: SpeakerDirectory, *, match_threshold: float = 85.0) -> None:
        self.store = store
        self.directory = directory
        self.match_threshold = match_threshold

    async def find_article(self, hash_: str) -> int | None:
        """The id of the article with this content hash, if stored."""
        async with self.store.read() as session:
            return await session.scalar(select(Article.id).where(Article.content_hash == hash_))

    async def known_url(self, url: str) -> bool:
        """Whether an article read from this address (its canonical URL or where it was fetched) is stored."""
        return await self.find_by_url(url) is not None

    async def find_by_url(self, url: str) -> int | None:
        """The article read from this address (its canonical URL or where it was fetched), if stored."""
        async with self.store.read() as session:
            return await session.scalar(
                select(Article.id).where((Article.url == url) | (Article.source_url == url))
                .order_by(Article.id).limit(1)
            )

    async def stored_hashes(self, hashes: Sequence[str]) -> set[str]:
        """Which of these content hashes are stored already."""
        found: set[str] = set()
        async with self.store.read() as session:
            for chunk in chunked(hashes):
                found.update(
                    (await session.scalars(select(Article.content_hash).where(Article.content_hash.in_(chunk)))).all()
                )
        return found

    async def ingest(self, article: PreparedArticle, quotes: Sequence[EngineQuote]) -> IngestOutcome:
        """Store an article with its quotes, or find it stored already (created=False)."""
        try:
            async with self.directory.writing() as session:
                existing = await session.scalar(
                    select(Article.id).where(Article.content_hash == article.content_hash)
                )
                if existing is not None:
                    # The same text again: new details (a date, a better title) correct the stored ones.
                    updated = await self._change_details(session, existing, _details_of(article))
                    return IngestOutcome(existing, created=False, updated=updated)
                seen_on = seen_day(article.published)  # undated: last in every read, outside date ranges
                stored = _valid_quotes(quotes, len(article.text))
                article_id = await session.scalar(
                    insert(_ARTICLES)
                    .values(
                        content_hash=article.content_hash,
                        title=clip(article.title, 1000),
                        outlet=clip(article.outlet, 300),
                        url=clip(article.url, 2000),
                        published=article.published,
                        seen_on=seen_on,
                        text=article.text,
                        quote_count=len(stored),
                        authors=[clip(a, 300) for a in article.authors],
                        language=clip(article.language, 16),
                        source_url=clip(article.source_url if article.source_url != article.url else None, 2000),
                        skipped=clip(article.skipped, 300),
                    )
                    .returning(_ARTICLES.c.id)
                )
                assert article_id is not None
                attached = await self._attach(session, article_id, article.text, seen_on, stored,
                                              clip(article.outlet, 300))
                await add_article_stats(session, seen_on, attached.facts)
                await self.directory.apply_write(session, attached.facts.keys())
                outcome = IngestOutcome(
                    article_id, True, attached.quotes, len(attached.new), len(attached.matched - attached.new)
                )
        except IntegrityError:
            # Another process stored the same text between our check and our insert.
            existing = await self.find_article(article.content_hash)
            if existing is None:
                raise
            return IngestOutcome(existing, created=False)
        return outcome

    async def refresh_details(self, article: PreparedArticle) -> IngestOutcome:
        """The stored article with this text, its details corrected by the ones `article` brings."""
        given = _details_of(article)
        async with self.store.read() as session:  # mostly nothing new: no write transaction then
            row = (await session.execute(
                select(Article.id, *(getattr(Article, n) for n in DETAILS)).where(
                    Article.content_hash == article.content_hash)
            )).first()
        if row is None:
            raise NotFound("no article with this text")
        if not _differences(row, given):
            return IngestOutcome(row.id, created=False)
        async with self.directory.writing() as session:
            existing = await session.scalar(select(Article.id).where(Article.content_hash == article.content_hash))
            if existing is None:
                raise NotFound("no article with this text")
            updated = await self._change_details(session, existing, _details_of(article))
        return IngestOutcome(existing, created=False, updated=updated)

    async def correct(self, article_id: int, changes: dict[str, object]) -> bool:
        """Correct an article's title, outlet, url, published date or authors (None clears one).

        True when anything changed. A new date moves the article's quotes with it (no date:
        last in every read, outside every date range) and recounts its speakers' dates.
        """
        unknown = set(changes) - set(DETAILS)
        if unknown:
            raise ValueError(f"not an article detail: {', '.join(sorted(unknown))}")
        for name, value in changes.items():
            if isinstance(value, str):
                check_text(value, name)
            elif name == "authors" and value is not None:
                for a in value:  # type: ignore[attr-defined]
                    check_text(a, name)
        async with self.directory.writing() as session:
            if not 0 < article_id < 2**31 or await session.get(Article, article_id) is None:
                raise NotFound(f"no article {article_id}")
            return await self._change_details(session, article_id, changes)

    async def _change_details(self, session: AsyncSession, article_id: int, changes: dict[str, object]) -> bool:
        """Inside a `writing()` session: set these details where they differ; True when any did."""
        row = await session.get(Article, article_id)
        assert row is not None
        changed = _differences(row, changes)
        if not changed:
            return False
        for name, value in changed.items():
            setattr(row, name, value)
        affected: set[int] = set()
        if "published" in changed:
            day = seen_day(row.published)
            row.seen_on = day
            affected = {
                sid for sid in (await session.scalars(
                    select(Quote.speaker_id).where(Quote.article_id == article_id).distinct()
                )).all() if sid is not None
            }
            await session.execute(update(_QUOTES).where(_QUOTES.c.article_id == article_id).values(seen_on=day))
            await session.execute(update(_MENTIONS).where(_MENTIONS.c.article_id == article_id).values(seen_on=day))
            await session.flush()
            await recompute_speakers(session, affected)
        if "outlet" in changed:  # the quotes' copy, which listings by outlet read
            await session.execute(update(_QUOTES).where(_QUOTES.c.article_id == article_id)
                                  .values(outlet=row.outlet))
        await session.flush()
        # Bumps the store version too: cached totals and pages showing the old details go stale.
        await self.directory.apply_write(session, affected)
        return True

    async def reprocess(self, article_id: int, quotes: Sequence[EngineQuote]) -> IngestOutcome:
        """Replace an article's quotes (after the engine improved), keeping every speaker edit."""
        async with self.directory.writing() as session:
            row = await session.get(Article, article_id)
            if row is None:
                raise NotFound(f"no article {article_id}")
            before = {
                sid for sid in (await session.scalars(
                    select(Quote.speaker_id).where(Quote.article_id == article_id)
                )).all() if sid is not None
            }
            await session.execute(delete(Mention).where(Mention.article_id == article_id))
            await session.execute(delete(Quote).where(Quote.article_id == article_id))
            attached = await self._attach(
                session, article_id, row.text, row.seen_on, _valid_quotes(quotes, len(row.text)), row.outlet
            )
            row.quote_count = attached.quotes
            affected = before | set(attached.facts)
            counts = await recompute_speakers(session, affected)
            removed = await self._drop_orphans(session, [sid for sid, n in counts.items() if n == 0])
            await self.directory.apply_write(session, affected - removed, removed)
            outcome = IngestOutcome(
                article_id, False, attached.quotes, len(attached.new), len(attached.matched - attached.new)
            )
        return outcome

    async def _drop_orphans(self, session: AsyncSession, speaker_ids: list[int]) -> set[int]:
        """Delete speakers left without quotes that no person has edited."""
        if not speaker_ids:
            return set()
        orphans = set(
            (await session.scalars(
                select(Speaker.id).where(Speaker.id.in_(speaker_ids), Speaker.edited.is_(False))
            )).all()
        )
        if orphans:
            await session.execute(delete(Speaker).where(Speaker.id.in_(orphans)))
        return orphans

    async def _attach(
        self, session: AsyncSession, article_id: int, text: str, seen_on: date, quotes: Sequence[EngineQuote],
        outlet: str | None,
    ) -> _Attached:
        """Insert an article's quotes and mentions, resolving each speaker to a tracked one.

        Speakers are matched in memory first (`_place_quotes`); then each table gets
        one batched statement or a few, not one round trip per quote.
        """
        placement = _place_quotes(self.directory.index, article_id, quotes, self.match_threshold)
        ids = await self._write_speakers(session, article_id, placement)

        def real(speaker_id: int | None) -> int | None:
            return None if speaker_id is None else ids.get(speaker_id, speaker_id)

        quote_ids = await self.store.insert_returning_ids(
            session,
            _QUOTES,
            [_quote_row(p.quote, real(p.speaker_id), article_id, text, seen_on, outlet) for p in placement.quotes],
        )
        result = _Attached(
            new={ids[n.provisional_id] for n in placement.new},
            matched={sid for sid in map(real, placement.matched) if sid is not None},
            quotes=len(quote_ids),
        )
        mentions: list[dict[str, object]] = []
        for p, quote_id in zip(placement.quotes, quote_ids, strict=True):
            speaker_id, speaker, name = real(p.speaker_id), p.speaker, p.name
            if speaker is None or speaker_id is None or name is None:
                continue
            mentions.append({
                "quote_id": quote_id,
                "speaker_id": speaker_id,
                "article_id": article_id,
                "name": name,
                "key": clip(speaker.key or speaker_key(name, speaker.kind), 300) or "",
                "titles": [clip(t, 300) for t in speaker.titles],
                "roles": [clip(t, 300) for t in speaker.roles],
                "organisations": [clip(t, 300) for t in speaker.organisations],
                "seen_on": seen_on,
            })
            fact = result.facts.setdefault(speaker_id, MentionFacts())
            fact.quotes += 1
            for typ, values in (("title", speaker.titles), ("role", speaker.roles),
                                ("organisation", speaker.organisations)):
                fact.attributes.update((typ, clip(v, 300) or "") for v in values if v)
        if mentions:
            await session.execute(insert(_MENTIONS), mentions)
        return result

    async def _write_speakers(self, session: AsyncSession, article_id: int, placement: _Placement) -> dict[int, int]:
        """Insert an article's new speakers, record its aliases, let fuller names become display names.

        Returns the stored id of each provisional one.
        """
        # Display names: a person quoted under a name with more words takes it, in text order.
        known_ids = sorted({u.speaker_id for u in placement.alias_uses if u.speaker_id >= 0})
        names: dict[int, tuple[str, str, bool]] = {
            n.provisional_id: (n.first_name, n.kind, False) for n in placement.new
        }
        for chunk in chunked(known_ids):
            for sid, name, kind, locked in (await session.execute(
                select(Speaker.id, Speaker.name, Speaker.kind, Speaker.name_locked).where(Speaker.id.in_(chunk))
            )).all():
                names[sid] = (name, kind, bool(locked))
        display = {sid: name for sid, (name, _kind, _locked) in names.items()}
        for use in placement.alias_uses:
            if use.speaker_id in names:
                _name, kind, locked = names[use.speaker_id]
                display[use.speaker_id] = _fuller_name(display[use.speaker_id], kind, locked, use.name, use.kind)

        ids: dict[int, int] = {}
        if placement.new:
            slugs = await unique_slugs(session, [
                slug_base(n.first_name, n.kind, f"a{article_id}" if n.kind == "anonymous" else None)
                for n in placement.new
            ])
            stored = await self.store.insert_returning_ids(session, _SPEAKERS, [
                {"slug": slug, "name": display[n.provisional_id], "kind": n.kind, "quote_count": 0,
                 "article_count": 0}
                for n, slug in zip(placement.new, slugs, strict=True)
            ])
            ids = {n.provisional_id: sid for n, sid in zip(placement.new, stored, strict=True)}
        renamed = [
            {"b_id": sid, "b_name": display[sid]} for sid in known_ids if sid in names and display[sid] != names[sid][0]
        ]
        if renamed:
            await session.execute(
                update(_SPEAKERS).where(_SPEAKERS.c.id == bindparam("b_id")).values(name=bindparam("b_name")),
                renamed,
            )

        # Aliases: a name seen before counts once more per article; a new one is added.
        existing: dict[tuple[int, str], int] = {}
        for chunk in chunked(known_ids):
            for alias_id, sid, name in (await session.execute(
                select(SpeakerAlias.id, SpeakerAlias.speaker_id, SpeakerAlias.name).where(
                    SpeakerAlias.speaker_id.in_(chunk),
                    SpeakerAlias.name.in_({u.name for u in placement.alias_uses if u.speaker_id in chunk}),
                )
            )).all():
                existing[(sid, name)] = alias_id
        seen_again: list[dict[str, object]] = []
        added: list[dict[str, object]] = []
        for use in placement.alias_uses:
            known_alias = existing.get((use.speaker_id, use.name))
            if known_alias is not None:
                seen_again.append({"b_id": known_alias})
                continue
            added.append({
                "speaker_id": ids.get(use.speaker_id, use.speaker_id),
                "name": use.name,
                "normalised": clip(normalised_alias(use.name, use.kind), 300) or "",
                "key": clip(use.speaker.key or speaker_key(use.name, use.kind), 300) or "",
                "kind": use.kind,
                "article_id": article_id if use.kind == "anonymous" else None,
                "pinned": False,
                "seen_count": 1,
            })
        if added:
            await session.execute(insert(_ALIASES), added)
        if seen_again:
            await session.execute(
                update(_ALIASES).where(_ALIASES.c.id == bindparam("b_id")).values(seen_count=_ALIASES.c.seen_count + 1),
                seen_again,
            )
        return ids


def _quote_row(q: EngineQuote, speaker_id: int | None, article_id: int, text: str, seen_on: date,
               outlet: str | None) -> dict[str, object]:
    return {
        "article_id": article_id,
        "speaker_id": speaker_id,
        "start_offset": q.start,
        "end_offset": q.end,
        "text": q.text,
        "kind": q.kind,
        "cue": clip(q.cue, 200),
        "cue_lemma": clip(q.cue_lemma, 200),
        "cue_start": q.cue_start,
        "cue_end": q.cue_end,
        "mention": clip(q.mention, 300),
        "mention_start": q.speaker_start,
        "mention_end": q.speaker_end,
        "via": clip(q.via, 300),
        "confidence": _finite(float(q.confidence)),
        "evidence": {str(k): str(v) for k, v in (q.evidence or {}).items()},
        "context": make_context(text, q.start, q.end),
        "seen_on": seen_on,
        "outlet": outlet,
    }
