"""Speakers: lookup by id or slug, fuzzy search, and a person's edits (merge, split, rename).

Edits are recorded where ingest looks (aliases, pinned aliases, locked names,
redirects), so they hold for every article ingested or reprocessed later.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    bindparam,
    func,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api.speakers.directory import SpeakerDirectory
from api.speakers.index import SpeakerEntry, SpeakerIndex, normalised_alias
from api.speakers.slugs import unique_slug
from api.speakers.stats import recompute_speakers
from api.store.cache import READ_MARKS, note_version
from api.store.chunks import chunked
from api.store.db import Store
from api.store.fastread import Prepared, as_date
from api.store.models import (
    Mention,
    Quote,
    Speaker,
    SpeakerAlias,
    SpeakerAttribute,
    SpeakerRedirect,
)
from api.store.values import check_text
from attribution.names import name_tokens, speaker_key
from quotelens.contract import SeenValue, SpeakerDetail, SpeakerHit, SpeakerHitPage, SpeakerRef
from quotelens.errors import Conflict, InvalidInput, NotFound

__all__ = ["SpeakerService"]


def _ident_param(ident: str) -> tuple[str, int | str] | None:
    """("id", n) or ("slug", text) for a speaker reference; None when it cannot name one."""
    text = str(ident).strip()
    if text.isascii() and text.isdigit():  # "²" and "١" are digits to isdigit(), not to int()
        sid = int(text)
        # INTEGER ids: int32 on PostgreSQL, larger ones cannot exist.
        return ("id", sid) if sid < 2**31 else None
    return ("slug", text)


def _locate_select(by: str) -> Prepared:
    """The speaker an id or slug names: itself, else where a merge redirected it."""
    ident = bindparam("ident", type_=Integer if by == "id" else String)
    direct: Any = select(Speaker.id, literal_column("0").label("rank")).where(
        (Speaker.id if by == "id" else Speaker.slug) == ident)
    moved: Any = select(SpeakerRedirect.speaker_id, literal_column("1")).where(
        (SpeakerRedirect.old_id if by == "id" else SpeakerRedirect.old_slug) == ident)
    both = union_all(direct, moved).subquery()
    return Prepared(select(both.c.id).order_by(both.c.rank).limit(1), inline=True)


def _detail_select(by: str) -> Prepared:
    """A speaker (part 0), its aliases (1) and attributes (2) in one query, by id or by slug."""
    sid: Any = (bindparam("ident", type_=Integer) if by == "id"
                else select(Speaker.id).where(Speaker.slug == bindparam("ident", type_=String)).scalar_subquery())
    none = null()
    speaker_q: Any = select(
        literal_column("0").label("part"), Speaker.id, Speaker.slug, Speaker.name, Speaker.kind.label("type"),
        none.label("value"), Speaker.quote_count, Speaker.article_count,
        Speaker.first_seen, Speaker.last_seen, literal_column("0").label("row_id"),
    ).where(Speaker.id == sid)
    aliases_q: Any = select(
        literal_column("1"), SpeakerAlias.speaker_id, none, none, none, SpeakerAlias.name, none, none, none, none,
        SpeakerAlias.id,
    ).where(SpeakerAlias.speaker_id == sid)
    attrs_q: Any = select(
        literal_column("2"), SpeakerAttribute.speaker_id, none, none, SpeakerAttribute.type, SpeakerAttribute.value,
        none, none, SpeakerAttribute.first_seen, SpeakerAttribute.last_seen, SpeakerAttribute.id,
    ).where(SpeakerAttribute.speaker_id == sid)
    both = union_all(speaker_q, aliases_q, attrs_q).subquery()
    # Attributes seen only in undated articles (no first seen) come last, in both databases.
    return Prepared(select(both).order_by(both.c.part, both.c.first_seen.is_(None), both.c.first_seen, both.c.row_id),
                    inline=True)


_LOCATE = {"id": _locate_select("id"), "slug": _locate_select("slug")}
_DETAIL = {"id": _detail_select("id"), "slug": _detail_select("slug")}


def _name_mark(kind: str, normalised: str) -> str:
    """How a redirect records one of the merged speaker's names."""
    return f"{kind}:{normalised}"


def _ref(s: Speaker) -> SpeakerRef:
    return SpeakerRef(id=s.id, slug=s.slug, name=s.name, kind=s.kind)  # type: ignore[arg-type]


class SpeakerService:
    """Reads and edits of tracked speakers."""

    def __init__(self, store: Store, directory: SpeakerDirectory, *, search_cutoff: float = 60.0) -> None:
        self.store = store
        self.directory = directory
        self.search_cutoff = search_cutoff
        self._by_count: tuple[SpeakerIndex, int | None, list[SpeakerEntry]] | None = None

    # --- finding ------------------------------------------------------------------

    async def _find(self, session: AsyncSession, ident: str | int) -> Speaker | None:
        """The speaker an id or slug names, following merges, inside a write session."""
        key = _ident_param(str(ident))
        if key is None:
            return None
        if key[0] == "id":
            sid = int(key[1])
            speaker = await session.get(Speaker, sid)
            if speaker is None:
                target = await session.scalar(select(SpeakerRedirect.speaker_id).where(SpeakerRedirect.old_id == sid))
                speaker = await session.get(Speaker, target) if target is not None else None
            return speaker
        slug = str(key[1])
        speaker = await session.scalar(select(Speaker).where(Speaker.slug == slug))
        if speaker is None:
            target = await session.scalar(select(SpeakerRedirect.speaker_id).where(SpeakerRedirect.old_slug == slug))
            speaker = await session.get(Speaker, target) if target is not None else None
        return speaker

    async def _require(self, session: AsyncSession, ident: str | int) -> Speaker:
        speaker = await self._find(session, ident)
        if speaker is None:
            raise NotFound(f"no speaker {str(ident)!r}")
        return speaker

    async def locate(self, ident: str) -> int:
        """The id of the speaker an id or slug names, following merges (404 when none)."""
        sid = await self._locate(ident)
        if sid is None:
            raise NotFound(f"no speaker {str(ident)!r}")
        return sid

    async def _locate(self, ident: str) -> int | None:
        key = _ident_param(ident)
        if key is None:
            return None
        entry = self._current_entry(key)
        if entry is not None:
            return entry.id
        rows = await self.store.rows(_LOCATE[key[0]], {"ident": key[1]})
        return int(rows[0].id) if rows else None

    def _current_entry(self, key: tuple[str, int | str]) -> SpeakerEntry | None:
        """The index's entry of the speaker an id or slug names, when the index is the store as of this
        request (the response cache read the counter): no round trip. Merged-away ids and slugs are not
        in it (their redirects are in the store)."""
        marks = READ_MARKS.get()
        index = self.directory.index
        if marks is None or index.version != marks.version:
            return None
        return index.get(int(key[1])) if key[0] == "id" else index.by_slug(str(key[1]))

    async def ref(self, ident: str) -> SpeakerRef:
        """The speaker an id or slug names, following merges, as a reference (404 when unknown)."""
        key = _ident_param(ident)
        entry = self._current_entry(key) if key is not None else None
        if entry is None:
            d = await self.detail(ident)
            return SpeakerRef(id=d.id, slug=d.slug, name=d.name, kind=d.kind)
        return SpeakerRef(id=entry.id, slug=entry.slug, name=entry.name, kind=entry.kind)  # type: ignore[arg-type]

    async def resolve_filter(self, value: str) -> list[int]:
        """Speaker ids a `speaker=` filter names: an id, a slug (old ones followed), or else the top hit
        of a speaker search for it (NotFound when there is none: not an empty listing)."""
        sid = await self._locate(value)
        if sid is not None:
            return [sid]
        index = await self.directory.ensure_fresh()
        note_version(index.version)
        _total, hits = index.search_page(value, self.search_cutoff, 0, 1)
        if not hits:
            raise NotFound(f"no speaker matches {value!r}: try GET /api/speakers?q= to find one")
        return [hits[0][0].id]

    async def detail(self, ident: str) -> SpeakerDetail:
        """Everything known of one speaker (404 when unknown)."""
        key = _ident_param(ident)
        rows = await self.store.rows(_DETAIL[key[0]], {"ident": key[1]}) if key is not None else []
        if not rows:  # an old id or slug of a merged speaker, or none at all
            rows = await self.store.rows(_DETAIL["id"], {"ident": await self.locate(ident)})
        # `part`: 0 the speaker (its kind in `type`), 1 an alias, 2 an attribute (`type`, `value`).
        head = rows[0]
        quote_count = head.quote_count
        if self.directory.speaker_confidence > 0.0:  # what its quote list shows by default
            quote_count = await self.shown_count(head.id)
        aliases = [r.value for r in rows if r.part == 1]
        by_type: dict[str, list[SeenValue]] = defaultdict(list)
        for r in rows:
            if r.part == 2:
                by_type[r.type].append(SeenValue(value=r.value, first_seen=as_date(r.first_seen),
                                                 last_seen=as_date(r.last_seen)))
        return SpeakerDetail(
            id=head.id, slug=head.slug, name=head.name, kind=head.type,
            aliases=list(dict.fromkeys(aliases)),
            titles=by_type["title"], roles=by_type["role"], organisations=by_type["organisation"],
            quote_count=quote_count, article_count=head.article_count, first_seen=as_date(head.first_seen),
            last_seen=as_date(head.last_seen),
        )

    async def shown_count(self, speaker_id: int) -> int:
        """How many of a speaker's quotes reach the confidence threshold (what its quote list shows).

        The speaker index keeps the count (counting 70,000 quotes of the most quoted speaker
        took 370 ms); before the index is loaded, it is counted."""
        if self.directory.index.version is not None:
            index = await self.directory.ensure_fresh()
            entry = index.get(speaker_id)
            if entry is not None:
                note_version(index.version)
                return entry.quote_count
        async with self.store.read() as session:
            return int(await session.scalar(select(func.count(Quote.id)).where(
                Quote.speaker_id == speaker_id, Quote.confidence >= self.directory.speaker_confidence)) or 0)

    async def search(self, q: str | None, limit: int, offset: int) -> SpeakerHitPage:
        """Fuzzy search by name and alias (scores 0-100), or all speakers by quote count."""
        if q is not None and q.strip():
            index = await self.directory.ensure_fresh()
            note_version(index.version)
            total, page = index.search_page(q, self.search_cutoff, offset, limit)
            items = [
                SpeakerHit(
                    id=e.id, slug=e.slug, name=e.name, kind=e.kind,  # type: ignore[arg-type]
                    score=round(score, 1), quote_count=e.quote_count,
                    aliases=list(dict.fromkeys(e.alias_names)), roles=list(e.roles),
                )
                for e, score in page
            ]
            return SpeakerHitPage(items=items, total=total, limit=limit, offset=offset)
        # The most quoted first, by the counts of the index (quotes at or above the confidence
        # threshold, as their lists show them); the order is kept while the index stays put.
        index = await self.directory.ensure_fresh()
        note_version(index.version)
        if self._by_count is None or self._by_count[0] is not index or self._by_count[1] != index.version:
            order = sorted(index.entries(), key=lambda e: (-e.quote_count, -e.id))
            self._by_count = (index, index.version, order)
        ranked = self._by_count[2]
        items = [
            SpeakerHit(
                id=e.id, slug=e.slug, name=e.name, kind=e.kind,  # type: ignore[arg-type]
                score=100.0, quote_count=e.quote_count,
                aliases=list(dict.fromkeys(e.alias_names)), roles=list(e.roles),
            )
            for e in ranked[offset : offset + limit]
        ]
        return SpeakerHitPage(items=items, total=len(ranked), limit=limit, offset=offset)

    # --- edits --------------------------------------------------------------------

    async def merge(self, ident: str, other_ident: str | int) -> SpeakerDetail:
        """Fold `other` into this speaker: its quotes, aliases and old links now lead here."""
        async with self.directory.writing() as session:
            target = await self._require(session, ident)
            other = await self._require(session, other_ident)
            if other.id == target.id:
                raise Conflict(f"{other.slug!r} is {target.slug!r} already: nothing to merge")
            await session.execute(update(Quote).where(Quote.speaker_id == other.id).values(speaker_id=target.id))
            await session.execute(
                update(Mention).where(Mention.speaker_id == other.id).values(speaker_id=target.id)
            )
            own = {
                a.name: a
                for a in (await session.scalars(select(SpeakerAlias).where(SpeakerAlias.speaker_id == target.id)))
            }
            moved = (await session.scalars(select(SpeakerAlias).where(SpeakerAlias.speaker_id == other.id))).all()
            for alias in moved:
                mine = own.get(alias.name)
                if mine is not None:
                    mine.seen_count += alias.seen_count
                    mine.pinned = True
                    await session.delete(alias)
                else:
                    alias.speaker_id = target.id
                    alias.pinned = True  # a person said so: exact matches go here from now on
            if other.name not in own and other.name not in {a.name for a in moved}:
                session.add(self._alias(target.id, other.name, other.kind, pinned=True))
            await session.execute(
                update(SpeakerRedirect).where(SpeakerRedirect.speaker_id == other.id).values(speaker_id=target.id)
            )
            # The names it was known by, its own first: splitting one off again gives it back
            # its id and slug.
            own_mark = _name_mark(other.kind, normalised_alias(other.name, other.kind))
            names = [own_mark, *sorted({_name_mark(a.kind, a.normalised) for a in moved} - {own_mark})]
            session.add(SpeakerRedirect(old_id=other.id, old_slug=other.slug, speaker_id=target.id, names=names))
            await session.flush()
            await session.delete(other)
            target.edited = True
            await recompute_speakers(session, [target.id])
            await self.directory.apply_write(session, [target.id], [other.id])
            target_id = target.id
        return await self.detail(str(target_id))

    async def split(self, ident: str, alias_name: str) -> SpeakerDetail:
        """Make an alias (and the quotes made under it) a speaker of its own; returns the new speaker."""
        check_text(alias_name, "alias")
        async with self.directory.writing() as session:
            source = await self._require(session, ident)
            aliases = (await session.scalars(
                select(SpeakerAlias).where(SpeakerAlias.speaker_id == source.id).order_by(SpeakerAlias.id)
            )).all()
            chosen = next((a for a in aliases if a.name == alias_name.strip()), None)
            if chosen is None:
                wanted = {normalised_alias(alias_name, k) for k in ("person", "anonymous")}
                chosen = next((a for a in aliases if a.normalised in wanted), None)
            if chosen is None:
                raise NotFound(
                    f"speaker {source.slug!r} has no alias {alias_name!r}",
                    aliases=[a.name for a in aliases],
                )
            moving = [a for a in aliases if a.normalised == chosen.normalised and a.kind == chosen.kind]
            staying = [a for a in aliases if a not in moving]
            if not staying:
                raise Conflict(f"{chosen.name!r} is the only name of {source.slug!r}: there is nothing to split it from")
            # A speaker once merged in under this name comes back as itself, with its old id and
            # slug: the one whose own name it was, else one that was also called so; the oldest
            # of several. Other redirects keep leading where they led.
            mark = _name_mark(chosen.kind, chosen.normalised)
            redirects = (await session.scalars(
                select(SpeakerRedirect).where(SpeakerRedirect.speaker_id == source.id))).all()
            returning = sorted(
                (r for r in redirects if mark in (r.names or ())),
                key=lambda r: (r.names[0] != mark, r.old_id),
            )
            if returning:
                back = returning[0]
                new = Speaker(id=back.old_id, slug=back.old_slug, name=chosen.name, kind=chosen.kind, edited=True,
                              quote_count=0, article_count=0)
                await session.delete(back)
                await session.flush()
            else:
                new = Speaker(
                    slug=await unique_slug(session, chosen.name, chosen.kind,
                                           suffix=f"a{chosen.article_id}" if chosen.article_id else None),
                    name=chosen.name, kind=chosen.kind, edited=True, quote_count=0, article_count=0,
                )
            session.add(new)
            await session.flush()
            moving_names = {a.name for a in moving}
            for alias in moving:
                alias.speaker_id = new.id
                alias.pinned = True
            mention_rows = (await session.execute(
                select(Mention.id, Mention.quote_id, Mention.name).where(Mention.speaker_id == source.id)
            )).all()
            norm = chosen.normalised
            moved_mentions = [
                (mid, qid) for mid, qid, name in mention_rows
                if name in moving_names or normalised_alias(name, chosen.kind) == norm
            ]
            for chunk in chunked(moved_mentions):
                await session.execute(
                    update(Mention).where(Mention.id.in_([m for m, _ in chunk])).values(speaker_id=new.id)
                )
                await session.execute(
                    update(Quote).where(Quote.id.in_([q for _, q in chunk])).values(speaker_id=new.id)
                )
            if not source.name_locked and normalised_alias(source.name, source.kind) == norm:
                source.name = max(staying, key=lambda a: (len(name_tokens(a.name)), a.seen_count)).name
            source.edited = True
            await recompute_speakers(session, [source.id, new.id])
            await self.directory.apply_write(session, [source.id, new.id])
            new_id = new.id
        return await self.detail(str(new_id))

    async def rename(self, ident: str, name: str) -> SpeakerDetail:
        """Give a speaker a display name that ingest will keep."""
        name = check_text(name, "name").strip()
        if not name:
            raise InvalidInput("name is empty", field="name")
        async with self.directory.writing() as session:
            speaker = await self._require(session, ident)
            speaker.name = name
            speaker.name_locked = True
            speaker.edited = True
            exists = await session.scalar(
                select(SpeakerAlias.id).where(SpeakerAlias.speaker_id == speaker.id, SpeakerAlias.name == name)
            )
            if exists is None:
                session.add(self._alias(speaker.id, name, speaker.kind, pinned=True))
            else:
                await session.execute(update(SpeakerAlias).where(SpeakerAlias.id == exists).values(pinned=True))
            await session.flush()
            await self.directory.apply_write(session, [speaker.id])
            speaker_id = speaker.id
        return await self.detail(str(speaker_id))

    @staticmethod
    def _alias(speaker_id: int, name: str, kind: str, *, pinned: bool) -> SpeakerAlias:
        # A person-given name for an unnamed source is not scoped to an article.
        alias_kind = "person" if kind == "anonymous" else kind
        return SpeakerAlias(
            speaker_id=speaker_id, name=name[:300], normalised=normalised_alias(name, alias_kind)[:300],
            key=speaker_key(name, alias_kind)[:300], kind=alias_kind, article_id=None,
            pinned=pinned, seen_count=0,
        )
