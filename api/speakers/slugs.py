"""Speaker slugs: made from a name, unique among speakers and former speakers (redirects)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from sqlalchemy import select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from api.speakers.index import normalised_alias
from api.store.chunks import chunked
from api.store.models import Speaker, SpeakerRedirect

__all__ = ["slug_base", "slugify", "unique_slug", "unique_slugs"]

_SLUG_SEP = re.compile(r"[^a-z0-9]+")


def slugify(name: str, fallback: str = "speaker") -> str:
    """A URL-safe lower-case form of a name ("Gen. Kenneth McKenzie" → "gen-kenneth-mckenzie")."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = _SLUG_SEP.sub("-", folded).strip("-")[:80].strip("-")
    if not slug or slug.isdigit():  # an all-digit slug would read as an id
        slug = f"{fallback}-{slug}" if slug else fallback
    return slug


def slug_base(name: str, fallback: str, suffix: str | None) -> str:
    """The slug a new speaker would get if no one used it: from its normalised name, plus `suffix`."""
    base = slugify(normalised_alias(name, "person") if fallback == "person" else name, fallback)
    return f"{base[:70]}-{suffix}" if suffix else base


async def _taken_slugs(session: AsyncSession, candidates: set[str]) -> set[str]:
    """Which of these slugs a speaker or a former speaker (redirect) uses."""
    taken: set[str] = set()
    for chunk in chunked(sorted(candidates)):
        taken.update((await session.scalars(union_all(
            select(Speaker.slug).where(Speaker.slug.in_(chunk)),
            select(SpeakerRedirect.old_slug).where(SpeakerRedirect.old_slug.in_(chunk)),
        ))).all())
    return taken


async def unique_slugs(session: AsyncSession, bases: Sequence[str]) -> list[str]:
    """A slug for each of several new speakers, in order: its base, else base-2, base-3, ...

    No stored speaker or former speaker uses any of them, and no two are equal.
    """
    taken = await _taken_slugs(session, set(bases))
    checked = set(bases)
    chosen: list[str] = []
    for base in bases:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
            if candidate not in checked:  # look further ahead in one query
                ahead = {f"{base}-{k}" for k in range(n, n + 16)}
                taken |= await _taken_slugs(session, ahead)
                checked |= ahead
        taken.add(candidate)
        chosen.append(candidate)
    return chosen


async def unique_slug(session: AsyncSession, name: str, fallback: str, suffix: str | None = None) -> str:
    """A slug for a new speaker that no speaker (or former speaker) uses."""
    return (await unique_slugs(session, [slug_base(name, fallback, suffix)]))[0]
