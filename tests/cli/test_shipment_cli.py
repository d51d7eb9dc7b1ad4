"""`jpgb shipment ...` and `jpgb manifest export --kind outbound` end to end."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from jpgb_terminal.cli import app
from jpgb_terminal.manifests import OUTBOUND_COLUMNS
from jpgb_terminal.services.packing import confirm_parcel, pack_box, record_box_weight
from jpgb_terminal.store import open_store
from jpgb_terminal.store.tables import Event
from jpgb_terminal.tracking import make_s10
from tests.factories import STAFF, jp12
from tests.services.test_shipments import csv_bytes, row, stock

runner = CliRunner()
AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def jpgb(*args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=input)


@pytest.fixture
def url(store_url: str) -> str:
    store = open_store(store_url)
    stock(store)
    store.dispose()
    return store_url


def test_import_show_pack_handover_manifest(url: str, tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes(row(parcels=f"{jp12(1)};{jp12(4)}")))
    r = jpgb("shipment", "import", str(path), "--db", url)
    assert r.exit_code == 0, r.output
    assert "1 shipment request(s) imported" in r.stdout
    r = jpgb("shipment", "show", "SR-000001", "--db", url)
    assert r.exit_code == 0, r.output
    assert jp12(1) in r.stdout and "anime figures" in r.stdout
    assert "Jane Roe" not in r.stdout and "J*** R***" in r.stdout
    store = open_store(url)
    with store.transaction() as s:
        for t in (jp12(1), jp12(4)):
            confirm_parcel(s, STAFF, "SR-000001", t, at=AT)
        record_box_weight(
            s, STAFF, "SR-000001", 2345, raw_frame=b"S S 2345 g", scale_id="x", protocol="p", at=AT
        )
        pack_box(s, STAFF, "SR-000001", (40, 30, 20), scanned_label=make_s10("EE", 9, "JP"), at=AT)
    store.dispose()
    handover = ("shipment", "handover", "--date", "2026-11-26", "--db", url)
    r = jpgb(*handover, "--operator", "aiko", input="1111\n")
    assert r.exit_code == 1 and "only a lead may hand boxes over" in r.stderr
    r = jpgb(*handover, "--operator", "yui", input="0000\n")
    assert r.exit_code == 1 and "wrong PIN" in r.stderr
    r = jpgb(*handover, "--operator", "yui", input="3333\n")
    assert r.exit_code == 0, r.output
    assert make_s10("EE", 9, "JP") in r.stdout and "1 box(es)" in r.stdout
    r = jpgb(
        "manifest",
        "export",
        "--date",
        "2026-11-26",
        "--kind",
        "outbound",
        "--service",
        "ems",
        "--db",
        url,
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert tuple(rows[0]) == OUTBOUND_COLUMNS and len(rows) == 1
    assert rows[0]["handed_over_at"] and "1 boxes" in r.stderr
    r = jpgb("manifest", "export", "--date", "2026-11-26", "--kind", "inbound", "--service", "ems")
    assert r.exit_code == 1 and "outbound manifest only" in r.stderr


def test_bad_file_names_every_line(url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(row(parcels=jp12(2)), row(rid="SR-000002", parcels=jp12(1), description="gift"))
    )
    r = jpgb("shipment", "import", str(path), "--db", url)
    assert r.exit_code == 1
    assert "bad.csv:2" in r.stderr and "belongs to C2" in r.stderr
    assert "bad.csv:3" in r.stderr and "too vague" in r.stderr
    assert "nothing imported" in r.stderr


def test_ranges(url: str) -> None:
    r = jpgb(
        "shipment",
        "range",
        "add",
        "--service",
        "ems",
        "--prefix",
        "EE",
        "--from",
        "100",
        "--to",
        "199",
        "--db",
        url,
    )
    assert r.exit_code == 0, r.output
    assert make_s10("EE", 100, "JP") in r.stdout and "100 numbers" in r.stdout
    r = jpgb(
        "shipment",
        "range",
        "add",
        "--service",
        "ems",
        "--prefix",
        "EE",
        "--from",
        "150",
        "--to",
        "250",
        "--db",
        url,
    )
    assert r.exit_code == 1 and "overlaps" in r.stderr
    r = jpgb("shipment", "range", "list", "--db", url)
    assert r.exit_code == 0 and "left 100" in r.stdout


def test_a_range_is_the_administrators_setup_and_names_no_operator(url: str) -> None:
    """An operator's name with no PIN behind it would be an unproven claim in the log."""
    args = ["shipment", "range", "add", "--service", "ems", "--prefix", "EE"]
    r = jpgb(*args, "--from", "300", "--to", "309", "--operator", "aiko", "--db", url)
    assert r.exit_code == 2 and "--operator" in r.stderr
    r = jpgb(*args, "--from", "300", "--to", "309", "--db", url)
    assert r.exit_code == 0, r.output
    store = open_store(url)
    try:
        with store.transaction() as s:
            event = s.exec(select(Event).where(Event.kind == "tracking_range.added")).one()
            assert event.operator is None and event.payload["first_serial"] == 300
    finally:
        store.dispose()
