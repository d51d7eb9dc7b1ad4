"""Customer names and phones are sealed at rest and opened wherever they are shown; a name no
key here opens shows as ***; the anonymised and placeholder names stay in clear."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from jpgb_terminal.clock import now
from jpgb_terminal.privacy import crypto
from jpgb_terminal.privacy.crypto import Cipher, add_current_key, init_key_file, sealed_with
from jpgb_terminal.privacy.erase import erase_customer
from jpgb_terminal.privacy.fields import ANONYMISED_NAME, placeholder_name
from jpgb_terminal.privacy.keyring import CUSTOMER, PLAINTEXT, key_status, reseal_store
from jpgb_terminal.privacy.reveal import reveal_customer
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer, update_customer
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.customers import customer_summary
from jpgb_terminal.workflow.receiving import parcel_card, receive_parcel
from jpgb_terminal.workflow.review import masked_names, parcel_detail
from tests.factories import STAFF, STATION, jp12, populate

ADMIN = Actor(STATION)
SUPERVISOR = Actor(STATION, "kenji")


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keys" / "jpgb.key"
    init_key_file(path)
    crypto.configure(path)
    yield path
    crypto.configure(None)


def _stored(store: Store, cid: str) -> tuple[str, str | None]:
    with store.engine.connect() as conn:
        row = conn.execute(
            select(CUSTOMER.c.name, CUSTOMER.c.phone).where(CUSTOMER.c.id == cid)
        ).one()
    return row.name, row.phone


def test_name_and_phone_sealed_at_rest_and_shown_masked_or_revealed(
    store: Store, keyed: Path
) -> None:
    populate(store)  # C1 holds the pre-alert of jp12(1)
    name, phone = _stored(store, "C1")
    assert sealed_with(name) and sealed_with(phone)
    assert "Customer" not in name and "5678" not in (phone or "")
    card = receive_parcel(store, STAFF, jp12(1))
    assert card.customer_masked == "C*** 1***"
    assert parcel_card(store, jp12(1)).customer_masked == "C*** 1***"
    assert parcel_detail(store, jp12(1), now()).customer_masked == "C*** 1***"
    assert customer_summary(store, "C1").masked_name == "C*** 1***"
    assert masked_names(store, ["C1", "C2", "nobody"]) == {"C1": "C*** 1***", "C2": "C*** 2***"}
    with store.transaction() as s:
        shown = reveal_customer(s, SUPERVISOR, jp12(1))
    assert (shown.name, shown.phone) == ("Customer 1", "090-1234-5678")


def test_a_name_no_key_here_opens_shows_as_stars(store: Store, keyed: Path) -> None:
    populate(store)
    foreign = Cipher((Fernet.generate_key(),))  # another bench's key, not imported here
    with store.transaction() as s:
        s.connection().execute(
            CUSTOMER.update().where(CUSTOMER.c.id == "C1").values(name=foreign.seal("Far Away"))
        )
    assert customer_summary(store, "C1").masked_name == "***"
    assert masked_names(store, ["C1", "C2"]) == {"C1": "***", "C2": "C*** 2***"}
    assert receive_parcel(store, STAFF, jp12(1)).customer_masked == "***"
    assert parcel_detail(store, jp12(1), now()).customer_masked == "***"


def test_update_compares_what_a_sealed_value_says_and_seals_the_new_one(
    store: Store, keyed: Path
) -> None:
    with store.transaction() as s:
        add_customer(s, ADMIN, "C9", name="Taro Yamada", phone="090-1")
    before = _stored(store, "C9")
    with store.transaction() as s:
        assert update_customer(s, ADMIN, "C9", {"name": " Taro Yamada ", "phone": "090-1"}) == []
    assert _stored(store, "C9") == before
    with store.transaction() as s:
        assert update_customer(s, ADMIN, "C9", {"name": "Jiro Yamada"}) == ["name"]
    name, phone = _stored(store, "C9")
    assert sealed_with(name) and crypto.unseal(name) == "Jiro Yamada" and phone == before[1]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "n" * 201}, "customer name is longer than 200 characters"),
        ({"phone": "1" * 41}, "customer phone is longer than 40 characters"),
        ({"name": "a\x00b"}, "name contains a NUL character"),
        ({"phone": "0\x001"}, "phone contains a NUL character"),
    ],
)
def test_update_refuses_what_entry_refuses_and_changes_nothing(
    store: Store, keyed: Path, changes: dict[str, str], expected: str
) -> None:
    with store.transaction() as s:
        add_customer(s, ADMIN, "C9", name="Taro Yamada", phone="090-1")
    before = _stored(store, "C9")
    with pytest.raises(ServiceError, match=expected), store.transaction() as s:
        update_customer(s, ADMIN, "C9", changes)
    assert _stored(store, "C9") == before


def test_markers_stay_in_clear_through_a_rotation_and_are_not_counted(
    store: Store, keyed: Path
) -> None:
    populate(store)
    with store.transaction() as s:
        add_customer(s, ADMIN, "C9", name="Taro Yamada")
        s.flush()
        erase_customer(s, Actor(STATION, "yui"), "C9")
        # A row that came with an event before the customer's own row (sync).
        s.connection().execute(
            CUSTOMER.insert().values(
                id="C8",
                name=placeholder_name("C8"),
                status="active",
                created_at=now(),
                updated_at=now(),
            )
        )
    cipher = add_current_key(keyed)
    reseal_store(store, lambda: Cipher.from_file(keyed))
    assert _stored(store, "C9") == (ANONYMISED_NAME, None)
    assert _stored(store, "C8") == (placeholder_name("C8"), None)
    status = {u.key_id: u.values for u in key_status(store, cipher)}
    # C1..C3: a name and a phone each, all on the new key; nothing counted as in clear.
    assert status[cipher.current_id] == 6 and PLAINTEXT not in status
    assert customer_summary(store, "C9").masked_name == "a***"
