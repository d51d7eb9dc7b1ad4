"""quarantine: events central refused, kept unprojected until a supervisor resolves them

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from jpgb_terminal.store.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("station_id", _text(40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_id", _text(36), nullable=False),
        sa.Column("kind", _text(200), nullable=False),
        sa.Column("tracking_no", _text(200), nullable=True),
        sa.Column("stored", sa.Boolean(), nullable=False),
        sa.Column("reason", _text(2000), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("state", _text(10), nullable=False),
        sa.Column("noted_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", _text(80), nullable=True),
        sa.Column("resolved_note", _text(2000), nullable=True),
        sa.PrimaryKeyConstraint("station_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("quarantine")
