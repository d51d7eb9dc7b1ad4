"""Small builders for test data: valid tracking numbers and a populated store."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, func, select

from jpgb_terminal.clock import now
from jpgb_terminal.events import Event as TypedEvent
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.events import jsonable
from jpgb_terminal.services.operators import add_operator
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Event, PreAlert
from jpgb_terminal.tracking import jp12_check_digit, make_s10


@dataclass(frozen=True)
class RawEvent(TypedEvent):
    """An event written exactly as given: what an older or a newer program would have stored
    (a kind this one does not declare, or a payload of a shape it no longer writes)."""

    kind: str  # type: ignore[misc]  # per event, not per class: any kind at all
    payload: dict[str, Any]

    def to_payload(self) -> dict[str, Any]:
        """The payload as given, in its stored JSON form."""
        return dict(jsonable(self.payload))


STATION = "ST01"
STAFF = Actor(STATION, "aiko")


def jp12(n: int) -> str:
    """The n-th valid 12-digit domestic tracking number of a test series."""
    body = f"{3000_0000_000 + n:011d}"
    return body + str(jp12_check_digit(body))


def s10(n: int, country: str = "JP") -> str:
    """The n-th valid S10 number of a test series."""
    return make_s10("EE", n, country)


def populate(store: Store, *, customers: int = 3, prealerts: int = 5) -> list[str]:
    """Operators, customers C1..Cn and pre-alerts jp12(1..k), round-robin; returns the numbers."""
    numbers = [jp12(i) for i in range(1, prealerts + 1)]
    admin = Actor(STATION)
    with store.transaction() as session:
        add_operator(session, admin, "aiko", "staff", "1111")
        add_operator(session, admin, "kenji", "supervisor", "2222")
        add_operator(session, admin, "yui", "lead", "3333")
        for i in range(1, customers + 1):
            add_customer(session, admin, f"C{i}", name=f"Customer {i}", phone="090-1234-5678")
        for i, number in enumerate(numbers):
            add_prealert(session, number, f"C{i % customers + 1}")
    return numbers


def add_prealert(session: Session, tracking_no: str, customer_id: str) -> None:
    """A pre-alert of figures declared at 1,200 yen on the customer's account."""
    session.add(
        PreAlert(
            tracking_no=tracking_no,
            customer_id=customer_id,
            contents="figures",
            declared_value=Decimal("1200.00"),
            currency="JPY",
            created_at=now(),
        )
    )


def event_count(session: Session) -> int:
    """How many events the store holds."""
    return session.exec(select(func.count()).select_from(Event)).one()
