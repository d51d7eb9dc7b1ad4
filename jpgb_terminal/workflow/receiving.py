"""The receiving bench's steps: scan, weight, inspection, hold, manual weight, label.

Each method is one transaction and returns a `ParcelCard`, the snapshot a screen shows.
Methods block on the store, so the terminal calls them from its database worker thread.
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
from jpgb_terminal.services.errors import AuthError
from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.operators import LoginResult, verify_pin
from jpgb_terminal.services.receiving import internal_parcel_id, receive
from jpgb_terminal.services.records import PARCEL, load_prealert, open_hold_reasons
from jpgb_terminal.services.weighing import get_parcel, record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Event, Inspection

Step = Literal["weight", "inspect", "done"]
EVENTS = Event.__table__  # type: ignore[attr-defined]
INSPECTIONS = Inspection.__table__  # type: ignore[attr-defined]


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


class ReceivingFlow:
    """The receiving steps for one logged-in operator at one station."""

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
        with self.store.transaction() as session:
            result = verify_pin(session, self.station_id, name, pin, at=at)
        if result.ok and result.operator is not None:
            self.operator = result.operator.name
            self.role = result.operator.role
        return result

    def scan(self, text: str, at: datetime | None = None) -> ParcelCard:
        """Receive a scanned parcel; raises (writing nothing) for bad or duplicate scans."""
        with self.store.transaction() as session:
            receipt = receive(session, self.actor, text, at=at)
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

    def card(self, tracking_no: str) -> ParcelCard:
        """Re-read a parcel's card from the store."""
        with self.store.transaction() as session:
            conn = session.connection()
            parcel = get_parcel(session, tracking_no)
            pa = load_prealert(conn, tracking_no)
            received = conn.execute(
                select(EVENTS.c.station_id, EVENTS.c.seq)
                .where(EVENTS.c.tracking_no == tracking_no, EVENTS.c.kind == "parcel.received")
                .order_by(EVENTS.c.occurred_at)
            ).first()
            inspected = conn.execute(
                select(INSPECTIONS.c.id).where(INSPECTIONS.c.tracking_no == tracking_no)
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

    def record_capture(
        self, tracking_no: str, capture: Capture, *, scale_id: str, protocol: str
    ) -> ParcelCard:
        """Store a weight captured from the scale, raw frame and scale identity included."""
        with self.store.transaction() as session:
            record_weight(
                session,
                self.actor,
                tracking_no,
                capture.grams,
                raw_frame=capture.raw,
                scale_id=scale_id,
                protocol=protocol,
                at=capture.at,
            )
        return self.card(tracking_no)

    def manual_weight(
        self, tracking_no: str, grams: int, reason: str, supervisor: str, pin: str
    ) -> ParcelCard:
        """Store a weight typed by hand, approved on the spot by a supervisor's PIN."""
        with self.store.transaction() as session:
            check = verify_pin(session, self.station_id, supervisor, pin)
        if not check.ok or check.operator is None:
            raise AuthError(check.message)
        # Refused here, before anything is written, in the permission table's words.
        require(check.operator.role, "manual_weight")
        with self.store.transaction() as session:
            record_weight(
                session,
                self.actor,
                tracking_no,
                grams,
                source="manual",
                reason=reason,
                approved_by=check.operator.name,
            )
        return self.card(tracking_no)

    def finish_inspection(
        self, tracking_no: str, *, opened: bool, findings: list[str], note: str | None
    ) -> ParcelCard:
        """Record the checklist: nothing ticked clears the parcel, any tick holds it."""
        with self.store.transaction() as session:
            inspect(session, self.actor, tracking_no, opened=opened, findings=findings, note=note)
        return self.card(tracking_no)

    def hold(self, tracking_no: str, reason: str, note: str | None) -> ParcelCard:
        """Hold the parcel for an Art. 14 reason; holding again for the same reason is refused."""
        with self.store.transaction() as session:
            hold_by_operator(session, self.actor, tracking_no, reason, note)
        return self.card(tracking_no)

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
