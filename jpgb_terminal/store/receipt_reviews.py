"""Marking duplicate receipts reviewed: the one write both the review and its projection make.

`jpgb_terminal.services.receipts` calls it when a supervisor reviews at this bench, and the
projection of a pulled `receipt.reviewed` calls it at every other store, so the rule for a
second review lives once, below both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam

from jpgb_terminal.store.handles import RECEIPT

# The first review of a receipt stands: one arriving later from another bench changes nothing.
_MARK = (
    RECEIPT.update()
    .where(RECEIPT.c.event_id == bindparam("b_event_id"), RECEIPT.c.reviewed_at.is_(None))
    .values(reviewed_at=bindparam("b_at"), reviewed_by=bindparam("b_by"))
)


def mark_reviewed(conn: Connection, reviews: list[tuple[str, datetime, str | None]]) -> None:
    """Mark receipts reviewed: (receipt event id, when, by whom) each, in one statement."""
    if reviews:
        conn.execute(_MARK, [{"b_event_id": i, "b_at": at, "b_by": by} for i, at, by in reviews])
