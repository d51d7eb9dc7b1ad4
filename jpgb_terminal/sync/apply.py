"""Projecting events onto a store's tables: one function per event kind, applied a batch at a time.

Central applies every event it accepts, and a station applies the events it pulls, through the
same functions.  A batch is applied in three steps inside the caller's transaction:

1. `Projection(conn, events)` loads, in a handful of queries, the rows the batch touches
   (parcels with their billing weight, open holds, known customers, operators, pre-alerts);
2. each event's function (`APPLIERS[kind]`) updates that working set in memory;
3. `flush()` writes the inserts and updates with one executemany per table.

So a batch of thousands of events costs a few round trips, not thousands.

Rules the projection follows (also in the README, "Central store and sync"):

- Facts are accepted as recorded: a station already checked the rules when it wrote the event.
  Where facts from two stations collide the projection settles them deterministically:
- Receipts: when one parcel is received at two stations (offline, so neither saw the other),
  both receipt events are kept.  The earliest receipt by (occurred_at, event_id) is the billing
  receipt: the parcel row carries its station, operator and time.  The others are marked
  `duplicate` in the `receipt` table for a supervisor to review.  The parcel is billed once
  because there is one parcel row.
- Weights: every weighing is kept as evidence; the parcel is billed on the newest weighing by
  (measured_at, event_id), whichever station made it, as at a single station where a reweigh
  replaces the previous weight.  Arrival order at central does not matter.
- A decision closes the holds it names; a release leaves the parcel held while another hold
  (opened elsewhere meanwhile) is still open.  A decision arriving for a parcel that is no
  longer held is recorded and reported in `sync_issue` without moving the parcel again.
- An event of a kind this program does not know is stored and reported in `sync_issue`, never
  dropped and never fatal.  A known kind whose payload does not fit (or a parcel event for a
  parcel nobody received) raises ApplyError: the push puts that event in quarantine, names it,
  and goes on with the rest (see `sync/merge.py`).

Personal data stays out of events: customer and operator rows travel beside the events as
snapshots (`Snapshots`).  A customer new here is inserted from its snapshot; a known customer's
personal fields change only as a customer event names them (`fields`), taken from the snapshot,
and never once the customer is anonymised here (the attempt is noted in `sync_issue`).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, String, Table, and_, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from jpgb_terminal.clock import now
from jpgb_terminal.privacy.purge import ANONYMISED_NAME, PERSONAL_FIELDS
from jpgb_terminal.rules.states import FINAL_STATES, ParcelState
from jpgb_terminal.services.receipts import mark_reviewed
from jpgb_terminal.store.ledger import Decision, Sale
from jpgb_terminal.store.sync_tables import Receipt, SyncIssue
from jpgb_terminal.store.tables import (
    Customer,
    Event,
    Hold,
    Inspection,
    Operator,
    Parcel,
    PreAlert,
    PublishedPriceList,
    WeightRecord,
)

PARCEL: Table = Parcel.__table__  # type: ignore[attr-defined]
HOLD: Table = Hold.__table__  # type: ignore[attr-defined]
CUSTOMER: Table = Customer.__table__  # type: ignore[attr-defined]
PREALERT: Table = PreAlert.__table__  # type: ignore[attr-defined]
WEIGHT: Table = WeightRecord.__table__  # type: ignore[attr-defined]
INSPECTION: Table = Inspection.__table__  # type: ignore[attr-defined]
OPERATOR: Table = Operator.__table__  # type: ignore[attr-defined]
EVENT: Table = Event.__table__  # type: ignore[attr-defined]
DECISION: Table = Decision.__table__  # type: ignore[attr-defined]
SALE: Table = Sale.__table__  # type: ignore[attr-defined]
RECEIPT: Table = Receipt.__table__  # type: ignore[attr-defined]
ISSUE: Table = SyncIssue.__table__  # type: ignore[attr-defined]
PRICE_LIST: Table = PublishedPriceList.__table__  # type: ignore[attr-defined]

CHUNK = 500  # IN-list size: well under SQLite's bound-parameter limit
SALE_NAMESPACE = uuid.UUID("0b7c1f52-6a57-4c1e-9a4b-3f1d2f0e9c11")
_PARCEL_COLUMNS = [c.name for c in PARCEL.columns]
_FINAL = {s.value for s in FINAL_STATES}


class ApplyError(ValueError):
    """An event of a known kind that cannot be projected; its batch is refused as a whole."""

    def __init__(self, event: SyncEvent, problem: str) -> None:
        super().__init__(
            f"event {event.event_id} ({event.kind}, station {event.station_id} seq {event.seq}"
            f"{', ' + event.tracking_no if event.tracking_no else ''}): {problem}"
        )
        self.event_id = event.event_id


@dataclass(frozen=True)
class SyncEvent:
    """One event as sync moves it: the `event` row with its payload decoded."""

    event_id: str
    station_id: str
    seq: int
    kind: str
    tracking_no: str | None
    operator: str | None
    occurred_at: datetime
    payload: dict[str, Any]
    payload_json: str | None = None  # the stored JSON text, when the reader had it
    prev_hash: str | None = None  # the audit chain travels as stored (jpgb_terminal.audit)
    hash: str | None = None

    def row(self) -> dict[str, Any]:
        """The values of the `event` row."""
        return {
            "event_id": self.event_id,
            "station_id": self.station_id,
            "seq": self.seq,
            "kind": self.kind,
            "tracking_no": self.tracking_no,
            "operator": self.operator,
            "occurred_at": self.occurred_at,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass
class Snapshots:
    """Customer and operator rows that travel beside the events that name them."""

    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    operators: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.customers) + len(self.operators)


@dataclass
class ApplyOutcome:
    """What applying a batch did."""

    applied: int = 0
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (event_id, kind)
    issues: list[str] = field(default_factory=list)
    duplicate_receipts: list[str] = field(default_factory=list)  # tracking numbers


def snapshot_names(events: Iterable[SyncEvent]) -> tuple[set[str], set[str]]:
    """Customer ids and operator names whose rows should travel with these events."""
    customers: set[str] = set()
    operators: set[str] = set()
    for e in events:
        if e.kind.startswith("customer.") or e.kind == "prealert.recorded":
            cid = e.payload.get("customer_id")
            if isinstance(cid, str):
                customers.add(cid)
        elif e.kind in ("operator.added", "operator.unlocked", "operator.pin_changed"):
            name = e.payload.get("name")
            if isinstance(name, str):
                operators.add(name)
        elif e.kind == "operator.locked" and e.operator:
            operators.add(e.operator)
    return customers, operators


def read_snapshots(conn: Connection, customers: set[str], operators: set[str]) -> Snapshots:
    """The current customer and operator rows with these ids, from `conn`'s store."""
    snaps = Snapshots()
    for match in _where_in(conn, CUSTOMER.c.id, sorted(customers)):
        for row in conn.execute(select(CUSTOMER).where(match)).mappings():
            snaps.customers[row["id"]] = dict(row)
    for match in _where_in(conn, OPERATOR.c.name, sorted(operators)):
        for row in conn.execute(select(OPERATOR).where(match)).mappings():
            snaps.operators[row["name"]] = dict(row)
    return snaps


def _where_in(
    conn: Connection, column: ColumnElement[Any], values: Sequence[str]
) -> Iterable[ColumnElement[bool]]:
    """Conditions `column IN values` that together cover `values`: one `= ANY(array)` on
    PostgreSQL (one plan whatever the count, several times faster than a long IN list),
    IN lists of at most CHUNK on SQLite (its bound-parameter limit)."""
    if not values:
        return
    if conn.dialect.name == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(String)))
        return
    for i in range(0, len(values), CHUNK):
        yield column.in_(list(values[i : i + CHUNK]))


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


class Projection:
    """The rows a batch of events touches, loaded once, changed in memory, written by flush()."""

    def __init__(self, conn: Connection, events: Sequence[SyncEvent]) -> None:
        self.conn = conn
        self.outcome = ApplyOutcome()
        self.parcels: dict[str, dict[str, Any]] = {}
        self.new_parcels: set[str] = set()
        self.dirty_parcels: set[str] = set()
        self.weight_keys: dict[str, tuple[datetime, str]] = {}
        self.open_holds: dict[str, set[str]] = defaultdict(set)
        self.inserts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.hold_closes: list[dict[str, Any]] = []
        self.customers: set[str] = set()
        self.anonymised: set[str] = set()
        self.placeholders: set[str] = set()
        self.new_customers: dict[str, dict[str, Any]] = {}
        self.customer_updates: dict[str, dict[str, Any]] = {}
        self.prealerts: set[str] = set()
        self.new_prealerts: dict[str, dict[str, Any]] = {}
        self.prealert_updates: dict[str, dict[str, Any]] = {}
        self.operators: set[str] = set()
        self.new_operators: dict[str, dict[str, Any]] = {}
        self.operator_updates: dict[str, dict[str, Any]] = {}
        self.second_receipts: set[str] = set()
        self.reviews: list[tuple[str, datetime, str | None]] = []  # receipt event id, at, by
        self.issues: dict[str, dict[str, Any]] = {}
        self.snapshots = Snapshots()
        self._load(events)

    # -- loading -------------------------------------------------------------------------

    def _load(self, events: Sequence[SyncEvent]) -> None:
        tracking = sorted({e.tracking_no for e in events if e.tracking_no and _on_parcel(e)})
        weight_at = WEIGHT.c.measured_at.label("w_at")
        weight_event = WEIGHT.c.event_id.label("w_event")
        stmt = select(PARCEL, weight_at, weight_event).select_from(
            PARCEL.outerjoin(WEIGHT, WEIGHT.c.id == PARCEL.c.weight_id)
        )
        for match in _where_in(self.conn, PARCEL.c.tracking_no, tracking):
            for row in self.conn.execute(stmt.where(match)).mappings():
                parcel = {k: row[k] for k in _PARCEL_COLUMNS}
                self.parcels[parcel["tracking_no"]] = parcel
                if row["w_at"] is not None:
                    self.weight_keys[parcel["tracking_no"]] = (row["w_at"], row["w_event"])
        held = [e.tracking_no for e in events if e.kind == "parcel.decided" and e.tracking_no]
        for match in _where_in(self.conn, HOLD.c.tracking_no, sorted(set(held))):
            rows = self.conn.execute(
                select(HOLD.c.id, HOLD.c.tracking_no).where(match, HOLD.c.closed_at.is_(None))
            )
            for hold_id, tracking_no in rows:
                self.open_holds[tracking_no].add(hold_id)
        customers, operators = snapshot_names(events)
        for match in _where_in(self.conn, CUSTOMER.c.id, sorted(customers)):
            for cid, name in self.conn.execute(select(CUSTOMER.c.id, CUSTOMER.c.name).where(match)):
                self._know_customer(cid, name)
        for match in _where_in(self.conn, OPERATOR.c.name, sorted(operators)):
            self.operators |= set(self.conn.execute(select(OPERATOR.c.name).where(match)).scalars())
        alerts = sorted(
            {e.tracking_no for e in events if e.kind == "prealert.recorded" and e.tracking_no}
        )
        for match in _where_in(self.conn, PREALERT.c.tracking_no, alerts):
            self.prealerts |= set(
                self.conn.execute(select(PREALERT.c.tracking_no).where(match)).scalars()
            )

    # -- snapshots -----------------------------------------------------------------------

    def upsert_snapshots(self, snaps: Snapshots) -> None:
        """Bring customer and operator rows in: new ones inserted; a known customer's personal
        fields are left to the customer events that name them (status too)."""
        self.snapshots = snaps
        wanted_c = set(snaps.customers) - self.customers
        for match in _where_in(self.conn, CUSTOMER.c.id, sorted(wanted_c)):
            for cid, name in self.conn.execute(select(CUSTOMER.c.id, CUSTOMER.c.name).where(match)):
                self._know_customer(cid, name)
        for cid, row in snaps.customers.items():
            if cid not in self.customers:
                self.new_customers[cid] = {
                    "id": cid,
                    "name": row["name"],
                    "address": row.get("address"),
                    "phone": row.get("phone"),
                    "id_doc_no": row.get("id_doc_no"),
                    "status": row.get("status") or "active",
                    "created_at": row["created_at"],
                    "updated_at": row["updated_at"],
                }
                self._know_customer(cid, row["name"])
            elif cid in self.placeholders:
                # A placeholder holds no personal data yet: its customer's row fills it.
                self.customer_updates.setdefault(cid, {}).update(
                    {f: row.get(f) for f in PERSONAL_FIELDS}
                )
                self._know_customer(cid, row["name"])
        wanted_o = set(snaps.operators) - self.operators
        for match in _where_in(self.conn, OPERATOR.c.name, sorted(wanted_o)):
            self.operators |= set(self.conn.execute(select(OPERATOR.c.name).where(match)).scalars())
        for name, row in snaps.operators.items():
            if name not in self.operators:
                # A known operator's PIN moves only with `operator.pin_changed`.
                self.new_operators[name] = {
                    "name": name,
                    "role": row["role"],
                    "pin_hash": row["pin_hash"],
                    "failed_attempts": 0,
                    "locked_until": row.get("locked_until"),
                    "active": bool(row.get("active", True)),
                    "created_at": row["created_at"],
                }
                self.operators.add(name)

    def _know_customer(self, cid: str, name: str) -> None:
        self.customers.add(cid)
        self.placeholders.discard(cid)
        if name == ANONYMISED_NAME:
            self.anonymised.add(cid)
        elif name == _placeholder_name(cid):
            self.placeholders.add(cid)

    # -- applying ------------------------------------------------------------------------

    def apply(self, events: Iterable[SyncEvent]) -> ApplyOutcome:
        """Apply events in the order given; unknown kinds are noted, misfits raise ApplyError."""
        for event in events:
            fn = APPLIERS.get(event.kind)
            if fn is None:
                self.outcome.unknown.append((event.event_id, event.kind))
                self.note(event, f"unknown event kind {event.kind!r}: stored, not projected")
                continue
            try:
                fn(self, event)
            except ApplyError:
                raise
            except (KeyError, TypeError, ValueError) as exc:
                raise ApplyError(event, f"payload does not fit ({exc!r})") from exc
            self.outcome.applied += 1
        return self.outcome

    def note(self, event: SyncEvent, problem: str) -> None:
        """Record a problem with an event in `sync_issue` (first problem per event wins)."""
        self.outcome.issues.append(f"{event.event_id}: {problem}")
        self.issues.setdefault(
            event.event_id,
            {
                "event_id": event.event_id,
                "station_id": event.station_id,
                "kind": event.kind,
                "problem": problem[:2000],
                "noted_at": now(),
            },
        )

    def parcel(self, event: SyncEvent) -> dict[str, Any]:
        """The parcel an event is about, or ApplyError when no receipt of it is known."""
        parcel = self.parcels.get(event.tracking_no or "")
        if parcel is None:
            raise ApplyError(event, "no receipt of this parcel is known here")
        return parcel

    def change(self, tracking_no: str, **values: Any) -> None:
        """Update the working copy of a parcel and remember to write it."""
        self.parcels[tracking_no].update(values)
        if tracking_no not in self.new_parcels:
            self.dirty_parcels.add(tracking_no)

    def ensure_customer(self, customer_id: str, at: datetime) -> None:
        """A placeholder for a customer whose row has not arrived yet (its snapshot follows)."""
        if customer_id in self.customers:
            return
        self.customers.add(customer_id)
        self.placeholders.add(customer_id)
        self.new_customers[customer_id] = {
            "id": customer_id,
            "name": _placeholder_name(customer_id),
            "address": None,
            "phone": None,
            "id_doc_no": None,
            "status": "active",
            "created_at": at,
            "updated_at": at,
        }

    # -- writing -------------------------------------------------------------------------

    def flush(self) -> ApplyOutcome:
        """Write everything, parents before children, and settle duplicate receipts."""
        conn = self.conn
        self._settle_receipts()
        _insert_many(conn, CUSTOMER, list(self.new_customers.values()))
        _update_many(conn, CUSTOMER, "id", self.customer_updates)
        _insert_many(conn, OPERATOR, list(self.new_operators.values()))
        _update_many(conn, OPERATOR, "name", self.operator_updates)
        _insert_many(conn, PARCEL, [self.parcels[t] for t in sorted(self.new_parcels)])
        if self.dirty_parcels:
            _update_many(
                conn,
                PARCEL,
                "tracking_no",
                {
                    t: {k: v for k, v in self.parcels[t].items() if k != "tracking_no"}
                    for t in sorted(self.dirty_parcels)
                },
            )
        _insert_many(conn, PREALERT, list(self.new_prealerts.values()))
        _update_many(conn, PREALERT, "tracking_no", self.prealert_updates)
        for table in (WEIGHT, INSPECTION, HOLD):
            _insert_many(conn, table, self.inserts.get(table.name, []))
        if self.hold_closes:
            conn.execute(
                HOLD.update()
                .where(and_(HOLD.c.id == bindparam("b_id"), HOLD.c.closed_at.is_(None)))
                .values(closed_at=bindparam("b_closed_at"), decision=bindparam("b_decision")),
                self.hold_closes,
            )
        for table in (DECISION, SALE, RECEIPT):
            _insert_many(conn, table, self.inserts.get(table.name, []))
        receipt_updates = self.inserts.get("receipt_update")
        if receipt_updates:
            conn.execute(
                RECEIPT.update()
                .where(RECEIPT.c.event_id == bindparam("b_event_id"))
                .values(duplicate=bindparam("b_duplicate")),
                receipt_updates,
            )
        # After the receipts are in, so a review in the same batch finds them.
        mark_reviewed(conn, self.reviews)
        if self.issues:
            known = set()
            ids = sorted(self.issues)
            for match in _where_in(conn, ISSUE.c.event_id, ids):
                known |= set(conn.execute(select(ISSUE.c.event_id).where(match)).scalars())
            fresh = [self.issues[i] for i in ids if i not in known]
            _insert_many(conn, ISSUE, fresh)
        return self.outcome

    def _settle_receipts(self) -> None:
        """Apply the billing rule to every parcel that now has more than one receipt."""
        if not self.second_receipts:
            return
        tracking = sorted(self.second_receipts)
        receipts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for match in _where_in(self.conn, EVENT.c.tracking_no, tracking):
            rows = self.conn.execute(
                select(
                    EVENT.c.event_id,
                    EVENT.c.station_id,
                    EVENT.c.tracking_no,
                    EVENT.c.operator,
                    EVENT.c.occurred_at,
                    EVENT.c.payload,
                ).where(EVENT.c.kind == "parcel.received", match)
            ).mappings()
            for row in rows:
                receipts[row["tracking_no"]].append(dict(row))
        flagged: dict[str, bool] = {}
        for match in _where_in(self.conn, RECEIPT.c.tracking_no, tracking):
            for event_id, dup in self.conn.execute(
                select(RECEIPT.c.event_id, RECEIPT.c.duplicate).where(match)
            ):
                flagged[event_id] = bool(dup)
        for t in tracking:
            ordered = sorted(receipts[t], key=lambda r: (r["occurred_at"], r["event_id"]))
            if len(ordered) < 2:
                continue
            self.outcome.duplicate_receipts.append(t)
            billing = ordered[0]
            payload = billing["payload"] or {}
            parcel = self.parcels[t]
            self.change(
                t,
                station_id=billing["station_id"],
                received_by=billing["operator"],
                received_at=billing["occurred_at"],
                scheme=payload.get("scheme") or parcel["scheme"],
                customer_id=payload.get("customer_id") or parcel["customer_id"],
                prealert_matched=bool(payload.get("prealert_matched", parcel["prealert_matched"])),
            )
            for i, r in enumerate(ordered):
                duplicate = i > 0
                if r["event_id"] not in flagged:
                    self.inserts[RECEIPT.name].append(
                        {
                            "event_id": r["event_id"],
                            "tracking_no": t,
                            "station_id": r["station_id"],
                            "operator": r["operator"],
                            "received_at": r["occurred_at"],
                            "duplicate": duplicate,
                            "reviewed_at": None,
                            "reviewed_by": None,
                        }
                    )
                elif flagged[r["event_id"]] != duplicate:
                    self.inserts["receipt_update"].append(
                        {"b_event_id": r["event_id"], "b_duplicate": duplicate}
                    )


def _on_parcel(event: SyncEvent) -> bool:
    return event.kind.startswith("parcel.")


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows; on PostgreSQL through COPY, several times faster than executemany."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    columns = [c for c in table.columns if c.name in rows[0]]
    json_cols = {c.name for c in columns if isinstance(c.type, JSON)}
    names = [c.name for c in columns]
    raw: Any = conn.connection.dbapi_connection
    quoted = ", ".join(f'"{n}"' for n in names)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(json.dumps(row[n]) if n in json_cols else row[n] for n in names))


def _update_many(
    conn: Connection, table: Table, key: str, updates: dict[str, dict[str, Any]]
) -> None:
    """One executemany per set of columns: UPDATE table SET ... WHERE key = ..."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for ident, values in updates.items():
        if not values:
            continue
        cols = tuple(sorted(values))
        groups[cols].append({"b_key": ident, **{f"b_{c}": values[c] for c in cols}})
    for cols, rows in groups.items():
        stmt = (
            table.update()
            .where(table.c[key] == bindparam("b_key"))
            .values({c: bindparam(f"b_{c}") for c in cols})
        )
        conn.execute(stmt, rows)


# -- one function per kind ---------------------------------------------------------------


def _received(p: Projection, e: SyncEvent) -> None:
    t = e.tracking_no
    if not t:
        raise ApplyError(e, "a receipt without a tracking number")
    if t in p.parcels:
        # Received before, here or at another station: the billing rule settles it in flush().
        p.second_receipts.add(t)
        return
    p.parcels[t] = {
        "tracking_no": t,
        "scheme": e.payload.get("scheme") or "unknown",
        "customer_id": e.payload.get("customer_id"),
        "state": ParcelState.RECEIVED.value,
        "station_id": e.station_id,
        "received_by": e.operator,
        "received_at": e.occurred_at,
        "prealert_matched": bool(e.payload.get("prealert_matched", False)),
        "weight_g": None,
        "weight_source": None,
        "weight_id": None,
        "updated_at": e.occurred_at,
    }
    p.new_parcels.add(t)


def _weighed(p: Projection, e: SyncEvent) -> None:
    parcel = p.parcel(e)
    t = parcel["tracking_no"]
    payload = e.payload
    raw = payload.get("raw_frame")
    weight_id = payload["weight_id"]
    grams = int(payload["grams"])
    p.inserts[WEIGHT.name].append(
        {
            "id": weight_id,
            "tracking_no": t,
            "grams": grams,
            "source": payload["source"],
            "raw_frame": bytes.fromhex(raw) if raw else None,
            "scale_id": payload.get("scale_id"),
            "protocol": payload.get("protocol"),
            "station_id": e.station_id,
            "operator": e.operator,
            "measured_at": e.occurred_at,
            "reason": payload.get("reason"),
            "approved_by": payload.get("approved_by"),
            "event_id": e.event_id,
        }
    )
    values: dict[str, Any] = {"updated_at": max(parcel["updated_at"], e.occurred_at)}
    key = (e.occurred_at, e.event_id)
    current = p.weight_keys.get(t)
    if current is None or key > current:
        # The newest weighing bills, wherever and whenever it arrives (module docstring).
        p.weight_keys[t] = key
        values.update(weight_g=grams, weight_source=payload["source"], weight_id=weight_id)
    if parcel["state"] == ParcelState.RECEIVED:
        values["state"] = ParcelState.WEIGHED.value
    p.change(t, **values)


def _inspected(p: Projection, e: SyncEvent) -> None:
    parcel = p.parcel(e)
    p.inserts[INSPECTION.name].append(
        {
            "id": e.payload["inspection_id"],
            "tracking_no": parcel["tracking_no"],
            "opened": bool(e.payload["opened"]),
            "findings": list(e.payload.get("findings") or []),
            "note": e.payload.get("note"),
            "operator": e.operator,
            "station_id": e.station_id,
            "inspected_at": e.occurred_at,
        }
    )


def _cleared(p: Projection, e: SyncEvent) -> None:
    parcel = p.parcel(e)
    if parcel["state"] in (ParcelState.RECEIVED, ParcelState.WEIGHED):
        p.change(parcel["tracking_no"], state=ParcelState.CLEARED.value, updated_at=e.occurred_at)
    elif parcel["state"] != ParcelState.CLEARED:
        p.note(e, f"cleared while {parcel['state']} here; state kept")


def _held(p: Projection, e: SyncEvent) -> None:
    parcel = p.parcel(e)
    t = parcel["tracking_no"]
    hold_id = e.payload["hold_id"]
    deadline = _date(e.payload["deadline"])
    if deadline is None:
        raise ApplyError(e, "a hold without a deadline")
    p.inserts[HOLD.name].append(
        {
            "id": hold_id,
            "tracking_no": t,
            "reason": e.payload["reason"],
            "note": e.payload.get("note"),
            "opened_at": e.occurred_at,
            "opened_by": e.operator,
            "station_id": e.station_id,
            "deadline": deadline,
            "closed_at": None,
            "decision": None,
        }
    )
    p.open_holds[t].add(hold_id)
    if parcel["state"] in _FINAL:
        p.note(e, f"held after the parcel became {parcel['state']}; state kept")
    else:
        p.change(t, state=ParcelState.HELD.value, updated_at=e.occurred_at)


def _decided(p: Projection, e: SyncEvent) -> None:
    parcel = p.parcel(e)
    t = parcel["tracking_no"]
    payload = e.payload
    decision_id = payload["decision_id"]
    action = payload["action"]
    still_held = parcel["state"] == ParcelState.HELD
    for hold_id in payload.get("hold_ids") or []:
        if hold_id in p.open_holds[t]:
            p.open_holds[t].discard(hold_id)
            p.hold_closes.append(
                {"b_id": hold_id, "b_closed_at": e.occurred_at, "b_decision": action}
            )
    p.inserts[DECISION.name].append(
        {
            "id": decision_id,
            "tracking_no": t,
            "action": action,
            "note": payload.get("note") or "",
            "operator": e.operator or "",
            "role": payload.get("role") or "",
            "decided_at": e.occurred_at,
            "station_id": e.station_id,
            "article": payload.get("article") or "",
            "from_state": payload.get("from_state") or parcel["state"],
            "to_state": payload["to_state"],
            "deadline": _date(payload.get("deadline")),
            "report_reference": payload.get("report_reference"),
            "consent_reference": payload.get("consent_reference"),
            "event_id": e.event_id,
        }
    )
    sale = payload.get("sale")
    if sale:
        p.inserts[SALE.name].append(
            {
                # The station's own sale id is not in the event; derive a stable one.
                "id": str(uuid.uuid5(SALE_NAMESPACE, decision_id)),
                "decision_id": decision_id,
                "tracking_no": t,
                "currency": sale["currency"],
                "proceeds": int(sale["proceeds"]),
                "custody_fee": int(sale["custody_fee"]),
                "disposal_fee": int(sale["disposal_fee"]),
                "service_fee": int(sale["service_fee"]),
                "balance": int(sale["balance"]),
                "shortfall": int(sale["shortfall"]),
                "balance_fixed_on": _date(sale["balance_fixed_on"]),
                "remittance_due": _date(sale.get("remittance_due")),
            }
        )
    if not still_held:
        p.note(e, f"decision {action} arrived while the parcel was {parcel['state']}; state kept")
        return
    target = payload["to_state"]
    if target == ParcelState.RELEASED and p.open_holds[t]:
        target = ParcelState.HELD.value  # another hold, opened elsewhere, still stands
    p.change(t, state=target, updated_at=e.occurred_at)


def _placeholder_name(customer_id: str) -> str:
    return f"(customer {customer_id})"


def _set_customer(p: Projection, cid: str, values: dict[str, Any]) -> None:
    if cid in p.new_customers:
        p.new_customers[cid].update(values)
    else:
        p.customer_updates.setdefault(cid, {}).update(values)


def _event_fields(e: SyncEvent) -> tuple[str, ...]:
    """The personal fields an event changes: those it names, or, for an event written before
    changes named their fields (no `fields` key), the whole row that travelled with it."""
    named = e.payload.get("fields")
    if named is None:
        return PERSONAL_FIELDS
    if not isinstance(named, list) or not all(isinstance(f, str) for f in named):
        raise ApplyError(e, "fields must be a list of field names")
    return tuple(f for f in PERSONAL_FIELDS if f in named)


def _customer_personal(p: Projection, e: SyncEvent) -> None:
    """Take the personal fields the event changes from the customer's row beside it, unless
    the customer is anonymised here: anonymisation is final, the attempt is noted."""
    cid = e.payload["customer_id"]
    row = p.snapshots.customers.get(cid)
    fields = _event_fields(e)
    if row is None or not fields:
        return
    if cid in p.anonymised:
        restoring = [f for f in fields if row.get(f) != _ANONYMISED_VALUES[f]]
        if restoring:
            p.note(
                e,
                f"customer {cid} is anonymised here: {', '.join(restoring)} not restored "
                f"from station {e.station_id}",
            )
        return
    _set_customer(p, cid, {f: row.get(f) for f in fields})
    p.placeholders.discard(cid)


def _customer_added(p: Projection, e: SyncEvent) -> None:
    p.ensure_customer(e.payload["customer_id"], e.occurred_at)
    _customer_personal(p, e)


def _customer_updated(p: Projection, e: SyncEvent) -> None:
    cid = e.payload["customer_id"]
    p.ensure_customer(cid, e.occurred_at)
    _customer_personal(p, e)
    _set_customer(p, cid, {"updated_at": e.occurred_at})


def _customer_status(p: Projection, e: SyncEvent) -> None:
    cid = e.payload["customer_id"]
    p.ensure_customer(cid, e.occurred_at)
    _customer_personal(p, e)
    _set_customer(p, cid, {"status": e.payload["to"], "updated_at": e.occurred_at})


_ANONYMISED_VALUES: dict[str, str | None] = {
    "name": ANONYMISED_NAME,
    "address": None,
    "phone": None,
    "id_doc_no": None,
}


def _customer_anonymised(p: Projection, e: SyncEvent) -> None:
    # Retention or an erasure ran at a station: this store forgets the same personal data,
    # for good (later events naming personal fields of this customer are not applied).
    cid = e.payload["customer_id"]
    p.ensure_customer(cid, e.occurred_at)
    _set_customer(p, cid, {**_ANONYMISED_VALUES, "updated_at": e.occurred_at})
    p.anonymised.add(cid)
    p.placeholders.discard(cid)


def _customer_recipients_purged(p: Projection, e: SyncEvent) -> None:
    """Recipients never travel (README, "Outbound"): the purge changes no row here."""
    if not isinstance(e.payload["shipments"], list):
        raise ApplyError(e, "shipments must be a list of shipment ids")


def _receipt_reviewed(p: Projection, e: SyncEvent) -> None:
    ids = e.payload["receipt_event_ids"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ApplyError(e, "receipt_event_ids must be a list of event ids")
    p.reviews += [(i, e.occurred_at, e.operator) for i in ids]


def _recorded_only(p: Projection, e: SyncEvent) -> None:
    """Events that change no row (a reveal): the log and the audit chain keep them."""


def _prealert(p: Projection, e: SyncEvent) -> None:
    t = e.tracking_no
    if not t:
        raise ApplyError(e, "a pre-alert without a tracking number")
    cid = e.payload["customer_id"]
    p.ensure_customer(cid, e.occurred_at)
    declared = e.payload.get("declared_value")
    values = {
        "customer_id": cid,
        "carrier": e.payload.get("carrier"),
        "contents": e.payload.get("contents"),
        "declared_value": Decimal(declared) if declared is not None else None,
        "currency": e.payload.get("currency"),
    }
    if t in p.new_prealerts:
        p.new_prealerts[t].update(values)
    elif t in p.prealerts:
        p.prealert_updates[t] = values
    else:
        p.new_prealerts[t] = {"tracking_no": t, "created_at": e.occurred_at, **values}


def _operator_added(p: Projection, e: SyncEvent) -> None:
    name = e.payload["name"]
    if name in p.operators:
        return
    p.operators.add(name)
    # No snapshot came with it: the operator exists but cannot log in until a PIN is set.
    p.new_operators[name] = {
        "name": name,
        "role": e.payload["role"],
        "pin_hash": "!",
        "failed_attempts": 0,
        "locked_until": None,
        "active": True,
        "created_at": e.occurred_at,
    }


def _operator_locked(p: Projection, e: SyncEvent) -> None:
    name = e.operator
    if not name or name not in p.operators:
        p.note(e, f"lock of unknown operator {name!r}")
        return
    until = _dt(e.payload.get("until"))
    _set_operator(p, name, locked_until=until, failed_attempts=0)


def _operator_unlocked(p: Projection, e: SyncEvent) -> None:
    name = e.payload["name"]
    if name not in p.operators:
        p.note(e, f"unlock of unknown operator {name!r}")
        return
    _set_operator(p, name, locked_until=None, failed_attempts=0)


def _operator_pin_changed(p: Projection, e: SyncEvent) -> None:
    # The hash is a credential, so it is not in the event: it comes with the operator's row,
    # read when the batch was sent (the newest PIN, if it changed again since).
    name = e.payload["name"]
    row = p.snapshots.operators.get(name)
    if name not in p.operators or row is None:
        p.note(e, f"PIN change of operator {name!r} arrived without the operator's row")
        return
    _set_operator(p, name, pin_hash=row["pin_hash"])


def _price_list_published(p: Projection, e: SyncEvent) -> None:
    table = PRICE_LIST
    payload = e.payload
    version, body = payload["version"], payload["body"]
    if not isinstance(body, str) or not isinstance(version, str):
        raise ApplyError(e, "a price list needs a version and a body")
    known = p.conn.execute(select(table.c.body).where(table.c.version == version)).scalar()
    if known is not None:
        if known != body:
            p.note(e, f"price list {version} was published before with other prices; kept first")
        return
    effective_from = _dt(payload["effective_from"])
    if effective_from is None:
        raise ApplyError(e, "a price list needs effective_from")
    p.conn.execute(
        table.insert(),
        {
            "version": version,
            "effective_from": effective_from,
            "body": body,
            "published_at": e.occurred_at,
            "station_id": e.station_id,
            "operator": e.operator,
            "event_id": e.event_id,
        },
    )


def _set_operator(p: Projection, name: str, **values: Any) -> None:
    if name in p.new_operators:
        p.new_operators[name].update(values)
    else:
        p.operator_updates.setdefault(name, {}).update(values)


# -- outbound: shipment requests, boxes, handover ------------------------------------------------
#
# The outbound tables are written straight through the connection, in event order: they have
# no foreign key to rows the batch may still be holding in memory (parcel, customer), and every
# write is skipped when its row is already there, so a replayed event changes nothing.


def _outbound_tables() -> tuple[Table, ...]:
    from jpgb_terminal.store.outbound import (
        Box,
        BoxWeight,
        CustomsLine,
        Shipment,
        ShipmentParcel,
        TrackingRange,
    )

    return tuple(
        t.__table__  # type: ignore[union-attr]
        for t in (Shipment, ShipmentParcel, CustomsLine, BoxWeight, Box, TrackingRange)
    )


def _exists(p: Projection, table: Table, **keys: Any) -> bool:
    cond = and_(*(table.c[k] == v for k, v in keys.items()))
    return p.conn.execute(select(table.c[next(iter(keys))]).where(cond)).first() is not None


def _shipment_known(p: Projection, e: SyncEvent) -> bool:
    shipment = _outbound_tables()[0]
    if _exists(p, shipment, id=e.payload["shipment_id"]):
        return True
    p.note(e, f"shipment {e.payload['shipment_id']} is not known here; event kept, not projected")
    return False


def _shipment_imported(p: Projection, e: SyncEvent) -> None:
    shipment, shipment_parcel, customs_line = _outbound_tables()[:3]
    payload = e.payload
    sid = payload["shipment_id"]
    if _exists(p, shipment, id=sid):
        return
    # Recipient details are personal data and never travel in events (README, "Outbound").
    p.conn.execute(
        shipment.insert(),
        {
            "id": sid,
            "customer_id": payload["customer_id"],
            "service": payload["service"],
            "country": payload["country"],
            "recipient_name": None,
            "recipient_address": None,
            "recipient_phone": None,
            "category": payload["category"],
            "insurance_jpy": int(payload.get("insurance_jpy") or 0),
            "state": "waiting",
            "station_id": e.station_id,
            "created_at": e.occurred_at,
            "updated_at": e.occurred_at,
        },
    )
    parcels = [
        {"shipment_id": sid, "tracking_no": t, "confirmed_at": None, "confirmed_by": None}
        for t in payload["parcels"]
    ]
    if parcels:
        p.conn.execute(shipment_parcel.insert(), parcels)
    lines = [
        {
            "shipment_id": sid,
            "line_no": int(ln["line_no"]),
            "description": ln["description"],
            "quantity": int(ln["quantity"]),
            "unit_value": Decimal(ln["unit_value"]),
            "currency": ln["currency"],
            "hs_code": ln.get("hs_code"),
            "origin_country": ln["origin_country"],
            "net_weight_g": ln.get("net_weight_g"),
            "lithium": ln.get("lithium") or "none",
        }
        for ln in payload["lines"]
    ]
    if lines:
        p.conn.execute(customs_line.insert(), lines)


def _shipment_parcel_confirmed(p: Projection, e: SyncEvent) -> None:
    shipment_parcel = _outbound_tables()[1]
    if not _shipment_known(p, e):
        return
    p.conn.execute(
        shipment_parcel.update()
        .where(
            and_(
                shipment_parcel.c.shipment_id == e.payload["shipment_id"],
                shipment_parcel.c.tracking_no == e.tracking_no,
                shipment_parcel.c.confirmed_at.is_(None),
            )
        )
        .values(confirmed_at=e.occurred_at, confirmed_by=e.operator)
    )


def _box_weighed(p: Projection, e: SyncEvent) -> None:
    box_weight = _outbound_tables()[3]
    payload = e.payload
    if not _shipment_known(p, e) or _exists(p, box_weight, id=payload["weight_id"]):
        return
    raw = payload.get("raw_frame")
    p.conn.execute(
        box_weight.insert(),
        {
            "id": payload["weight_id"],
            "shipment_id": payload["shipment_id"],
            "grams": int(payload["grams"]),
            "source": payload["source"],
            "raw_frame": bytes.fromhex(raw) if raw else None,
            "scale_id": payload.get("scale_id"),
            "protocol": payload.get("protocol"),
            "station_id": e.station_id,
            "operator": e.operator,
            "measured_at": e.occurred_at,
            "event_id": e.event_id,
        },
    )


def _box_packed(p: Projection, e: SyncEvent) -> None:
    shipment, box = _outbound_tables()[0], _outbound_tables()[4]
    payload = e.payload
    if not _shipment_known(p, e) or _exists(p, box, id=payload["box_id"]):
        return
    length, width, height = (int(d) for d in payload["dims_cm"])
    p.conn.execute(
        box.insert(),
        {
            "id": payload["box_id"],
            "shipment_id": payload["shipment_id"],
            "outbound_tracking_no": payload["outbound_tracking_no"],
            "tracking_source": payload["tracking_source"],
            "station_id": e.station_id,
            "operator": e.operator,
            "packed_at": e.occurred_at,
            "weight_id": payload["weight_id"],
            "weight_g": int(payload["weight_g"]),
            "length_cm": length,
            "width_cm": width,
            "height_cm": height,
            "chargeable_g": int(payload["chargeable_g"]),
            "fee": int(payload["fee"]),
            "currency": payload["currency"],
            "price_list_version": payload["price_list_version"],
            "zone": payload["zone"],
            "customs_form": payload["customs_form"],
            "declared_value": Decimal(payload["declared_value"]),
            "declared_currency": payload["declared_currency"],
            "export_declaration": bool(payload["export_declaration"]),
            "handed_over_at": None,
            "handed_over_by": None,
            "event_id": e.event_id,
        },
    )
    p.conn.execute(
        shipment.update()
        .where(and_(shipment.c.id == payload["shipment_id"], shipment.c.state == "waiting"))
        .values(state="packed", updated_at=e.occurred_at)
    )


def _shipment_handed_over(p: Projection, e: SyncEvent) -> None:
    shipment, box = _outbound_tables()[0], _outbound_tables()[4]
    sid = e.payload["shipment_id"]
    if not _shipment_known(p, e):
        return
    p.conn.execute(
        box.update()
        .where(and_(box.c.shipment_id == sid, box.c.handed_over_at.is_(None)))
        .values(handed_over_at=e.occurred_at, handed_over_by=e.operator)
    )
    p.conn.execute(
        shipment.update()
        .where(and_(shipment.c.id == sid, shipment.c.state != "shipped"))
        .values(state="shipped", updated_at=e.occurred_at)
    )


def _parcel_outbound(p: Projection, e: SyncEvent) -> None:
    parcel = p.parcel(e)
    target = e.kind.removeprefix("parcel.")
    if parcel["state"] in _FINAL:
        p.note(e, f"{target} after the parcel became {parcel['state']}; state kept")
        return
    p.change(parcel["tracking_no"], state=target, updated_at=e.occurred_at)


def _tracking_range_added(p: Projection, e: SyncEvent) -> None:
    tracking_range = _outbound_tables()[5]
    payload = e.payload
    if _exists(p, tracking_range, id=payload["id"]):
        return
    p.conn.execute(
        tracking_range.insert(),
        {
            "id": payload["id"],
            "service": payload["service"],
            "prefix": payload["prefix"],
            "country": payload["country"],
            "first_serial": int(payload["first_serial"]),
            "next_serial": int(payload["next_serial"]),
            "last_serial": int(payload["last_serial"]),
            "created_at": e.occurred_at,
            "created_by": payload.get("created_by"),
        },
    )


Applier = Callable[[Projection, SyncEvent], None]

APPLIERS: dict[str, Applier] = {
    "parcel.received": _received,
    "parcel.weighed": _weighed,
    "parcel.inspected": _inspected,
    "parcel.cleared": _cleared,
    "parcel.held": _held,
    "parcel.decided": _decided,
    "customer.added": _customer_added,
    "customer.status_changed": _customer_status,
    "customer.anonymised": _customer_anonymised,
    "customer.updated": _customer_updated,
    "customer.recipients_purged": _customer_recipients_purged,
    "customer.revealed": _recorded_only,
    "prealert.recorded": _prealert,
    "operator.added": _operator_added,
    "operator.locked": _operator_locked,
    "operator.unlocked": _operator_unlocked,
    "operator.pin_changed": _operator_pin_changed,
    "price_list.published": _price_list_published,
    "shipment.imported": _shipment_imported,
    "shipment.parcel_confirmed": _shipment_parcel_confirmed,
    "box.weighed": _box_weighed,
    "box.packed": _box_packed,
    "parcel.packed": _parcel_outbound,
    "parcel.shipped": _parcel_outbound,
    "shipment.handed_over": _shipment_handed_over,
    "tracking_range.added": _tracking_range_added,
    "receipt.reviewed": _receipt_reviewed,
}


def apply_events(
    conn: Connection, events: Sequence[SyncEvent], snapshots: Snapshots | None = None
) -> ApplyOutcome:
    """Project `events` (already stored in `event`) onto the tables reachable through `conn`."""
    projection = Projection(conn, events)
    if snapshots:
        projection.upsert_snapshots(snapshots)
    projection.apply(events)
    return projection.flush()
