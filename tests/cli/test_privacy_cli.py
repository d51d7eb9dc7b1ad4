"""`jpgb keys init|rotate` and `jpgb privacy purge` through the real CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from sqlalchemy import text
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.privacy import crypto
from jpgb_terminal.privacy.crypto import Cipher
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import decide
from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store import open_store
from jpgb_terminal.store.tables import PreAlert
from tests.factories import STAFF, STATION, jp12, populate

runner = CliRunner()


def _address(url: str, customer_id: str) -> str:
    store = open_store(url)
    with store.transaction() as s:
        value = (
            s.connection()
            .execute(text("SELECT address FROM customer WHERE id = :i"), {"i": customer_id})
            .scalar_one()
        )
    store.dispose()
    return value


def test_keys_init_encrypts_and_rotate_keeps_data(sqlite_url: str, tmp_path: Path) -> None:
    key = tmp_path / "jpgb.key"
    r = runner.invoke(
        app,
        ["customer", "add", "C1", "--name", "T Y", "--address", "Ginza, Tokyo", "--db", sqlite_url],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["keys", "init", "--key-file", str(key), "--db", sqlite_url])
    assert r.exit_code == 0 and "1 customer(s) encrypted" in r.output
    sealed = _address(sqlite_url, "C1")
    assert sealed.startswith("fernet:")
    r = runner.invoke(app, ["keys", "init", "--key-file", str(key), "--db", sqlite_url])
    assert r.exit_code == 1 and "exists already" in r.output
    r = runner.invoke(app, ["keys", "rotate", "--key-file", str(key), "--db", sqlite_url])
    assert r.exit_code == 0 and "1 customer(s) re-encrypted" in r.output
    rotated = _address(sqlite_url, "C1")
    assert rotated != sealed and Cipher.from_file(key).unseal(rotated) == "Ginza, Tokyo"
    r = runner.invoke(
        app,
        [
            "customer",
            "add",
            "C2",
            "--name",
            "A B",
            "--address",
            "Osaka",
            "--id-doc",
            "P1",
            "--db",
            sqlite_url,
        ],
        env={"JPGB_KEY_FILE": str(key)},
    )
    assert r.exit_code == 0, r.output
    assert Cipher.from_file(key).unseal(_address(sqlite_url, "C2")) == "Osaka"
    crypto.configure(None)


def test_purge_dry_run_then_for_real(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    populate(store)
    t0 = datetime(2025, 1, 10, 1, 0, tzinfo=UTC)
    with store.transaction() as s:
        # C1's own parcel, announced then, and held (audit verify proves the state it leaves).
        s.add(PreAlert(tracking_no=jp12(50), customer_id="C1", created_at=t0))
        s.flush()
        receive(s, STAFF, jp12(50), at=t0)
        hold_by_operator(s, STAFF, jp12(50), "other", "sender asked to have it back")
    with store.transaction() as s:
        decide(s, Actor(STATION, "kenji"), jp12(50), "return", "sender asked", at=t0)
    store.dispose()
    args = ["privacy", "purge", "--older-than", "30", "--db", sqlite_url]
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        r = runner.invoke(app, [*args, "--operator", "kenji"], input="2222\n")
        assert r.exit_code == 1 and "only a lead may purge" in r.output
        r = runner.invoke(app, [*args, "--operator", "yui", "--dry-run", "--json"], input="3333\n")
        assert r.exit_code == 0, r.output
        assert json.loads(r.output)["customers"] == ["C1"]
        r = runner.invoke(app, [*args, "--operator", "yui"], input="3333\n")
    assert r.exit_code == 0 and "anonymised 1 customer(s)" in r.output
    r = runner.invoke(app, ["audit", "verify", "--db", sqlite_url])
    assert r.exit_code == 0, r.output


def test_erase_one_customer_and_its_refusals(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    populate(store)
    with store.transaction() as s:
        receive(s, STAFF, jp12(1), at=datetime(2026, 11, 26, 1, 0, tzinfo=UTC))  # C1's, kept
    store.dispose()
    args = ["privacy", "erase", "--db", sqlite_url, "--operator", "yui"]
    r = runner.invoke(app, [*args, "C3"], input="3333\n")
    assert r.exit_code == 0 and "customer C3 anonymised; 2 field(s) cleared" in r.output
    for customer, pin, message in [
        ("C3", "3333", "customer C3 is already anonymised"),
        ("C9", "3333", "no customer C9"),
        ("C1", "3333", "customer C1 has 1 parcel(s) still in the warehouse"),
        ("C2", "0000", "PIN"),
    ]:
        r = runner.invoke(app, [*args, customer], input=f"{pin}\n")
        assert r.exit_code == 1 and message in r.output, r.output
        assert "Traceback" not in r.output
    store = open_store(sqlite_url)
    with store.transaction() as s:
        names = dict(s.connection().execute(text("SELECT id, name FROM customer")).all())
    store.dispose()
    assert names == {"C1": "Customer 1", "C2": "Customer 2", "C3": "anonymised"}
    r = runner.invoke(app, ["audit", "verify", "--db", sqlite_url])
    assert r.exit_code == 0, r.output


def test_customer_update_changes_the_fields_given(sqlite_url: str, tmp_path: Path) -> None:
    store = open_store(sqlite_url)
    populate(store)
    store.dispose()
    base = ["customer", "update", "--db", sqlite_url]
    r = runner.invoke(app, [*base, "C1", "--phone", "03-9999"])
    assert r.exit_code == 0 and "customer C1: changed phone" in r.output, r.output
    r = runner.invoke(app, [*base, "C1"])
    assert r.exit_code == 1 and "nothing to change" in r.output
    r = runner.invoke(app, [*base, "C9", "--name", "X"])
    assert r.exit_code == 1 and "no customer C9" in r.output
    r = runner.invoke(app, [*base, "C1", "--name", " "])
    assert r.exit_code == 1 and "must not be empty" in r.output
    r = runner.invoke(
        app, ["privacy", "erase", "C2", "--db", sqlite_url, "--operator", "yui"], input="3333\n"
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*base, "C2", "--name", "Back"])
    assert r.exit_code == 1 and "customer C2 is anonymised" in r.output
    store = open_store(sqlite_url)
    with store.transaction() as s:
        rows = dict(s.connection().execute(text("SELECT id, phone FROM customer")).all())
        kinds = list(
            s.connection().execute(text("SELECT kind FROM event WHERE kind LIKE 'customer.%'"))
        )
    store.dispose()
    # The phone given is sealed with the key the first command made; the others were stored
    # before a key file existed (in clear) or cleared by the erasure.
    key = Cipher.from_file(tmp_path / "xdg-data" / "jpgb-terminal" / "jpgb.key")
    assert crypto.sealed_with(rows["C1"]) is not None
    opened = {cid: key.unseal(phone) for cid, phone in rows.items()}
    assert opened == {"C1": "03-9999", "C2": None, "C3": "090-1234-5678"}
    assert [k for (k,) in kinds].count("customer.updated") == 1
