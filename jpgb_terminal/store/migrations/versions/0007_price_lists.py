"""published price lists

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import jpgb_terminal.store.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "price_list",
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "effective_from", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "published_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )


def downgrade() -> None:
    op.drop_table("price_list")
