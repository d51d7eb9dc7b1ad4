"""A small store with receipts, weights (scale and manual) and holds, for the audit tests."""

from __future__ import annotations

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from tests.factories import STAFF, populate

FRAME = b"\x02S S      1234 g\r\n"


def busy_store(store: Store) -> list[str]:
    """Operators, customers, five parcels received and weighed, one with a manual reweigh."""
    numbers = populate(store)
    for i, number in enumerate(numbers):
        with store.transaction() as s:
            receive(s, STAFF, number)
        with store.transaction() as s:
            record_weight(
                s,
                STAFF,
                number,
                1000 + i,
                raw_frame=FRAME,
                scale_id="mt-1:SN4711",
                protocol="mt-sics",
            )
    with store.transaction() as s:
        record_weight(
            s,
            Actor(STAFF.station_id, "kenji"),
            numbers[0],
            1250,
            source="manual",
            reason="scale out of order",
            approved_by="kenji",
        )
    return numbers
