"""`jpgb holds list` and `jpgb holds decide` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner, Result

from jpgb_terminal.cli import app
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import get_parcel
from jpgb_terminal.store import open_store
from jpgb_terminal.store.ledger import Decision, Sale
from jpgb_terminal.store.tables import Event, Hold, Operator
from tests.factories import STAFF, jp12, populate

runner = CliRunner()
# 10:00 JST on 1 Nov 2026 and 2 Nov 2026: deadlines 31 Dec 2026 and 1 Jan 2027.
RECEIVED = (datetime(2026, 11, 1, 1, 0, tzinfo=UTC), datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
BEFORE = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)  # 1 Jan JST: the first parcel is overdue


def jpgb(*args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=input, env={"COLUMNS": "120"})


@pytest.fixture
def url(store_url: str) -> str:
    store = open_store(store_url)
    populate(store)
    with store.transaction() as s:
        receive(s, STAFF, jp12(100), at=RECEIVED[0])
        receive(s, STAFF, jp12(101), at=RECEIVED[1])
    store.dispose()
    return store_url


def counts(url: str) -> dict[str, int]:
    store = open_store(url)
    with store.transaction() as s:
        result = {
            t.__name__: s.exec(select(func.count()).select_from(t)).one()
            for t in (Event, Hold, Decision, Sale)
        }
        result["open"] = s.exec(
            select(func.count()).select_from(Hold).where(Hold.closed_at == None)  # noqa: E711
        ).one()
    store.dispose()
    return result


def state(url: str, number: str) -> str:
    store = open_store(url)
    with store.transaction() as s:
        value = get_parcel(s, number).state
    store.dispose()
    return value


def test_list_json_has_the_manifest_keys(url: str) -> None:
    with time_machine.travel(AFTER, tick=False):
        r = jpgb("holds", "list", "--format", "json", "--db", url)
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [row["tracking_no"] for row in rows] == [jp12(100), jp12(101)]
    assert list(rows[0]) == [
        "tracking_no",
        "customer_id",
        "station_id",
        "reasons",
        "received_at",
        "deadline",
        "days_left",
        "overdue",
        "weight_g",
    ]
    assert rows[0]["overdue"] is True and rows[0]["days_left"] == -1
    assert rows[1]["overdue"] is False and rows[1]["deadline"] == "2027-01-01"


def test_list_overdue_csv_and_table(url: str) -> None:
    with time_machine.travel(AFTER, tick=False):
        r = jpgb("holds", "list", "--overdue", "--format", "csv", "--db", url)
        table = jpgb("holds", "list", "--db", url)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["tracking_no"] for row in rows] == [jp12(100)]
    assert rows[0]["reasons"] == "no_prealert" and rows[0]["overdue"] == "yes"
    assert (
        table.exit_code == 0 and "OVERDUE" in table.stdout and "2 held, 1 overdue" in table.stdout
    )
    with time_machine.travel(BEFORE, tick=False):
        none = jpgb("holds", "list", "--overdue", "--db", url)
    assert none.exit_code == 0 and "no overdue holds" in none.stdout


def test_list_bad_options(url: str) -> None:
    assert jpgb("holds", "list", "--format", "xml", "--db", url).exit_code == 1
    r = jpgb("holds", "list", "--reason", "lost", "--db", url)
    assert r.exit_code == 1 and "unknown hold reason 'lost'" in r.output


def decide(url: str, *args: str, pin: str = "2222", operator: str = "kenji") -> Result:
    return jpgb(
        "holds", "decide", *args, "--operator", operator, "--db", url, "--json", input=pin + "\n"
    )


def test_release_by_a_supervisor(url: str) -> None:
    before = counts(url)
    with time_machine.travel(BEFORE, tick=False):
        r = decide(url, jp12(100), "release", "--note", "pre-alert arrived")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["article"] == "Art. 15.3" and out["to_state"] == "released"
    after = counts(url)
    assert after["Event"] == before["Event"] + 1
    assert after["open"] == before["open"] - 1 and after["Decision"] == 1
    assert state(url, jp12(100)) == "released"


def test_sale_prints_the_ledger(url: str) -> None:
    with time_machine.travel(AFTER, tick=False):
        r = jpgb(
            "holds", "decide", jp12(100), "sell", "--operator", "kenji", "--note", "auction",
            "--proceeds", "9000", "--custody-fee", "2000", "--disposal-fee", "500",
            "--service-fee", "1000", "--db", url, input="2222\n",
        )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "5,500 JPY" in r.stdout and "2027-01-21" in r.stdout and "no interest" in r.stdout
    assert counts(url)["Sale"] == 1 and state(url, jp12(100)) == "sold"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((jp12(101), "sell", "--note", "n", "--proceeds", "10"), "Art. 15.4: sale only after"),
        ((jp12(101), "dispose", "--note", "n"), "Art. 15.2"),
        ((jp12(100), "release", "--note", "n"), "Art. 15.3"),
        ((jp12(1), "release", "--note", "n"), "no parcel"),
        ((jp12(100), "report", "--note", "n"), "--report-ref"),
        ((jp12(100), "sell", "--note", "n"), "--proceeds"),
        ((jp12(100), "return", "--note", "n", "--proceeds", "5"), "only go with sell"),
        ((jp12(100), "keep", "--note", "n"), "unknown decision 'keep'"),
        ((jp12(100), "return", "--note", " "), "needs a note"),
        ((jp12(100), "return", "--note", "n", "--consent", "C-1"), "only goes with dispose"),
    ],
)
def test_refusals_change_nothing(url: str, args: tuple[str, ...], words: str) -> None:
    before = counts(url)
    with time_machine.travel(AFTER, tick=False):
        r = decide(url, *args)
    assert r.exit_code == 1, r.output
    assert words in r.output
    assert counts(url) == before


def test_staff_is_refused(url: str) -> None:
    before = counts(url)
    r = decide(url, jp12(100), "return", "--note", "n", operator="aiko", pin="1111")
    assert r.exit_code == 1 and "role: only a supervisor or lead" in r.output
    assert counts(url) == before


def test_wrong_pin_is_counted_and_changes_nothing_else(url: str) -> None:
    before = counts(url)
    r = decide(url, jp12(100), "return", "--note", "n", pin="0000")
    assert r.exit_code == 1 and "wrong PIN" in r.output
    # The one event is the wrong PIN itself (operator.pin_failed), so sync counts it too.
    assert counts(url) == {**before, "Event": before["Event"] + 1}
    store = open_store(url)
    with store.transaction() as s:
        operator = s.get(Operator, "kenji")
        assert operator is not None and operator.failed_attempts == 1
    store.dispose()


def test_report_and_decided_twice(url: str) -> None:
    r = decide(url, jp12(100), "report", "--note", "stolen card", "--report-ref", "POL-1")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["report_reference"] == "POL-1"
    before = counts(url)
    again = decide(url, jp12(100), "return", "--note", "n")
    assert again.exit_code == 1 and "this parcel is reported" in again.output
    assert counts(url) == before
