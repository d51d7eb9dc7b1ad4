"""Central's quarantine as benches see it: list it, and resolve an entry with a recorded event.

Central takes no direct writes, so a supervisor resolves a quarantined event at a bench: the
bench checks with central that the entry is open, then records `sync.quarantine_resolved`
(station, seq, event id, note) as one of its own events; the next push carries it to central,
where it marks the entry resolved (jpgb_terminal.sync.merge).  The permission is the one for
reviewing what sync flagged (`review_receipts`: supervisors and leads).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlmodel import Session

from jpgb_terminal.events import QuarantineResolved
from jpgb_terminal.services.context import Actor, authorize
from jpgb_terminal.services.errors import NotFound, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store import Store
from jpgb_terminal.sync.failures import classify
from jpgb_terminal.sync.link import CentralLink, Deadlines, SyncError
from jpgb_terminal.sync.merge import QuarantineRow, quarantine_rows
from jpgb_terminal.workflow.auth import Who, acting

MAX_NOTE = 500


def list_quarantine(
    central_url: str, *, open_only: bool = False, deadlines: Deadlines | None = None
) -> list[QuarantineRow]:
    """Central's quarantined events (raises SyncError when central cannot say)."""

    def read(conn: Connection) -> list[QuarantineRow]:
        with conn.begin():
            return quarantine_rows(conn, open_only=open_only)

    with CentralLink(central_url, deadlines) as link:
        try:
            return link.run("quarantine", read)
        except SyncError:
            raise
        except Exception as exc:
            raise classify(exc) from exc


def find_open(rows: list[QuarantineRow], station_id: str, seq: int) -> QuarantineRow:
    """The open entry for (station, seq), or a NotFound that says what there is instead."""
    for row in rows:
        if row.station_id == station_id and row.seq == seq:
            if row.state != "open":
                raise ServiceError(
                    f"{station_id} seq {seq} was already resolved by {row.resolved_by}"
                )
            return row
    raise NotFound(f"central has no quarantined event {station_id} seq {seq}")


def record_resolution(session: Session, actor: Actor, row: QuarantineRow, *, note: str) -> str:
    """Record, at this bench, that a supervisor dealt with a quarantined event; returns the
    new event's id.  A note saying what was done is required."""
    authorize(session, actor, "review_receipts", administrator=False)
    note = note.strip()
    if not note:
        raise ServiceError("say what was done about it: --note TEXT")
    if len(note) > MAX_NOTE:
        raise ServiceError(f"the note is {len(note)} characters; at most {MAX_NOTE}")
    appended = append_event(
        session,
        actor,
        QuarantineResolved(
            station_id=row.station_id, seq=row.seq, event_id=row.event_id, note=note
        ),
    )
    return appended.event_id


@dataclass(frozen=True)
class Resolved:
    """Who resolved a quarantined event, and the id of the event recording it."""

    operator: str
    event_id: str


def resolve_quarantined(
    store: Store,
    who: Who,
    central_url: str,
    station_id: str,
    seq: int,
    *,
    note: str,
    deadlines: Deadlines | None = None,
) -> Resolved:
    """Check the supervisor, ask central that (station, seq) is open, record the resolution.

    A wrong PIN asks central nothing; SyncError when central cannot say; nothing is written
    unless the entry is open and the note is good.
    """
    actor = acting(store, who)
    rows = list_quarantine(central_url, deadlines=deadlines)
    with store.transaction() as session:
        row = find_open(rows, station_id, seq)
        event_id = record_resolution(session, actor, row, note=note)
    return Resolved(actor.operator or "", event_id)
