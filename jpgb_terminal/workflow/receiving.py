"""The receiving bench's steps: scan, weight, inspection, hold, manual weight, label.

Each use case is one transaction (after a PIN check of its own where one is needed) and
returns a `ParcelCard`, the snapshot a screen shows, read in the transaction that wrote it;
`jpgb parcel weigh` calls the same manual weight. They block on the store, so the terminal
calls them from its database worker thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol

from sqlalchemy import select
from sqlmodel import Session

from jpgb_terminal.clock import local_date, now
from jpgb_terminal.devices.capture import Capture
from jpgb_terminal.devices.label import LabelData
from jpgb_terminal.privacy.crypto import masked_name
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
from jpgb_terminal.workflow.session import OperatorSession

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
            customer_masked=masked_name(pa.customer_name if pa else None),
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
        return card_in(session, tracking_no)


def card_in(session: Session, tracking_no: str) -> ParcelCard:
    """Read a parcel's card inside `session`'s transaction (what that transaction wrote)."""
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
        customer_masked=masked_name(pa.customer_name if pa else None),
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
    store: Store, actor: Actor, tracking_no: str, capture: Capture
) -> ParcelCard:
    """Store a weight captured from the scale, raw frame and scale identity included; the
    card returned is read in the same transaction, so it shows what was written."""
    with store.transaction() as session:
        record_weight(
            session,
            actor,
            tracking_no,
            capture.grams,
            raw_frame=capture.raw,
            scale_id=capture.scale_id,
            protocol=capture.protocol,
            at=capture.at,
        )
        return card_in(session, tracking_no)


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
    the clerk's (the approver's own when no clerk is logged in, as on the command line).
    The card returned is read in the same transaction."""
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
        return card_in(session, tracking_no)


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
        return card_in(session, tracking_no)


def hold_parcel(
    store: Store, actor: Actor, tracking_no: str, reason: str, note: str | None
) -> ParcelCard:
    """Hold the parcel for an Art. 14 reason; holding again for the same reason is refused."""
    with store.transaction() as session:
        hold_by_operator(session, actor, tracking_no, reason, note)
        return card_in(session, tracking_no)


class ParcelGate(Protocol):
    """What the flow tells the weight gate (jpgb_terminal.workflow.devices.WeightGate)."""

    def parcel_scanned(self, at: datetime) -> None:
        """The next billable reading after `at` is this parcel's."""

    def parcel_done(self) -> None:
        """No parcel waits for a weight any more."""


class _NoScale:
    """The gate of a bench without a scale: nothing to tell."""

    def parcel_scanned(self, at: datetime) -> None:
        """Nothing waits for readings here."""

    def parcel_done(self) -> None:
        """Nothing waits for readings here."""


class ReceivingFlow:
    """The receiving steps for one logged-in operator at one station: the use cases above,
    with the operator who logged in as their actor.

    The flow owns the parcel in hand: a scan picks one up, finishing or putting it aside
    puts it down, and the weight gate is told of each, so a capture is matched here and a
    screen only shows the outcome. The steps run on the terminal's database thread while
    the screen reads the parcel in hand on its own, hence the lock around it.
    """

    def __init__(
        self,
        store: Store,
        station_id: str,
        operator: str | None = None,
        role: str | None = None,
        *,
        session: OperatorSession | None = None,
        gate: ParcelGate | None = None,
    ) -> None:
        """Nothing is read until a step is asked for; `session` is shared with the screens."""
        self.store = store
        self.station_id = station_id
        self.session = session if session is not None else OperatorSession(operator, role)
        self.gate: ParcelGate = gate if gate is not None else _NoScale()
        self._lock = threading.Lock()
        self._in_hand: ParcelCard | None = None
        self._scanned_at: datetime | None = None

    @property
    def operator(self) -> str | None:
        """The logged-in operator's name."""
        return self.session.name

    @property
    def role(self) -> str | None:
        """The logged-in operator's role."""
        return self.session.role

    @property
    def actor(self) -> Actor:
        """Who the events are stamped with, and whose role the services check."""
        return self.session.actor(self.station_id)

    @property
    def in_hand(self) -> ParcelCard | None:
        """The parcel in hand: the card of the last good scan, until it is put down."""
        with self._lock:
            return self._in_hand

    def login(self, name: str, pin: str, at: datetime | None = None) -> LoginResult:
        """Check an operator's PIN (failed attempts are kept even when it fails)."""
        result = login(self.store, Credentials(self.station_id, name, pin), at=at)
        if result.ok and result.operator is not None:
            self.session.log_in(result.operator.name, result.operator.role)
        return result

    def scan(self, text: str, at: datetime | None = None) -> ParcelCard:
        """Receive a scanned parcel and take it in hand; raises (writing nothing) for bad or
        duplicate scans, and the parcel in hand stays in hand."""
        # Down first, so no reading of the next parcel counts for the one before it while
        # this scan is being received.
        self.gate.parcel_done()
        try:
            card = receive_parcel(self.store, self.actor, text, at)
        except BaseException:
            with self._lock:
                held, since = self._in_hand, self._scanned_at
            if held is not None and held.step == "weight" and since is not None:
                self.gate.parcel_scanned(since)
            raise
        scanned_at = at if at is not None else now()
        with self._lock:
            self._in_hand, self._scanned_at = card, scanned_at
        self.gate.parcel_scanned(scanned_at)
        return card

    def claim(self, capture: Capture) -> str | None:
        """The tracking number a capture weighs: the parcel in hand's, when it waits for a
        weight and the capture was made for its scan; None when the capture is not its."""
        with self._lock:
            card = self._in_hand
            if card is None or card.step != "weight" or capture.scanned_at != self._scanned_at:
                return None
            return card.tracking_no

    def put_aside(self) -> ParcelCard | None:
        """Put the parcel in hand down unfinished (what is recorded stays); returns it."""
        with self._lock:
            card, self._in_hand, self._scanned_at = self._in_hand, None, None
        self.gate.parcel_done()
        return card

    def _update(self, card: ParcelCard, *, done: bool = False) -> ParcelCard:
        """Show `card` for the parcel in hand, when it is that one; `done` lets the gate go."""
        with self._lock:
            mine = self._in_hand is not None and self._in_hand.tracking_no == card.tracking_no
            if mine:
                self._in_hand = card
        if mine and done:
            self.gate.parcel_done()
        return card

    def card(self, tracking_no: str) -> ParcelCard:
        """Re-read a parcel's card from the store."""
        return parcel_card(self.store, tracking_no)

    def record_capture(self, tracking_no: str, capture: Capture) -> ParcelCard:
        """Store a weight captured from the scale, raw frame and scale identity included;
        returns the card written, read in the same transaction."""
        return self._update(record_scale_weight(self.store, self.actor, tracking_no, capture))

    def manual_weight(
        self, tracking_no: str, grams: int, reason: str, supervisor: str, pin: str
    ) -> ParcelCard:
        """Store a weight typed by hand, approved on the spot by a supervisor's PIN."""
        approver = Credentials(self.station_id, supervisor, pin)
        card = record_manual_weight(self.store, self.actor, tracking_no, grams, reason, approver)
        # The parcel is weighed: a scale reading may no longer become its weight.
        return self._update(card, done=True)

    def finish_inspection(
        self, tracking_no: str, *, opened: bool, findings: list[str], note: str | None
    ) -> ParcelCard:
        """Record the checklist: nothing ticked clears the parcel, any tick holds it."""
        card = inspect_parcel(
            self.store, self.actor, tracking_no, opened=opened, findings=findings, note=note
        )
        return self._update(card, done=True)

    def hold(self, tracking_no: str, reason: str, note: str | None) -> ParcelCard:
        """Hold the parcel for an Art. 14 reason; holding again for the same reason is refused."""
        return self._update(hold_parcel(self.store, self.actor, tracking_no, reason, note))

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
