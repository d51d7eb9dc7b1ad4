"""The station's commands end to end through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.store import open_store
from jpgb_terminal.store.outbound import Shipment
from jpgb_terminal.store.tables import Customer, Event, Operator, PreAlert
from tests.factories import jp12, s10

runner = CliRunner()


def jpgb(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=input)


def counts(url: str) -> dict[str, int]:
    store = open_store(url)
    with store.transaction() as s:
        result = {
            t.__name__: s.exec(select(func.count()).select_from(t)).one()
            for t in (Customer, PreAlert, Operator, Event)
        }
    store.dispose()
    return result


def test_help_lists_the_commands() -> None:
    result = jpgb("--help")
    assert result.exit_code == 0
    for group in ("db", "user", "customer", "prealert", "parcel", "demo", "devices"):
        assert group in result.output


def test_db_upgrade_then_up_to_date(store_url: str) -> None:
    first = jpgb("db", "upgrade", "--db", store_url)
    assert first.exit_code == 0, first.output
    assert "upgraded from empty" in first.output
    again = jpgb("db", "upgrade", "--db", store_url)
    assert again.exit_code == 0 and "up to date" in again.output


def test_users_customers_prealerts_and_show(store_url: str, tmp_path: Path) -> None:
    assert (
        jpgb(
            "user",
            "add",
            "aiko",
            "--role",
            "staff",
            "--pin-stdin",
            "--db",
            store_url,
            input="1234\n",
        ).exit_code
        == 0
    )
    listed = jpgb("user", "list", "--db", store_url)
    assert listed.exit_code == 0 and "aiko" in listed.output and "staff" in listed.output
    assert "1234" not in listed.output
    r = jpgb(
        "customer",
        "add",
        "C1",
        "--name",
        "Taro Yamada",
        "--phone",
        "090-1111-2222",
        "--db",
        store_url,
    )
    assert r.exit_code == 0, r.output
    csv_file = tmp_path / "pa.csv"
    csv_file.write_bytes(f"tracking_no,customer_id,contents\n{jp12(1)},C1,本\n".encode("shift_jis"))
    r = jpgb("prealert", "import", str(csv_file), "--db", store_url)
    assert r.exit_code == 0, r.output
    assert "1 pre-alert(s) added" in r.output
    r = jpgb(
        "user",
        "add",
        "kenji",
        "--role",
        "supervisor",
        "--pin-stdin",
        "--db",
        store_url,
        input="2222\n",
    )
    assert r.exit_code == 0, r.output
    r = jpgb(
        "customer",
        "set-status",
        "C1",
        "suspended",
        "--operator",
        "aiko",
        "--db",
        store_url,
        input="1234\n",
    )
    assert (
        r.exit_code == 1 and "only a supervisor or lead may change a customer's status" in r.stderr
    )
    r = jpgb(
        "customer",
        "set-status",
        "C1",
        "suspended",
        "--operator",
        "kenji",
        "--db",
        store_url,
        input="2222\n",
    )
    assert r.exit_code == 0 and "now suspended" in r.output


def test_parcel_show_json(store_url: str) -> None:
    r = jpgb("demo", "seed", "--parcels", "8", "--seed", "3", "--db", store_url)
    assert r.exit_code == 0, r.output
    store = open_store(store_url)
    with store.transaction() as s:
        tracking = s.exec(select(Event.tracking_no).where(Event.kind == "parcel.received")).first()
    store.dispose()
    assert tracking
    r = jpgb("parcel", "show", tracking, "--json", "--db", store_url)
    assert r.exit_code == 0, r.output
    view = json.loads(r.output)
    for key in (
        "tracking_no",
        "state",
        "customer_id",
        "weight_g",
        "weight_source",
        "received_at",
        "station_id",
        "hold",
        "events",
    ):
        assert key in view
    assert view["tracking_no"] == tracking
    assert view["received_at"].endswith("+09:00")
    assert view["events"][0]["kind"] == "parcel.received"
    assert all({"kind", "at"} <= set(e) for e in view["events"])
    human = jpgb("parcel", "show", tracking, "--db", store_url)
    assert human.exit_code == 0 and tracking in human.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["parcel", "show", "EE123456785JP"], "no parcel EE123456785JP"),
        # What the user typed is quoted as it is, never read as console markup.
        (["parcel", "show", "[/x]"], "no parcel [/X] in this store"),
        (["customer", "set-status", "[red]C1", "frozen", "--operator", "kenji"], "[red]C1"),
        (["customer", "set-status", "NOPE", "frozen", "--operator", "kenji"], "no customer NOPE"),
        (["customer", "set-status", "C1", "angry", "--operator", "kenji"], "unknown status"),
        (["customer", "set-status", "C1", "frozen", "--operator", "aiko"], "role: staff"),
        (["customer", "set-status", "C1", "frozen", "--operator", "ghost"], "unknown operator"),
        (["customer", "add", "C1", "--name", "Again"], "already exists"),
        (["customer", "add", "bad id", "--name", "X"], "no spaces"),
        (["customer", "add", "C[/x]", "--name", "X"], "customer id 'C[/x]' must be"),
        (["user", "add", "[/x]", "--role", "staff", "--pin-stdin"], "operator name '[/x]'"),
        (["user", "add", "bob", "--role", "king", "--pin-stdin"], "unknown role"),
        (["prealert", "import", "/nonexistent/file.csv"], "cannot read"),
    ],
)
def test_errors_are_clear_and_change_nothing(
    sqlite_url: str, args: list[str], message: str
) -> None:
    assert jpgb("customer", "add", "C1", "--name", "X", "--db", sqlite_url).exit_code == 0
    for name, role in (("kenji", "supervisor"), ("aiko", "staff")):
        added = jpgb(
            "user", "add", name, "--role", role, "--pin-stdin", "--db", sqlite_url, input="1234\n"
        )
        assert added.exit_code == 0, added.output
    before = counts(sqlite_url)
    r = jpgb(*args, "--db", sqlite_url, input="1234\n")
    assert r.exit_code != 0
    assert message in r.stderr
    assert counts(sqlite_url) == before


def test_bad_csv_names_lines_and_imports_nothing(sqlite_url: str, tmp_path: Path) -> None:
    jpgb("customer", "add", "C1", "--name", "X", "--db", sqlite_url)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"tracking_no,customer_id\n{jp12(1)},C1\nGARBAGE,C1\n{s10(3)},C7\n")
    before = counts(sqlite_url)
    r = jpgb("prealert", "import", str(bad), "--db", sqlite_url)
    assert r.exit_code == 1
    assert (
        "bad.csv:3" in r.stderr and "bad.csv:4" in r.stderr and "unknown customer 'C7'" in r.stderr
    )
    assert counts(sqlite_url) == before


def test_unwritable_store_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = jpgb("user", "list", "--db", f"sqlite:///{blocker}/station.db")
    assert r.exit_code == 1
    assert "cannot create the store's folder" in r.stderr


def test_demo_seed_is_deterministic_whatever_the_station(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / f'{st}.db'}" for st in ("A", "B")]
    for url, station in zip(urls, ("ST-A", "ST-B"), strict=True):
        r = jpgb(
            "demo", "seed", "--parcels", "20", "--seed", "7", "--station", station, "--db", url
        )
        assert r.exit_code == 0, r.output
    seen = []
    for url in urls:
        store = open_store(url)
        with store.transaction() as s:
            seen.append(
                (
                    sorted(s.exec(select(Customer.id))),
                    sorted(s.exec(select(PreAlert.tracking_no))),
                    sorted(
                        s.exec(select(Event.tracking_no).where(Event.kind == "parcel.received"))
                    ),
                    {e for e in s.exec(select(Event.station_id))},
                )
            )
        store.dispose()
    assert seen[0][:3] == seen[1][:3]
    assert len(seen[0][2]) == 20
    assert seen[0][3] == {"ST-A"} and seen[1][3] == {"ST-B"}
    again = jpgb("demo", "seed", "--parcels", "5", "--seed", "7", "--db", urls[0])
    assert again.exit_code == 1 and "already holds demo data" in again.stderr


def test_supervisor_unlocks_a_locked_operator(sqlite_url: str) -> None:
    for name, role, pin in (("aiko", "staff", "1111"), ("kenji", "supervisor", "2222")):
        r = jpgb(
            "user", "add", name, "--role", role, "--pin-stdin", "--db", sqlite_url, input=f"{pin}\n"
        )
        assert r.exit_code == 0, r.output
    store = open_store(sqlite_url)
    from jpgb_terminal.services.operators import verify_pin

    for _ in range(5):
        with store.transaction() as s:
            verify_pin(s, "ST01", "aiko", "0000")
    with store.transaction() as s:
        assert s.get(Operator, "aiko").locked_until is not None  # type: ignore[union-attr]
    refused = jpgb(
        "user",
        "unlock",
        "aiko",
        "--operator",
        "aiko",
        "--pin-stdin",
        "--db",
        sqlite_url,
        input="1111\n",
    )
    assert refused.exit_code != 0 and "locked" in refused.stderr
    wrong = jpgb(
        "user",
        "unlock",
        "aiko",
        "--operator",
        "kenji",
        "--pin-stdin",
        "--db",
        sqlite_url,
        input="9999\n",
    )
    assert wrong.exit_code != 0 and "wrong PIN" in wrong.stderr
    ok = jpgb(
        "user",
        "unlock",
        "aiko",
        "--operator",
        "kenji",
        "--pin-stdin",
        "--db",
        sqlite_url,
        input="2222\n",
    )
    assert ok.exit_code == 0, ok.stderr
    with store.transaction() as s:
        unlocked = s.get(Operator, "aiko")
        assert unlocked is not None and unlocked.locked_until is None
        assert verify_pin(s, "ST01", "aiko", "1111").ok
    store.dispose()


def test_demo_seed_says_how_many_shipment_requests_it_made(sqlite_url: str) -> None:
    r = jpgb(
        "demo", "seed", "--parcels", "50", "--shipments", "40", "--seed", "3", "--db", sqlite_url
    )
    assert r.exit_code == 0, r.output
    store = open_store(sqlite_url)
    with store.transaction() as s:
        made = s.exec(select(func.count()).select_from(Shipment)).one()
    store.dispose()
    assert 0 < made < 40
    assert f", {made} shipment requests at station" in r.stdout
    assert f"only {made} of 40 shipment requests" in r.stdout


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("garbage", "no parcel GARBAGE in this store, and it is not valid: wrong length"),
        (jp12(1)[:-1] + "0", "and it is not valid: bad check digit"),
        (jp12(1), f"no parcel {jp12(1)} in this store\n"),
    ],
)
def test_parcel_show_of_an_unknown_number_says_whether_it_is_valid(
    sqlite_url: str, typed: str, message: str
) -> None:
    r = jpgb("parcel", "show", typed, "--db", sqlite_url)
    assert r.exit_code == 1 and message in r.stderr


def test_prealert_import_refuses_an_unterminated_quote(sqlite_url: str, tmp_path: Path) -> None:
    jpgb("customer", "add", "C1", "--name", "X", "--db", sqlite_url)
    bad = tmp_path / "quote.csv"
    bad.write_text(f'tracking_no,customer_id,contents\n{jp12(1)},C1,"books\n{jp12(2)},C1,toys\n')
    before = counts(sqlite_url)
    r = jpgb("prealert", "import", str(bad), "--db", sqlite_url)
    assert r.exit_code == 1
    assert "quote.csv: line 2: unterminated quote" in r.stderr
    assert counts(sqlite_url) == before
