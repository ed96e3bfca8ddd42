"""The tables: articles, quotes, speakers and what ties them together.

Read paths the indexes serve (see docs/api-contract.md):
- quotes of a speaker, newest first, optionally by date range: (speaker_id, seen_on, id)
- quotes of an outlet, newest first: (outlet, seen_on, id), the outlet copied from the article
- all quotes newest first or by date range: (seen_on, id)
- the quotes of one article in text order: (article_id, start_offset)
- speakers by quote count (no search term): (quote_count, id)
- full-text search over quote text: FTS5 table `quotes_fts` on SQLite, a generated
  `text_tsv` column with a GIN index on PostgreSQL; both live in the migrations
  only, because the ORM never reads them directly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from quotelens.contract import ATTRIBUTE_TYPES, QUOTE_KINDS, SPEAKER_KINDS

__all__ = [
    "Article",
    "Base",
    "Mention",
    "Quote",
    "Speaker",
    "SpeakerAlias",
    "SpeakerAttribute",
    "SpeakerChange",
    "SpeakerRedirect",
    "StoreMeta",
    "ATTRIBUTE_TYPES",
    "SPEAKER_KINDS",
    "QUOTE_KINDS",
    "SPEAKERS_VERSION_KEY",
]

# store_meta key of the write counter: every ingest and speaker edit advances it
# (api.speakers.directory); listings compare it to keep totals (api.quotes).
SPEAKERS_VERSION_KEY = "speakers_version"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Article(Base):
    """One news text, stored once however often it is ingested (unique content hash)."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(String(1000))
    outlet: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    published: Mapped[date | None] = mapped_column(Date)
    # The date the article counts as seen on: `published`, else the ingest date.
    seen_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    quote_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The byline's names (never speakers); the text's language; the address it was
    # fetched from when not `url` (a feed's link); why no quotes were extracted.
    authors: Mapped[list[str] | None] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(16))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    skipped: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        Index("ix_articles_seen_on_id", "seen_on", "id"),
        # Quotes per week and per outlet over a period, from the index alone (migration 0005).
        Index("ix_articles_seen_on_outlet_quote_count", "seen_on", "outlet", "quote_count"),
        # An outlet's quotes in a period, summed from its articles (migration 0007).
        Index("ix_articles_outlet_seen_on_quote_count", "outlet", "seen_on", "quote_count"),
        Index("ix_articles_url", "url"),
        Index("ix_articles_source_url", "source_url"),
    )


class Speaker(Base):
    """A person, an unnamed source or an organisation, tracked across articles."""

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    # Set by a person's rename: ingest no longer replaces the name with a fuller form.
    name_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by any edit (merge, split, rename): kept even when it has no quotes left.
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    quote_count: Mapped[int] = mapped_column(Integer, default=0)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        CheckConstraint("kind IN ('person', 'anonymous', 'organisation')", name="kind"),
        Index("ix_speakers_quote_count_id", "quote_count", "id"),
    )


class SpeakerAlias(Base):
    """A way a speaker's name was written; new quotes are matched against these.

    `pinned` marks an alias a person placed (split, rename): an exact match on it
    wins over any fuzzy match. Unnamed sources are scoped to one article
    (`article_id`), since "a senior official" in two articles is two people.
    """

    __tablename__ = "speaker_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    normalised: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300))
    # The kind the name was quoted as (it stays so when merged into another kind).
    kind: Mapped[str] = mapped_column(String(20))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    seen_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("speaker_id", "name"),
        Index("ix_speaker_aliases_normalised", "normalised"),
        Index("ix_speaker_aliases_key", "key"),
    )


class SpeakerAttribute(Base):
    """A title, role or organisation a speaker was described with, and when."""

    __tablename__ = "speaker_attributes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(300))
    first_seen: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("speaker_id", "type", "value"),
        CheckConstraint("type IN ('title', 'role', 'organisation')", name="type"),
    )


class Quote(Base):
    """One attribution in one article, with its spans and who said it."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"))
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    cue: Mapped[str | None] = mapped_column(String(200))
    cue_lemma: Mapped[str | None] = mapped_column(String(200))
    cue_start: Mapped[int | None] = mapped_column(Integer)
    cue_end: Mapped[int | None] = mapped_column(Integer)
    mention: Mapped[str | None] = mapped_column(String(300))
    mention_start: Mapped[int | None] = mapped_column(Integer)
    mention_end: Mapped[int | None] = mapped_column(Integer)
    via: Mapped[str | None] = mapped_column(String(300))
    confidence: Mapped[float] = mapped_column(Float, default=0.5)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # About 100 characters either side of the quote, cut at word boundaries, so a
    # list of quotes never loads article texts.
    context: Mapped[str] = mapped_column(Text, default="")
    # Copied from the article so the per-speaker date index covers the read path.
    seen_on: Mapped[date] = mapped_column(Date)
    # Copied from the article (migration 0007): an outlet's quotes newest first along one index.
    outlet: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        CheckConstraint(
            "kind IN ('direct', 'mixed', 'indirect', 'continuation')", name="kind"
        ),
        Index("ix_quotes_speaker_id_seen_on_id", "speaker_id", "seen_on", "id"),
        Index("ix_quotes_seen_on_id", "seen_on", "id"),
        # Quotes per speaker over a period, from the index alone (migration 0005).
        Index("ix_quotes_seen_on_speaker_id", "seen_on", "speaker_id"),
        Index("ix_quotes_article_id_start_offset", "article_id", "start_offset"),
        Index("ix_quotes_outlet_seen_on_id", "outlet", "seen_on", "id"),
    )


class Mention(Base):
    """A speaker named at one quote: the name as the engine resolved it in that article.

    Mentions are what merges and splits move, and what a speaker's titles, roles
    and organisations are recomputed from.
    """

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), unique=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300))
    titles: Mapped[list[str]] = mapped_column(JSON, default=list)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    organisations: Mapped[list[str]] = mapped_column(JSON, default=list)
    seen_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        Index("ix_mentions_speaker_id_article_id", "speaker_id", "article_id"),
        Index("ix_mentions_article_id", "article_id"),
    )


class SpeakerRedirect(Base):
    """Where a speaker merged into another now lives, so old ids and slugs still resolve."""

    __tablename__ = "speaker_redirects"

    old_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    old_slug: Mapped[str] = mapped_column(String(200), unique=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    # The merged speaker's names as "kind:normalised" (migration 0003): splitting one of them
    # off gives that speaker its old id and slug back.
    names: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    __table_args__ = (Index("ix_speaker_redirects_speaker_id", "speaker_id"),)


class StoreMeta(Base):
    """Counters shared by every process on the store (speaker index version)."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class SpeakerChange(Base):
    """Which speakers the write that made `version` of the speakers touched or removed.

    Lets a process whose index is a few versions behind (another worker wrote) load
    just those speakers instead of all of them (api.speakers.directory). Recent
    versions only: older rows are pruned.
    """

    __tablename__ = "speaker_changes"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    speaker_ids: Mapped[str] = mapped_column(Text, default="")  # comma-separated ids
