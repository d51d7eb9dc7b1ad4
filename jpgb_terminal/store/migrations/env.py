"""Alembic environment: migrate through the engine handed over by the program."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import jpgb_terminal.store.ledger  # decisions and sales
import jpgb_terminal.store.outbound  # shipments, boxes, box weights, tracking ranges
import jpgb_terminal.store.sync_tables  # sync cursors, central order, receipts
import jpgb_terminal.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata
engine = context.config.attributes.get("engine")
if engine is None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
