"""The review use cases both faces share, called directly: a day's manifest, one parcel."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from jpgb_terminal.manifests import INBOUND_COLUMNS, ManifestError
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import NotAllowed, NotFound
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.review import export_day_manifest, parcel_detail
from tests.factories import STAFF, jp12, populate

AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
DAY = date(2026, 11, 26)
ADMIN = Actor("ST01")


@pytest.fixture
def day(store: Store) -> Store:
    """Two parcels received on DAY, one weighed (700 g)."""
    populate(store)
    with store.transaction() as s:
        receive(s, STAFF, jp12(1), at=AT)
        record_weight(s, STAFF, jp12(1), 700, raw_frame=b"S S 700 g\r\n", at=AT)
        receive(s, STAFF, jp12(2), at=AT)
    return store


def test_a_manifest_to_a_file_counts_rows_and_grams(day: Store, tmp_path: Path) -> None:
    totals: list[int] = []
    path = tmp_path / "inbound.csv"
    done = export_day_manifest(day, ADMIN, "inbound", DAY, "csv", path, on_total=totals.append)
    assert (done.path, done.rows, done.billable_g) == (path, 2, 700)
    assert totals == [2]
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == INBOUND_COLUMNS
    assert {r["tracking_no"] for r in rows} == {jp12(1), jp12(2)}


def test_without_a_path_the_csv_goes_to_standard_output(
    day: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    done = export_day_manifest(day, ADMIN, "inbound", DAY, "csv", None)
    assert done.path is None and done.rows == 2
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["tracking_no"] for r in rows} == {jp12(1), jp12(2)}


@pytest.mark.parametrize(
    ("kind", "fmt", "service", "to_file", "words"),
    [
        ("nope", "csv", None, True, "unknown manifest kind"),
        ("inbound", "doc", None, True, "unknown format"),
        ("inbound", "csv", "ems", True, "outbound manifest only"),
        ("inbound", "xlsx", None, False, "needs a file"),
    ],
)
def test_bad_requests_write_nothing(
    day: Store,
    tmp_path: Path,
    kind: str,
    fmt: str,
    service: str | None,
    to_file: bool,
    words: str,
) -> None:
    path = tmp_path / "m.out" if to_file else None
    with pytest.raises(ManifestError, match=words):
        export_day_manifest(day, ADMIN, kind, DAY, fmt, path, service=service)
    assert not (tmp_path / "m.out").exists()


def test_staff_may_not_export(day: Store, tmp_path: Path) -> None:
    with pytest.raises(NotAllowed):
        export_day_manifest(day, STAFF, "inbound", DAY, "csv", tmp_path / "m.csv")
    assert not (tmp_path / "m.csv").exists()


def test_parcel_detail_has_the_view_the_command_prints(day: Store) -> None:
    detail = parcel_detail(day, jp12(1), AT)
    shown = detail.view.as_dict()
    assert shown["tracking_no"] == jp12(1) and shown["weight_g"] == 700
    assert [w.grams for w in detail.weights] == [700] and detail.weights[0].current
    with pytest.raises(NotFound):
        parcel_detail(day, jp12(5), AT)
