"""The receiving bench's steps: scan, weight, inspection, hold, manual weight, label.

Each use case is one transaction (after a PIN check of its own where one is needed) and
returns a `ParcelCard`, the snapshot a screen shows; `jpgb parcel weigh` calls the same manual
weight. They block on the store, so the terminal calls them from its database worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import select

from jpgb_terminal.clock import local_date, now
from jpgb_terminal.devices.capture import Capture
from jpgb_terminal.devices.label import LabelData
from jpgb_terminal.rules.masking import mask_name
from jpgb_terminal.rules.permissions import require
from jpgb_terminal.rules.states import ParcelState
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.operators import LoginResult
from jpgb_terminal.services.receiving import internal_parcel_id, receive
from jpgb_terminal.services.records import load_prealert, open_hold_reasons
from jpgb_terminal.services.weighing import get_parcel, record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import EVENT, INSPECTION, PARCEL
from jpgb_terminal.workflow.auth import Credentials, authenticate, login

Step = Literal["weight", "inspect", "done"]


@dataclass(frozen=True)
class ParcelCard:
    """What the bench shows about the parcel in hand, and the step it waits for."""

    tracking_no: str
    scheme: str
    parcel_id: str
    customer_id: str | None
    customer_masked: str
    contents: str | None
    declared_value: Decimal | None
    currency: str | None
    state: str
    step: Step
    hold_reasons: tuple[str, ...] = ()
    weight_g: int | None = None
    weight_source: str | None = None
    received_on: date | None = None

    @property
    def held(self) -> bool:
        """Whether the parcel is on hold."""
        return self.state == ParcelState.HELD

    def label(self) -> LabelData:
        """The parcel label's content."""
        return LabelData(
            parcel_id=self.parcel_id,
            tracking_no=self.tracking_no,
            customer_id=self.customer_id,
            date=self.received_on or local_date(now()),
            held=self.held,
            hold_reasons=self.hold_reasons,
        )


def receive_parcel(store: Store, actor: Actor, text: str, at: datetime | None = None) -> ParcelCard:
    """Receive a scanned parcel; raises (writing nothing) for bad or duplicate scans."""
    with store.transaction() as session:
        receipt = receive(session, actor, text, at=at)
        pa = receipt.prealert
        return ParcelCard(
            tracking_no=receipt.parcel.tracking_no,
            scheme=receipt.parcel.scheme,
            parcel_id=receipt.parcel_id,
            customer_id=receipt.parcel.customer_id,
            customer_masked=mask_name(pa.customer_name if pa else None),
            contents=pa.contents if pa else None,
            declared_value=pa.declared_value if pa else None,
            currency=pa.currency if pa else None,
            state=receipt.parcel.state,
            step="weight",
            hold_reasons=tuple(receipt.hold_reasons),
            received_on=local_date(receipt.parcel.received_at),
        )


def parcel_card(store: Store, tracking_no: str) -> ParcelCard:
    """Read a parcel's card from the store."""
    with store.transaction() as session:
        conn = session.connection()
        parcel = get_parcel(session, tracking_no)
        pa = load_prealert(conn, tracking_no)
        received = conn.execute(
            select(EVENT.c.station_id, EVENT.c.seq)
            .where(EVENT.c.tracking_no == tracking_no, EVENT.c.kind == "parcel.received")
            .order_by(EVENT.c.occurred_at)
        ).first()
        inspected = conn.execute(
            select(INSPECTION.c.id).where(INSPECTION.c.tracking_no == tracking_no)
        ).first()
        reasons = tuple(sorted(open_hold_reasons(conn, tracking_no)))
    step: Step
    if parcel.weight_g is None:
        step = "weight"
    elif inspected is None and parcel.state in (ParcelState.WEIGHED, ParcelState.HELD):
        step = "inspect"
    else:
        step = "done"
    return ParcelCard(
        tracking_no=parcel.tracking_no,
        scheme=parcel.scheme,
        parcel_id=internal_parcel_id(*received) if received else parcel.tracking_no,
        customer_id=parcel.customer_id,
        customer_masked=mask_name(pa.customer_name if pa else None),
        contents=pa.contents if pa else None,
        declared_value=pa.declared_value if pa else None,
        currency=pa.currency if pa else None,
        state=parcel.state,
        step=step,
        hold_reasons=reasons,
        weight_g=parcel.weight_g,
        weight_source=parcel.weight_source,
        received_on=local_date(parcel.received_at),
    )


def record_scale_weight(
    store: Store,
    actor: Actor,
    tracking_no: str,
    capture: Capture,
    *,
    scale_id: str | None,
    protocol: str | None,
) -> ParcelCard:
    """Store a weight captured from the scale, raw frame and scale identity included."""
    with store.transaction() as session:
        record_weight(
            session,
            actor,
            tracking_no,
            capture.grams,
            raw_frame=capture.raw,
            scale_id=scale_id,
            protocol=protocol,
            at=capture.at,
        )
    return parcel_card(store, tracking_no)


def record_manual_weight(
    store: Store,
    clerk: Actor | None,
    tracking_no: str,
    grams: int,
    reason: str,
    approver: Credentials,
    *,
    at: datetime | None = None,
) -> ParcelCard:
    """Store a weight typed by hand, approved on the spot by a supervisor's PIN; the event is
    the clerk's (the approver's own when no clerk is logged in, as on the command line)."""
    supervisor = authenticate(store, approver, at=at)
    # Refused here, before anything is written, in the permission table's words.
    require(supervisor.role, "manual_weight")
    with store.transaction() as session:
        record_weight(
            session,
            clerk or supervisor,
            tracking_no,
            grams,
            source="manual",
            reason=reason,
            approved_by=supervisor.operator,
            at=at,
        )
    return parcel_card(store, tracking_no)


def inspect_parcel(
    store: Store,
    actor: Actor,
    tracking_no: str,
    *,
    opened: bool,
    findings: list[str],
    note: str | None,
) -> ParcelCard:
    """Record the checklist: nothing ticked clears the parcel, any tick holds it."""
    with store.transaction() as session:
        inspect(session, actor, tracking_no, opened=opened, findings=findings, note=note)
    return parcel_card(store, tracking_no)


def hold_parcel(
    store: Store, actor: Actor, tracking_no: str, reason: str, note: str | None
) -> ParcelCard:
    """Hold the parcel for an Art. 14 reason; holding again for the same reason is refused."""
    with store.transaction() as session:
        hold_by_operator(session, actor, tracking_no, reason, note)
    return parcel_card(store, tracking_no)


class ReceivingFlow:
    """The receiving steps for one logged-in operator at one station: the use cases above,
    with the operator who logged in as their actor."""

    def __init__(
        self, store: Store, station_id: str, operator: str | None = None, role: str | None = None
    ) -> None:
        """Nothing is read until a step is asked for."""
        self.store = store
        self.station_id = station_id
        self.operator = operator
        self.role = role

    @property
    def actor(self) -> Actor:
        """Who the events are stamped with, and whose role the services check."""
        return Actor(self.station_id, self.operator, self.role)

    def login(self, name: str, pin: str, at: datetime | None = None) -> LoginResult:
        """Check an operator's PIN (failed attempts are kept even when it fails)."""
        result = login(self.store, Credentials(self.station_id, name, pin), at=at)
        if result.ok and result.operator is not None:
            self.operator = result.operator.name
            self.role = result.operator.role
        return result

    def scan(self, text: str, at: datetime | None = None) -> ParcelCard:
        """Receive a scanned parcel; raises (writing nothing) for bad or duplicate scans."""
        return receive_parcel(self.store, self.actor, text, at)

    def card(self, tracking_no: str) -> ParcelCard:
        """Re-read a parcel's card from the store."""
        return parcel_card(self.store, tracking_no)

    def record_capture(
        self, tracking_no: str, capture: Capture, *, scale_id: str, protocol: str
    ) -> ParcelCard:
        """Store a weight captured from the scale, raw frame and scale identity included."""
        return record_scale_weight(
            self.store, self.actor, tracking_no, capture, scale_id=scale_id, protocol=protocol
        )

    def manual_weight(
        self, tracking_no: str, grams: int, reason: str, supervisor: str, pin: str
    ) -> ParcelCard:
        """Store a weight typed by hand, approved on the spot by a supervisor's PIN."""
        approver = Credentials(self.station_id, supervisor, pin)
        return record_manual_weight(self.store, self.actor, tracking_no, grams, reason, approver)

    def finish_inspection(
        self, tracking_no: str, *, opened: bool, findings: list[str], note: str | None
    ) -> ParcelCard:
        """Record the checklist: nothing ticked clears the parcel, any tick holds it."""
        return inspect_parcel(
            self.store, self.actor, tracking_no, opened=opened, findings=findings, note=note
        )

    def hold(self, tracking_no: str, reason: str, note: str | None) -> ParcelCard:
        """Hold the parcel for an Art. 14 reason; holding again for the same reason is refused."""
        return hold_parcel(self.store, self.actor, tracking_no, reason, note)

    def shift_counts(self, since: datetime) -> dict[str, int]:
        """Parcels this station received since `since`, by state."""
        with self.store.transaction() as session:
            rows = session.connection().execute(
                select(PARCEL.c.state).where(
                    PARCEL.c.station_id == self.station_id, PARCEL.c.received_at >= since
                )
            )
            counts: dict[str, int] = {}
            for (state,) in rows:
                counts[state] = counts.get(state, 0) + 1
        return counts
