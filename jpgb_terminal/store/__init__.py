"""The store: engine, sessions, tables and migrations (SQLite at a station, PostgreSQL centrally)."""

from jpgb_terminal.store.engine import Store, StoreError, StoreNotUpgraded, open_store

__all__ = ["Store", "StoreError", "StoreNotUpgraded", "open_store"]
