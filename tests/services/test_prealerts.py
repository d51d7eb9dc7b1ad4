"""Pre-alert CSV import: encodings, all-or-nothing checking, every bad line named."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jpgb_terminal.services.csv_files import ImportRejected
from jpgb_terminal.services.prealerts import import_prealerts
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import PreAlert
from tests.factories import STAFF, event_count, jp12, populate, s10

HEADER = "tracking_no,customer_id,carrier,contents,declared_value,currency\n"


def _import(store: Store, data: bytes) -> tuple[int, int]:
    with store.transaction() as s:
        summary = import_prealerts(s, STAFF, data, source="in.csv")
    return summary.added, summary.updated


def _prealerts(store: Store) -> dict[str, PreAlert]:
    with store.transaction() as s:
        return {p.tracking_no: p for p in s.exec(select(PreAlert))}


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
        lambda t: t.encode("shift_jis"),
        lambda t: t.replace("\n", "\r\n").encode("cp932"),
    ],
    ids=["utf8", "utf8-bom", "shift-jis", "cp932-crlf"],
)
def test_encodings_read_correctly(sqlite_store: Store, encode) -> None:  # type: ignore[no-untyped-def]
    populate(sqlite_store, prealerts=0)
    text = HEADER + f'{jp12(7)},C1,ヤマト運輸,フィギュア（未開封）,"12,800",jpy\n'
    text += f"{s10(8)},C2,,,,\n"
    assert _import(sqlite_store, encode(text)) == (2, 0)
    rows = _prealerts(sqlite_store)
    assert rows[jp12(7)].contents == "フィギュア（未開封）"
    assert rows[jp12(7)].carrier == "ヤマト運輸"
    assert str(rows[jp12(7)].declared_value) == "12800.00" and rows[jp12(7)].currency == "JPY"
    assert rows[s10(8)].declared_value is None and rows[s10(8)].currency is None


def test_full_width_currency_and_amount_read_as_typed_in_japan(sqlite_store: Store) -> None:
    populate(sqlite_store, prealerts=0)
    text = HEADER + f"{jp12(7)},C1,,,１２８００,ｊｐｙ\n"
    assert _import(sqlite_store, text.encode("cp932")) == (1, 0)
    alert = _prealerts(sqlite_store)[jp12(7)]
    assert (str(alert.declared_value), alert.currency) == ("12800.00", "JPY")


def test_minimal_header_and_normalised_numbers(sqlite_store: Store) -> None:
    populate(sqlite_store, prealerts=0)
    number = jp12(9)
    data = f"customer_id,tracking_no\nC3, {number[:4]}-{number[4:8]}-{number[8:]} \n".encode()
    assert _import(sqlite_store, data) == (1, 0)
    assert _prealerts(sqlite_store)[number].customer_id == "C3"


def test_reimport_updates_same_customer(sqlite_store: Store) -> None:
    populate(sqlite_store, prealerts=0)
    _import(sqlite_store, f"tracking_no,customer_id,contents\n{jp12(1)},C1,books\n".encode())
    assert _import(
        sqlite_store, f"tracking_no,customer_id,contents\n{jp12(1)},C1,cd\n".encode()
    ) == (
        0,
        1,
    )
    assert _prealerts(sqlite_store)[jp12(1)].contents == "cd"


BAD_FILES = [
    (b"", ["the file is empty"]),
    (b"   \n\n", ["the file is empty"]),
    (b"tracking_no\n123\n", ["in.csv:1: missing column(s) customer_id"]),
    (b"tracking_no,customer_id,colour\n", ["in.csv:1: unknown column(s) colour"]),
    (b"tracking_no,customer_id\n", ["in.csv: the file has a header but no rows"]),
    (b"tracking_no,customer_id\n\xff\xfe\xfa,C1\n", ["neither UTF-8 nor Shift-JIS"]),
    (
        f"tracking_no,customer_id\n{jp12(1)},C1\n12345,C1\n{jp12(2)},C9\n".encode(),
        ["in.csv:3: tracking_no '12345'", "in.csv:4: unknown customer 'C9'"],
    ),
    (
        f"tracking_no,customer_id\n{jp12(1)},C1\n{jp12(2)},C2\n{jp12(1)},C1\n".encode(),
        ["in.csv:4: tracking_no " + jp12(1) + " repeats line 2"],
    ),
    (
        (HEADER + f"{jp12(1)},C1,,,-5,JPY\n{jp12(2)},C1,,,99999999999,JPY\n").encode(),
        [
            "in.csv:2: declared_value -5 is negative",
            "in.csv:3: declared_value 99999999999 is absurd",
        ],
    ),
    (
        (
            HEADER + f"{jp12(1)},C1,,,abc,JPY\n{jp12(2)},C1,,,1.005,JPY\n{jp12(3)},C1,,,1,YEN5\n"
        ).encode(),
        ["in.csv:2: declared_value 'abc' is not a number", "more than 2 decimals", "3-letter code"],
    ),
    (f"tracking_no,customer_id\n{jp12(1)},\n".encode(), ["in.csv:2: customer_id is empty"]),
    (f"tracking_no,customer_id\n{jp12(1)},C1,extra\n".encode(), ["in.csv:2: 3 fields"]),
    (f'tracking_no,customer_id\n{jp12(1)},C1\n"{jp12(2)},C1\n'.encode(), ["in.csv:"]),
    (f"{HEADER}{jp12(1)},C1,,,,\n".encode("utf-16"), ["the file is UTF-16, which is not read"]),
    (f"tracking_no,customer_id\n{jp12(1)},C1\n".encode("utf-16-le"), ["the file is UTF-16"]),
    (f"tracking_no,,customer_id\n{jp12(1)},,C1\n".encode(), ["in.csv:1: column(s) 2 have no"]),
    # Blank lines before the header are skipped, and lines are still counted as in the file.
    (b"\n,,\ntracking_no,customer_id\n12345,C1\n", ["in.csv:4: tracking_no '12345'"]),
    (f"tracking_no,customer_id,,\n{jp12(1)},C1,x,\n".encode(), ["in.csv:2: 4 fields"]),
]


@pytest.mark.parametrize(("data", "expected"), BAD_FILES)
def test_bad_files_import_nothing(sqlite_store: Store, data: bytes, expected: list[str]) -> None:
    populate(sqlite_store, prealerts=0)
    with sqlite_store.transaction() as s:
        before = event_count(s)
    with pytest.raises(ImportRejected) as err:
        _import(sqlite_store, data)
    message = str(err.value)
    assert message.startswith("nothing imported")
    for fragment in expected:
        assert fragment in message
    assert _prealerts(sqlite_store) == {}
    with sqlite_store.transaction() as s:
        assert event_count(s) == before


def test_blank_lines_before_the_header_and_trailing_commas(sqlite_store: Store) -> None:
    # As spreadsheets save them: empty lines above the table, empty columns to its right.
    populate(sqlite_store, prealerts=0)
    data = f"\r\n,,,\r\ntracking_no,customer_id,,\r\n{jp12(1)},C1,,\r\n\r\n{jp12(2)},C1\r\n"
    assert _import(sqlite_store, data.encode("cp932")) == (2, 0)
    assert sorted(_prealerts(sqlite_store)) == sorted([jp12(1), jp12(2)])


def test_prealert_for_another_customer_refused(sqlite_store: Store) -> None:
    populate(sqlite_store, prealerts=0)
    _import(sqlite_store, f"tracking_no,customer_id\n{jp12(1)},C1\n".encode())
    with pytest.raises(ImportRejected, match="already pre-alerted for customer C1"):
        _import(sqlite_store, f"tracking_no,customer_id\n{jp12(2)},C2\n{jp12(1)},C2\n".encode())
    assert set(_prealerts(sqlite_store)) == {jp12(1)}


def test_import_on_postgres(store: Store) -> None:
    populate(store, prealerts=0)
    assert _import(store, (HEADER + f"{jp12(5)},C2,sagawa,tea,300.5,usd\n").encode()) == (1, 0)
    row = _prealerts(store)[jp12(5)]
    assert row.carrier == "sagawa" and str(row.declared_value) == "300.50" and row.currency == "USD"
