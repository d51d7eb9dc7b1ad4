"""Encryption round trip and rotation, purge, and the recorded reveal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from jpgb_terminal.audit.verify import verify_store
from jpgb_terminal.privacy import crypto
from jpgb_terminal.privacy.crypto import Cipher, add_current_key, init_key_file, key_id
from jpgb_terminal.privacy.keyring import reseal_store
from jpgb_terminal.privacy.purge import purge_personal_data
from jpgb_terminal.privacy.reveal import reveal_customer
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.services.decisions import decide
from jpgb_terminal.services.errors import NotAllowed
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Customer, Event, WeightRecord
from tests.factories import STAFF, STATION, jp12, populate

ADMIN = Actor(STATION)
T0 = datetime(2026, 1, 10, 1, 0, tzinfo=UTC)


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keys" / "jpgb.key"
    init_key_file(path)
    crypto.configure(path)
    yield path
    crypto.configure(None)


def _raw(store: Store, customer_id: str) -> dict:
    with store.transaction() as s:
        return dict(
            s.connection()
            .execute(text("SELECT * FROM customer WHERE id = :i"), {"i": customer_id})
            .mappings()
            .one()
        )


def test_addresses_and_id_numbers_are_encrypted_at_rest(store: Store, keyed: Path) -> None:
    with store.transaction() as s:
        add_customer(
            s, ADMIN, "C9", name="Taro Yamada", address="1-2-3 Ginza, Tokyo", id_doc_no="TK1234567"
        )
    raw = _raw(store, "C9")
    assert raw["address"].startswith("fernet:") and "Ginza" not in raw["address"]
    assert raw["id_doc_no"].startswith("fernet:") and "TK1234567" not in raw["id_doc_no"]
    assert crypto.unseal(raw["address"]) == "1-2-3 Ginza, Tokyo"
    assert crypto.unseal(raw["id_doc_no"]) == "TK1234567"
    assert oct(keyed.stat().st_mode & 0o777) == "0o600"


def test_rotation_re_encrypts_every_row_without_losing_data(store: Store, keyed: Path) -> None:
    with store.transaction() as s:
        add_customer(s, ADMIN, "C8", name="A B", address="Osaka", id_doc_no="X1")
    # A customer written before the key file existed is plaintext: rotation encrypts it too.
    crypto.configure(None)
    with store.transaction() as s:
        add_customer(s, ADMIN, "C7", name="C D", address="Kyoto")
    crypto.configure(keyed)
    before = _raw(store, "C8")
    old_id = key_id(keyed.read_text().split()[0].encode())
    assert before["address"].startswith(f"fernet:{old_id}:")
    cipher = add_current_key(keyed)
    assert cipher.key_ids == (cipher.current_id, old_id)
    # Batches of one row: each its own transaction, as a large store would be walked.
    assert reseal_store(store, lambda: Cipher.from_file(keyed), batch=1)["customer"] == 2
    after = _raw(store, "C8")
    assert after["address"].startswith(f"fernet:{cipher.current_id}:")
    new = Cipher.from_file(keyed)
    assert new.unseal(after["address"]) == "Osaka" and new.unseal(after["id_doc_no"]) == "X1"
    assert new.unseal(_raw(store, "C7")["address"]) == "Kyoto"
    # The retired key stays in the file: a copy sealed before still opens anywhere.
    assert new.unseal(before["address"]) == "Osaka"
    # Run again (a rotation that stopped half-way is resumed so): nothing left to change.
    assert reseal_store(store, lambda: new).total() == 0


def test_a_key_file_is_never_overwritten(keyed: Path) -> None:
    with pytest.raises(crypto.KeyFileError, match="exists already"):
        init_key_file(keyed)


def test_purge_anonymises_old_customers_and_keeps_billing(store: Store) -> None:
    populate(store)
    number = jp12(50)  # no pre-alert: held at the scan, then returned
    with store.transaction() as s:
        receive(s, STAFF, number, at=T0)
        record_weight(s, STAFF, number, 700, raw_frame=b"S S 700 g\r\n", at=T0)
        s.connection().execute(
            text("UPDATE parcel SET customer_id = 'C1' WHERE tracking_no = :t"), {"t": number}
        )
    with store.transaction() as s:
        decide(s, Actor(STATION, "kenji"), number, "return", "sender asked", at=T0)
    # C2 has a parcel still in storage: kept whatever its age.
    with store.transaction() as s:
        receive(s, STAFF, jp12(2), at=T0)
    lead = Actor(STATION, "yui")
    later = T0 + timedelta(days=400)
    with store.transaction() as s:
        dry = purge_personal_data(s, lead, 365, dry_run=True, at=later)
    assert dry.customers == ["C1"] and _raw(store, "C1")["name"] == "Customer 1"
    with store.transaction() as s:
        weights = s.exec(select(func.count()).select_from(WeightRecord)).one()
        events = s.exec(select(func.count()).select_from(Event)).one()
        report = purge_personal_data(s, lead, 365, at=later)
    assert report.customers == ["C1"] and report.parcels == 1 and report.fields_cleared == 2
    raw = _raw(store, "C1")
    assert raw["name"] == "anonymised" and raw["phone"] is None and raw["address"] is None
    assert _raw(store, "C2")["name"] == "Customer 2"
    with store.transaction() as s:
        assert s.exec(select(func.count()).select_from(WeightRecord)).one() == weights
        assert s.exec(select(func.count()).select_from(Event)).one() == events + 1
        kinds = [e.kind for e in s.exec(select(Event).order_by(Event.seq))]
        assert kinds[-1] == "customer.anonymised"
        assert s.get(Customer, "C1") is not None
    with store.engine.connect() as conn:
        assert verify_store(conn).ok
    with store.transaction() as s:
        assert purge_personal_data(s, lead, 365, at=later).customers == []
    with store.transaction() as s, pytest.raises(NotAllowed, match="purge personal data"):
        purge_personal_data(s, Actor(STATION, "kenji"), 365, at=later)


def test_reveal_is_for_supervisors_and_is_an_event(store: Store, keyed: Path) -> None:
    populate(store)
    with store.transaction() as s:
        add_customer(s, ADMIN, "C9", name="Taro Yamada", address="Ginza, Tokyo", phone="090-1")
        s.flush()
        receive(s, STAFF, jp12(1))
        s.connection().execute(text("UPDATE parcel SET customer_id = 'C9'"))
    with store.transaction() as s, pytest.raises(NotAllowed, match="role: staff"):
        reveal_customer(s, STAFF, jp12(1))
    with store.transaction() as s:
        shown = reveal_customer(s, Actor(STATION, "kenji"), jp12(1))
    assert (shown.name, shown.address, shown.phone) == ("Taro Yamada", "Ginza, Tokyo", "090-1")
    with store.transaction() as s:
        event = s.exec(select(Event).where(Event.kind == "customer.revealed")).one()
    assert event.operator == "kenji" and event.tracking_no == jp12(1)
    assert "Taro" not in str(event.payload) and "Ginza" not in str(event.payload)


def test_a_bad_key_file_is_refused_before_rotation_touches_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("garbage\n")
    with pytest.raises(crypto.KeyFileError, match="holds an invalid key"):
        add_current_key(bad)
    assert bad.read_text() == "garbage\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.key"]


def test_a_missing_key_file_is_named_as_missing(tmp_path: Path) -> None:
    with pytest.raises(crypto.KeyFileError, match=r"cannot read the key file .*No such file"):
        Cipher.from_file(tmp_path / "nowhere.key")
    (latin := tmp_path / "latin.key").write_bytes(b"\xe9t\xe9\n")
    with pytest.raises(crypto.KeyFileError, match="holds an invalid key"):
        Cipher.from_file(latin)
