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
from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import NotFound
from api.services.directory import SpeakerDirectory
from api.services.stats import MentionFacts, add_article_stats, recompute_speakers
from api.services.text import (
    check_text,
    clip,
    content_hash,
    make_context,
    prepare_article_text,
    slugify,
)
from api.store.db import Store
from api.store.models import (
    QUOTE_KINDS,
    SPEAKER_KINDS,
    Article,
    Mention,
    Quote,
    Speaker,
    SpeakerAlias,
    SpeakerRedirect,
)
from api.tracking import AliasInfo, SpeakerEntry, SpeakerIndex, normalised_alias
from attribution.names import name_tokens, speaker_key
from attribution.records import Quote as EngineQuote
from attribution.records import Speaker as EngineSpeaker

__all__ = ["ArticleInput", "IngestOutcome", "IngestService", "PreparedArticle", "prepare_article", "unique_slug"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """An article as it arrives: from the API, a file or a JSON line."""

    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: date | None = None


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An article checked and ready to store: its text in final form and its content hash."""

    text: str
    content_hash: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: date | None = None


def _optional(value: str | None, field_name: str) -> str | None:
    if value is None:
        return None
    value = check_text(value, field_name).strip()
    return value or None


def prepare_article(article: ArticleInput, max_chars: int) -> PreparedArticle:
    """Check an article (InvalidInput when it cannot be stored) and give its stored form."""
    text = prepare_article_text(article.text, max_chars)
    return PreparedArticle(
        text=text,
        content_hash=content_hash(text),
        title=_optional(article.title, "title"),
        url=_optional(article.url, "url"),
        outlet=_optional(article.outlet, "outlet"),
        published=article.published,
    )


@dataclass(slots=True)
class IngestOutcome:
    """What storing one article did."""

    article_id: int
    created: bool
    quotes: int = 0
    speakers_new: int = 0
    speakers_matched: int = 0


@dataclass(slots=True)
class _Attached:
    facts: dict[int, MentionFacts] = field(default_factory=dict)
    new: set[int] = field(default_factory=set)
    matched: set[int] = field(default_factory=set)
    quotes: int = 0


async def unique_slug(session: AsyncSession, name: str, fallback: str, suffix: str | None = None) -> str:
    """A slug for a new speaker that no speaker (or former speaker) uses."""
    base = slugify(normalised_alias(name, "person") if fallback == "person" else name, fallback)
    if suffix:
        base = f"{base[:70]}-{suffix}"
    candidate, n = base, 1
    while True:
        taken = await session.scalar(select(Speaker.id).where(Speaker.slug == candidate)) or await session.scalar(
            select(SpeakerRedirect.old_id).where(SpeakerRedirect.old_slug == candidate)
        )
        if not taken:
            return candidate
        n += 1
        candidate = f"{base}-{n}"


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

    async def stored_hashes(self, hashes: Sequence[str]) -> set[str]:
        """Which of these content hashes are stored already."""
        found: set[str] = set()
        async with self.store.read() as session:
            for i in range(0, len(hashes), 500):
                chunk = list(hashes[i : i + 500])
                found.update(
                    (await session.scalars(select(Article.content_hash).where(Article.content_hash.in_(chunk)))).all()
                )
        return found

    async def ingest(self, article: PreparedArticle, quotes: Sequence[EngineQuote]) -> IngestOutcome:
        """Store an article with its quotes, or find it stored already (created=False)."""
        try:
            async with self.store.write() as session:
                await self.directory.sync_for_write(session)
                existing = await session.scalar(
                    select(Article.id).where(Article.content_hash == article.content_hash)
                )
                if existing is not None:
                    return IngestOutcome(existing, created=False)
                seen_on = article.published or datetime.now(UTC).date()
                row = Article(
                    content_hash=article.content_hash,
                    title=clip(article.title, 1000),
                    outlet=clip(article.outlet, 300),
                    url=clip(article.url, 2000),
                    published=article.published,
                    seen_on=seen_on,
                    text=article.text,
                    quote_count=0,
                )
                session.add(row)
                await session.flush()
                attached = await self._attach(session, row, quotes)
                await add_article_stats(session, seen_on, attached.facts)
                row.quote_count = attached.quotes
                await self.directory.apply_write(session, attached.facts.keys())
                outcome = IngestOutcome(
                    row.id, True, attached.quotes, len(attached.new), len(attached.matched - attached.new)
                )
        except IntegrityError:
            # Another process stored the same text between our check and our insert.
            self.directory.invalidate()
            existing = await self.find_article(article.content_hash)
            if existing is None:
                raise
            return IngestOutcome(existing, created=False)
        except BaseException:
            self.directory.invalidate()
            raise
        return outcome

    async def reprocess(self, article_id: int, quotes: Sequence[EngineQuote]) -> IngestOutcome:
        """Replace an article's quotes (after the engine improved), keeping every speaker edit."""
        try:
            async with self.store.write() as session:
                await self.directory.sync_for_write(session)
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
                attached = await self._attach(session, row, quotes)
                row.quote_count = attached.quotes
                affected = before | set(attached.facts)
                counts = await recompute_speakers(session, affected)
                removed = await self._drop_orphans(session, [sid for sid, n in counts.items() if n == 0])
                await self.directory.apply_write(session, affected - removed, removed)
                outcome = IngestOutcome(
                    article_id, False, attached.quotes, len(attached.new), len(attached.matched - attached.new)
                )
        except BaseException:
            self.directory.invalidate()
            raise
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

    async def _attach(self, session: AsyncSession, article: Article, quotes: Sequence[EngineQuote]) -> _Attached:
        """Insert an article's quotes and mentions, resolving each speaker to a tracked one."""
        result = _Attached()
        pending = SpeakerIndex()  # speakers created for this article, not yet in the shared index
        resolved: dict[tuple[str, str], int] = {}
        aliases_seen: set[tuple[int, str]] = set()
        rows: list[tuple[Quote, EngineSpeaker | None, str | None, int | None]] = []
        text = article.text
        for q in sorted(quotes, key=lambda q: (q.start, q.end)):
            if not _valid_quote(q, len(text)):
                continue
            speaker = q.speaker
            name = clip((speaker.name or "").strip(), 300) if speaker is not None else None
            speaker_id: int | None = None
            if speaker is not None and name:
                kind = speaker.kind if speaker.kind in SPEAKER_KINDS else "person"
                group = (kind, speaker.key or normalised_alias(name, kind))
                if group not in resolved:
                    resolved[group] = await self._resolve(session, article, speaker, name, kind, pending, result)
                speaker_id = resolved[group]
                if (speaker_id, name) not in aliases_seen:
                    aliases_seen.add((speaker_id, name))
                    await self._note_alias(session, article, speaker_id, speaker, name, kind, pending)
            quote_row = Quote(
                article_id=article.id,
                speaker_id=speaker_id,
                start_offset=q.start,
                end_offset=q.end,
                text=q.text,
                kind=q.kind,
                cue=clip(q.cue, 200),
                cue_lemma=clip(q.cue_lemma, 200),
                cue_start=q.cue_start,
                cue_end=q.cue_end,
                mention=clip(q.mention, 300),
                mention_start=q.speaker_start,
                mention_end=q.speaker_end,
                via=clip(q.via, 300),
                confidence=_finite(float(q.confidence)),
                evidence={str(k): str(v) for k, v in (q.evidence or {}).items()},
                context=make_context(text, q.start, q.end),
                seen_on=article.seen_on,
            )
            rows.append((quote_row, speaker, name, speaker_id))
        session.add_all([r[0] for r in rows])
        await session.flush()
        for quote_row, speaker, name, speaker_id in rows:
            result.quotes += 1
            if speaker is None or speaker_id is None or name is None:
                continue
            session.add(
                Mention(
                    quote_id=quote_row.id,
                    speaker_id=speaker_id,
                    article_id=article.id,
                    name=name,
                    key=clip(speaker.key or speaker_key(name, speaker.kind), 300) or "",
                    titles=[clip(t, 300) for t in speaker.titles],
                    roles=[clip(t, 300) for t in speaker.roles],
                    organisations=[clip(t, 300) for t in speaker.organisations],
                    seen_on=article.seen_on,
                )
            )
            fact = result.facts.setdefault(speaker_id, MentionFacts())
            fact.quotes += 1
            for typ, values in (("title", speaker.titles), ("role", speaker.roles),
                                ("organisation", speaker.organisations)):
                fact.attributes.update((typ, clip(v, 300) or "") for v in values if v)
        await session.flush()
        return result

    async def _resolve(
        self,
        session: AsyncSession,
        article: Article,
        speaker: EngineSpeaker,
        name: str,
        kind: str,
        pending: SpeakerIndex,
        result: _Attached,
    ) -> int:
        """The tracked speaker this article's speaker is, creating one when none fits."""
        attributes = [*speaker.titles, *speaker.roles, *speaker.organisations]
        known = self.directory.index.match(
            name, kind, article_id=article.id, attributes=attributes, threshold=self.match_threshold
        )
        fresh = pending.match(name, kind, article_id=article.id, attributes=attributes, threshold=self.match_threshold)
        best = max((m for m in (known, fresh) if m is not None), key=lambda m: m[1], default=None)
        if best is not None:
            speaker_id = best[0].id
            result.matched.add(speaker_id)
            return speaker_id
        row = Speaker(
            slug=await unique_slug(session, name, kind, suffix=f"a{article.id}" if kind == "anonymous" else None),
            name=name,
            kind=kind,
            quote_count=0,
            article_count=0,
        )
        session.add(row)
        await session.flush()
        pending.upsert(SpeakerEntry(id=row.id, slug=row.slug, name=name, kind=kind))
        result.new.add(row.id)
        return row.id

    async def _note_alias(
        self,
        session: AsyncSession,
        article: Article,
        speaker_id: int,
        speaker: EngineSpeaker,
        name: str,
        kind: str,
        pending: SpeakerIndex,
    ) -> None:
        """Record that `speaker_id` was called `name`, and let a fuller name become the display name."""
        alias = await session.scalar(
            select(SpeakerAlias).where(SpeakerAlias.speaker_id == speaker_id, SpeakerAlias.name == name)
        )
        if alias is None:
            norm = normalised_alias(name, kind)
            session.add(
                SpeakerAlias(
                    speaker_id=speaker_id,
                    name=name,
                    normalised=clip(norm, 300) or "",
                    key=clip(speaker.key or speaker_key(name, kind), 300) or "",
                    kind=kind,
                    article_id=article.id if kind == "anonymous" else None,
                    pinned=False,
                    seen_count=1,
                )
            )
            entry = pending.get(speaker_id)
            if entry is not None:
                info = AliasInfo(name, norm, kind, False, article.id if kind == "anonymous" else None)
                pending.upsert(SpeakerEntry(id=entry.id, slug=entry.slug, name=entry.name, kind=entry.kind,
                                            aliases=(*entry.aliases, info)))
        else:
            alias.seen_count += 1
        row = await session.get(Speaker, speaker_id)
        if (
            row is not None
            and not row.name_locked
            and row.kind == "person"
            and kind == "person"
            and len(name_tokens(name)) > len(name_tokens(row.name))
        ):
            row.name = name
