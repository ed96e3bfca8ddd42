"""What a page says about an article: authors, language, the address it was read from, why it was skipped.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

- `authors`: the byline (a JSON list of names), never speakers;
- `language`: ISO 639-1 of the text, when known;
- `source_url`: the address the article was fetched from (a feed's link), when it
  differs from the canonical `url`; both are looked up so an item is fetched once;
- `skipped`: why no quotes were extracted (a language the engine does not read).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
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


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_source_url")
        batch_op.drop_index("ix_articles_url")
        for column in ("skipped", "source_url", "language", "authors"):
            batch_op.drop_column(column)
