"""A log of which speakers each write touched, so several writers keep their indexes in step cheaply.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

With several writers (`quotelens worker` processes, API processes), a process
whose speaker index is behind the stored version rebuilt it from every speaker
before each write: at 100,000 speakers, seconds per article. Each write now
records the speakers it touched under the version it made, so a process a few
versions behind loads only those. Rows older than the last 1,000 versions are
pruned; a process further behind rebuilds fully, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "speaker_changes",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("speaker_ids", sa.Text(), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("speaker_changes")
