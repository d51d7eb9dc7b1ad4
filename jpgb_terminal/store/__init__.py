"""The store: engine, sessions, tables and migrations (SQLite at a station, PostgreSQL centrally)."""

import jpgb_terminal.store.ledger  # registers decision and sale on the metadata
import jpgb_terminal.store.outbound  # registers shipments, boxes, ranges
import jpgb_terminal.store.sync_tables  # noqa: F401  (registers the sync tables)
from jpgb_terminal.store.engine import Store, StoreError, StoreNotUpgraded, open_store

__all__ = ["Store", "StoreError", "StoreNotUpgraded", "open_store"]
