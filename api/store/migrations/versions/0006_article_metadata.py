"""What a page says about an article: authors, language, the address it was read from, why it was skipped.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

- `authors`: the byline (a JSON list of names), never speakers;
- `language`: ISO 639-1 of the text, when known;
- `source_url`: the address the article was fetched from (a feed's link), when it
  differs from the canonical `url`; both are looked up so an item is fetched once;
- `skipped`: why no quotes were extracted (a language the engine does not read).

Undated articles no longer take the day they were ingested: their `seen_on`, and
that of their quotes and mentions, becomes 0001-01-01 (`api.store.values.UNDATED`),
so they sort last and fall in no date range; speakers' and attributes' first and
last seen dates are recomputed without them. (A downgrade leaves those dates.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

# api.store.values.UNDATED, copied: a migration keeps the values it was written with.
UNDATED = date(1, 1, 1)

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("authors", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("source_url", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("skipped", sa.String(length=300), nullable=True))
        batch_op.create_index("ix_articles_url", ["url"], unique=False)
        batch_op.create_index("ix_articles_source_url", ["source_url"], unique=False)
    _undated_last()


def _undated_last() -> None:
    """Undated articles, their quotes and mentions on UNDATED; their speakers' dates recomputed."""
    bind = op.get_bind()
    day = sa.bindparam("undated", UNDATED, type_=sa.Date)
    undated_articles = "SELECT id FROM articles WHERE published IS NULL"
    speakers = [
        sid for (sid,) in bind.execute(
            sa.text(f"SELECT DISTINCT speaker_id FROM quotes WHERE speaker_id IS NOT NULL "
                    f"AND article_id IN ({undated_articles})")
        )
    ]
    bind.execute(sa.text("UPDATE articles SET seen_on = :undated WHERE published IS NULL").bindparams(day))
    for table in ("quotes", "mentions"):
        bind.execute(
            sa.text(f"UPDATE {table} SET seen_on = :undated WHERE article_id IN ({undated_articles})").bindparams(day)
        )
    if not speakers:
        return
    quotes = sa.table("quotes", sa.column("speaker_id", sa.Integer), sa.column("seen_on", sa.Date))
    speakers_t = sa.table("speakers", sa.column("id", sa.Integer), sa.column("first_seen", sa.Date),
                          sa.column("last_seen", sa.Date))
    mentions = sa.table("mentions", sa.column("speaker_id", sa.Integer), sa.column("seen_on", sa.Date),
                        sa.column("titles", sa.JSON), sa.column("roles", sa.JSON), sa.column("organisations", sa.JSON))
    attributes = sa.table("speaker_attributes", sa.column("speaker_id", sa.Integer), sa.column("type", sa.String),
                          sa.column("value", sa.String), sa.column("first_seen", sa.Date),
                          sa.column("last_seen", sa.Date))
    for start in range(0, len(speakers), 500):
        chunk = speakers[start:start + 500]
        dated = {
            sid: (first, last)
            for sid, first, last in bind.execute(
                sa.select(quotes.c.speaker_id, sa.func.min(quotes.c.seen_on), sa.func.max(quotes.c.seen_on))
                .where(quotes.c.speaker_id.in_(chunk), quotes.c.seen_on > UNDATED)
                .group_by(quotes.c.speaker_id)
            )
        }
        for sid in chunk:
            first, last = dated.get(sid, (None, None))
            bind.execute(sa.update(speakers_t).where(speakers_t.c.id == sid).values(first_seen=first, last_seen=last))
        seen: dict[tuple[int, str, str], tuple[date | None, date | None]] = {}
        for sid, day_seen, *lists in bind.execute(
            sa.select(mentions.c.speaker_id, mentions.c.seen_on, mentions.c.titles, mentions.c.roles,
                      mentions.c.organisations).where(mentions.c.speaker_id.in_(chunk))
        ):
            when = day_seen if day_seen is not None and day_seen > UNDATED else None
            for typ, values in zip(("title", "role", "organisation"), lists, strict=True):
                for value in values or ():
                    first, last = seen.get((sid, typ, value), (when, when))
                    if when is not None:
                        first = when if first is None or when < first else first
                        last = when if last is None or when > last else last
                    seen[(sid, typ, value)] = (first, last)
        for (sid, typ, value), (first, last) in seen.items():
            bind.execute(
                sa.update(attributes)
                .where(attributes.c.speaker_id == sid, attributes.c.type == typ, attributes.c.value == value)
                .values(first_seen=first, last_seen=last)
            )


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_source_url")
        batch_op.drop_index("ix_articles_url")
        for column in ("skipped", "source_url", "language", "authors"):
            batch_op.drop_column(column)
