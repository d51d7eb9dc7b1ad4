"""Shipment recipients are personal data: sealed at rest with the station's key, and rotated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from jpgb_terminal.privacy import crypto
from jpgb_terminal.privacy.crypto import Cipher, add_current_key, init_key_file
from jpgb_terminal.privacy.keyring import reseal_store
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.shipments import import_shipments, load_shipment
from jpgb_terminal.store import Store
from tests.factories import jp12
from tests.services.test_shipments import AT, csv_bytes, row, stock


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keys" / "jpgb.key"
    init_key_file(path)
    crypto.configure(path)
    yield path
    crypto.configure(None)


def _raw(store: Store) -> dict:
    with store.transaction() as s:
        return dict(
            s.connection()
            .execute(
                text("SELECT recipient_name, recipient_address, recipient_phone FROM shipment")
            )
            .mappings()
            .one()
        )


def test_recipient_sealed_at_rest_and_read_back(store: Store, keyed: Path) -> None:
    stock(store)
    with store.transaction() as s:
        import_shipments(s, Actor("ST01", "aiko"), csv_bytes(row(parcels=jp12(1))), at=AT)
    raw = _raw(store)
    assert all(v.startswith("fernet:") for v in raw.values())
    assert "Jane" not in raw["recipient_name"] and "Main St" not in raw["recipient_address"]
    with store.transaction() as s:
        view = load_shipment(s.connection(), "SR-000001")
    assert view.recipient_name == "Jane Roe"
    assert view.recipient_address == "1 Main St Springfield" and view.recipient_phone == "555-0100"

    add_current_key(keyed)
    assert reseal_store(store, lambda: Cipher.from_file(keyed))["shipment"] == 1
    rotated = _raw(store)
    assert rotated["recipient_address"] != raw["recipient_address"]
    assert Cipher.from_file(keyed).unseal(rotated["recipient_address"]) == "1 Main St Springfield"
