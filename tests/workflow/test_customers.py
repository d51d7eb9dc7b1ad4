"""Customers through their use cases: register, change details, summary masked, status."""

from __future__ import annotations

import pytest

from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import AuthError, NotAllowed, NotFound
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.auth import Credentials
from jpgb_terminal.workflow.customers import (
    change_customer_details,
    change_customer_status,
    customer_summary,
    register_customer,
)
from tests.factories import STAFF, jp12, populate

ADMIN = Actor("ST01")


def test_register_change_and_summary_masked(sqlite_store: Store) -> None:
    register_customer(sqlite_store, ADMIN, "C9", name="Hanako Yamada", address="Osaka")
    changed = change_customer_details(
        sqlite_store, ADMIN, "C9", {"address": "Kyoto", "phone": None}
    )
    assert changed == ["address"]
    summary = customer_summary(sqlite_store, "C9")
    assert summary.status == "active" and "Hanako Yamada" not in summary.masked_name
    with pytest.raises(NotFound, match="no customer 'C0'"):
        customer_summary(sqlite_store, "C0")


def test_suspending_holds_stored_parcels_and_names_who(sqlite_store: Store) -> None:
    populate(sqlite_store)
    with sqlite_store.transaction() as s:
        receive(s, STAFF, jp12(1))  # pre-alerted for C1
    who = Credentials("ST01", "kenji", "2222")
    done = change_customer_status(sqlite_store, who, "C1", "suspended", "fees unpaid")
    assert done.by == "kenji" and done.newly_held == (jp12(1),)
    assert done.summary.status == "suspended" and done.summary.held == 1


@pytest.mark.parametrize(
    ("name", "pin", "error"),
    [("kenji", "0000", AuthError), ("aiko", "1111", NotAllowed)],
)
def test_a_refused_status_change_changes_nothing(
    sqlite_store: Store, name: str, pin: str, error: type
) -> None:
    populate(sqlite_store)
    with pytest.raises(error):
        change_customer_status(sqlite_store, Credentials("ST01", name, pin), "C1", "frozen", None)
    assert customer_summary(sqlite_store, "C1").status == "active"
