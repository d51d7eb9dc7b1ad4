"""sync: push watermark and pull cursor, central order, station sequences, receipts, issues

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import jpgb_terminal.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_order",
        sa.Column(
            "central_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint("central_id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_table(
        "receipt",
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column(
            "received_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("duplicate", sa.Boolean(), nullable=False),
        sa.Column(
            "reviewed_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("reviewed_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipt_tracking_no"), ["tracking_no"], unique=False)

    op.create_table(
        "station_sequence",
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("max_contiguous_seq", sa.Integer(), nullable=False),
        sa.Column("max_seen_seq", sa.Integer(), nullable=False),
        sa.Column("gap_from", sa.Integer(), nullable=True),
        sa.Column(
            "gap_detected_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "last_push_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("station_id"),
    )
    op.create_table(
        "sync_issue",
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("problem", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("noted_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "sync_state",
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("pushed_seq", sa.Integer(), nullable=False),
        sa.Column("pulled_central_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "last_attempt_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "last_success_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "offline_since", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("alarm", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("station_id"),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_table("sync_issue")
    op.drop_table("station_sequence")
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipt_tracking_no"))
    op.drop_table("receipt")
    op.drop_table("event_order")
