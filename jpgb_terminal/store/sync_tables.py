"""Tables that sync needs on top of a station's schema (created everywhere by migration 0003).

At a station:
  sync_state        one row per station id: the push watermark (every event of that station
                    with seq <= pushed_seq is known to be on central), the pull cursor (the
                    central_id of the last central event applied here), and the health figures
                    `jpgb sync status` and the bench's status line show.

At the central store:
  event_order       the order in which central accepted events (central_id); stations pull
                    "everything after central_id N".  Pushes take one lock for their whole
                    transaction, so central_ids become visible strictly in order and a cursor
                    never steps over an event that commits later.
  station_sequence  per station: how far its seq numbers run without a hole, the highest seen,
                    and where the first hole starts (the gap alarm).
  receipt           receipts of parcels received more than once (two stations scanning the
                    same parcel offline): the earliest bills, the others are duplicates for a
                    supervisor to review.  Stations keep them too for pulled receipts.
  sync_issue        events stored but not projected (unknown kinds, facts that do not fit),
                    for someone to look at; they never stop a push silently.
  quarantine        events central refused (jpgb_terminal.sync.merge): kept, never projected,
                    until a supervisor's `sync.quarantine_resolved` event (recorded at a bench)
                    acknowledges them.

Everywhere:
  store_info        facts about the store itself; `role` = `central` marks the central store,
                    which takes events only through sync (jpgb_terminal.store.role).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, Text
from sqlmodel import Field, SQLModel

from jpgb_terminal.store.types import UTCDateTime

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
CENTRAL_ID = BigInteger().with_variant(Integer(), "sqlite")


def _ts(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))


class SyncState(SQLModel, table=True):
    """A station's push watermark, pull cursor and last outcome of talking to central."""

    __tablename__ = "sync_state"

    station_id: str = Field(primary_key=True, max_length=40)
    pushed_seq: int = 0
    pulled_central_id: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False))
    last_attempt_at: datetime | None = _ts()
    last_success_at: datetime | None = _ts()
    offline_since: datetime | None = _ts()
    last_error: str | None = Field(default=None, max_length=2000)
    alarm: str | None = Field(default=None, max_length=2000)


class EventOrder(SQLModel, table=True):
    """Central's acceptance order of events: the cursor stations pull from."""

    __tablename__ = "event_order"

    central_id: int | None = Field(
        default=None, sa_column=Column(CENTRAL_ID, primary_key=True, autoincrement=True)
    )
    event_id: str = Field(max_length=36, unique=True)
    station_id: str = Field(max_length=40)


class StationSequence(SQLModel, table=True):
    """How complete central's copy of one station's event sequence is."""

    __tablename__ = "station_sequence"

    station_id: str = Field(primary_key=True, max_length=40)
    max_contiguous_seq: int = 0
    max_seen_seq: int = 0
    gap_from: int | None = None
    gap_detected_at: datetime | None = _ts()
    last_push_at: datetime | None = _ts()


class Receipt(SQLModel, table=True):
    """One receipt of a parcel received more than once; `duplicate` ones are not billed."""

    __tablename__ = "receipt"

    event_id: str = Field(primary_key=True, max_length=36)
    tracking_no: str = Field(index=True, max_length=40)
    station_id: str = Field(max_length=40)
    operator: str | None = Field(default=None, max_length=80)
    received_at: datetime = _ts(nullable=False)
    duplicate: bool = False
    reviewed_at: datetime | None = _ts()
    reviewed_by: str | None = Field(default=None, max_length=80)


class SyncIssue(SQLModel, table=True):
    """An event that was stored but could not be projected, and why."""

    __tablename__ = "sync_issue"

    event_id: str = Field(primary_key=True, max_length=36)
    station_id: str = Field(max_length=40)
    kind: str = Field(max_length=40)
    problem: str = Field(max_length=2000)
    noted_at: datetime = _ts(nullable=False)


class Quarantine(SQLModel, table=True):
    """An event central refused: why, whether it is in the event log, and who resolved it."""

    __tablename__ = "quarantine"

    station_id: str = Field(primary_key=True, max_length=40)
    seq: int = Field(primary_key=True)
    event_id: str = Field(max_length=36)
    kind: str = Field(max_length=200)
    tracking_no: str | None = Field(default=None, max_length=200)
    stored: bool = False
    """In the event log (pulled, never projected); else refused outright and the push stops."""
    reason: str = Field(max_length=2000)
    content: str = Field(sa_column=Column(Text(), nullable=False))
    """The event as pushed (JSON), so a refused one is kept whatever it holds."""
    state: str = Field(default="open", max_length=10)
    noted_at: datetime = _ts(nullable=False)
    resolved_at: datetime | None = _ts()
    resolved_by: str | None = Field(default=None, max_length=80)
    resolved_note: str | None = Field(default=None, max_length=2000)


class StoreInfo(SQLModel, table=True):
    """A fact about the store itself (key `role`: `central` at the central store)."""

    __tablename__ = "store_info"

    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)
