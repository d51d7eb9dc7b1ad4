"""A price list published at one bench prices boxes at another after sync, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from jpgb_terminal.rules.pricing import quote
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.packing import pack_box
from jpgb_terminal.services.price_lists import (
    PriceListRefused,
    price_list_catalogue,
    price_lists_in_store,
    publish_price_list,
)
from jpgb_terminal.store import Store, open_store
from jpgb_terminal.store.handles import EVENT, PRICE_LIST
from jpgb_terminal.sync import sync_once
from jpgb_terminal.tracking import make_s10
from tests.factories import STAFF, jp12
from tests.services.test_packing import requested, weighed
from tests.services.test_price_lists import APRIL, price_list_text
from tests.services.test_shipments import row
from tests.sync.helpers import assert_central_is_union, station


def published_rows(store: Store) -> list[dict[str, object]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(PRICE_LIST).order_by(PRICE_LIST.c.version)).mappings()
        return [dict(r) for r in rows]


def versions(store: Store) -> list[str]:
    with store.transaction() as s:
        return [p.version for p in price_lists_in_store(s)]


def test_a_list_published_at_one_bench_prices_boxes_at_another(
    tmp_path: Path, central_url: str
) -> None:
    # B is ST01, the station the packing helpers work at; the list is published at ST02.
    a, b = station(tmp_path, "ST02"), station(tmp_path, "ST01")
    text = price_list_text()
    with a.transaction() as s:
        assert publish_price_list(s, Actor("ST02"), text, source="2027-04.toml").added
    requested(b, row(parcels=jp12(1)))
    weighed(b)

    pushed = sync_once(a, central_url, "ST02")
    assert pushed.ok, pushed.error
    central = open_store(central_url)
    try:
        assert versions(central) == ["2026-11-01", "2027-04-01"]
        (at_central,) = published_rows(central)
        assert at_central["body"] == text and at_central["station_id"] == "ST02"
    finally:
        central.dispose()

    pulled = sync_once(b, central_url, "ST01")
    assert pulled.ok, pulled.error
    (at_b,) = published_rows(b)
    (at_a,) = published_rows(a)
    assert at_b == at_a  # body, start, station, time and event id, exactly as published
    with b.engine.connect() as conn:
        kinds = conn.execute(select(EVENT.c.kind).where(EVENT.c.station_id == "ST02")).scalars()
        assert list(kinds) == ["price_list.published"]
    assert versions(b) == ["2026-11-01", "2027-04-01"]

    with b.transaction() as s:
        lists = price_lists_in_store(s)
        before = quote("ems", 2345, (30, 20, 10), "US", at=APRIL - timedelta(days=1), lists=lists)
        packed = pack_box(
            s,
            STAFF,
            "SR-000001",
            (30, 20, 10),
            scanned_label=make_s10("EE", 8, "JP"),
            at=APRIL + timedelta(hours=2),
        )
    assert before.price_list_version == "2026-11-01"
    assert packed.quote.price_list_version == "2027-04-01"
    assert packed.quote.fee == 2 * before.fee

    # Publishing the same list again at B changes nothing; other prices under it are refused.
    with b.transaction() as s:
        again = publish_price_list(s, Actor("ST01"), text, source="copy.toml")
    assert not again.added and "already published at ST02" in again.message
    with b.transaction() as s, pytest.raises(PriceListRefused, match="already published"):
        publish_price_list(s, Actor("ST01"), price_list_text(factor=3), source="x.toml")

    assert sync_once(b, central_url, "ST01").ok
    assert sync_once(a, central_url, "ST02").ok
    assert_central_is_union(central_url, {"ST02": a, "ST01": b})


def test_two_benches_publishing_one_start_offline_settle_alike(
    tmp_path: Path, central_url: str
) -> None:
    a, b = station(tmp_path, "ST02"), station(tmp_path, "ST01")
    with a.transaction() as s:
        publish_price_list(s, Actor("ST02"), price_list_text("a-list"), source="a.toml")
    with b.transaction() as s:
        publish_price_list(s, Actor("ST01"), price_list_text("b-list", factor=3), source="b.toml")
    for store, sid in ((a, "ST02"), (b, "ST01"), (a, "ST02")):
        report = sync_once(store, central_url, sid)
        assert report.ok, report.error
    central = open_store(central_url)
    try:
        for store in (a, b, central):
            assert versions(store) == ["2026-11-01", "a-list"]  # published first, used everywhere
            with store.transaction() as s:
                ignored = {e.version: e.ignored for e in price_list_catalogue(s) if e.ignored}
            assert ignored == {"b-list": "same effective_from as a-list, which came first"}
    finally:
        central.dispose()
