"""Projection of people: customers, operators and the pre-alerts customers send.

Personal data stays out of events: customer and operator rows travel beside the events as
snapshots (`Snapshots`).  A customer new here is inserted from its snapshot; a known customer's
personal fields change only as a customer event names them (`fields`), taken from the snapshot,
and never once the customer is anonymised here (the attempt is noted in `sync_issue`).  A known
operator's PIN moves only with `operator.pin_changed`.
"""

from __future__ import annotations

from typing import Any

from jpgb_terminal.events import (
    CustomerAdded,
    CustomerAnonymised,
    CustomerRecipientsPurged,
    CustomerRevealed,
    CustomerStatusChanged,
    CustomerUpdated,
    OperatorAdded,
    OperatorLocked,
    OperatorPinChanged,
    OperatorUnlocked,
    PrealertRecorded,
)
from jpgb_terminal.privacy.fields import ANONYMISED_NAME, PERSONAL_FIELDS
from jpgb_terminal.projections.events import ApplyError, Snapshots, SyncEvent
from jpgb_terminal.projections.unit_of_work import Applier, UnitOfWork

ANONYMISED_VALUES: dict[str, str | None] = {
    "name": ANONYMISED_NAME,
    "address": None,
    "phone": None,
    "id_doc_no": None,
}


def take_snapshots(p: UnitOfWork, snaps: Snapshots) -> None:
    """Bring customer and operator rows in: new ones inserted; a known customer's personal
    fields are left to the customer events that name them (status too)."""
    p.snapshots = snaps
    p.load_customers(set(snaps.customers) - p.customers.known)
    for cid, row in snaps.customers.items():
        if cid not in p.customers.known:
            p.customers.new[cid] = {
                "id": cid,
                "name": row["name"],
                "address": row.get("address"),
                "phone": row.get("phone"),
                "id_doc_no": row.get("id_doc_no"),
                "status": row.get("status") or "active",
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
            }
            p.know_customer(cid, row["name"])
        elif cid in p.placeholders:
            # A placeholder holds no personal data yet: its customer's row fills it.
            p.customers.updates.setdefault(cid, {}).update({f: row.get(f) for f in PERSONAL_FIELDS})
            p.know_customer(cid, row["name"])
    p.load_operators(set(snaps.operators) - p.operators.known)
    for name, row in snaps.operators.items():
        if name not in p.operators.known:
            p.operators.new[name] = {
                "name": name,
                "role": row["role"],
                "pin_hash": row["pin_hash"],
                "failed_attempts": 0,
                "locked_until": row.get("locked_until"),
                "active": bool(row.get("active", True)),
                "created_at": row["created_at"],
            }
            p.operators.known.add(name)


# -- customers -----------------------------------------------------------------------------


CustomerChange = CustomerAdded | CustomerUpdated | CustomerStatusChanged


def _event_fields(ev: CustomerChange) -> tuple[str, ...]:
    """The personal fields an event changes: those it names, or, for an event written before
    changes named their fields (no `fields` key), the whole row that travelled with it."""
    if ev.fields is None:
        return PERSONAL_FIELDS
    return tuple(f for f in PERSONAL_FIELDS if f in ev.fields)


def _customer_personal(p: UnitOfWork, e: SyncEvent, ev: CustomerChange) -> None:
    """Take the personal fields the event changes from the customer's row beside it, unless
    the customer is anonymised here: anonymisation is final, the attempt is noted."""
    cid = ev.customer_id
    row = p.snapshots.customers.get(cid)
    fields = _event_fields(ev)
    if row is None or not fields:
        return
    if cid in p.anonymised:
        restoring = [f for f in fields if row.get(f) != ANONYMISED_VALUES[f]]
        if restoring:
            p.note(
                e,
                f"customer {cid} is anonymised here: {', '.join(restoring)} not restored "
                f"from station {e.station_id}",
            )
        return
    p.customers.set(cid, {f: row.get(f) for f in fields})
    p.placeholders.discard(cid)


def _customer_added(p: UnitOfWork, e: SyncEvent, ev: CustomerAdded) -> None:
    p.ensure_customer(ev.customer_id, e.occurred_at)
    _customer_personal(p, e, ev)


def _customer_updated(p: UnitOfWork, e: SyncEvent, ev: CustomerUpdated) -> None:
    cid = ev.customer_id
    p.ensure_customer(cid, e.occurred_at)
    _customer_personal(p, e, ev)
    p.customers.set(cid, {"updated_at": e.occurred_at})


def _customer_status(p: UnitOfWork, e: SyncEvent, ev: CustomerStatusChanged) -> None:
    cid = ev.customer_id
    p.ensure_customer(cid, e.occurred_at)
    _customer_personal(p, e, ev)
    p.customers.set(cid, {"status": ev.status, "updated_at": e.occurred_at})


def _customer_anonymised(p: UnitOfWork, e: SyncEvent, ev: CustomerAnonymised) -> None:
    # Retention or an erasure ran at a station: this store forgets the same personal data,
    # for good (later events naming personal fields of this customer are not applied).
    cid = ev.customer_id
    p.ensure_customer(cid, e.occurred_at)
    p.customers.set(cid, {**ANONYMISED_VALUES, "updated_at": e.occurred_at})
    p.anonymised.add(cid)
    p.placeholders.discard(cid)


def _customer_recipients_purged(p: UnitOfWork, e: SyncEvent, ev: CustomerRecipientsPurged) -> None:
    """Recipients never travel (README, "Outbound"): the purge changes no row here (its
    payload was checked as it was decoded)."""


def _recorded_only(p: UnitOfWork, e: SyncEvent, ev: CustomerRevealed) -> None:
    """Events that change no row (a reveal): the log and the audit chain keep them."""


# -- pre-alerts ----------------------------------------------------------------------------


def _prealert(p: UnitOfWork, e: SyncEvent, ev: PrealertRecorded) -> None:
    t = e.tracking_no
    if not t:
        raise ApplyError(e, "a pre-alert without a tracking number")
    cid = ev.customer_id
    p.ensure_customer(cid, e.occurred_at)
    values: dict[str, Any] = {
        "customer_id": cid,
        "carrier": ev.carrier,
        "contents": ev.contents,
        "declared_value": ev.declared_value,
        "currency": ev.currency,
    }
    if t in p.prealerts.new:
        p.prealerts.new[t].update(values)
    elif t in p.prealerts.known:
        p.prealerts.updates[t] = values
    else:
        p.prealerts.new[t] = {"tracking_no": t, "created_at": e.occurred_at, **values}


# -- operators -----------------------------------------------------------------------------


def _operator_added(p: UnitOfWork, e: SyncEvent, ev: OperatorAdded) -> None:
    name = ev.name
    if name in p.operators.known:
        return
    p.operators.known.add(name)
    # No snapshot came with it: the operator exists but cannot log in until a PIN is set.
    p.operators.new[name] = {
        "name": name,
        "role": ev.role,
        "pin_hash": "!",
        "failed_attempts": 0,
        "locked_until": None,
        "active": True,
        "created_at": e.occurred_at,
    }


def _operator_locked(p: UnitOfWork, e: SyncEvent, ev: OperatorLocked) -> None:
    name = e.operator
    if not name or name not in p.operators.known:
        p.note(e, f"lock of unknown operator {name!r}")
        return
    p.operators.set(name, {"locked_until": ev.until, "failed_attempts": 0})


def _operator_unlocked(p: UnitOfWork, e: SyncEvent, ev: OperatorUnlocked) -> None:
    name = ev.name
    if name not in p.operators.known:
        p.note(e, f"unlock of unknown operator {name!r}")
        return
    p.operators.set(name, {"locked_until": None, "failed_attempts": 0})


def _operator_pin_changed(p: UnitOfWork, e: SyncEvent, ev: OperatorPinChanged) -> None:
    # The hash is a credential, so it is not in the event: it comes with the operator's row,
    # read when the batch was sent (the newest PIN, if it changed again since).
    name = ev.name
    row = p.snapshots.operators.get(name)
    if name not in p.operators.known or row is None:
        p.note(e, f"PIN change of operator {name!r} arrived without the operator's row")
        return
    p.operators.set(name, {"pin_hash": row["pin_hash"]})


APPLIERS: dict[str, Applier] = {
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
}
