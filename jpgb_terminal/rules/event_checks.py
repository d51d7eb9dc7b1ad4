"""What central re-checks in an event a bench pushes, before applying it: the actor's role for
the action the event records, and the parcel's change of state, against what central holds.

Pure: the events come in as `EventFacts` and central's state as a `CentralView` (parcel states
and operator roles read by the caller); the batch is checked in order, each event seeing the
state the events before it leave.  A bench checked the same rules when it wrote the event, so
a refusal here means the event was not written by this program's rules (an edited store, an
older program, a forgery), except in one case the view says how to tell apart: a parcel that
another bench changed meanwhile (`contested`) may legitimately arrive in a state its bench did
not see, and is settled by the projection (jpgb_terminal.projections.parcels), not refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jpgb_terminal.rules.decisions import TARGET_STATE, Action
from jpgb_terminal.rules.permissions import ROLES, allowed, refusal, roles_for
from jpgb_terminal.rules.states import FINAL_STATES, ParcelState, can_transition


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What the checks read of one event."""

    kind: str
    tracking_no: str | None
    operator: str | None
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class CentralView:
    """Central's state before the batch: parcel states and operator roles as it holds them."""

    states: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)
    contested: frozenset[str] = frozenset()
    """Parcels another bench has events about (or that were quarantined before): a state that
    differs from the one the event saw is a conflict the projection settles, not a forgery."""
    held: frozenset[str] = frozenset()
    """Parcels whose events are quarantined already (later ones follow them, unchecked)."""


@dataclass(frozen=True)
class Refusal:
    """One event the rules refuse: its index in the batch and the reason, one line."""

    index: int
    reason: str
    disputed: str | None = None
    """The parcel, when the only fault is that central's state differs from the event's:
    the caller asks whether another bench changed it (CentralView.contested)."""


@dataclass(frozen=True)
class Needs:
    """The actions an event kind records (any one suffices) and whether the station's own
    context, with no operator, may record it (as the services allow)."""

    actions: tuple[str, ...]
    administrator: bool


def _needs(actions: str | tuple[str, ...], administrator: bool) -> Needs:
    return Needs(actions if isinstance(actions, tuple) else (actions,), administrator)


# The action each kind records, as the service that writes it checks it.  Kinds not named
# here are setup facts (pre-alerts, customers, shipment requests, price lists, ranges, a
# lockout) that the permission table does not cover.  `parcel.decided` names its action.
NEEDS: Mapping[str, Needs] = {
    "parcel.received": _needs("receive", True),
    "parcel.weighed": _needs("receive", True),
    "parcel.inspected": _needs("inspect", True),
    "parcel.cleared": _needs("inspect", True),
    "parcel.held": _needs("hold", True),
    "receipt.reviewed": _needs("review_receipts", False),
    "sync.quarantine_resolved": _needs("review_receipts", False),
    "shipment.parcel_confirmed": _needs("pack", False),
    "box.weighed": _needs("pack", False),
    "box.packed": _needs("pack", False),
    "parcel.packed": _needs("pack", False),
    "shipment.handed_over": _needs("hand_over", False),
    "parcel.shipped": _needs("hand_over", False),
    "customer.status_changed": _needs("set_customer_status", True),
    "operator.added": _needs("manage_operators", True),
    "operator.pin_changed": _needs("manage_operators", True),
    "operator.unlocked": _needs("unlock_operator", False),
    "customer.revealed": _needs("reveal_personal_data", False),
    "customer.anonymised": _needs(("erase_customer", "purge"), False),
    "customer.recipients_purged": _needs("purge", False),
}
DECIDED = "parcel.decided"
DECISION_ACTIONS = frozenset(a.value for a in Action)
# The kinds that move a parcel, and the state each one moves it to (None: see _target).
MOVES: Mapping[str, ParcelState | None] = {
    "parcel.weighed": None,
    "parcel.cleared": ParcelState.CLEARED,
    "parcel.held": ParcelState.HELD,
    DECIDED: None,
    "parcel.packed": ParcelState.PACKED,
    "parcel.shipped": ParcelState.SHIPPED,
}
_STATES = frozenset(s.value for s in ParcelState)
_FINAL = frozenset(s.value for s in FINAL_STATES)
# The transition table by plain value: a push checks every event, enum lookups add up.
_NEXT: Mapping[str, frozenset[str]] = {
    s.value: frozenset(t.value for t in ParcelState if can_transition(s, t)) for s in ParcelState
}


def needs(event: EventFacts) -> Needs | None:
    """The actions `event` records, or None when the permission table does not cover its kind."""
    if event.kind == DECIDED:
        action = event.payload.get("action")
        if isinstance(action, str) and action in DECISION_ACTIONS:
            return _needs(action, False)
        return Needs((), False)  # no such decision: nobody may record it
    return NEEDS.get(event.kind)


@cache
def _open_to_every_role(actions: tuple[str, ...]) -> bool:
    return any(set(roles_for(a)) == set(ROLES) for a in actions)


def role_problem(event: EventFacts, roles: Mapping[str, str]) -> str | None:
    """Why the actor (or a manual weight's approver) may not record `event`, by the role
    central holds for them, or None.

    An operator central has never heard of may still record what every role may (receiving,
    weighing by scale, inspecting, holding, packing): the name cannot be checked, and any
    role would do.  What a role restricts needs an operator central knows with that role."""
    need = needs(event)
    if need is None:
        return None
    return _actor_problem(event, need, roles) or _approver_problem(event, roles)


def _actor_problem(event: EventFacts, need: Needs, roles: Mapping[str, str]) -> str | None:
    if not need.actions:
        return f"role: no decision {event.payload.get('action')!r} exists"
    action = need.actions[0]
    if event.operator is None:
        if need.administrator:
            return None
        return f"role: recorded with no operator; {refusal(None, action)}"
    role = roles.get(event.operator)
    if role is None:
        if _open_to_every_role(need.actions):
            return None
        return f"role: operator {event.operator!r} is not known at central; {refusal(None, action)}"
    if not any(allowed(role, a) for a in need.actions):
        return f"role: {refusal(role, action)} at central"
    written = event.payload.get("role") if event.kind == DECIDED else None
    if written is not None and written != role:
        # The decision row keeps the role its event names: it must be the one central holds.
        return f"role: the event names {event.operator} a {written}; central holds a {role}"
    return None


def _approver_problem(event: EventFacts, roles: Mapping[str, str]) -> str | None:
    """A weight typed in by hand bills only with an approver whose role may approve it."""
    if event.kind != "parcel.weighed" or event.payload.get("source") != "manual":
        return None
    approver = event.payload.get("approved_by")
    role = roles.get(approver) if isinstance(approver, str) else None
    if role is None:
        return f"role: the manual weight's approver {approver!r} is not known at central"
    if not allowed(role, "manual_weight"):
        return f"role: {refusal(role, 'manual_weight')} at central ({approver})"
    return None


def _target(event: EventFacts, claimed: str) -> tuple[str | None, str | None]:
    """The state `event` moves a parcel in `claimed` to, and why the rules refuse it (or None)."""
    kind, t = event.kind, event.tracking_no
    if kind == "parcel.weighed":
        if claimed in _FINAL or claimed not in _NEXT:
            return None, f"parcel {t} is {claimed}; it can no longer be weighed"
        # A first weighing moves the parcel on; a reweigh keeps its state.
        return (ParcelState.WEIGHED.value if claimed == ParcelState.RECEIVED else claimed), None
    if kind == DECIDED:
        action = event.payload.get("action")
        if action not in DECISION_ACTIONS:
            return None, f"no decision {action!r} exists"
        target = TARGET_STATE[Action(action)].value
        written = event.payload.get("to_state")
        if written != target:
            return None, f"a {action} decision makes a parcel {target}, the event says {written!r}"
    else:
        fixed = MOVES[kind]
        assert fixed is not None
        target = fixed.value
    if kind == "parcel.held" and claimed == ParcelState.HELD:
        return target, None  # one more reason for a held parcel
    after = _NEXT.get(claimed, frozenset())
    if target not in after:
        can = ", ".join(sorted(after - {claimed})) or "none (final)"
        return None, (f"parcel {t} is {claimed}; it cannot become {target} (from {claimed}: {can})")
    return target, None


def transition_problem(
    event: EventFacts, current: str | None, contested: bool
) -> tuple[str | None, str | None, bool]:
    """(the state after `event`, why the rules refuse it, whether only central's state differs).

    The state the event's bench saw is its `from_state`; without one (an older program), the
    state central holds.  A bench that saw another state than central holds is refused unless
    another bench changed the parcel meanwhile (`contested`)."""
    if event.kind not in MOVES or event.tracking_no is None or current is None:
        return current, None, False  # no move, or no parcel here (the projection says so)
    written = event.payload.get("from_state")
    if written is not None and written not in _STATES:
        return current, f"transition: from_state {written!r} is no parcel state", False
    claimed = written if isinstance(written, str) else current
    target, problem = _target(event, claimed)
    if problem is not None:
        return current, f"transition: {problem}", False
    if claimed != current and not contested:
        return (
            current,
            (
                f"transition: central holds parcel {event.tracking_no} as {current} and no other "
                f"bench changed it; the event says it was {claimed}"
            ),
            True,
        )
    if claimed != current:
        return current, None, False  # a conflict between benches: the projection settles it
    return target, None, False


def check_events(events: Sequence[EventFacts], view: CentralView) -> list[Refusal]:
    """The events of one station's batch the rules refuse, in order, each with its reason.

    Events about a parcel whose earlier event is refused (here or before) are not checked:
    they follow it into quarantine (jpgb_terminal.sync.merge)."""
    states = dict(view.states)
    roles = dict(view.roles)
    held = set(view.held)
    refused: list[Refusal] = []
    for i, event in enumerate(events):
        t = event.tracking_no
        if t is not None and t in held:
            continue
        problem = role_problem(event, roles)
        disputed = None
        after = states.get(t) if t is not None else None
        if problem is None:
            if event.kind == "parcel.received" and t is not None and t not in states:
                after = ParcelState.RECEIVED.value
            else:
                after, problem, only_state = transition_problem(
                    event, after, t is not None and t in view.contested
                )
                disputed = t if only_state else None
        if problem is not None:
            refused.append(Refusal(i, problem, disputed))
            if t is not None:
                held.add(t)
            continue
        if t is not None and after is not None:
            states[t] = after
        if event.kind == "operator.added":
            name, role = event.payload.get("name"), event.payload.get("role")
            if isinstance(name, str) and isinstance(role, str):
                roles.setdefault(name, role)  # the first one central heard of stands
    return refused
