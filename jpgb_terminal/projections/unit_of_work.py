"""The working set of one batch: the rows it touches, loaded once, changed in memory, flushed.

A batch is applied in three steps inside the caller's transaction:

1. `UnitOfWork(conn, events)` loads, in a handful of queries, the rows the batch touches
   (parcels with their billing weight, open holds, known customers, operators, pre-alerts);
2. each event's applier (`jpgb_terminal.projections.registry.APPLIERS`) changes that working
   set in memory, or writes straight through `conn` where nothing in memory depends on it;
3. `flush()` writes the inserts and updates with one executemany (or COPY) per table.

Layer: writes the store through SQLAlchemy Core; knows no transport and no face.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select

from jpgb_terminal.clock import now
from jpgb_terminal.privacy.fields import ANONYMISED_NAME, placeholder_name
from jpgb_terminal.projections.bulk import (
    CUSTOMER,
    DECISION,
    HOLD,
    INSPECTION,
    ISSUE,
    OPERATOR,
    PARCEL,
    PREALERT,
    RECEIPT,
    SALE,
    WEIGHT,
    insert_many,
    update_many,
    where_in,
)
from jpgb_terminal.projections.events import (
    ApplyError,
    ApplyOutcome,
    Snapshots,
    SyncEvent,
    snapshot_names,
)
from jpgb_terminal.store.receipt_reviews import mark_reviewed

_PARCEL_COLUMNS = [c.name for c in PARCEL.columns]


@dataclass
class Rows:
    """Rows of one table keyed by id: which exist, which are new, which changed."""

    known: set[str] = field(default_factory=set)
    new: dict[str, dict[str, Any]] = field(default_factory=dict)
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)

    def set(self, key: str, values: dict[str, Any]) -> None:
        """Change a row, new or known, in memory."""
        if key in self.new:
            self.new[key].update(values)
        else:
            self.updates.setdefault(key, {}).update(values)


@dataclass
class Parcels:
    """Parcel rows with what billing and holds need to settle a batch."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    new: set[str] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set)
    weight_keys: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    open_holds: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    hold_closes: list[dict[str, Any]] = field(default_factory=list)
    second_receipts: set[str] = field(default_factory=set)
    reviews: list[tuple[str, datetime, str | None]] = field(default_factory=list)


class UnitOfWork:
    """The rows a batch of events touches, loaded once, changed in memory, written by flush()."""

    def __init__(self, conn: Connection, events: Sequence[SyncEvent]) -> None:
        self.conn = conn
        self.outcome = ApplyOutcome()
        self.parcels = Parcels()
        self.customers = Rows()
        self.anonymised: set[str] = set()
        self.placeholders: set[str] = set()
        self.prealerts = Rows()
        self.operators = Rows()
        self.inserts: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.issues: dict[str, dict[str, Any]] = {}
        self.snapshots = Snapshots()
        self._load(events)

    # -- loading -------------------------------------------------------------------------

    def _load(self, events: Sequence[SyncEvent]) -> None:
        conn = self.conn
        tracking = sorted(
            {e.tracking_no for e in events if e.tracking_no and e.kind.startswith("parcel.")}
        )
        weight_at = WEIGHT.c.measured_at.label("w_at")
        weight_event = WEIGHT.c.event_id.label("w_event")
        stmt = select(PARCEL, weight_at, weight_event).select_from(
            PARCEL.outerjoin(WEIGHT, WEIGHT.c.id == PARCEL.c.weight_id)
        )
        for match in where_in(conn, PARCEL.c.tracking_no, tracking):
            for row in conn.execute(stmt.where(match)).mappings():
                parcel = {k: row[k] for k in _PARCEL_COLUMNS}
                self.parcels.rows[parcel["tracking_no"]] = parcel
                if row["w_at"] is not None:
                    self.parcels.weight_keys[parcel["tracking_no"]] = (row["w_at"], row["w_event"])
        held = [e.tracking_no for e in events if e.kind == "parcel.decided" and e.tracking_no]
        for match in where_in(conn, HOLD.c.tracking_no, sorted(set(held))):
            rows = conn.execute(
                select(HOLD.c.id, HOLD.c.tracking_no).where(match, HOLD.c.closed_at.is_(None))
            )
            for hold_id, tracking_no in rows:
                self.parcels.open_holds[tracking_no].add(hold_id)
        customers, operators = snapshot_names(events)
        self.load_customers(customers)
        self.load_operators(operators)
        alerts = sorted(
            {e.tracking_no for e in events if e.kind == "prealert.recorded" and e.tracking_no}
        )
        for match in where_in(conn, PREALERT.c.tracking_no, alerts):
            self.prealerts.known |= set(
                conn.execute(select(PREALERT.c.tracking_no).where(match)).scalars()
            )

    def load_customers(self, ids: set[str]) -> None:
        """Learn which of these customers exist here (and which are anonymised or placeholders)."""
        for match in where_in(self.conn, CUSTOMER.c.id, sorted(ids)):
            for cid, name in self.conn.execute(select(CUSTOMER.c.id, CUSTOMER.c.name).where(match)):
                self.know_customer(cid, name)

    def load_operators(self, names: set[str]) -> None:
        """Learn which of these operators exist here."""
        for match in where_in(self.conn, OPERATOR.c.name, sorted(names)):
            self.operators.known |= set(
                self.conn.execute(select(OPERATOR.c.name).where(match)).scalars()
            )

    def know_customer(self, cid: str, name: str) -> None:
        """Remember a customer row that exists (or will), classified by its name."""
        self.customers.known.add(cid)
        self.placeholders.discard(cid)
        if name == ANONYMISED_NAME:
            self.anonymised.add(cid)
        elif name == placeholder_name(cid):
            self.placeholders.add(cid)

    # -- what appliers use ---------------------------------------------------------------

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
        parcel = self.parcels.rows.get(event.tracking_no or "")
        if parcel is None:
            raise ApplyError(event, "no receipt of this parcel is known here")
        return parcel

    def change(self, tracking_no: str, **values: Any) -> None:
        """Update the working copy of a parcel and remember to write it."""
        self.parcels.rows[tracking_no].update(values)
        if tracking_no not in self.parcels.new:
            self.parcels.dirty.add(tracking_no)

    def ensure_customer(self, customer_id: str, at: datetime) -> None:
        """A placeholder for a customer whose row has not arrived yet (its snapshot follows)."""
        if customer_id in self.customers.known:
            return
        self.customers.known.add(customer_id)
        self.placeholders.add(customer_id)
        self.customers.new[customer_id] = {
            "id": customer_id,
            "name": placeholder_name(customer_id),
            "address": None,
            "phone": None,
            "id_doc_no": None,
            "status": "active",
            "created_at": at,
            "updated_at": at,
        }

    # -- writing -------------------------------------------------------------------------

    def flush(self) -> ApplyOutcome:
        """Write everything, parents before children."""
        conn = self.conn
        insert_many(conn, CUSTOMER, list(self.customers.new.values()))
        update_many(conn, CUSTOMER, "id", self.customers.updates)
        insert_many(conn, OPERATOR, list(self.operators.new.values()))
        update_many(conn, OPERATOR, "name", self.operators.updates)
        parcels = self.parcels
        insert_many(conn, PARCEL, [parcels.rows[t] for t in sorted(parcels.new)])
        if parcels.dirty:
            update_many(
                conn,
                PARCEL,
                "tracking_no",
                {
                    t: {k: v for k, v in parcels.rows[t].items() if k != "tracking_no"}
                    for t in sorted(parcels.dirty)
                },
            )
        insert_many(conn, PREALERT, list(self.prealerts.new.values()))
        update_many(conn, PREALERT, "tracking_no", self.prealerts.updates)
        for table in (WEIGHT, INSPECTION, HOLD):
            insert_many(conn, table, self.inserts.get(table.name, []))
        if parcels.hold_closes:
            conn.execute(
                HOLD.update()
                .where(and_(HOLD.c.id == bindparam("b_id"), HOLD.c.closed_at.is_(None)))
                .values(closed_at=bindparam("b_closed_at"), decision=bindparam("b_decision")),
                parcels.hold_closes,
            )
        for table in (DECISION, SALE, RECEIPT):
            insert_many(conn, table, self.inserts.get(table.name, []))
        receipt_updates = self.inserts.get("receipt_update")
        if receipt_updates:
            conn.execute(
                RECEIPT.update()
                .where(RECEIPT.c.event_id == bindparam("b_event_id"))
                .values(duplicate=bindparam("b_duplicate")),
                receipt_updates,
            )
        # After the receipts are in, so a review in the same batch finds them.
        mark_reviewed(conn, parcels.reviews)
        if self.issues:
            known = set()
            ids = sorted(self.issues)
            for match in where_in(conn, ISSUE.c.event_id, ids):
                known |= set(conn.execute(select(ISSUE.c.event_id).where(match)).scalars())
            insert_many(conn, ISSUE, [self.issues[i] for i in ids if i not in known])
        return self.outcome


Applier = Callable[[UnitOfWork, SyncEvent, Any], None]
"""What projects one event kind: changes the unit of work (or writes through its connection).

It gets the event as it travelled (who, where, when) and its payload decoded once into the
kind's typed event (jpgb_terminal.events)."""
