"""Redirects remember the names of the speaker merged away, so a split can give its old id and slug back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

After merging `lloyd-austin` into `kenneth-mckenzie` and splitting "Lloyd Austin" off
again, the old id and slug must lead to Lloyd Austin, not to McKenzie. A redirect
now keeps the normalised names (kind and form, as the index compares them) the merged
speaker was known by; a split of one of those names reinstates that speaker's id and
slug for the new speaker and drops the redirect. Redirects made before this revision
know no names: they stay as they are.
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
    op.add_column("speaker_redirects", sa.Column("names", sa.JSON(), nullable=False, server_default="[]"))
    op.create_index("ix_speaker_redirects_speaker_id", "speaker_redirects", ["speaker_id"])


def downgrade() -> None:
    op.drop_index("ix_speaker_redirects_speaker_id", table_name="speaker_redirects")
    with op.batch_alter_table("speaker_redirects") as batch:
        batch.drop_column("names")
