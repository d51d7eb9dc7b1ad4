"""Projection of people: customers, operators and the pre-alerts customers send.

Personal data stays out of events: customer and operator rows travel beside the events as
snapshots (`Snapshots`).  A customer new here is inserted from its snapshot; a known customer's
personal fields change only as a customer event names them (`fields`), taken from the snapshot,
and never once the customer is anonymised here (the attempt is noted in `sync_issue`).  A known
operator's PIN moves only with `operator.pin_changed` (or `operator.resolved`).

Wrong PINs travel as events and are counted where they arrive, so the lockout is per operator
across benches; a right PIN after wrong ones ends the run wherever it arrives.  Runs typed at
two benches between two syncs add up where they meet: the count errs towards locking.

The same name added at two benches with another role or PIN is a conflict: central refuses the
second `operator.added` (it is quarantined, a lead sees it there), and a bench whose own add of
the name came second holds that operator (inactive: no role, no login) until a lead
records `operator.resolved` (`jpgb user resolve NAME --role ROLE`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from jpgb_terminal.events import (
    CustomerAdded,
    CustomerAnonymised,
    CustomerRecipientsPurged,
    CustomerRevealed,
    CustomerStatusChanged,
    CustomerUpdated,
    OperatorAdded,
    OperatorFailuresCleared,
    OperatorLocked,
    OperatorPinChanged,
    OperatorPinFailed,
    OperatorResolved,
    OperatorUnlocked,
    PrealertRecorded,
)
from jpgb_terminal.privacy.fields import ANONYMISED_NAME, PERSONAL_FIELDS
from jpgb_terminal.projections.bulk import OPERATOR, QUARANTINE
from jpgb_terminal.projections.events import ApplyError, Snapshots, SyncEvent
from jpgb_terminal.projections.unit_of_work import Applier, UnitOfWork
from jpgb_terminal.rules.lockout import LOCKOUT, MAX_ATTEMPTS, RESOLVE_HINT
from jpgb_terminal.rules.permissions import ROLES
from jpgb_terminal.store.role import is_central

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
        _check_same_operator(p, e, name, ev.role)
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


def _operator_here(p: UnitOfWork, name: str) -> dict[str, Any] | None:
    """A known operator's role and PIN hash here, as this batch leaves them so far."""
    if name in p.operators.new:
        return p.operators.new[name]
    found = p.conn.execute(
        select(OPERATOR.c.role, OPERATOR.c.pin_hash).where(OPERATOR.c.name == name)
    ).first()
    if found is None:
        return None
    return {"role": found.role, "pin_hash": found.pin_hash, **p.operators.updates.get(name, {})}


def _check_same_operator(p: UnitOfWork, e: SyncEvent, name: str, role: str) -> None:
    """A name added again: the same role and PIN is the same operator; anything else is a
    conflict (module doc)."""
    here = _operator_here(p, name)
    row = p.snapshots.operators.get(name)
    if here is None:
        return
    if here["role"] != role:
        problem = f"{here['role']} here, {role} at station {e.station_id}"
    elif row is not None and row["pin_hash"] != here["pin_hash"]:
        problem = f"another PIN at station {e.station_id}"
    else:
        return
    problem = f"operator {name} was added twice: {problem}; {RESOLVE_HINT.format(name=name)}"
    if is_central(p.conn):
        # Central sees the second add to arrive: refused, quarantined, named for a lead.
        raise ApplyError(e, problem)
    # A bench applies only adds central accepted: this bench's own add came second, so its
    # operator may act nowhere with that role until a lead settles it.
    p.operators.set(name, {"active": False})
    p.note(e, f"{problem} ({name} is on hold here)")


def _operator_pin_failed(p: UnitOfWork, e: SyncEvent, ev: OperatorPinFailed) -> None:
    """A wrong PIN at another store counts here too; the fifth in a row locks here as well."""
    name = ev.name
    if not _known_operator(p, name):
        p.note(e, f"wrong PIN of unknown operator {name!r}")
        return
    count = _current(p, name, "failed_attempts") + 1
    if count >= MAX_ATTEMPTS:
        p.operators.set(name, {"locked_until": e.occurred_at + LOCKOUT, "failed_attempts": 0})
    else:
        p.operators.set(name, {"failed_attempts": count})


def _known_operator(p: UnitOfWork, name: str) -> bool:
    """Whether the operator exists here (no row travels with a PIN check's events)."""
    if name not in p.operators.known:
        p.load_operators({name})
    return name in p.operators.known


def _current(p: UnitOfWork, name: str, column: str) -> Any:
    """A known operator's column as this batch leaves it so far."""
    changed = p.operators.new.get(name) or p.operators.updates.get(name) or {}
    if column in changed:
        return changed[column]
    value = p.conn.execute(select(OPERATOR.c[column]).where(OPERATOR.c.name == name)).scalar()
    return value or 0


def _operator_failures_cleared(p: UnitOfWork, e: SyncEvent, ev: OperatorFailuresCleared) -> None:
    """The right PIN after wrong ones: the run is over here too (a lock stands)."""
    name = ev.name
    if _known_operator(p, name):
        p.operators.set(name, {"failed_attempts": 0})


def _operator_resolved(p: UnitOfWork, e: SyncEvent, ev: OperatorResolved) -> None:
    """A lead settled an operator's role; the PIN is the one beside the event."""
    name, role = ev.name, ev.role
    if role not in ROLES:
        raise ApplyError(e, f"unknown role {role!r}")
    row = p.snapshots.operators.get(name)
    if name not in p.operators.known or row is None:
        p.note(e, f"resolution of operator {name!r} arrived without the operator's row")
        return
    p.operators.set(
        name,
        {
            "role": role,
            "pin_hash": row["pin_hash"],
            "active": True,
            "failed_attempts": 0,
            "locked_until": None,
        },
    )
    # The refused add of that name is dealt with: its quarantine entry closes where kept.
    for station_id, seq, content in p.conn.execute(
        select(QUARANTINE.c.station_id, QUARANTINE.c.seq, QUARANTINE.c.content).where(
            QUARANTINE.c.kind == "operator.added", QUARANTINE.c.state == "open"
        )
    ).all():
        if json.loads(content).get("payload", {}).get("name") != name:
            continue
        p.conn.execute(
            update(QUARANTINE)
            .where(QUARANTINE.c.station_id == station_id, QUARANTINE.c.seq == seq)
            .values(
                state="resolved",
                resolved_at=e.occurred_at,
                resolved_by=e.operator,
                resolved_note=f"operator {name} settled as {role}",
            )
        )


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
    "operator.pin_failed": _operator_pin_failed,
    "operator.failures_cleared": _operator_failures_cleared,
    "operator.resolved": _operator_resolved,
}
