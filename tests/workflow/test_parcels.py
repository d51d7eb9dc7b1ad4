"""A parcel's weighing evidence read directly by the use case `parcel show --evidence` calls."""

from __future__ import annotations

import pytest

from jpgb_terminal.services.errors import NotFound
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.parcels import parcel_weighing_evidence
from tests.factories import STAFF, jp12, populate


def test_every_weighing_with_its_frame_checks_out_against_the_chain(store: Store) -> None:
    populate(store)
    with store.transaction() as s:
        receive(s, STAFF, jp12(1))
        record_weight(s, STAFF, jp12(1), 900, raw_frame=b"S S  900 g\r\n")
        record_weight(s, STAFF, jp12(1), 1500, raw_frame=b"S S 1500 g\r\n")
    # Typed with spaces, as read off a label.
    evidence = parcel_weighing_evidence(store, f" {jp12(1)} ")
    assert evidence.verified
    assert evidence.found["billed_grams"] == 1500
    assert [(w["grams"], w["billed"]) for w in evidence.found["weighings"]] == [
        (900, False),
        (1500, True),
    ]


def test_a_parcel_never_received_is_not_found(sqlite_store: Store) -> None:
    with pytest.raises(NotFound, match="no parcel"):
        parcel_weighing_evidence(sqlite_store, jp12(2))
