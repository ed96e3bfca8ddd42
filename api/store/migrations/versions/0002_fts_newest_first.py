"""SQLite full-text search that answers a whole quote listing: keyed newest first, with speaker and kind.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

Quote search lists matches newest first, by (seen_on, id). With the FTS5 rowid
equal to the quote id, SQLite had to fetch and sort every match (4,600 of a
million quotes for a median topic word: 8 ms) or walk all quotes newest first
(up to 340 ms for a rare word). Now the rowid is

    day number of seen_on * 2**32 + quote id        (quote ids are below 2**31)

so FTS5 itself yields matches newest first and stops after a page
(`ORDER BY rowid DESC LIMIT n`), a date range is a rowid range, and
`rowid & 0xFFFFFFFF` is the quote id. The speaker ("s<id>") and the kind are
indexed columns too, so "this speaker's quotes about troops" is an intersection
of two doclists inside FTS5 (it was a join of up to 50 ms). The table is
contentless (the text lives in `quotes`); triggers keep it in step, also when a
quote's date, speaker (merge, split) or kind changes. PostgreSQL is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZE = "porter unicode61 remove_diacritics 2"


def _values(row: str) -> str:
    """What a quote row is indexed as: (rowid, text, speaker, kind)."""
    return (f"((CAST(julianday({row}.seen_on) AS INTEGER) << 32) | {row}.id), {row}.text, "
            f"'s' || {row}.speaker_id, {row}.kind")


def _drop_sqlite_fts() -> None:
    for trigger in ("quotes_fts_insert", "quotes_fts_delete", "quotes_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS quotes_fts")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_sqlite_fts()
    op.execute(
        f"CREATE VIRTUAL TABLE quotes_fts USING fts5(text, speaker, kind, content='', tokenize='{TOKENIZE}')"
    )
    op.execute(
        "CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN "
        f"INSERT INTO quotes_fts(rowid, text, speaker, kind) VALUES ({_values('new')}); END"
    )
    # A contentless table forgets a row given the values it was indexed with.
    op.execute(
        "CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN "
        f"INSERT INTO quotes_fts(quotes_fts, rowid, text, speaker, kind) VALUES ('delete', {_values('old')}); END"
    )
    op.execute(
        "CREATE TRIGGER quotes_fts_update AFTER UPDATE OF text, seen_on, speaker_id, kind ON quotes BEGIN "
        f"INSERT INTO quotes_fts(quotes_fts, rowid, text, speaker, kind) VALUES ('delete', {_values('old')}); "
        f"INSERT INTO quotes_fts(rowid, text, speaker, kind) VALUES ({_values('new')}); END"
    )
    op.execute(f"INSERT INTO quotes_fts(rowid, text, speaker, kind) SELECT {_values('quotes')} FROM quotes")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_sqlite_fts()
    op.execute(
        "CREATE VIRTUAL TABLE quotes_fts USING fts5("
        f"text, content='quotes', content_rowid='id', tokenize='{TOKENIZE}')"
    )
    op.execute(
        "CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN "
        "INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN "
        "INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER quotes_fts_update AFTER UPDATE OF text ON quotes BEGIN "
        "INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute("INSERT INTO quotes_fts(quotes_fts) VALUES ('rebuild')")
