"""Merging a pushed batch into central so that one event central refuses never jams the rest.

Central refuses an event when its hash does not match its content or breaks the station's
chain (jpgb_terminal.events.chain), when the rules refuse it against the state central holds
(the actor's role for the action, the parcel's change of state: jpgb_terminal.sync.central_checks
with jpgb_terminal.rules.event_checks), when its projection raises ApplyError (a prerequisite is
gone, a payload does not fit), or when the database refuses it (a value too long, a sequence
number reused).  Then, inside the push transaction:

0. the events the rules refuse are known before anything is stored; the runs between them are
   merged as below, and each refused event is kept unprojected as in 2;
1. the batch is tried in a savepoint; when it fails, the first refused event is found by
   bisection (each probe in a savepoint that is rolled back) and everything before it is
   merged for real;
2. a refused event that can be stored (it broke the projection, not the log) is stored in
   the event log and in the acceptance order, so every store keeps the station's chain whole
   and `audit verify` passes everywhere, but it is never projected: it gets an `open` row in
   `quarantine`, pulling stores store it without applying it, and the station's later events
   go on being merged.  Later events of the same station about the same parcel are
   quarantined the same way while the row is open (they would build on a fact that is not
   there);
3. an event that cannot be stored (the database refuses the row) or that is hash-broken is
   never stored as fact: its content is kept in its `quarantine` row, the push stops at it
   with a message naming it (station, seq, kind, parcel, reason) and the events before it
   delivered.  Storing the later events would leave a hole in the chain every pulling
   store would then fail to verify.

The way forward is supervised and recorded as a fact: central takes no direct writes
(jpgb_terminal.store.role), so a supervisor at a bench records `sync.quarantine_resolved`
(`jpgb sync quarantine resolve STATION SEQ --operator NAME --note ...`); it syncs like any
event and marks the row `resolved` wherever it is applied.  A resolved event stays
unprojected (the log says what happened; the note says what was done about it), and the
station's later events about that parcel are projected again.

An event sent again with the same id and other content is not silently ignored: it raises an
alarm, a `sync_issue` naming it and a quarantine entry (not stored: the stored event stands).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import psycopg
from sqlalchemy import Connection, select
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError
from sqlalchemy.exc import InternalError as SAInternalError

from jpgb_terminal.clock import now
from jpgb_terminal.events.chain import GENESIS, event_hash
from jpgb_terminal.projections.events import (
    ApplyError,
    ApplyOutcome,
    Snapshots,
    SyncEvent,
    snapshot_names,
)
from jpgb_terminal.projections.registry import apply_events
from jpgb_terminal.projections.sync_records import RESOLVED_KIND as RESOLVED_KIND
from jpgb_terminal.store.handles import EVENT, QUARANTINE, SYNC_ISSUE
from jpgb_terminal.sync.central_checks import central_refusals
from jpgb_terminal.sync.wire import insert_events

RESENT = "sent again with other content (hash differs from the stored event); kept as stored"

# What central refuses an event with; a dropped link or a timeout is none of these.
REFUSALS: tuple[type[BaseException], ...] = (
    ApplyError,
    IntegrityError,
    DataError,
    ProgrammingError,
    SAInternalError,
    psycopg.errors.IntegrityError,
    psycopg.errors.DataError,
    psycopg.errors.ProgrammingError,
)


@dataclass
class MergeResult:
    """What merging one batch did."""

    inserted: int = 0
    ignored: int = 0
    outcome: ApplyOutcome = field(default_factory=ApplyOutcome)
    delivered: list[int] = field(default_factory=list)
    """Sequence numbers now in central's log (merged, quarantined or already there)."""
    quarantined: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)
    stopped: str | None = None
    """The refused event the push stopped at, named, when it could not be stored."""


def describe(event: SyncEvent, reason: str) -> str:
    """The one line that names a refused event: station, seq, kind, parcel, reason."""
    parcel = f" {event.tracking_no}" if event.tracking_no else ""
    return f"{event.station_id} seq {event.seq} {event.kind}{parcel} ({event.event_id}): {reason}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ApplyError):
        text = str(exc)
        return text.split("): ", 1)[1] if "): " in text else text
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _hash_problem(event: SyncEvent, prev: str | None) -> str | None:
    """Why the event's hash is broken, or None when it checks out (prev unknown: link unchecked)."""
    if prev is not None and event.prev_hash != prev:
        return "its prev_hash does not link to the station's previous event"
    try:
        digest = event_hash(
            event_id=event.event_id,
            station_id=event.station_id,
            seq=event.seq,
            kind=event.kind,
            tracking_no=event.tracking_no,
            operator=event.operator,
            occurred_at=event.occurred_at,
            payload=event.payload,
            prev_hash=event.prev_hash or "",
        )
    except (TypeError, ValueError) as exc:
        return f"its content cannot be hashed ({exc})"
    if digest != event.hash:
        return "its stored hash does not match its content"
    return None


def _chain_break(conn: Connection, events: Sequence[SyncEvent]) -> tuple[int, str] | None:
    """The index of the first hash-broken event of the batch, and why."""
    first = events[0]
    if first.seq == 1:
        prev: str | None = GENESIS
    else:
        prev = conn.execute(
            select(EVENT.c.hash).where(
                EVENT.c.station_id == first.station_id, EVENT.c.seq == first.seq - 1
            )
        ).scalar()
    last_seq = first.seq - 1
    for i, event in enumerate(events):
        link = prev if event.seq == last_seq + 1 else None
        problem = _hash_problem(event, link)
        if problem is not None:
            return i, problem
        prev, last_seq = event.hash, event.seq
    return None


def _content(event: SyncEvent) -> str:
    row = event.row()
    row["occurred_at"] = event.occurred_at.isoformat()
    return json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)


def _quarantine(
    conn: Connection, result: MergeResult, event: SyncEvent, reason: str, *, stored: bool
) -> None:
    values = {
        "event_id": event.event_id[:36],
        "kind": event.kind[:200],
        "tracking_no": event.tracking_no[:200] if event.tracking_no else None,
        "stored": stored,
        "reason": reason[:2000],
        "content": _content(event),
        "state": "open",
        "noted_at": now(),
    }
    key = (QUARANTINE.c.station_id == event.station_id) & (QUARANTINE.c.seq == event.seq)
    if conn.execute(select(QUARANTINE.c.seq).where(key)).first() is None:
        conn.execute(
            QUARANTINE.insert(), {"station_id": event.station_id, "seq": event.seq, **values}
        )
    else:  # refused again on a later round: keep the newest reason
        conn.execute(QUARANTINE.update().where(key).values(**values))
    result.quarantined.append(describe(event, reason))


def _held_parcels(conn: Connection, station_id: str) -> set[str]:
    rows = conn.execute(
        select(QUARANTINE.c.tracking_no).where(
            QUARANTINE.c.station_id == station_id,
            QUARANTINE.c.state == "open",
            QUARANTINE.c.stored,
            QUARANTINE.c.tracking_no.is_not(None),
        )
    ).scalars()
    return set(rows)


def _check_resent(conn: Connection, result: MergeResult, resent: Sequence[SyncEvent]) -> None:
    """An event id central already has, sent with other content: alarm, never silence.

    The stored event stands; the other content is kept in a quarantine entry (not stored) for
    a supervisor to resolve, unless that seq has an entry already (the stored event's own)."""
    ids = [e.event_id for e in resent]
    stored = dict(
        conn.execute(select(EVENT.c.event_id, EVENT.c.hash).where(EVENT.c.event_id.in_(ids))).all()
    )
    for event in resent:
        if stored.get(event.event_id) == event.hash:
            continue
        result.alarms.append(describe(event, RESENT))
        known = conn.execute(
            select(SYNC_ISSUE.c.event_id).where(SYNC_ISSUE.c.event_id == event.event_id)
        )
        if known.first() is None:
            conn.execute(
                SYNC_ISSUE.insert(),
                {
                    "event_id": event.event_id,
                    "station_id": event.station_id,
                    "kind": event.kind[:40],
                    "problem": RESENT,
                    "noted_at": now(),
                },
            )
        key = (QUARANTINE.c.station_id == event.station_id) & (QUARANTINE.c.seq == event.seq)
        if conn.execute(select(QUARANTINE.c.seq).where(key)).first() is None:
            _quarantine(conn, result, event, RESENT, stored=False)


def _attempt(
    conn: Connection,
    events: Sequence[SyncEvent],
    snaps: Snapshots,
    result: MergeResult | None,
    staged: bool,
) -> BaseException | None:
    """Store and project `events` in a savepoint: kept when `result` is given, else rolled back.
    Returns what central refused them with, or None."""
    savepoint = conn.begin_nested()
    try:
        held = _held_parcels(conn, events[0].station_id)
        new = insert_events(conn, events, record_order=True, staged=staged)
        fresh = {e.event_id for e in new}
        follow = [e for e in new if e.tracking_no in held]
        project = [e for e in new if e.tracking_no not in held]
        outcome = apply_events(conn, project, snaps) if project else ApplyOutcome()
    except REFUSALS as exc:
        savepoint.rollback()
        return exc
    if result is None:
        savepoint.rollback()
        return None
    for event in follow:
        reason = f"follows a quarantined event of parcel {event.tracking_no}"
        _quarantine(conn, result, event, reason, stored=True)
    resent = [e for e in events if e.event_id not in fresh]
    if resent:
        _check_resent(conn, result, resent)
    savepoint.commit()
    result.inserted += len(new)
    result.ignored += len(resent)
    result.delivered += [e.seq for e in events]
    _add(result.outcome, outcome)
    return None


def _add(total: ApplyOutcome, part: ApplyOutcome) -> None:
    total.applied += part.applied
    total.unknown += part.unknown
    total.issues += part.issues
    total.duplicate_receipts += part.duplicate_receipts


def _first_refused(
    conn: Connection, events: Sequence[SyncEvent], snaps: Snapshots, staged: bool
) -> int:
    """The index of the first event whose prefix central refuses (the whole batch is refused)."""
    lo, hi = 0, len(events) - 1  # events[:lo] pass; events[:hi + 1] fail
    while lo < hi:
        mid = (lo + hi) // 2
        if _attempt(conn, events[: mid + 1], snaps, None, staged) is None:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _store_only(conn: Connection, event: SyncEvent, staged: bool) -> bool:
    """Put a refused event in the log without projecting it; False when the log refuses it too."""
    savepoint = conn.begin_nested()
    try:
        insert_events(conn, [event], record_order=True, staged=staged)
    except REFUSALS:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _merge_run(
    conn: Connection,
    result: MergeResult,
    events: Sequence[SyncEvent],
    snaps: Snapshots,
    staged: bool,
) -> bool:
    """Store and project a run of events the rules passed, quarantining what the projection
    or the database refuses; False when the push stops (an event the log cannot store)."""
    rest = list(events)
    while rest:
        error = _attempt(conn, rest, snaps, result, staged)
        if error is None:
            break
        i = _first_refused(conn, rest, snaps, staged)
        if i and _attempt(conn, rest[:i], snaps, result, staged) is not None:
            raise error  # not reproducible event by event: refuse the batch as before
        bad = rest[i]
        alone = _attempt(conn, [bad], snaps, None, staged) or error
        reason = _reason(alone)
        if not _keep_unprojected(conn, result, bad, reason, staged):
            return False
        rest = rest[i + 1 :]
    return True


def _keep_unprojected(
    conn: Connection, result: MergeResult, event: SyncEvent, reason: str, staged: bool
) -> bool:
    """Quarantine a refused event, kept in the log when the log takes it; False (and the push
    stops at it) when it does not."""
    if _store_only(conn, event, staged):
        _quarantine(conn, result, event, reason, stored=True)
        result.inserted += 1
        result.delivered.append(event.seq)
        return True
    _quarantine(conn, result, event, f"central refused it: {reason}", stored=False)
    result.stopped = describe(event, f"central refused it: {reason}")
    return False


def _without_refused(
    snaps: Snapshots, events: Sequence[SyncEvent], refused: Mapping[str, str]
) -> Snapshots:
    """The batch's customer and operator rows less those only refused events brought: a
    refused `operator.added` must not let its operator in through the row beside it."""
    bad_customers, bad_operators = snapshot_names(e for e in events if e.event_id in refused)
    ok_customers, ok_operators = snapshot_names(e for e in events if e.event_id not in refused)
    drop_customers, drop_operators = bad_customers - ok_customers, bad_operators - ok_operators
    return Snapshots(
        customers={k: v for k, v in snaps.customers.items() if k not in drop_customers},
        operators={k: v for k, v in snaps.operators.items() if k not in drop_operators},
    )


def merge_batch(
    conn: Connection, events: Sequence[SyncEvent], snaps: Snapshots, *, staged: bool = False
) -> MergeResult:
    """Store and project a station's batch, quarantining what central refuses (module doc);
    `staged`: the batch is in the session's staging table (wire.stage_events)."""
    result = MergeResult()
    broken = _chain_break(conn, events)
    rest = list(events[: broken[0]]) if broken else list(events)
    refused: dict[str, str] = {}
    if rest:
        held = _held_parcels(conn, rest[0].station_id)
        refused = central_refusals(conn, rest, held=held)
        if refused:
            snaps = _without_refused(snaps, rest, refused)
    while rest:
        cut = next((i for i, e in enumerate(rest) if e.event_id in refused), len(rest))
        if cut and not _merge_run(conn, result, rest[:cut], snaps, staged):
            return result
        if cut == len(rest):
            break
        bad = rest[cut]
        if not _keep_unprojected(conn, result, bad, refused[bad.event_id], staged):
            return result
        rest = rest[cut + 1 :]
    if broken:
        bad, problem = events[broken[0]], f"hash-broken: {broken[1]}"
        _quarantine(conn, result, bad, problem, stored=False)
        result.stopped = describe(bad, problem)
    return result


def quarantined_ids(conn: Connection, event_ids: Sequence[str]) -> set[str]:
    """Which of these events central keeps in the log unprojected (pullers store, not apply)."""
    if not event_ids:
        return set()
    stmt = select(QUARANTINE.c.event_id).where(
        QUARANTINE.c.stored, QUARANTINE.c.event_id.in_(list(event_ids))
    )
    return set(conn.execute(stmt).scalars())


@dataclass(frozen=True)
class QuarantineRow:
    """One quarantined event as `quarantine list` and the status lines show it."""

    station_id: str
    seq: int
    event_id: str
    kind: str
    tracking_no: str | None
    stored: bool
    reason: str
    state: str
    resolved_by: str | None
    resolved_note: str | None

    def line(self) -> str:
        """One line naming the event and what became of it."""
        parcel = f" {self.tracking_no}" if self.tracking_no else ""
        if self.stored:
            where = "kept unprojected"
        elif self.reason == RESENT:
            where = "not stored, the stored event stands"
        else:
            where = "not stored, push stopped"
        text = f"{self.station_id} seq {self.seq} {self.kind}{parcel}: {self.reason} [{where}]"
        if self.state == "resolved":
            text += f" resolved by {self.resolved_by}: {self.resolved_note or '-'}"
        return text


def quarantine_rows(
    conn: Connection, *, station_id: str | None = None, open_only: bool = False
) -> list[QuarantineRow]:
    """The quarantined events, by station and seq."""
    stmt = select(*(QUARANTINE.c[f] for f in QuarantineRow.__dataclass_fields__)).order_by(
        QUARANTINE.c.station_id, QUARANTINE.c.seq
    )
    if station_id is not None:
        stmt = stmt.where(QUARANTINE.c.station_id == station_id)
    if open_only:
        stmt = stmt.where(QUARANTINE.c.state == "open")
    return [QuarantineRow(**row) for row in conn.execute(stmt).mappings()]
