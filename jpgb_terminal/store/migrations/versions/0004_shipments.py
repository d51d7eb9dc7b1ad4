"""shipments and outbound boxes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import jpgb_terminal.store.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipment",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("customer_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("recipient_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column(
            "recipient_address", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True
        ),
        sa.Column("recipient_phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("insurance_jpy", sa.BigInteger(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "created_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipment_state"), ["state"], unique=False)

    op.create_table(
        "tracking_range",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("first_serial", sa.Integer(), nullable=False),
        sa.Column("next_serial", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.CheckConstraint(
            "first_serial <= next_serial AND next_serial <= last_serial + 1",
            name="ck_tracking_range_serials",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tracking_range", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_range_service"), ["service"], unique=False)

    op.create_table(
        "box_weight",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("shipment_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
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
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("box_weight", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_box_weight_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "customs_line",
        sa.Column("shipment_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("hs_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("origin_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("net_weight_g", sa.Integer(), nullable=True),
        sa.Column("lithium", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_customs_line_quantity"),
        sa.CheckConstraint("unit_value >= 0", name="ck_customs_line_value"),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipment.id"],
        ),
        sa.PrimaryKeyConstraint("shipment_id", "line_no"),
    )
    op.create_table(
        "shipment_parcel",
        sa.Column("shipment_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "confirmed_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("confirmed_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipment.id"],
        ),
        sa.PrimaryKeyConstraint("shipment_id", "tracking_no"),
    )
    with op.batch_alter_table("shipment_parcel", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_parcel_tracking_no"), ["tracking_no"], unique=False
        )

    op.create_table(
        "box",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("shipment_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "outbound_tracking_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        ),
        sa.Column("tracking_source", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("station_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column(
            "packed_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("weight_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=False),
        sa.Column("length_cm", sa.Integer(), nullable=False),
        sa.Column("width_cm", sa.Integer(), nullable=False),
        sa.Column("height_cm", sa.Integer(), nullable=False),
        sa.Column("chargeable_g", sa.Integer(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column(
            "price_list_version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        ),
        sa.Column("zone", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("customs_form", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("declared_value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("declared_currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("export_declaration", sa.Boolean(), nullable=False),
        sa.Column(
            "handed_over_at", jpgb_terminal.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("handed_over_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.CheckConstraint("fee >= 0", name="ck_box_fee_not_negative"),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["weight_id"],
            ["box_weight.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outbound_tracking_no", name="uq_box_outbound_tracking_no"),
        sa.UniqueConstraint("shipment_id", name="uq_box_shipment"),
    )
    with op.batch_alter_table("box", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_box_handed_over_at"), ["handed_over_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_box_packed_at"), ["packed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("box", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_box_packed_at"))
        batch_op.drop_index(batch_op.f("ix_box_handed_over_at"))

    op.drop_table("box")
    with op.batch_alter_table("shipment_parcel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_parcel_tracking_no"))

    op.drop_table("shipment_parcel")
    op.drop_table("customs_line")
    with op.batch_alter_table("box_weight", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_box_weight_shipment_id"))

    op.drop_table("box_weight")
    with op.batch_alter_table("tracking_range", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_range_service"))

    op.drop_table("tracking_range")
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_state"))
        batch_op.drop_index(batch_op.f("ix_shipment_customer_id"))

    op.drop_table("shipment")
