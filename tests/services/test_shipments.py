"""Shipment-request import: all or nothing, every bad line named; ranges of carrier numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.csv_files import ImportRejected
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.holds import hold_parcel
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.records import load_parcel
from jpgb_terminal.services.shipments import (
    add_range,
    import_shipments,
    list_ranges,
    load_shipment,
)
from jpgb_terminal.services.tracking_blocks import list_blocks, take_block_number
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.outbound import Shipment
from jpgb_terminal.store.tables import Event
from jpgb_terminal.tracking import make_s10, parse_tracking
from tests.factories import STAFF, jp12, populate

AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
HEADER = (
    "request_id,customer_id,parcels,service,country,recipient_name,recipient_address,"
    "recipient_phone,category,insurance_jpy,description,quantity,unit_value,currency,hs_code,"
    "origin_country,net_weight_g,lithium"
)


def stock(store: Store, cleared: int = 5) -> list[str]:
    """Populate C1..C3, then receive, weigh and clear jp12(1..cleared) (owner C1, C2, C3, ...)."""
    numbers = populate(store, prealerts=max(cleared, 5))
    with store.transaction() as s:
        for n in numbers[:cleared]:
            receive(s, STAFF, n, at=AT)
            record_weight(s, STAFF, n, 500, raw_frame=b"S S 500 g\r\n", at=AT)
            inspect(s, STAFF, n, opened=False, findings=[], at=AT)
    return numbers


def row(
    rid: str = "SR-000001",
    customer: str = "C1",
    parcels: str = "",
    service: str = "ems",
    country: str = "US",
    description: str = "anime figures",
    quantity: str = "2",
    unit_value: str = "3000",
    lithium: str = "none",
    category: str = "merchandise",
) -> str:
    return (
        f"{rid},{customer},{parcels},{service},{country},Jane Roe,1 Main St Springfield,"
        f"555-0100,{category},0,{description},{quantity},{unit_value},JPY,950300,JP,400,{lithium}"
    )


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def count(store: Store, table: type) -> int:
    with store.transaction() as s:
        return s.exec(select(func.count()).select_from(table)).one()


def test_import_groups_lines_by_request(store: Store) -> None:
    stock(store)
    data = csv_bytes(
        row(parcels=f"{jp12(1)};{jp12(4)}"),
        row(parcels="", description="manga books", quantity="3", unit_value="800"),
        row(rid="SR-000002", customer="C2", parcels=jp12(2), country="GB"),
    )
    with store.transaction() as s:
        done = import_shipments(s, Actor("ST01", "aiko"), data, source="req.csv", at=AT)
    assert done.added == ("SR-000001", "SR-000002")
    with store.transaction() as s:
        view = load_shipment(s.connection(), "sr-000001")
        kinds = list(s.exec(select(Event.kind).where(Event.kind == "shipment.imported")))
        payloads = list(s.exec(select(Event.payload).where(Event.kind == "shipment.imported")))
    assert view.state == "waiting" and view.service == "ems" and view.country == "US"
    assert [p.tracking_no for p in view.parcels] == sorted([jp12(1), jp12(4)])
    assert [ln.description for ln in view.lines] == ["anime figures", "manga books"]
    assert view.lines[1].quantity == 3 and str(view.lines[1].unit_value) == "800.00"
    assert view.recipient_name == "Jane Roe"
    assert len(kinds) == 2
    # Personal data stays out of events.
    assert all("Jane" not in str(p) and "Main St" not in str(p) for p in payloads)


def test_parcels_are_read_as_printed(store: Store) -> None:
    """Spaces and hyphens inside a number are part of it; `;`, `|` and line breaks separate."""
    stock(store)
    spaced = f"{jp12(1)[:4]} {jp12(1)[4:8]} {jp12(1)[8:]}"
    hyphened = f"{jp12(4)[:4]}-{jp12(4)[4:8]}-{jp12(4)[8:]}"
    data = csv_bytes(row(parcels=f'"{spaced} ;\n{hyphened}"'))
    with store.transaction() as s:
        assert import_shipments(s, STAFF, data, at=AT).added == ("SR-000001",)
    with store.transaction() as s:
        view = load_shipment(s.connection(), "SR-000001")
    assert [p.tracking_no for p in view.parcels] == sorted([jp12(1), jp12(4)])


def test_shift_jis_with_japanese_description(store: Store) -> None:
    stock(store)
    text = HEADER + "\n" + row(parcels=jp12(1), description="陶器の茶碗 (tea bowl)") + "\n"
    with store.transaction() as s:
        import_shipments(s, STAFF, text.encode("cp932"), at=AT)
    with store.transaction() as s:
        assert load_shipment(s.connection(), "SR-000001").lines[0].description.startswith("陶器")


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (row(parcels=jp12(2)), "belongs to C2, not to C1"),
        (row(parcels=jp12(1), description="gift"), "too vague"),
        (row(parcels=jp12(1), description="Sample items"), "too vague"),
        (row(parcels=jp12(1), service="ems", country="RU"), "does not go to RU"),
        (row(parcels=jp12(1), lithium="loose"), "none loose"),
        (row(parcels=jp12(1), quantity="0"), "above 0"),
        (row(parcels=jp12(1), quantity="two"), "whole number"),
        (row(parcels=jp12(1), quantity="\u00b2"), "quantity '\u00b2' must be a whole number"),
        (row(parcels=jp12(1)).replace(",JP,400,", ",JP,\u00b300,"), "net_weight_g '\u00b300'"),
        (row(parcels=jp12(1), quantity="99999999999999999999"), "quantity 9999"),
        (row(parcels=jp12(1)).replace(",JP,400,", ",JP,9" + "0" * 20 + ","), "net_weight_g 9000"),
        (
            row(parcels=jp12(1)).replace("merchandise,0,", "merchandise,1" + "0" * 20 + ","),
            "insurance_jpy 1000",
        ),
        (row(parcels=jp12(1), quantity="100000", unit_value="100000"), "absurd for one box"),
        (row(parcels=jp12(1), unit_value="-5"), "0 or more"),
        (row(parcels=jp12(1), category="bribe"), "category"),
        (row(parcels=jp12(1), customer="C9"), "unknown customer"),
        (row(parcels="123456789012"), "check digit"),
        (row(rid="ORDER-1", parcels=jp12(1)), "not like SR-000123"),
    ],
)
def test_bad_rows_import_nothing(store: Store, bad_row: str, message: str) -> None:
    stock(store)
    data = csv_bytes(row(rid="SR-000009", parcels=jp12(4)), bad_row)
    with store.transaction() as s, pytest.raises(ImportRejected) as err:
        import_shipments(s, STAFF, data, source="req.csv", at=AT)
    assert message in str(err.value)
    assert "req.csv:3" in str(err.value)
    assert count(store, Shipment) == 0


def test_held_shipped_and_unreceived_parcels_are_refused(store: Store) -> None:
    stock(store, cleared=4)
    with store.transaction() as s:
        parcel = load_parcel(s.connection(), jp12(1))
        assert parcel is not None
        hold_parcel(s, STAFF, parcel, "unpaid", at=AT)
    data = csv_bytes(
        row(rid="SR-000001", parcels=jp12(1)),
        row(rid="SR-000002", parcels=jp12(5)),
        row(rid="SR-000003", parcels=jp12(4)),
        row(rid="SR-000004", parcels=jp12(4)),
    )
    with store.transaction() as s, pytest.raises(ImportRejected) as err:
        import_shipments(s, STAFF, data, source="f.csv", at=AT)
    problems = err.value.problems
    assert any("f.csv:2" in p and "held (unpaid)" in p for p in problems)
    assert any("f.csv:3" in p and "never received" in p for p in problems)
    assert any("f.csv:5" in p and "also in request SR-000003" in p for p in problems)
    assert count(store, Shipment) == 0


def test_reimport_and_parcel_in_open_request_refused(store: Store) -> None:
    stock(store)
    with store.transaction() as s:
        import_shipments(s, STAFF, csv_bytes(row(parcels=jp12(1))), at=AT)
    with store.transaction() as s, pytest.raises(ImportRejected) as err:
        import_shipments(
            s,
            STAFF,
            csv_bytes(row(parcels=jp12(4)), row(rid="SR-000002", parcels=jp12(1))),
            source="again.csv",
            at=AT,
        )
    text = str(err.value)
    assert "SR-000001 was already imported" in text
    assert "already in request SR-000001" in text


def test_continuation_row_must_agree(store: Store) -> None:
    stock(store)
    data = csv_bytes(row(parcels=jp12(1)), row(parcels=jp12(4), country="GB"))
    with store.transaction() as s, pytest.raises(ImportRejected) as err:
        import_shipments(s, STAFF, data, source="f.csv", at=AT)
    assert "differs from line 2" in str(err.value)


def test_empty_and_header_only(store: Store) -> None:
    with store.transaction() as s, pytest.raises(ImportRejected, match="empty"):
        import_shipments(s, STAFF, b"", at=AT)
    with store.transaction() as s, pytest.raises(ImportRejected, match="no rows"):
        import_shipments(s, STAFF, (HEADER + "\n").encode(), at=AT)
    with store.transaction() as s, pytest.raises(ImportRejected, match="missing column"):
        import_shipments(s, STAFF, b"request_id,customer_id\nSR-000001,C1\n", at=AT)


def test_range_numbers_have_check_digits_and_run_out(store: Store) -> None:
    populate(store)
    with store.transaction() as s:
        added = add_range(s, STAFF, "ems", "ee", 100, 101)
    assert added.first_number == make_s10("EE", 100, "JP")
    with store.transaction() as s:
        first, _, _ = take_block_number(s, STAFF, "ems")
        second, _, _ = take_block_number(s, STAFF, "ems")
    assert parse_tracking(first).scheme == "s10" and first.startswith("EE00000100")
    assert parse_tracking(second).normalized == second and second.startswith("EE00000101")
    with store.transaction() as s, pytest.raises(ServiceError, match="used up"):
        take_block_number(s, STAFF, "ems")
    with store.transaction() as s, pytest.raises(ServiceError, match="no tracking-number range"):
        take_block_number(s, STAFF, "air")
    with store.transaction() as s:
        [r] = list_ranges(s.connection())
        [block] = list_blocks(s.connection())
    assert r.left == 2 and block.left == 0


def test_overlapping_and_bad_ranges_refused(store: Store) -> None:
    populate(store)
    with store.transaction() as s:
        add_range(s, STAFF, "ems", "EE", 100, 199)
    for args, message in [
        (("ems", "EE", 150, 250), "overlaps"),
        (("ems", "E1", 1, 2), "2 letters"),
        (("ems", "EE", 300, 200), "after"),
        (("post", "EE", 300, 400), "unknown service"),
        (("ems", "EE", 1, 100_000_000), "serial"),
    ]:
        with store.transaction() as s, pytest.raises(ServiceError, match=message):
            add_range(s, STAFF, *args)


def test_demo_seed_with_shipments(sqlite_store: Store) -> None:
    from jpgb_terminal.services.demo import seed_demo

    seed_demo(sqlite_store, "ST01", parcels=80, seed=3, at=AT, shipments=6)
    with sqlite_store.transaction() as s:
        states = sorted(s.exec(select(Shipment.state)))
        kinds = set(s.exec(select(Event.kind)))
    assert states and set(states) <= {"waiting", "packed", "shipped"}
    assert {"shipment.imported", "box.weighed", "box.packed"} <= kinds
