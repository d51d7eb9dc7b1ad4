"""tracking blocks: each station gives out numbers only from blocks of a range it owns

Revision ID: 0015h
Revises: 0014d
Create Date: 2026-12-04

A range registered before blocks existed becomes one block owned by the station whose
`tracking_range.added` event registered it (the station of the store when no event names
it), going on from the range's `next_serial`: nothing numbered before is numbered again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from jpgb_terminal.store.types import UTCDateTime

revision: str = "0015h"
down_revision: str | None = "0014d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "tracking_block",
        sa.Column("id", _text(36), nullable=False),
        sa.Column("range_id", _text(36), nullable=False),
        sa.Column("station_id", _text(40), nullable=False),
        sa.Column("service", _text(16), nullable=False),
        sa.Column("prefix", _text(2), nullable=False),
        sa.Column("country", _text(2), nullable=False),
        sa.Column("first_serial", sa.Integer(), nullable=False),
        sa.Column("next_serial", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "first_serial <= next_serial AND next_serial <= last_serial + 1",
            name="ck_tracking_block_serials",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tracking_block", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_block_range_id"), ["range_id"])
        batch_op.create_index(batch_op.f("ix_tracking_block_station_id"), ["station_id"])
    _blocks_of_old_ranges()


def _blocks_of_old_ranges() -> None:
    conn = op.get_bind()
    ranges = sa.table(
        "tracking_range",
        *(
            sa.column(name)
            for name in ("id", "service", "prefix", "country", "first_serial", "next_serial")
        ),
        sa.column("last_serial"),
        sa.column("created_at"),
    )
    events = sa.table(
        "event", sa.column("station_id"), sa.column("kind"), sa.column("payload", sa.JSON)
    )
    info = sa.table("store_info", sa.column("key"), sa.column("value"))
    own = conn.execute(sa.select(info.c.value).where(info.c.key == "station_id")).scalar()
    owners: dict[str, str] = {}
    for station_id, payload in conn.execute(
        sa.select(events.c.station_id, events.c.payload).where(
            events.c.kind == "tracking_range.added"
        )
    ):
        if isinstance(payload, dict) and "id" in payload:
            owners[str(payload["id"])] = station_id
    rows = [
        {
            # One block per old range, so its id can be the range's.
            "id": r.id,
            "range_id": r.id,
            "station_id": owners.get(r.id) or own,
            "service": r.service,
            "prefix": r.prefix,
            "country": r.country,
            "first_serial": r.first_serial,
            "next_serial": r.next_serial,
            "last_serial": r.last_serial,
            "created_at": r.created_at,
        }
        for r in conn.execute(sa.select(ranges))
    ]
    # A range no event or store names an owner of gets no block: nobody numbers from it.
    rows = [row for row in rows if row["station_id"] is not None]
    if rows:
        op.bulk_insert(sa.table("tracking_block", *(sa.column(k) for k in rows[0])), rows)


def downgrade() -> None:
    with op.batch_alter_table("tracking_block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_block_station_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_block_range_id"))
    op.drop_table("tracking_block")
