"""Quotes carry their article's outlet; on PostgreSQL, an index that yields search matches in date order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

- `quotes.outlet`, copied from the article (as `seen_on` is), with the index
  (outlet, seen_on, id): an outlet's quotes newest first are a walk along one index.
  It was a probe of the article of every quote, newest first (200-300 ms a page on a
  million quotes). `articles` gets (outlet, seen_on, quote_count) for an outlet's total.
- SQLite: the full-text index gets an `outlet` column (the outlet as one token: 'o', its
  UTF-8 bytes in hex, '0'), so an outlet's quotes on a topic are one intersection inside
  FTS5, newest first, as a speaker's are (it was every match of the words checked
  against the outlet: 270 ms a page, seconds at worst). The index is rebuilt.
- PostgreSQL: `quotes.sort_key`, a generated bigint (days since 0001-01-01 << 32 | id,
  the key SQLite's full-text index orders by, migration 0002; an undated quote's day
  is 0), and, where the `rum`
  extension is installed (Debian: postgresql-15-rum), a RUM index over `text_tsv`
  with `sort_key` attached: matches come out of the index in date order, their keys
  read from the index, instead of a GIN match and a sort of every matching row read
  from the table. Without the extension (or the right to create it) the GIN index
  stays and search works as before, slower; the API logs a note at its first search.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# Copied here on purpose: a migration keeps the SQL it was written with (api.store.fulltext has its own).
# The undated day (0001-01-01) reaches PostgreSQL as -infinity (asyncpg's date.min): day 0 here.
SORT_KEY = ("ALTER TABLE quotes ADD COLUMN sort_key bigint GENERATED ALWAYS AS "
            "((((CASE WHEN isfinite(seen_on) THEN seen_on - DATE '0001-01-01' ELSE 0 END)::bigint) << 32) | id) "
            "STORED")
TOKENIZE = "porter unicode61 remove_diacritics 2"


def _fts_values(row: str, outlet: bool) -> str:
    """What a quote row is indexed as: (rowid, text, speaker, kind[, outlet])."""
    values = (f"((CAST(julianday({row}.seen_on) AS INTEGER) << 32) | {row}.id), {row}.text, "
              f"'s' || {row}.speaker_id, {row}.kind")
    return values + (f", 'o' || hex({row}.outlet) || '0'" if outlet else "")


def _sqlite_fts(outlet: bool) -> None:
    """(Re)build the full-text index and its triggers, with the outlet column or without (0002's)."""
    for trigger in ("quotes_fts_insert", "quotes_fts_delete", "quotes_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS quotes_fts")
    columns = "text, speaker, kind" + (", outlet" if outlet else "")
    op.execute(f"CREATE VIRTUAL TABLE quotes_fts USING fts5({columns}, content='', tokenize='{TOKENIZE}')")
    new, old = _fts_values("new", outlet), _fts_values("old", outlet)
    op.execute(f"CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN "
               f"INSERT INTO quotes_fts(rowid, {columns}) VALUES ({new}); END")
    # A contentless table forgets a row given the values it was indexed with.
    op.execute(f"CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN "
               f"INSERT INTO quotes_fts(quotes_fts, rowid, {columns}) VALUES ('delete', {old}); END")
    op.execute(f"CREATE TRIGGER quotes_fts_update AFTER UPDATE OF {columns.replace('speaker', 'speaker_id')}, "
               f"seen_on ON quotes BEGIN "
               f"INSERT INTO quotes_fts(quotes_fts, rowid, {columns}) VALUES ('delete', {old}); "
               f"INSERT INTO quotes_fts(rowid, {columns}) VALUES ({new}); END")
    op.execute(f"INSERT INTO quotes_fts(rowid, {columns}) SELECT {_fts_values('quotes', outlet)} FROM quotes")


RUM_INDEX = ("CREATE INDEX ix_quotes_text_rum ON quotes USING rum (text_tsv rum_tsvector_addon_ops, sort_key) "
             "WITH (attach = 'sort_key', to = 'text_tsv')")


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outlet", sa.String(length=300), nullable=True))
    if bind.dialect.name == "postgresql":
        op.execute("UPDATE quotes SET outlet = articles.outlet FROM articles "
                   "WHERE articles.id = quotes.article_id AND articles.outlet IS NOT NULL")
    else:
        op.execute("UPDATE quotes SET outlet = (SELECT articles.outlet FROM articles "
                   "WHERE articles.id = quotes.article_id)")
    op.create_index("ix_quotes_outlet_seen_on_id", "quotes", ["outlet", "seen_on", "id"])
    op.create_index("ix_articles_outlet_seen_on_quote_count", "articles", ["outlet", "seen_on", "quote_count"])
    if bind.dialect.name == "postgresql":
        op.execute(SORT_KEY)  # rewrites the table once (which also drops the dead rows of the update)
        _ordered_search_index(bind)
    else:
        _sqlite_fts(outlet=True)


def _ordered_search_index(bind: sa.Connection) -> None:
    if not bind.scalar(sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'rum'")):
        log.warning("PostgreSQL has no rum extension (Debian: postgresql-15-rum): quote search keeps its GIN "
                    "index and sorts every match; install it, then run: CREATE EXTENSION rum; %s", RUM_INDEX)
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS rum"))
            bind.execute(sa.text(RUM_INDEX))
    except DBAPIError as exc:  # say, no right to create extensions
        log.warning("could not create the rum index (%s); quote search keeps its GIN index", exc.orig)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_quotes_text_rum")
        op.execute("ALTER TABLE quotes DROP COLUMN IF EXISTS sort_key")
    else:
        _sqlite_fts(outlet=False)
    op.drop_index("ix_articles_outlet_seen_on_quote_count", table_name="articles")
    op.drop_index("ix_quotes_outlet_seen_on_id", table_name="quotes")
    # ALTER TABLE ... DROP COLUMN on SQLite too (3.35+): a batch copy would drop the full-text triggers.
    op.drop_column("quotes", "outlet")
