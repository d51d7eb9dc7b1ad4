"""Personal data through its use cases: purge past retention and erase on request, a lead's."""

from __future__ import annotations

import pytest

from jpgb_terminal.services.errors import AuthError, NotAllowed
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Customer
from jpgb_terminal.workflow.auth import Credentials
from jpgb_terminal.workflow.privacy import erase_one_customer, purge_old_personal_data
from tests.factories import populate

YUI = Credentials("ST01", "yui", "3333")


def test_a_dry_run_purge_reports_and_changes_nothing(sqlite_store: Store) -> None:
    populate(sqlite_store)
    report = purge_old_personal_data(sqlite_store, YUI, 365, dry_run=True)
    assert report.dry_run and report.customers == []


@pytest.mark.parametrize(
    ("who", "error"),
    [
        (Credentials("ST01", "kenji", "2222"), NotAllowed),
        (Credentials("ST01", "yui", "0000"), AuthError),
    ],
)
def test_purge_and_erase_are_a_leads_with_the_right_pin(
    sqlite_store: Store, who: Credentials, error: type
) -> None:
    populate(sqlite_store)
    with pytest.raises(error):
        purge_old_personal_data(sqlite_store, who, 365, dry_run=True)
    with pytest.raises(error):
        erase_one_customer(sqlite_store, who, "C1")


def test_erase_anonymises_one_customer(sqlite_store: Store) -> None:
    populate(sqlite_store)
    by, cleared = erase_one_customer(sqlite_store, YUI, "C1")
    assert by == "yui" and "name" in cleared
    with sqlite_store.transaction() as s:
        c1, c2 = s.get(Customer, "C1"), s.get(Customer, "C2")
        assert c1 is not None and c2 is not None
        assert c1.name != "Customer 1" and c2.name == "Customer 2"
