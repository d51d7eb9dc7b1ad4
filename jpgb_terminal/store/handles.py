"""SQLAlchemy Core handles of the store's tables, typed, for queries that need no ORM objects."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel

# Imported for their side effect: each module registers its tables on SQLModel.metadata.
from jpgb_terminal.store import ledger, outbound, sync_tables, tables  # noqa: F401

_TABLES = SQLModel.metadata.tables

BOX: Table = _TABLES["box"]
BOX_WEIGHT: Table = _TABLES["box_weight"]
CUSTOMER: Table = _TABLES["customer"]
CUSTOMS_LINE: Table = _TABLES["customs_line"]
DECISION: Table = _TABLES["decision"]
EVENT: Table = _TABLES["event"]
EVENT_ORDER: Table = _TABLES["event_order"]
HOLD: Table = _TABLES["hold"]
INSPECTION: Table = _TABLES["inspection"]
OPERATOR: Table = _TABLES["operator"]
PARCEL: Table = _TABLES["parcel"]
PREALERT: Table = _TABLES["prealert"]
PRICE_LIST: Table = _TABLES["price_list"]
QUARANTINE: Table = _TABLES["quarantine"]
RECEIPT: Table = _TABLES["receipt"]
SALE: Table = _TABLES["sale"]
SHIPMENT: Table = _TABLES["shipment"]
SHIPMENT_PARCEL: Table = _TABLES["shipment_parcel"]
STATION_SEQUENCE: Table = _TABLES["station_sequence"]
STORE_INFO: Table = _TABLES["store_info"]
SYNC_ISSUE: Table = _TABLES["sync_issue"]
SYNC_STATE: Table = _TABLES["sync_state"]
TRACKING_BLOCK: Table = _TABLES["tracking_block"]
TRACKING_RANGE: Table = _TABLES["tracking_range"]
WEIGHT_RECORD: Table = _TABLES["weight_record"]
