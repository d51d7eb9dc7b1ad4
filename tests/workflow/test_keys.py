"""The first key file made by the use case `jpgb keys init` calls, on a real store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from jpgb_terminal.privacy.crypto import (
    KeyFileError,
    configure_or_create,
    key_id,
    read_keys,
    sealed_with,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Customer
from jpgb_terminal.workflow.keys import seal_with_new_key

ADMIN = Actor("ST01")


def sealers(store: Store) -> set[str | None]:
    with store.transaction() as s:
        return {sealed_with(c.address) for c in s.exec(select(Customer))}


def test_a_new_key_seals_every_customer_and_is_not_made_twice(
    sqlite_store: Store, tmp_path: Path
) -> None:
    # Sealed first with the key an earlier command made, as `open_cli_store` does.
    earlier = tmp_path / "earlier.key"
    configure_or_create(earlier, sqlite_store)
    with sqlite_store.transaction() as s:
        for i in (1, 2, 3):
            add_customer(s, ADMIN, f"C{i}", name=f"Customer {i}", address=f"{i}-1 Chuo, Tokyo")
    assert sealers(sqlite_store) == {key_id(read_keys(earlier)[0])}
    path = tmp_path / "keys" / "jpgb.key"
    changed = seal_with_new_key(sqlite_store, path, earlier)
    assert changed == 3
    [key] = read_keys(path)
    assert sealers(sqlite_store) == {key_id(key)}
    with pytest.raises(KeyFileError, match="exists already"):
        seal_with_new_key(sqlite_store, path, earlier)
    assert read_keys(path) == [key]
