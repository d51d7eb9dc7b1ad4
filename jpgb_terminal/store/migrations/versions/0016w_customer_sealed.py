"""customer name and phone as text, so they can be sealed at rest

Revision ID: 0016w
Revises: 0015h
Create Date: 2026-12-04

A sealed value is longer than the clear one, so the columns lose their lengths; the service
that takes a name or phone in checks the clear value's length instead (200 and 40 characters).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016w"
down_revision: str | None = "0015h"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("name", 200, False), ("phone", 40, True))


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        for name, length, nullable in COLUMNS:
            batch_op.alter_column(
                name,
                existing_type=sa.String(length=length),
                type_=sa.Text(),
                existing_nullable=nullable,
            )


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        for name, length, nullable in COLUMNS:
            batch_op.alter_column(
                name,
                existing_type=sa.Text(),
                type_=sa.String(length=length),
                existing_nullable=nullable,
            )
