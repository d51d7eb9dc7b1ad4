"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import jpgb_terminal.store.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "created_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "event",
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column(
            "occurred_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
        sa.UniqueConstraint("station_id", "seq", name="uq_event_station_seq"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_tracking_no"), ["tracking_no"], unique=False)

    op.create_table(
        "operator",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("pin_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column(
            "locked_until", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "parcel",
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("scheme", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("customer_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("received_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column(
            "received_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("prealert_matched", sa.Boolean(), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=True),
        sa.Column("weight_source", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("weight_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column(
            "updated_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("tracking_no"),
    )
    with op.batch_alter_table("parcel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parcel_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_parcel_received_at"), ["received_at"], unique=False)
        batch_op.create_index("ix_parcel_state_received", ["state", "received_at"], unique=False)

    op.create_table(
        "hold",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column(
            "opened_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("opened_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("closed_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["tracking_no"],
            ["parcel.tracking_no"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hold_tracking_no"), ["tracking_no"], unique=False)
        batch_op.create_index("ix_hold_open_deadline", ["closed_at", "deadline"], unique=False)

    op.create_table(
        "inspection",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("opened", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "inspected_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tracking_no"],
            ["parcel.tracking_no"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_tracking_no"), ["tracking_no"], unique=False
        )

    op.create_table(
        "prealert",
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("customer_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("carrier", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("contents", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("declared_value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column(
            "created_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("tracking_no"),
    )
    with op.batch_alter_table("prealert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prealert_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "weight_record",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("grams", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("raw_frame", sa.LargeBinary(), nullable=True),
        sa.Column("scale_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("protocol", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column(
            "measured_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["tracking_no"],
            ["parcel.tracking_no"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("weight_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_weight_record_tracking_no"), ["tracking_no"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("weight_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_weight_record_tracking_no"))

    op.drop_table("weight_record")
    with op.batch_alter_table("prealert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prealert_customer_id"))

    op.drop_table("prealert")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_tracking_no"))

    op.drop_table("inspection")
    with op.batch_alter_table("hold", schema=None) as batch_op:
        batch_op.drop_index("ix_hold_open_deadline")
        batch_op.drop_index(batch_op.f("ix_hold_tracking_no"))

    op.drop_table("hold")
    with op.batch_alter_table("parcel", schema=None) as batch_op:
        batch_op.drop_index("ix_parcel_state_received")
        batch_op.drop_index(batch_op.f("ix_parcel_received_at"))
        batch_op.drop_index(batch_op.f("ix_parcel_customer_id"))

    op.drop_table("parcel")
    op.drop_table("operator")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_tracking_no"))
        batch_op.drop_index(batch_op.f("ix_event_kind"))

    op.drop_table("event")
    op.drop_table("customer")
