"""`jpgb manifest export` end to end: formats, empty days, bad input; SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner, Result

from jpgb_terminal.cli import app
from jpgb_terminal.manifests import HOLDS_COLUMNS, INBOUND_COLUMNS
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import open_store
from tests.factories import STAFF, jp12, populate

runner = CliRunner()
AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 10:00 JST on 26 Nov


def jpgb(*args: str) -> Result:
    return runner.invoke(app, list(args))


@pytest.fixture
def url(store_url: str) -> str:
    store = open_store(store_url)
    populate(store)
    with store.transaction() as s:
        receive(s, STAFF, jp12(1), at=AT)
        record_weight(s, STAFF, jp12(1), 700, raw_frame=b"S S 700 g\r\n", at=AT)
        receive(s, STAFF, jp12(100), at=AT)
    store.dispose()
    return store_url


def test_inbound_csv_on_stdout(url: str) -> None:
    r = jpgb("manifest", "export", "--date", "2026-11-26", "--kind", "inbound", "--db", url)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert tuple(rows[0]) == INBOUND_COLUMNS
    assert {row["tracking_no"] for row in rows} == {jp12(1), jp12(100)}
    assert "2 parcels" in r.stderr and "billable 700 g" in r.stderr


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_holds_to_a_file(url: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"holds.{fmt}"
    r = jpgb(
        "manifest", "export", "--date", "2026-11-26", "--kind", "holds", "--format", fmt,
        "-o", str(out), "--db", url,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    if fmt == "csv":
        rows = list(csv.DictReader(out.open()))
        assert [row["tracking_no"] for row in rows] == [jp12(100)]
        assert rows[0]["deadline"] == "2027-01-25"
    elif fmt == "xlsx":
        values = list(load_workbook(out, read_only=True).worksheets[0].iter_rows(values_only=True))
        assert tuple(values[0]) == HOLDS_COLUMNS and values[1][0] == jp12(100)
    else:
        text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
        assert jp12(100) in text and "no_prealert 1" in text


def test_default_file_name_for_xlsx(url: str, tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = jpgb(
            "manifest", "export", "--date", "2026-11-26", "--kind", "inbound", "--format",
            "xlsx", "--db", url,
        )  # fmt: skip
    finally:
        os.chdir(cwd)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "inbound-2026-11-26.xlsx").exists()


@pytest.mark.parametrize("kind", ["inbound", "holds"])
def test_a_day_without_parcels_is_an_empty_manifest(url: str, kind: str) -> None:
    r = jpgb("manifest", "export", "--date", "2020-01-01", "--kind", kind, "--db", url)
    assert r.exit_code == 0, r.output
    columns = INBOUND_COLUMNS if kind == "inbound" else HOLDS_COLUMNS
    assert r.stdout == ",".join(columns) + "\n"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--date", "26/11/2026", "--kind", "inbound"), "YYYY-MM-DD"),
        (("--date", "2026-11-26", "--kind", "returns"), "unknown manifest kind"),
        (("--date", "2026-11-26", "--kind", "inbound", "--format", "doc"), "unknown format"),
        (
            ("--date", "2026-11-26", "--kind", "inbound", "-o", "/nonexistent/dir/x.csv"),
            "does not exist",
        ),
    ],
)
def test_bad_input_is_a_clear_error(url: str, args: tuple[str, ...], words: str) -> None:
    r = jpgb("manifest", "export", *args, "--db", url)
    assert r.exit_code == 1 and words in r.output


def test_output_into_a_folder_is_refused(url: str, tmp_path: Path) -> None:
    r = jpgb(
        "manifest", "export", "--date", "2026-11-26", "--kind", "inbound", "-o", str(tmp_path),
        "--db", url,
    )  # fmt: skip
    assert r.exit_code == 1 and "is a folder" in r.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_folder(url: str, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    r = jpgb(
        "manifest", "export", "--date", "2026-11-26", "--kind", "inbound", "-o",
        str(locked / "x.csv"), "--db", url,
    )  # fmt: skip
    assert r.exit_code == 1 and "permission denied" in r.output


def test_a_store_that_is_not_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    open_store(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num='0001'")
    r = jpgb("manifest", "export", "--date", "2026-11-26", "--kind", "inbound", "--db", str(path))
    assert r.exit_code == 1 and "jpgb db upgrade" in r.output
    out = tmp_path / "x.csv"
    r = jpgb(
        "manifest", "export", "--date", "2026-11-26", "--kind", "holds", "-o", str(out),
        "--db", str(path),
    )  # fmt: skip
    assert r.exit_code == 1 and not out.exists()
