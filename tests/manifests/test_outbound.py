"""The carrier manifest read back in every format and checked against the store."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from jpgb_terminal.clock import day_bounds
from jpgb_terminal.manifests import (
    OUTBOUND_COLUMNS,
    export_to_file,
    write_manifest,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.manifest_rows import build_manifest, expected_rows
from jpgb_terminal.services.packing import confirm_parcel, pack_box, record_box_weight
from jpgb_terminal.services.shipments import import_shipments
from jpgb_terminal.store import Store
from jpgb_terminal.store.outbound import Box
from jpgb_terminal.tracking import make_s10
from tests.factories import STAFF, jp12
from tests.services.test_shipments import csv_bytes, row, stock

EXPORTER = Actor("ST01", "yui", "lead")  # manifests are a lead's export
DAY = datetime(2026, 11, 26).date()
START, END = day_bounds(DAY)
PERSONAL = ("Jane", "Roe", "Main St", "555-0100")


def pack(store: Store, rid: str, parcels: list[str], grams: int, at: datetime, n: int) -> None:
    with store.transaction() as s:
        for t in parcels:
            confirm_parcel(s, STAFF, rid, t, at=at)
        record_box_weight(
            s,
            STAFF,
            rid,
            grams,
            raw_frame=b"S S %d g\r\n" % grams,
            scale_id="x",
            protocol="p",
            at=at,
        )
        pack_box(s, STAFF, rid, (30, 20, 10), scanned_label=make_s10("EE", n, "JP"), at=at)


@pytest.fixture
def day_store(store: Store) -> Store:
    """Three boxes: two EMS on the day (US, GB), one air the day before; one request waiting."""
    stock(store)
    data = csv_bytes(
        row(rid="SR-000001", parcels=f"{jp12(1)};{jp12(4)}"),
        row(rid="SR-000002", customer="C2", parcels=jp12(2), country="GB"),
        row(rid="SR-000003", customer="C3", parcels=jp12(3), service="air"),
        row(rid="SR-000004", customer="C2", parcels=jp12(5)),
    )
    with store.transaction() as s:
        import_shipments(s, STAFF, data, at=START - timedelta(days=1))
    pack(store, "SR-000001", [jp12(1), jp12(4)], 2345, START, 1)
    pack(store, "SR-000002", [jp12(2)], 800, END - timedelta(seconds=1), 2)
    pack(store, "SR-000003", [jp12(3)], 1200, START - timedelta(seconds=1), 3)
    return store


def rows_of(store: Store, service: str | None = None) -> list[dict[str, str]]:
    out = io.StringIO()
    with store.transaction() as s:
        write_manifest(
            build_manifest(s.connection(), EXPORTER, "outbound", DAY, service=service), "csv", out
        )
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_csv_matches_the_store(day_store: Store) -> None:
    rows = rows_of(day_store)
    assert tuple(rows[0]) == OUTBOUND_COLUMNS
    assert [r["shipment_id"] for r in rows] == ["SR-000001", "SR-000002"]
    with day_store.transaction() as s:
        boxes = {b.shipment_id: b for b in s.exec(select(Box))}
        assert expected_rows(s.connection(), "outbound", DAY) == 2
    for r in rows:
        box = boxes[r["shipment_id"]]
        assert r["outbound_tracking_no"] == box.outbound_tracking_no
        assert int(r["weight_g"]) == box.weight_g and int(r["fee"]) == box.fee
        assert int(r["chargeable_g"]) == box.chargeable_g
        assert r["price_list_version"] == box.price_list_version
        assert r["declared_value"] == f"{box.declared_value:.2f}"
        assert (r["length_cm"], r["width_cm"], r["height_cm"]) == ("30", "20", "10")
        assert r["packed_at"].endswith("+09:00")
    first = rows[0]
    assert first["pieces"] == "2" and first["inbound_tracking_nos"] == ";".join(
        sorted([jp12(1), jp12(4)])
    )
    assert first["customer_id"] == "C1" and first["destination"] == "US"
    assert first["service"] == "ems" and first["category"] == "merchandise"
    text = "".join(",".join(r.values()) for r in rows)
    assert not any(p in text for p in PERSONAL)


def test_service_filter(day_store: Store) -> None:
    assert [r["shipment_id"] for r in rows_of(day_store, "ems")] == ["SR-000001", "SR-000002"]
    assert rows_of(day_store, "air") == []


def test_xlsx_and_pdf_with_totals(day_store: Store, tmp_path: Path) -> None:
    for fmt in ("xlsx", "pdf"):
        path = tmp_path / f"out.{fmt}"
        with day_store.transaction() as s:
            manifest = build_manifest(s.connection(), EXPORTER, "outbound", DAY)
            export_to_file(manifest, fmt, path)
        totals = manifest.totals
        assert totals.rows == 2
        if fmt == "xlsx":
            wb = load_workbook(path)
            sheet = wb.worksheets[0]
            values = [[c.value for c in r] for r in sheet.iter_rows()]
            assert tuple(values[0]) == OUTBOUND_COLUMNS and len(values) == 3
            summary = [[c.value for c in r] for r in wb["totals"].iter_rows()]
            assert ["ems", 2] in summary and ["US", 1] in summary and ["GB", 1] in summary
            flat = str(values) + str(summary)
        else:
            flat = "".join(page.extract_text() for page in PdfReader(str(path)).pages)
            assert "boxes per service" in flat and "boxes per destination" in flat
        assert not any(p in flat for p in PERSONAL)


def test_empty_day(day_store: Store) -> None:
    out = io.StringIO()
    with day_store.transaction() as s:
        day = datetime(2026, 12, 1, tzinfo=UTC).date()
        write_manifest(build_manifest(s.connection(), EXPORTER, "outbound", day), "csv", out)
    assert out.getvalue().strip() == ",".join(OUTBOUND_COLUMNS)
