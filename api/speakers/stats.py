"""Speaker statistics and attributes: added to on ingest, recomputed after edits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import cast

from sqlalchemy import Date, Table, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.store.chunks import chunked
from api.store.models import Mention, Quote, Speaker, SpeakerAttribute
from api.store.values import UNDATED, dated

__all__ = ["MentionFacts", "add_article_stats", "recompute_speakers", "ATTRIBUTE_FIELDS"]

# (attribute type, Mention column) pairs
ATTRIBUTE_FIELDS = (("title", "titles"), ("role", "roles"), ("organisation", "organisations"))


class MentionFacts:
    """What one article says about one speaker: how many quotes, which attributes."""

    __slots__ = ("quotes", "attributes")

    def __init__(self) -> None:
        self.quotes = 0
        self.attributes: set[tuple[str, str]] = set()


def _earlier(a: date | None, b: date | None) -> date | None:
    return b if a is None or (b is not None and b < a) else a


def _later(a: date | None, b: date | None) -> date | None:
    return b if a is None or (b is not None and b > a) else a


_SPEAKERS = cast(Table, Speaker.__table__)
_ATTRIBUTES = cast(Table, SpeakerAttribute.__table__)


async def add_article_stats(session: AsyncSession, seen_on: date, facts: dict[int, MentionFacts]) -> None:
    """Count one newly stored article into each of its speakers.

    One batched UPDATE for the speakers and a few statements for their attributes,
    however many speakers the article quotes. An undated article (UNDATED) counts,
    but moves no first or last seen date.
    """
    if not facts:
        return
    c = _SPEAKERS.c
    day = bindparam("b_day", type_=Date)
    counts: dict[str, object] = {
        "quote_count": c.quote_count + bindparam("b_quotes"),
        "article_count": c.article_count + 1,
    }
    if dated(seen_on) is not None:
        counts["first_seen"] = case((or_(c.first_seen.is_(None), c.first_seen > day), day), else_=c.first_seen)
        counts["last_seen"] = case((or_(c.last_seen.is_(None), c.last_seen < day), day), else_=c.last_seen)
    await session.execute(
        update(_SPEAKERS).where(c.id == bindparam("b_id")).values(counts),
        [{"b_id": sid, "b_quotes": fact.quotes, "b_day": seen_on} for sid, fact in facts.items()],
    )
    when = dated(seen_on)
    with_attributes = sorted(sid for sid, fact in facts.items() if fact.attributes)
    stored: dict[tuple[int, str, str], tuple[int, date | None, date | None]] = {}
    for chunk in chunked(with_attributes):
        rows = await session.execute(
            select(
                SpeakerAttribute.speaker_id, SpeakerAttribute.type, SpeakerAttribute.value,
                SpeakerAttribute.id, SpeakerAttribute.first_seen, SpeakerAttribute.last_seen,
            ).where(SpeakerAttribute.speaker_id.in_(chunk))
        )
        for sid, typ, value, attribute_id, first, last in rows.all():
            stored[(sid, typ, value)] = (attribute_id, first, last)
    added: list[dict[str, object]] = []
    widened: list[dict[str, object]] = []
    for sid, fact in facts.items():
        for typ, value in fact.attributes:
            row = stored.get((sid, typ, value))
            if row is None:
                added.append({"speaker_id": sid, "type": typ, "value": value,
                              "first_seen": when, "last_seen": when})
                continue
            attribute_id, first, last = row
            if _earlier(first, when) != first or _later(last, when) != last:
                widened.append({"b_id": attribute_id, "b_first": _earlier(first, when),
                                "b_last": _later(last, when)})
    if added:
        await session.execute(insert(_ATTRIBUTES), added)
    if widened:
        a = _ATTRIBUTES.c
        await session.execute(
            update(_ATTRIBUTES)
            .where(a.id == bindparam("b_id"))
            .values(first_seen=bindparam("b_first"), last_seen=bindparam("b_last")),
            widened,
        )


async def recompute_speakers(session: AsyncSession, speaker_ids: Iterable[int]) -> dict[int, int]:
    """Recount quotes, articles, dates and attributes of speakers from their quotes and mentions.

    Returns each speaker's quote count.
    """
    counts: dict[int, int] = {}
    for chunk in chunked(sorted(set(speaker_ids))):
        await session.flush()
        agg = {
            sid: (n, arts, first, last)
            for sid, n, arts, first, last in (
                await session.execute(
                    select(
                        Quote.speaker_id,
                        func.count(Quote.id),
                        func.count(func.distinct(Quote.article_id)),
                        # Undated quotes count, but are no first or last seen date.
                        func.min(case((Quote.seen_on > UNDATED, Quote.seen_on))),
                        func.max(case((Quote.seen_on > UNDATED, Quote.seen_on))),
                    )
                    .where(Quote.speaker_id.in_(chunk))
                    .group_by(Quote.speaker_id)
                )
            ).all()
        }
        attrs: dict[int, dict[tuple[str, str], tuple[date | None, date | None]]] = defaultdict(dict)
        mention_rows = await session.execute(
            select(Mention.speaker_id, Mention.seen_on, Mention.titles, Mention.roles, Mention.organisations).where(
                Mention.speaker_id.in_(chunk)
            )
        )
        for sid, seen_on, titles, roles, organisations in mention_rows.all():
            when = dated(seen_on)
            for typ, values in (("title", titles), ("role", roles), ("organisation", organisations)):
                for value in values or ():
                    first, last = attrs[sid].get((typ, value), (when, when))
                    attrs[sid][(typ, value)] = (_earlier(first, when), _later(last, when))
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
