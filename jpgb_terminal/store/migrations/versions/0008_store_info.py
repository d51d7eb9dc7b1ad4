"""store role: the central store marks itself

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    info = op.create_table(
        "store_info",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    # A store that already ordered pushed events is a central store; a station's stays empty.
    ordered = op.get_bind().execute(sa.text("SELECT 1 FROM event_order LIMIT 1")).first()
    if ordered is not None:
        op.bulk_insert(info, [{"key": "role", "value": "central"}])


def downgrade() -> None:
    op.drop_table("store_info")
