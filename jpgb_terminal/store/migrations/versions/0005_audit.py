"""audit chain and personal data at rest

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

import jpgb_terminal.store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000

# A frozen copy of the event hash as it stood at this revision (see jpgb_terminal/events/chain.py
# for the encoding): history is chained the way it was, whatever the live chain later becomes.
GENESIS = "0" * 64


def _canonical_time(at: datetime | str) -> str:
    if isinstance(at, str):
        parsed = datetime.fromisoformat(at)
        at = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if at.tzinfo is None:
        raise ValueError("naive datetime: a time zone is required")
    u = at.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
        f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    *,
    event_id: str,
    station_id: str,
    seq: int,
    kind: str,
    tracking_no: str | None,
    operator: str | None,
    occurred_at: datetime | str,
    payload: Any,
    prev_hash: str,
) -> str:
    """The hex SHA-256 of an event, encoded as this revision chained it."""
    payload_text = payload if isinstance(payload, str) else _json(payload)
    text = (
        f'{{"event_id":{_json(event_id)},"kind":{_json(kind)},'
        f'"occurred_at":"{_canonical_time(occurred_at)}","operator":{_json(operator)},'
        f'"payload":{payload_text},"prev_hash":{_json(prev_hash)},"seq":{seq:d},'
        f'"station_id":{_json(station_id)},"tracking_no":{_json(tracking_no)}}}'
    )
    return hashlib.sha256(text.encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.alter_column(
            "address",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=1000),
            type_=sa.Text(),
            existing_nullable=True,
        )
        batch_op.add_column(sa.Column("id_doc_no", sa.Text(), nullable=True))
    _chain_existing_events()


def _chain_existing_events() -> None:
    # Events written before this revision get their chain now, so a store upgraded in place
    # verifies from here on: the hashes are the ones a fresh station would have computed.
    event = sa.table(
        "event",
        sa.column("event_id", sa.String),
        sa.column("station_id", sa.String),
        sa.column("seq", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("tracking_no", sa.String),
        sa.column("operator", sa.String),
        sa.column("occurred_at", jpgb_terminal.store.types.UTCDateTime()),
        sa.column("payload", sa.JSON),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(event).order_by(event.c.station_id, event.c.seq)).all()
    updates: list[dict[str, str]] = []
    station: str | None = None
    prev = GENESIS
    for row in rows:
        if row.station_id != station:
            station, prev = row.station_id, GENESIS
        digest = event_hash(
            event_id=row.event_id,
            station_id=row.station_id,
            seq=row.seq,
            kind=row.kind,
            tracking_no=row.tracking_no,
            operator=row.operator,
            occurred_at=row.occurred_at,
            payload=row.payload,
            prev_hash=prev,
        )
        updates.append({"b_id": row.event_id, "b_prev": prev, "b_hash": digest})
        prev = digest
    stmt = (
        event.update()
        .where(event.c.event_id == sa.bindparam("b_id"))
        .values(prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash"))
    )
    for i in range(0, len(updates), _BATCH):
        conn.execute(stmt, updates[i : i + _BATCH])


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("id_doc_no")
        batch_op.alter_column(
            "address",
            existing_type=sa.Text(),
            type_=sqlmodel.sql.sqltypes.AutoString(length=1000),
            existing_nullable=True,
        )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
