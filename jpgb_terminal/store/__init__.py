"""The store: engine, sessions, tables and migrations (SQLite at a station, PostgreSQL centrally).

Never calls up: imports SQLAlchemy, SQLModel, Alembic and the bottom modules (`stations`) only;
a migration imports nothing but the store and carries a frozen copy of any rule it needs.
"""

import jpgb_terminal.store.ledger  # registers decision and sale on the metadata
import jpgb_terminal.store.outbound  # registers shipments, boxes, ranges
import jpgb_terminal.store.sync_tables  # noqa: F401  (registers the sync tables)
from jpgb_terminal.store.engine import Store, StoreError, StoreNotUpgraded, open_store

__all__ = ["Store", "StoreError", "StoreNotUpgraded", "open_store"]
