"""hold decisions and the sale ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import jpgb_terminal.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decision",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "decided_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("article", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("from_state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("to_state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("report_reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("consent_reference", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.ForeignKeyConstraint(["tracking_no"], ["parcel.tracking_no"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_tracking_no"), ["tracking_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_decided_at"), ["decided_at"], unique=False)

    op.create_table(
        "sale",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("decision_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("proceeds", sa.BigInteger(), nullable=False),
        sa.Column("custody_fee", sa.BigInteger(), nullable=False),
        sa.Column("disposal_fee", sa.BigInteger(), nullable=False),
        sa.Column("service_fee", sa.BigInteger(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("shortfall", sa.BigInteger(), nullable=False),
        sa.Column("balance_fixed_on", sa.Date(), nullable=False),
        sa.Column("remittance_due", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "proceeds >= 0 AND custody_fee >= 0 AND disposal_fee >= 0 AND service_fee >= 0",
            name="ck_sale_amounts_not_negative",
        ),
        sa.CheckConstraint("balance >= 0 AND shortfall >= 0", name="ck_sale_balance_not_negative"),
        sa.CheckConstraint(
            "balance - shortfall = proceeds - custody_fee - disposal_fee - service_fee",
            name="ck_sale_arithmetic",
        ),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"]),
        sa.ForeignKeyConstraint(["tracking_no"], ["parcel.tracking_no"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id", name="uq_sale_decision"),
    )
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sale_tracking_no"), ["tracking_no"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sale_tracking_no"))
    op.drop_table("sale")

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_decided_at"))
        batch_op.drop_index(batch_op.f("ix_decision_tracking_no"))
    op.drop_table("decision")
