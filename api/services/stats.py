"""Speaker statistics and attributes: added to on ingest, recomputed after edits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.models import Mention, Quote, Speaker, SpeakerAttribute

__all__ = ["MentionFacts", "add_article_stats", "recompute_speakers", "ATTRIBUTE_FIELDS"]

# (attribute type, Mention column) pairs
ATTRIBUTE_FIELDS = (("title", "titles"), ("role", "roles"), ("organisation", "organisations"))


class MentionFacts:
    """What one article says about one speaker: how many quotes, which attributes."""

    __slots__ = ("quotes", "attributes")

    def __init__(self) -> None:
        self.quotes = 0
        self.attributes: set[tuple[str, str]] = set()


def _earlier(a: date | None, b: date) -> date:
    return b if a is None or b < a else a


def _later(a: date | None, b: date) -> date:
    return b if a is None or b > a else a


async def _upsert_attributes(
    session: AsyncSession, speaker_id: int, values: dict[tuple[str, str], tuple[date, date]]
) -> None:
    if not values:
        return
    rows = (
        await session.scalars(select(SpeakerAttribute).where(SpeakerAttribute.speaker_id == speaker_id))
    ).all()
    existing = {(r.type, r.value): r for r in rows}
    for (typ, value), (first, last) in values.items():
        row = existing.get((typ, value))
        if row is None:
            session.add(SpeakerAttribute(speaker_id=speaker_id, type=typ, value=value, first_seen=first, last_seen=last))
        else:
            row.first_seen = _earlier(row.first_seen, first)
            row.last_seen = _later(row.last_seen, last)


async def add_article_stats(session: AsyncSession, seen_on: date, facts: dict[int, MentionFacts]) -> None:
    """Count one newly stored article into each of its speakers."""
    for speaker_id, fact in facts.items():
        speaker = await session.get(Speaker, speaker_id)
        if speaker is None:
            continue
        speaker.quote_count += fact.quotes
        speaker.article_count += 1
        speaker.first_seen = _earlier(speaker.first_seen, seen_on)
        speaker.last_seen = _later(speaker.last_seen, seen_on)
        await _upsert_attributes(session, speaker_id, {a: (seen_on, seen_on) for a in fact.attributes})


async def recompute_speakers(session: AsyncSession, speaker_ids: Iterable[int]) -> dict[int, int]:
    """Recount quotes, articles, dates and attributes of speakers from their quotes and mentions.

    Returns each speaker's quote count.
    """
    ids = sorted(set(speaker_ids))
    counts: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        await session.flush()
        agg = {
            sid: (n, arts, first, last)
            for sid, n, arts, first, last in (
                await session.execute(
                    select(
                        Quote.speaker_id,
                        func.count(Quote.id),
                        func.count(func.distinct(Quote.article_id)),
                        func.min(Quote.seen_on),
                        func.max(Quote.seen_on),
                    )
                    .where(Quote.speaker_id.in_(chunk))
                    .group_by(Quote.speaker_id)
                )
            ).all()
        }
        attrs: dict[int, dict[tuple[str, str], tuple[date, date]]] = defaultdict(dict)
        mention_rows = await session.execute(
            select(Mention.speaker_id, Mention.seen_on, Mention.titles, Mention.roles, Mention.organisations).where(
                Mention.speaker_id.in_(chunk)
            )
        )
        for sid, seen_on, titles, roles, organisations in mention_rows.all():
            for typ, values in (("title", titles), ("role", roles), ("organisation", organisations)):
                for value in values or ():
                    first, last = attrs[sid].get((typ, value), (seen_on, seen_on))
                    attrs[sid][(typ, value)] = (min(first, seen_on), max(last, seen_on))
        await session.execute(delete(SpeakerAttribute).where(SpeakerAttribute.speaker_id.in_(chunk)))
        for sid in chunk:
            speaker = await session.get(Speaker, sid)
            if speaker is None:
                continue
            n, arts, first_day, last_day = agg.get(sid, (0, 0, None, None))
            speaker.quote_count, speaker.article_count = n, arts
            speaker.first_seen, speaker.last_seen = first_day, last_day
            for (typ, value), (f, la) in attrs.get(sid, {}).items():
                session.add(SpeakerAttribute(speaker_id=sid, type=typ, value=value, first_seen=f, last_seen=la))
            counts[sid] = n
    await session.flush()
    return counts
