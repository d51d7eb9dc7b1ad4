"""An unterminated quote in an import CSV is refused, naming the line it opened on."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from jpgb_terminal.services.csv_files import ImportRejected
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.prealerts import import_prealerts
from jpgb_terminal.services.shipments import import_shipments
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Event, PreAlert
from tests.factories import STAFF, jp12, populate
from tests.services.test_shipments import AT, csv_bytes, row, stock


def _count(store: Store, table: type) -> int:
    with store.transaction() as s:
        return int(s.exec(select(func.count()).select_from(table)).one())


def test_prealert_unterminated_quote_names_its_line(sqlite_store: Store) -> None:
    """Rows after the open quote are not swallowed into one field; nothing is imported."""
    populate(sqlite_store, prealerts=0)
    lines = [f"{jp12(i)},C1,books" for i in range(1, 6)]
    lines[2] = f'{jp12(3)},C1,"books'
    data = ("tracking_no,customer_id,contents\n" + "\n".join(lines) + "\n").encode()
    events = _count(sqlite_store, Event)
    with (
        pytest.raises(ImportRejected, match=r"in\.csv: line 4: unterminated quote"),
        sqlite_store.transaction() as s,
    ):
        import_prealerts(s, STAFF, data, source="in.csv")
    assert _count(sqlite_store, PreAlert) == 0
    assert _count(sqlite_store, Event) == events


def test_prealert_quoted_multiline_field_still_read(sqlite_store: Store) -> None:
    """A properly closed quoted field may span lines."""
    populate(sqlite_store, prealerts=0)
    data = f'tracking_no,customer_id,contents\n{jp12(1)},C1,"two\nlines"\n{jp12(2)},C1,x\n'
    with sqlite_store.transaction() as s:
        assert import_prealerts(s, STAFF, data.encode(), source="in.csv").added == 2


def test_shipment_unterminated_quote_names_its_line(sqlite_store: Store) -> None:
    """The shipment import refuses the open quote too, and imports nothing."""
    stock(sqlite_store)
    data = csv_bytes(row(description='"anime figures'), row(rid="SR-000002", customer="C2"))
    events = _count(sqlite_store, Event)
    with (
        pytest.raises(ImportRejected, match=r"req\.csv: line 2: unterminated quote"),
        sqlite_store.transaction() as s,
    ):
        import_shipments(s, STAFF, data, source="req.csv", at=AT)
    assert _count(sqlite_store, Event) == events


def test_shipment_nul_in_field_refused(sqlite_store: Store) -> None:
    """A NUL byte in a shipment field is refused and nothing is written."""
    stock(sqlite_store)
    events = _count(sqlite_store, Event)
    data = csv_bytes(row(parcels=jp12(1), description="anime\x00figures"))
    with pytest.raises(ServiceError, match="NUL"), sqlite_store.transaction() as s:
        import_shipments(s, STAFF, data, source="req.csv", at=AT)
    assert _count(sqlite_store, Event) == events
