"""What a round reports and what a station's `sync_state` row keeps of it (no network here).

`SyncReport` is one round's outcome; `SyncStatus` is the station's health read back from its
own store for `jpgb sync status` and the bench's status line.  The row's marks only move
forward, so two rounds racing from two processes never move one back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from jpgb_terminal.clock import now
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import EVENT, SYNC_STATE
from jpgb_terminal.store.identity import check_station, store_station
from jpgb_terminal.store.role import is_central
from jpgb_terminal.sync.apply import ApplyOutcome
from jpgb_terminal.sync.wire import local_max_seq


@dataclass
class SyncReport:
    """What one sync round did."""

    station_id: str
    central: str
    started_at: datetime
    finished_at: datetime | None = None
    ok: bool = False
    pushed: int = 0
    """Events central accepted in this round."""
    already_central: int = 0
    """Events sent again that central already had (after an unanswered commit)."""
    batches: int = 0
    pulled: int = 0
    """Other stations' events stored and applied here."""
    queued: int = 0
    """This station's events still waiting for a confirmed push."""
    unknown_kinds: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    duplicate_receipts: list[str] = field(default_factory=list)
    held_here: list[str] = field(default_factory=list)
    """Parcels this bench held because a customer's status changed elsewhere."""
    alarms: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    """Events central refused this round and keeps in quarantine (named)."""
    open_quarantine: list[str] = field(default_factory=list)
    """This station's events waiting in central's quarantine for a supervisor."""
    error: str | None = None
    error_kind: str | None = None
    """offline, timeout, rejected or error."""

    @property
    def duration_s(self) -> float:
        """Seconds the round took."""
        end = self.finished_at or now()
        return (end - self.started_at).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        data["duration_s"] = round(self.duration_s, 3)
        return data

    def summary(self) -> str:
        """One line for a log or the status bar."""
        if self.ok:
            text = f"synced: {self.pushed} up, {self.pulled} down, {self.queued} queued"
            if self.held_here:
                text += f", {len(self.held_here)} held for a customer status set elsewhere"
        else:
            text = f"sync failed ({self.error_kind}): {self.error}; {self.queued} queued"
        if self.alarms:
            text += " | ALARM: " + "; ".join(self.alarms)
        if self.open_quarantine:
            text += f" | QUARANTINE ({len(self.open_quarantine)}): " + self.open_quarantine[0]
        return text


@dataclass(frozen=True)
class SyncStatus:
    """A station's sync health, read from its own store (no network)."""

    station_id: str
    queued: int
    pushed_seq: int
    local_max_seq: int
    pulled_central_id: int
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    offline_since: datetime | None
    last_error: str | None
    alarm: str | None

    @property
    def online(self) -> bool:
        """Whether the last round succeeded."""
        return self.last_success_at is not None and self.last_error is None

    def line(self) -> str:
        """Short text for a status line."""
        if self.last_attempt_at is None:
            text = f"never synced, {self.queued} queued"
        elif self.offline_since is not None:
            text = f"offline since {self.offline_since:%Y-%m-%d %H:%M} UTC, {self.queued} queued"
        elif self.last_error:
            text = f"sync error: {self.last_error}"
        else:
            when = f"{self.last_success_at:%H:%M:%S}" if self.last_success_at else "-"
            text = f"synced {when} UTC, {self.queued} queued"
        if self.alarm:
            text += f" | ALARM: {self.alarm}"
        return text

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        data = asdict(self)
        for key in ("last_attempt_at", "last_success_at", "offline_since"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        data["online"] = self.online
        return data


def merge_outcome(report: SyncReport, outcome: ApplyOutcome) -> None:
    """Add what one applied batch or page found (unknown kinds, issues, duplicates)."""
    report.unknown_kinds += [f"{kind} ({eid})" for eid, kind in outcome.unknown]
    report.issues += outcome.issues
    for tracking_no in outcome.duplicate_receipts:
        if tracking_no not in report.duplicate_receipts:
            report.duplicate_receipts.append(tracking_no)


# -- local sync_state ----------------------------------------------------------------------


def state_row(conn: Connection, station_id: str) -> dict[str, Any]:
    """The station's `sync_state` row as a dict, made (all marks at zero) when missing."""
    row = conn.execute(select(SYNC_STATE).where(SYNC_STATE.c.station_id == station_id)).first()
    if row is None:
        conn.execute(
            SYNC_STATE.insert(),
            {"station_id": station_id, "pushed_seq": 0, "pulled_central_id": 0},
        )
        row = conn.execute(select(SYNC_STATE).where(SYNC_STATE.c.station_id == station_id)).first()
    assert row is not None
    return dict(row._mapping)


def set_state(local: Store, station_id: str, **values: Any) -> None:
    """Write columns of the station's `sync_state` row in a transaction of its own."""
    with local.engine.begin() as conn:
        state_row(conn, station_id)
        conn.execute(
            SYNC_STATE.update().where(SYNC_STATE.c.station_id == station_id).values(**values)
        )


def advance(local: Store, station_id: str, column: str, value: int) -> None:
    """Move a mark of the station's row up to `value`, never down."""
    # Only forward: two rounds racing from two processes must not move a mark back.
    col = SYNC_STATE.c[column]
    with local.engine.begin() as conn:
        conn.execute(
            SYNC_STATE.update()
            .where(SYNC_STATE.c.station_id == station_id, col < value)
            .values({column: value})
        )


def queued_count(conn: Connection, station_id: str, pushed_seq: int) -> int:
    """How many of the station's events lie above its push watermark."""
    stmt = select(func.count()).where(EVENT.c.station_id == station_id, EVENT.c.seq > pushed_seq)
    return int(conn.execute(stmt).scalar_one())


def sync_status(local: Store, station_id: str | None = None) -> SyncStatus:
    """The station's sync health from its own store: queue, last success, offline since, alarm.

    The station is the store's own (jpgb_terminal.store.identity); `station_id` naming another
    is refused (StationMismatch).  The queue is every event of that station central has not
    acknowledged (seq above the push watermark).  A store with no recorded station (made by a
    library caller) falls back to the id it last synced as, then to its newest event's.
    """
    with local.engine.connect() as conn:
        recorded = None if is_central(conn) else store_station(conn)
        if recorded is not None:
            if station_id is not None:
                check_station(recorded, station_id, "the caller")
            station_id = recorded
        if station_id is None:
            station_id = conn.execute(
                select(SYNC_STATE.c.station_id)
                .order_by(SYNC_STATE.c.last_attempt_at.desc())
                .limit(1)
            ).scalar()
        if station_id is None:
            station_id = conn.execute(
                select(EVENT.c.station_id).order_by(EVENT.c.event_id.desc()).limit(1)
            ).scalar()
        if station_id is None:
            return SyncStatus("", 0, 0, 0, 0, None, None, None, None, None)
        row = conn.execute(select(SYNC_STATE).where(SYNC_STATE.c.station_id == station_id)).first()
        state: dict[str, Any] = dict(row._mapping) if row is not None else {}
        pushed = int(state.get("pushed_seq") or 0)
        return SyncStatus(
            station_id=station_id,
            queued=queued_count(conn, station_id, pushed),
            pushed_seq=pushed,
            local_max_seq=local_max_seq(conn, station_id),
            pulled_central_id=int(state.get("pulled_central_id") or 0),
            last_attempt_at=state.get("last_attempt_at"),
            last_success_at=state.get("last_success_at"),
            offline_since=state.get("offline_since"),
            last_error=state.get("last_error"),
            alarm=state.get("alarm"),
        )


def wrong_station(local: Store, station_id: str) -> str | None:
    """Why `local` must not sync as `station_id` (it is another station's store), or None."""
    with local.engine.connect() as conn:
        recorded = None if is_central(conn) else store_station(conn)
    if recorded is None or recorded == station_id:
        return None
    return (
        f"this store is station {recorded}; asked to sync as {station_id}: "
        "nothing pushed, nothing pulled"
    )


def record_round(local: Store, station_id: str, report: SyncReport) -> None:
    """Keep the round's outcome in the station's row and count what is still queued."""
    with local.engine.begin() as conn:
        state = state_row(conn, station_id)
        values: dict[str, Any]
        if report.ok:
            values = {
                "last_success_at": report.finished_at,
                "offline_since": None,
                "last_error": None,
                "alarm": _alarm_text(report),
            }
        else:
            values = {"last_error": (report.error or "")[:2000]}
            if report.open_quarantine:
                values["alarm"] = _alarm_text(report)
            if report.error_kind in ("offline", "timeout"):
                values["offline_since"] = state["offline_since"] or report.started_at
        conn.execute(
            SYNC_STATE.update().where(SYNC_STATE.c.station_id == station_id).values(**values)
        )
        pushed = int(state["pushed_seq"])
        report.queued = queued_count(conn, station_id, pushed)


def _alarm_text(report: SyncReport) -> str | None:
    parts = list(report.alarms)
    if report.open_quarantine:
        parts.append(
            f"{len(report.open_quarantine)} event(s) in central's quarantine, first "
            f"{report.open_quarantine[0]} (`jpgb sync quarantine list`)"
        )
    return "; ".join(parts)[:2000] or None
