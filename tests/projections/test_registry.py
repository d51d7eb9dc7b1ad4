"""The registry: every kind the program writes has exactly one projection, by aggregate."""

from __future__ import annotations

import pytest

from jpgb_terminal import sync
from jpgb_terminal.projections.registry import AGGREGATES, APPLIERS, aggregate_of, applied_kinds
from jpgb_terminal.sync import apply

WRITTEN = {
    "parcel.received": "parcels",
    "parcel.weighed": "parcels",
    "parcel.inspected": "parcels",
    "parcel.cleared": "parcels",
    "parcel.held": "parcels",
    "parcel.decided": "parcels",
    "receipt.reviewed": "parcels",
    "customer.added": "people",
    "customer.updated": "people",
    "customer.status_changed": "people",
    "customer.anonymised": "people",
    "customer.recipients_purged": "people",
    "customer.revealed": "people",
    "prealert.recorded": "people",
    "operator.added": "people",
    "operator.locked": "people",
    "operator.unlocked": "people",
    "operator.pin_changed": "people",
    "operator.pin_failed": "people",
    "operator.failures_cleared": "people",
    "operator.resolved": "people",
    "shipment.imported": "outbound",
    "shipment.parcel_confirmed": "outbound",
    "box.weighed": "outbound",
    "box.packed": "outbound",
    "parcel.packed": "outbound",
    "parcel.shipped": "outbound",
    "shipment.handed_over": "outbound",
    "tracking_range.added": "outbound",
    "tracking.block_handed": "tracking_blocks",
    "price_list.published": "price_lists",
    "sync.quarantine_resolved": "sync_records",
    "import.started": "imports",
    "import.finished": "imports",
}


@pytest.mark.parametrize(("kind", "aggregate"), sorted(WRITTEN.items()))
def test_each_kind_is_projected_by_its_aggregate(kind: str, aggregate: str) -> None:
    assert aggregate_of(kind) == aggregate
    assert APPLIERS[kind] is AGGREGATES[aggregate][kind]


def test_the_registry_lists_exactly_the_applied_kinds() -> None:
    assert applied_kinds() == frozenset(WRITTEN)
    assert aggregate_of("parcel.teleported") is None


def test_the_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        APPLIERS["parcel.teleported"] = APPLIERS["parcel.received"]  # type: ignore[index]


def test_the_old_names_still_reach_the_registry() -> None:
    assert sync.APPLIERS is APPLIERS and apply.APPLIERS is APPLIERS
    assert apply.apply_events is sync.apply_events
