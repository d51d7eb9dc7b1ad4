"""Manifests written in each format, read back and checked against the store, both backends."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from jpgb_terminal.clock import WAREHOUSE_TZ, day_bounds
from jpgb_terminal.manifests import (
    HOLDS_COLUMNS,
    INBOUND_COLUMNS,
    ManifestError,
    export_to_file,
    write_manifest,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import decide
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.manifest_rows import build_manifest, expected_rows
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Hold, Parcel
from tests.factories import STAFF, STATION, jp12, populate

EXPORTER = Actor("ST01", "yui", "lead")  # manifests are a lead's export
DAY = date(2026, 11, 26)
START, END = day_bounds(DAY)  # 15:00 UTC on 25 Nov .. 15:00 UTC on 26 Nov
SUPERVISOR = Actor(STATION, "kenji")


@pytest.fixture
def day_store(store: Store) -> Store:
    """Parcels on both sides of the Japan day's edges, held, cleared, decided."""
    populate(store, prealerts=6)
    st2 = Actor("ST02", "aiko")
    with store.transaction() as s:
        # Day before in Tokyo (23:59:59 JST on 25 Nov): not in the day's inbound manifest.
        receive(s, STAFF, jp12(50), at=START - timedelta(seconds=1))
        # First instant of 26 Nov in Tokyo: held, no pre-alert.
        receive(s, STAFF, jp12(51), at=START)
        # Pre-alerted, scale-weighed, cleared.
        at = START + timedelta(hours=2)
        receive(s, STAFF, jp12(1), at=at)
        record_weight(s, STAFF, jp12(1), 1200, raw_frame=b"S S 1200 g\r\n", at=at)
        inspect(s, STAFF, jp12(1), opened=False, findings=[], at=at)
        # At another station, manual weight approved, prohibited item plus unpaid.
        at = START + timedelta(hours=5)
        receive(s, st2, jp12(2), at=at)
        record_weight(
            s, st2, jp12(2), 800, source="manual", reason="scale down", approved_by="kenji", at=at
        )
        inspect(s, st2, jp12(2), opened=True, findings=["cards"], at=at)
        # Received, never weighed.
        receive(s, STAFF, jp12(3), at=END - timedelta(seconds=1))
        # Next day in Tokyo.
        receive(s, STAFF, jp12(52), at=END)
    with store.transaction() as s:
        # Released during the day: not held at the end of it.
        decide(s, SUPERVISOR, jp12(51), "release", "pre-alert came", at=START + timedelta(hours=9))
    return store


def rows_of(store: Store, kind: str, day: date = DAY) -> tuple[list[str], list[list[str]]]:
    out = io.StringIO()
    with store.transaction() as s:
        write_manifest(build_manifest(s.connection(), EXPORTER, kind, day), "csv", out)
    header, *rows = list(csv.reader(io.StringIO(out.getvalue())))
    return header, rows


def test_inbound_csv_matches_the_store(day_store: Store) -> None:
    header, rows = rows_of(day_store, "inbound")
    assert tuple(header) == INBOUND_COLUMNS
    assert [r[3] for r in rows] == [jp12(51), jp12(1), jp12(2), jp12(3)]
    by_no = {r[3]: dict(zip(header, r, strict=True)) for r in rows}
    with day_store.transaction() as s:
        parcels = {p.tracking_no: p for p in s.exec(select(Parcel))}
        open_reasons: dict[str, set[str]] = {}
        for hold in s.exec(select(Hold).where(Hold.closed_at == None)):  # noqa: E711
            open_reasons.setdefault(hold.tracking_no, set()).add(hold.reason)
    for number, row in by_no.items():
        p = parcels[number]
        assert row["received_at"] == p.received_at.astimezone(WAREHOUSE_TZ).isoformat()
        assert row["station_id"] == p.station_id and row["operator"] == (p.received_by or "")
        assert row["scheme"] == p.scheme and row["customer_id"] == (p.customer_id or "")
        assert row["weight_g"] == ("" if p.weight_g is None else str(p.weight_g))
        assert row["weight_source"] == (p.weight_source or "")
        assert row["state"] == p.state
        assert set(filter(None, row["hold_reasons"].split(";"))) == open_reasons.get(number, set())
        assert row["prealert_matched"] == ("yes" if p.prealert_matched else "no")
    assert by_no[jp12(51)]["received_at"] == "2026-11-26T00:00:00+09:00"
    assert by_no[jp12(51)]["state"] == "released" and by_no[jp12(51)]["hold_reasons"] == ""
    assert by_no[jp12(2)]["hold_reasons"] == "prohibited_item"
    assert by_no[jp12(3)]["weight_g"] == "" and by_no[jp12(3)]["state"] == "received"


def test_holds_csv_is_the_end_of_day_picture(day_store: Store) -> None:
    header, rows = rows_of(day_store, "holds")
    assert tuple(header) == HOLDS_COLUMNS
    numbers = [r[0] for r in rows]
    # jp12(51) was released during the day; jp12(52) arrives the next day.
    assert sorted(numbers) == sorted([jp12(50), jp12(2)])
    row = dict(zip(header, rows[numbers.index(jp12(50))], strict=True))
    assert row["deadline"] == "2027-01-24"  # received 25 Nov in Tokyo
    assert row["days_left"] == "59" and row["overdue"] == "no"
    assert row["reasons"] == "no_prealert" and row["customer_id"] == ""
    # The day before, jp12(51) was not yet received and jp12(50) not yet held either.
    _, before = rows_of(day_store, "holds", date(2026, 11, 24))
    assert before == []
    # On the next day, jp12(52) is held too; much later, every hold is overdue.
    _, later = rows_of(day_store, "holds", date(2027, 3, 1))
    assert {r[0] for r in later} == {jp12(50), jp12(2), jp12(52)}
    assert all(r[HOLDS_COLUMNS.index("overdue")] == "yes" for r in later)


def test_a_day_without_parcels_is_headers_only(day_store: Store) -> None:
    header, rows = rows_of(day_store, "inbound", date(2020, 1, 1))
    assert tuple(header) == INBOUND_COLUMNS and rows == []
    with day_store.transaction() as s:
        assert expected_rows(s.connection(), "inbound", date(2020, 1, 1)) == 0
        assert expected_rows(s.connection(), "inbound", DAY) == 4
        assert expected_rows(s.connection(), "holds", DAY) == 2


def _export(store: Store, kind: str, fmt: str, path: Path) -> None:
    with store.transaction() as s:
        export_to_file(build_manifest(s.connection(), EXPORTER, kind, DAY), fmt, path)


def test_inbound_xlsx_has_rows_and_totals(day_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "inbound.xlsx"
    _export(day_store, "inbound", "xlsx", path)
    _, csv_rows = rows_of(day_store, "inbound")
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["inbound manifest 2026-11-26 (As", "totals"]
    sheet_rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert tuple(sheet_rows[0]) == INBOUND_COLUMNS
    as_text = [["" if v is None else str(v) for v in r] for r in sheet_rows[1:]]
    assert as_text == csv_rows
    totals = _totals(list(wb["totals"].iter_rows(values_only=True)))
    assert totals["parcels"] == {"total": 4}
    assert totals["per station"] == {"ST01": 3, "ST02": 1}
    assert totals["per state"] == {"released": 1, "cleared": 1, "held": 1, "received": 1}
    assert totals["per reason"] == {"prohibited_item": 1}
    assert totals["billable weight"] == {"parcels": 2, "grams": 2000}


def test_holds_xlsx_totals(day_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "holds.xlsx"
    _export(day_store, "holds", "xlsx", path)
    wb = load_workbook(path, read_only=True)
    totals = _totals(list(wb["totals"].iter_rows(values_only=True)))
    assert totals["per station"] == {"ST01": 1, "ST02": 1}
    assert totals["per state"] == {"in custody": 2}
    assert totals["per reason"] == {"no_prealert": 1, "prohibited_item": 1}
    assert totals["billable weight"] == {"parcels": 1, "grams": 800}


def _totals(rows: list[tuple[object, ...]]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    section = ""
    for row in rows:
        cells = [c for c in row if c is not None]
        if len(cells) == 1:
            section = str(cells[0])
            out[section] = {}
        elif len(cells) == 2:
            out[section][str(cells[0])] = cells[1]
    return out


@pytest.mark.parametrize("kind", ["inbound", "holds"])
def test_pdf_text_has_every_row_and_the_totals(day_store: Store, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.pdf"
    _export(day_store, kind, "pdf", path)
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    _, rows = rows_of(day_store, kind)
    assert f"{kind} manifest 2026-11-26" in text
    for row in rows:
        assert row[INBOUND_COLUMNS.index("tracking_no") if kind == "inbound" else 0] in text
    assert "per station" in text and "per reason" in text and "billable weight" in text
    assert "ST02 1" in text


@pytest.mark.parametrize(
    ("kind", "fmt"), [(k, f) for k in ("inbound", "holds") for f in ("csv", "xlsx", "pdf")]
)
def test_no_personal_data_in_any_manifest(
    day_store: Store, tmp_path: Path, kind: str, fmt: str
) -> None:
    path = tmp_path / f"m.{fmt}"
    _export(day_store, kind, fmt, path)
    if fmt == "csv":
        text = path.read_text()
    elif fmt == "xlsx":
        wb = load_workbook(path, read_only=True)
        text = repr([list(ws.iter_rows(values_only=True)) for ws in wb.worksheets])
    else:
        text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert "C1" in text or kind == "holds"
    for personal in ("Customer 1", "Customer 2", "090-1234-5678", "name", "phone", "address"):
        assert personal not in text


def test_unwritable_path_leaves_nothing(day_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ManifestError, match="does not exist"):
        _export(day_store, "inbound", "csv", out / "missing" / "x.csv")
    with pytest.raises(ManifestError, match="is a folder"):
        _export(day_store, "inbound", "csv", out)
    assert list(out.iterdir()) == []


def test_a_failed_export_leaves_no_half_file(day_store: Store, tmp_path: Path) -> None:
    class Boom(Exception):
        pass

    def explode(done: int) -> None:
        raise Boom

    out = tmp_path / "out"
    out.mkdir()
    with day_store.transaction() as s, pytest.raises(Boom):
        export_to_file(
            build_manifest(s.connection(), EXPORTER, "inbound", DAY), "csv", out / "x.csv", explode
        )
    assert list(out.iterdir()) == []


def test_unknown_kind_and_format(day_store: Store, tmp_path: Path) -> None:
    with day_store.transaction() as s:
        with pytest.raises(ManifestError, match="unknown manifest kind"):
            build_manifest(s.connection(), EXPORTER, "returns", DAY)
        with pytest.raises(ManifestError, match="unknown format"):
            export_to_file(
                build_manifest(s.connection(), EXPORTER, "inbound", DAY), "doc", tmp_path / "x"
            )


def test_times_are_japan_times_whatever_the_utc_day(store: Store) -> None:
    populate(store)
    with store.transaction() as s:
        receive(s, STAFF, jp12(60), at=datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # 1 Dec JST
    _, nov30 = rows_of(store, "inbound", date(2026, 11, 30))
    _, dec1 = rows_of(store, "inbound", date(2026, 12, 1))
    assert nov30 == [] and [r[3] for r in dec1] == [jp12(60)]
    assert dec1[0][0] == "2026-12-01T00:00:00+09:00"
