"""The price-list use cases called directly: publish once, list, and the lists billing reads."""

from __future__ import annotations

import pytest

from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.prices import price_catalogue, publish_prices, store_price_lists
from tests.services.test_price_lists import price_list_text


def test_publish_then_list_then_publish_again(store: Store) -> None:
    done = publish_prices(store, "ST01", price_list_text(), source="2027-04.toml")
    assert done.added and done.version == "2027-04-01"
    catalogue = price_catalogue(store)
    assert [(e.version, e.source) for e in catalogue.entries] == [
        ("2026-11-01", "packaged"),
        ("2027-04-01", "published"),
    ]
    assert catalogue.in_force == "2026-11-01" and catalogue.unreadable == ()
    assert [p.version for p in store_price_lists(store)] == ["2026-11-01", "2027-04-01"]
    again = publish_prices(store, "ST01", price_list_text(), source="2027-04.toml")
    assert not again.added and "nothing changed" in again.message


def test_the_same_version_with_other_fees_is_refused_and_nothing_is_written(
    sqlite_store: Store,
) -> None:
    publish_prices(sqlite_store, "ST01", price_list_text(), source="a.toml")
    with pytest.raises(ServiceError):
        publish_prices(sqlite_store, "ST01", price_list_text(factor=3), source="b.toml")
    assert len(price_catalogue(sqlite_store).entries) == 2
