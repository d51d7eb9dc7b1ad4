"""A customer's full name, address and phone never leave in an export: the inbound, holds and
outbound manifests in every format, the customs form and label of a box, and the parcel and
shipment commands' output.  Each export is read back as a person or program would read it."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.clock import local_date, now
from jpgb_terminal.manifests import FORMATS, KINDS, export_to_file
from jpgb_terminal.manifests.customs_form import render_customs_form
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.manifest_rows import build_manifest
from jpgb_terminal.services.packing import Packed, confirm_parcel, pack_box, record_box_weight
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.shipments import import_shipments
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.tracking import make_s10
from jpgb_terminal.workflow.packing import customs_form_of, print_box_papers
from tests.factories import STAFF, add_prealert, jp12, populate
from tests.services.test_shipments import csv_bytes, row

AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
DAY = date(2026, 11, 26)
NAME, ADDRESS, PHONE = "Taro Yamada", "4-5-6 Jingumae, Shibuya, Tokyo", "090-8765-4321"
SECRETS = ("Taro", "Yamada", "Jingumae", "8765")  # any of them is C9's data in full
HELD, BOXED = jp12(41), (jp12(42), jp12(43))
LEAD = Actor("ST01", "yui", "lead")
runner = CliRunner()


def seed(store: Store) -> Packed:
    """C9 with full personal data: one parcel held, two packed into a box for SR-000001."""
    populate(store)
    admin = Actor("ST01")
    with store.transaction() as s:
        add_customer(s, admin, "C9", name=NAME, address=ADDRESS, phone=PHONE)
        for number in (HELD, *BOXED):
            add_prealert(s, number, "C9")
    with store.transaction() as s:
        receive(s, STAFF, HELD, at=AT)
        record_weight(s, STAFF, HELD, 800, raw_frame=b"S S 800 g\r\n", at=AT)
        hold_by_operator(s, STAFF, HELD, "refused", "customer refused it")
        for n in BOXED:
            receive(s, STAFF, n, at=AT)
            record_weight(s, STAFF, n, 700, raw_frame=b"S S 700 g\r\n", at=AT)
            inspect(s, STAFF, n, opened=False, findings=[], at=AT)
        import_shipments(s, admin, csv_bytes(row(customer="C9", parcels=";".join(BOXED))), at=AT)
    with store.transaction() as s:
        for n in BOXED:
            confirm_parcel(s, STAFF, "SR-000001", n, at=AT)
        record_box_weight(
            s, STAFF, "SR-000001", 1600, raw_frame=b"S S 1600 g\r\n", scale_id="x", protocol="p"
        )
        label = make_s10("EE", 11, "JP")
        return pack_box(s, STAFF, "SR-000001", (30, 20, 10), scanned_label=label, at=AT)


@pytest.fixture
def url(sqlite_url: str) -> str:
    store = open_store(sqlite_url)
    seed(store)
    store.dispose()
    return sqlite_url


def read_back(path: Path, fmt: str) -> str:
    """The file's text as its reader shows it."""
    if fmt == "csv":
        return path.read_text(encoding="utf-8")
    if fmt == "xlsx":
        book = load_workbook(path, read_only=True)
        return repr([list(ws.iter_rows(values_only=True)) for ws in book.worksheets])
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def day_of(kind: str) -> date:
    """The day whose manifest holds C9's parcels: the hold was put on today."""
    return local_date(now()) if kind == "holds" else DAY


def assert_clean(text: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"export shows {leaked}"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_manifests(url: str, tmp_path: Path, kind: str, fmt: str) -> None:
    store = open_store(url)
    path = tmp_path / f"{kind}.{fmt}"
    try:
        with store.transaction() as s:
            export_to_file(build_manifest(s.connection(), LEAD, kind, day_of(kind)), fmt, path)
    finally:
        store.dispose()
    text = read_back(path, fmt)
    assert_clean(text)
    # The export is read back, not empty: C9's parcels or box are in it, by id.
    expected = {"inbound": HELD, "holds": HELD, "outbound": "C9"}[kind]  # PDF cuts long cells
    assert expected in text


def test_manifest_command_output(url: str) -> None:
    for kind in KINDS:
        day = day_of(kind).isoformat()
        args = ["manifest", "export", "--date", day, "--kind", kind, "--db", url]
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.output
        assert_clean(r.output)


def test_customs_form_and_label(sqlite_store: Store, tmp_path: Path) -> None:
    packed = seed(sqlite_store)
    form = render_customs_form(customs_form_of(packed))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(form)).pages)
    assert_clean(text)
    # The carrier needs the addressee in full: the request's recipient, not the account holder.
    assert "Jane Roe" in text
    folder = tmp_path / "printer"
    folder.mkdir()
    print_box_papers(packed, str(folder), forms_dir=tmp_path / "forms")
    for paper in folder.iterdir():
        body = paper.read_bytes()
        shown = read_back(paper, "pdf") if paper.suffix == ".pdf" else body.decode("utf-8")
        assert_clean(shown)


@pytest.mark.parametrize("extra", [[], ["--evidence"]])
def test_parcel_show_json(url: str, extra: list[str]) -> None:
    for tracking in (HELD, BOXED[0]):
        r = runner.invoke(app, ["parcel", "show", tracking, "--json", *extra, "--db", url])
        assert r.exit_code == 0, r.output
        view = json.loads(r.stdout)
        assert_clean(r.stdout)
        assert view.get("customer_id", "C9") == "C9"


def test_parcel_and_shipment_show_text(url: str) -> None:
    for args in (["parcel", "show", HELD], ["shipment", "show", "SR-000001"]):
        r = runner.invoke(app, [*args, "--db", url])
        assert r.exit_code == 0, r.output
        assert_clean(r.output)
        assert "Jane Roe" not in r.output
