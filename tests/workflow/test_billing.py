"""A stored parcel quoted directly on its billable weight, by the use case `billing quote` uses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jpgb_terminal import refdata as refs
from jpgb_terminal.services.errors import NotFound
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.billing import quote_stored_parcel
from tests.factories import STAFF, jp12, populate


def test_a_weighed_parcel_is_quoted_on_its_scale_weight(store: Store) -> None:
    populate(store)
    with store.transaction() as s:
        receive(s, STAFF, jp12(1))
        record_weight(s, STAFF, jp12(1), 1234, raw_frame=b"S S 1234 g\r\n")
    quoted = quote_stored_parcel(store, jp12(1), service="ems", country="US")
    assert quoted.weight.tracking_no == jp12(1) and quoted.weight.grams == 1234
    [ems] = quoted.quotes
    prices = refs.price_list_in_force(datetime.now(UTC))
    assert ems.chargeable_g == 1250 and ems.fee == prices.fee("ems", "3", 1250)
    everything = quote_stored_parcel(store, jp12(1), country="US")
    assert len(everything.quotes) == len(refs.services())


@pytest.mark.parametrize("tracking", ["nonsense", jp12(3)])
def test_a_number_the_store_does_not_hold_is_refused(sqlite_store: Store, tracking: str) -> None:
    populate(sqlite_store)
    with pytest.raises(NotFound, match="no parcel"):
        quote_stored_parcel(sqlite_store, tracking, service="ems", country="US")
