"""Re-sealing in short batches: the bench can write between batches, a value written meanwhile is
kept, and `keys status` counts values by the key that sealed them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select

from jpgb_terminal.privacy import crypto
from jpgb_terminal.privacy.crypto import Cipher, add_current_key, init_key_file
from jpgb_terminal.privacy.keyring import (
    PLAINTEXT,
    KeyUse,
    count_sealed,
    key_status,
    reseal_rows,
    reseal_store,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer, update_customer
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import CUSTOMER

ADMIN = Actor("ST01")


def _customers(store: Store, count: int) -> None:
    with store.transaction() as s:
        for i in range(count):
            add_customer(s, ADMIN, f"C{i:02d}", name="T Y", address=f"{i} Ginza", id_doc_no=None)


def test_another_writer_gets_the_store_between_batches(sqlite_store: Store, tmp_path: Path) -> None:
    key = tmp_path / "jpgb.key"
    init_key_file(key)
    crypto.configure(key)
    _customers(sqlite_store, 5)
    add_current_key(key)
    path = sqlite_store.engine.url.database
    assert path is not None
    wrote: list[int] = []

    def between(done: int) -> None:
        # No wait allowed: the write lock must be free as soon as a batch has committed.
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE customer SET status = status WHERE id = 'C00'")
            other.execute("COMMIT")
        finally:
            other.close()
        wrote.append(done)

    changed = reseal_store(sqlite_store, lambda: Cipher.from_file(key), batch=2, progress=between)
    assert changed["customer"] == 5 and wrote == [2, 4, 5]


def test_a_value_written_during_a_batch_is_not_overwritten(
    sqlite_store: Store, tmp_path: Path
) -> None:
    key = tmp_path / "jpgb.key"
    init_key_file(key)
    crypto.configure(key)
    _customers(sqlite_store, 2)
    cipher = add_current_key(key)
    fields = ("address", "id_doc_no")
    with sqlite_store.engine.connect() as conn:
        query = select(CUSTOMER.c.id, *(CUSTOMER.c[f] for f in fields)).order_by(CUSTOMER.c.id)
        stale = list(conn.execute(query))
    # The bench changes C00 after the batch read it: its newer value must survive.
    with sqlite_store.transaction() as s:
        update_customer(s, ADMIN, "C00", {"address": "9 Shibuya"})
    with sqlite_store.transaction() as s:
        assert reseal_rows(s.connection(), CUSTOMER, fields, stale, cipher) == 1
    with sqlite_store.transaction() as s:
        assert (
            crypto.unseal(
                s.connection()
                .execute(select(CUSTOMER.c.address).where(CUSTOMER.c.id == "C00"))
                .scalar_one()
            )
            == "9 Shibuya"
        )


def test_status_counts_values_by_the_key_that_sealed_them(store: Store, tmp_path: Path) -> None:
    key = tmp_path / "jpgb.key"
    init_key_file(key)
    old = crypto.configure(key)
    assert old is not None
    _customers(store, 3)
    crypto.configure(None)
    with store.transaction() as s:
        add_customer(s, ADMIN, "P1", name="T Y", address="in clear")
    new = add_current_key(key)
    crypto.configure(key)
    with store.transaction() as s:
        update_customer(s, ADMIN, "C00", {"id_doc_no": "TK9988776"})
    foreign = Cipher((Fernet.generate_key(),))  # another bench's key, not imported here
    with store.transaction() as s:
        conn = s.connection()
        conn.execute(
            CUSTOMER.update().where(CUSTOMER.c.id == "C01").values(id_doc_no=foreign.seal("X"))
        )
    # The old key sealed three names and three addresses; P1's name and address are in clear.
    assert key_status(store, new) == [
        KeyUse(new.current_id, "current", 1),
        KeyUse(old.current_id, "retired", 6),
        KeyUse(PLAINTEXT, "other", 2),
        KeyUse(foreign.current_id, "missing", 1),
    ]
    assert count_sealed(store) == 8
    reseal_store(store, lambda: Cipher.from_file(key))
    after = {u.key_id: u.values for u in key_status(store, new)}
    assert after[new.current_id] == 9 and after[old.current_id] == 0
    # A value no key here opens is left as it is, still counted as needing its key.
    assert after[foreign.current_id] == 1
