"""Projection of published price lists: the first publication of a version stands."""

from __future__ import annotations

from sqlalchemy import select

from jpgb_terminal.events import PriceListPublished
from jpgb_terminal.projections.bulk import PRICE_LIST
from jpgb_terminal.projections.events import SyncEvent
from jpgb_terminal.projections.unit_of_work import Applier, UnitOfWork


def _price_list_published(p: UnitOfWork, e: SyncEvent, ev: PriceListPublished) -> None:
    version, body = ev.version, ev.body
    known = p.conn.execute(
        select(PRICE_LIST.c.body).where(PRICE_LIST.c.version == version)
    ).scalar()
    if known is not None:
        if known != body:
            p.note(e, f"price list {version} was published before with other prices; kept first")
        return
    effective_from = ev.effective_from
    p.conn.execute(
        PRICE_LIST.insert(),
        {
            "version": version,
            "effective_from": effective_from,
            "body": body,
            "published_at": e.occurred_at,
            "station_id": e.station_id,
            "operator": e.operator,
            "event_id": e.event_id,
        },
    )


APPLIERS: dict[str, Applier] = {"price_list.published": _price_list_published}
