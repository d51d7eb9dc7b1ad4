"""The bench refuses what central's PostgreSQL would refuse, and its limits match central's."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import String, create_engine, inspect
from sqlmodel import func, select

from jpgb_terminal.services.csv_files import ImportRejected
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.limits import text_limits
from jpgb_terminal.services.prealerts import import_prealerts
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.tables import Customer, PreAlert
from tests.factories import STAFF, event_count, jp12, populate


def test_bench_limits_equal_the_migrated_central_schema(pg_url: str) -> None:
    """Reflect a real migrated PostgreSQL schema: every String(n) length is what the bench uses."""
    open_store(pg_url).dispose()
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        insp = inspect(engine)
        central: dict[tuple[str, str], int] = {}
        for table in insp.get_table_names():
            for col in insp.get_columns(table):
                if isinstance(col["type"], String) and col["type"].length:
                    central[(table, col["name"])] = col["type"].length
    finally:
        engine.dispose()
    bench = {k: v for k, v in text_limits().items() if k[0] in {t for t, _ in central}}
    assert bench == {k: v for k, v in central.items() if k[0] in {t for t, _ in bench}}
    assert central[("customer", "status")] == 16
    # Sealed at rest, so unbounded there: the customer service bounds the clear value instead.
    assert ("customer", "name") not in central and ("customer", "phone") not in central


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "n" * 201}, "name is longer than 200 characters"),
        ({"name": "ok", "phone": "1" * 41}, "phone is longer than 40 characters"),
        ({"name": "a\x00b"}, "name contains a NUL character"),
        ({"name": "a\udc80b"}, "name contains a character that is not valid UTF-8"),
    ],
)
def test_customer_add_refuses_what_central_refuses(
    sqlite_store: Store, fields: dict[str, Any], expected: str
) -> None:
    """Each refused with a message naming the field and the limit, and nothing written."""
    with pytest.raises(ServiceError, match=expected), sqlite_store.transaction() as s:
        add_customer(s, STAFF, "C9", **fields)
    with sqlite_store.transaction() as s:
        assert s.get(Customer, "C9") is None
        assert event_count(s) == 0


def test_nul_in_prealert_csv_field_refused(sqlite_store: Store) -> None:
    """A NUL byte in a pre-alert field is named with its line; nothing is imported."""
    populate(sqlite_store, prealerts=0)
    data = f"tracking_no,customer_id,contents\n{jp12(1)},C1,bo\x00oks\n".encode()
    with (
        pytest.raises(ImportRejected, match=r"in\.csv:2: contents contains a NUL"),
        sqlite_store.transaction() as s,
    ):
        import_prealerts(s, STAFF, data, source="in.csv")
    with sqlite_store.transaction() as s:
        assert s.exec(select(func.count()).select_from(PreAlert)).one() == 0


def test_over_long_value_refused_where_rows_are_written(sqlite_store: Store) -> None:
    """A write that skips the entry checks still cannot put an over-long value in the file."""
    populate(sqlite_store, prealerts=0)
    with (
        pytest.raises(ServiceError, match=r"customer\.status is longer than 16"),
        sqlite_store.transaction() as s,
    ):
        customer = s.get(Customer, "C1")
        assert customer is not None
        customer.status = "x" * 17
        s.add(customer)
    with sqlite_store.transaction() as s:
        found = s.get(Customer, "C1")
        assert found is not None and found.status == "active"


def _received(store: Store) -> str:
    from jpgb_terminal.services.receiving import receive

    number = populate(store, prealerts=1)[0]
    with store.transaction() as s:
        receive(s, STAFF, number)
    return number


def test_manual_weight_reason_over_500_refused(sqlite_store: Store) -> None:
    """The weighing's reason is central's String(500); nothing is recorded."""
    from jpgb_terminal.services.weighing import record_weight

    number = _received(sqlite_store)
    with sqlite_store.transaction() as s:
        before = event_count(s)
    with (
        pytest.raises(ServiceError, match="reason is longer than 500"),
        sqlite_store.transaction() as s,
    ):
        record_weight(s, STAFF, number, 900, source="manual", reason="r" * 501, approved_by="kenji")
    with sqlite_store.transaction() as s:
        assert event_count(s) == before


def test_hold_note_over_2000_refused(sqlite_store: Store) -> None:
    """The hold's note is central's String(2000); nothing is recorded."""
    from jpgb_terminal.services.holds import hold_parcel
    from jpgb_terminal.services.weighing import get_parcel

    number = _received(sqlite_store)
    with sqlite_store.transaction() as s:
        before = event_count(s)
    with (
        pytest.raises(ServiceError, match="note is longer than 2000"),
        sqlite_store.transaction() as s,
    ):
        hold_parcel(s, STAFF, get_parcel(s, number), "unpaid", note="n" * 2001)
    with sqlite_store.transaction() as s:
        assert event_count(s) == before


def test_station_id_over_40_refused(sqlite_store: Store) -> None:
    """A station id longer than central's String(40) records nothing."""
    from jpgb_terminal.services.context import Actor

    with (
        pytest.raises(ServiceError, match=r"station_id is longer than 40"),
        sqlite_store.transaction() as s,
    ):
        add_customer(s, Actor("S" * 41, "aiko"), "C9", name="ok")
    with sqlite_store.transaction() as s:
        assert s.get(Customer, "C9") is None
