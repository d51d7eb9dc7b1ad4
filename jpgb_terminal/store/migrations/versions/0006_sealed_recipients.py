"""shipment recipients as text, so they can be sealed at rest

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("recipient_name", 200), ("recipient_address", 1000), ("recipient_phone", 40))


def upgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.alter_column(
                name,
                existing_type=sa.String(length=length),
                type_=sa.Text(),
                existing_nullable=True,
            )


def downgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.alter_column(
                name,
                existing_type=sa.Text(),
                type_=sa.String(length=length),
                existing_nullable=True,
            )
