"""The columns of each manifest, in file order: the layout the writers and readers share."""

from __future__ import annotations

INBOUND_COLUMNS = (
    "received_at",
    "station_id",
    "operator",
    "tracking_no",
    "scheme",
    "customer_id",
    "weight_g",
    "weight_source",
    "state",
    "hold_reasons",
    "prealert_matched",
)

# Also the keys of `jpgb holds list --format json`.
HOLDS_COLUMNS = (
    "tracking_no",
    "customer_id",
    "station_id",
    "reasons",
    "received_at",
    "deadline",
    "days_left",
    "overdue",
    "weight_g",
)

OUTBOUND_COLUMNS = (
    "packed_at",
    "station_id",
    "operator",
    "outbound_tracking_no",
    "service",
    "destination",
    "weight_g",
    "length_cm",
    "width_cm",
    "height_cm",
    "chargeable_g",
    "fee",
    "currency",
    "price_list_version",
    "declared_value",
    "declared_currency",
    "customs_form",
    "export_declaration",
    "category",
    "pieces",
    "inbound_tracking_nos",
    "customer_id",
    "shipment_id",
    "handed_over_at",
)
