"""Publishing price lists into the store: checks, refusals, and packing and billing with them."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select

from jpgb_terminal import refdata as refs
from jpgb_terminal.refdata import data_dir
from jpgb_terminal.rules.pricing import quote
from jpgb_terminal.services.billing import parcel_charge
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import NotAllowed
from jpgb_terminal.services.packing import pack_box
from jpgb_terminal.services.price_lists import (
    PriceListRefused,
    price_list_catalogue,
    price_lists_in_store,
    publish_price_list,
)
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import EVENT, PRICE_LIST
from jpgb_terminal.tracking import make_s10
from tests.factories import STAFF, STATION, jp12, populate
from tests.services.test_packing import requested, weighed
from tests.services.test_shipments import row

JST = timezone(timedelta(hours=9))
PACKAGED = data_dir() / "price_lists" / "2026-11.toml"
ADMIN = Actor(STATION)
APRIL = datetime(2027, 4, 1, tzinfo=JST)
_ROW = re.compile(r"^(\s*\[)(\d+)((?:, \d+)+)(\],?)$", re.MULTILINE)


def price_list_text(
    version: str = "2027-04-01", effective_from: str = "2027-04-01T00:00:00+09:00", factor: int = 2
) -> str:
    """The packaged list under another version and start, every fee times `factor`."""
    text = PACKAGED.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text)
    text = re.sub(r"(?m)^effective_from = .*$", f"effective_from = {effective_from}", text)

    def scaled(m: re.Match[str]) -> str:
        fees = ", ".join(str(int(f) * factor) for f in m.group(3).split(", ")[1:])
        return f"{m.group(1)}{m.group(2)}, {fees}{m.group(4)}"

    return _ROW.sub(scaled, text)


def snapshot(store: Store) -> tuple[list[Any], int]:
    """The published rows and the number of events: what a refusal must leave as it was."""
    with store.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(PRICE_LIST).order_by(PRICE_LIST.c.version))]
        events = conn.execute(select(func.count()).select_from(EVENT)).scalar_one()
    return rows, int(events)


def publish(store: Store, text: str, source: str = "2027-04.toml") -> Any:
    with store.transaction() as s:
        return publish_price_list(s, ADMIN, text, source=source)


def lists_of(store: Store) -> tuple[refs.PriceList, ...]:
    with store.transaction() as s:
        return price_lists_in_store(s)


def test_publish_stores_the_text_and_an_event(store: Store) -> None:
    text = price_list_text()
    done = publish(store, text)
    assert done.added and done.version == "2027-04-01" and done.effective_from == APRIL
    assert "published" in done.message and not done.warnings
    with store.engine.connect() as conn:
        stored = conn.execute(select(PRICE_LIST)).mappings().one()
        event = conn.execute(select(EVENT).where(EVENT.c.kind == "price_list.published")).mappings()
        (ev,) = list(event)
    assert stored["body"] == text  # exactly as published, comments and all
    assert stored["effective_from"] == APRIL
    assert stored["station_id"] == STATION and stored["operator"] is None
    assert stored["event_id"] == ev["event_id"] and stored["published_at"] == ev["occurred_at"]
    assert ev["payload"] == {
        "version": "2027-04-01",
        "effective_from": "2027-03-31T15:00:00+00:00",
        "body": text,
    }
    lists = lists_of(store)
    assert [p.version for p in lists] == ["2026-11-01", "2027-04-01"]
    before = quote("ems", 500, country="CN", at=APRIL - timedelta(seconds=1), lists=lists)
    after = quote("ems", 500, country="CN", at=APRIL, lists=lists)
    assert (before.price_list_version, before.fee) == ("2026-11-01", 1450)
    assert (after.price_list_version, after.fee) == ("2027-04-01", 2900)


def test_publishing_the_same_text_again_changes_nothing(store: Store) -> None:
    publish(store, price_list_text())
    before = snapshot(store)
    again = publish(store, price_list_text(), source="copy.toml")
    assert not again.added and "already published at ST01" in again.message
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (price_list_text(factor=3), "already published at ST01 .* with other text"),
        (price_list_text("2027-05-01", "2027-04-01T00:00:00+09:00"), "already starts at"),
        (price_list_text("2027-05-01", "2027-03-31T15:00:00Z"), "2027-04-01 .* already starts"),
        (price_list_text("2026-11-01b", "2026-11-01T00:00:00+09:00"), "2026-11-01 .*2026-11"),
        (price_list_text("2026-11-01", "2026-11-01T00:00:00+09:00"), "shipped as 2026-11.toml"),
        ("version = \n", "not valid TOML"),
        (price_list_text().replace('zones = ["1", "2", "3", "4"]', 'zones = ["1", "2", "3"]', 1),
         "services.ems: zones .* must be the served zones"),
        (price_list_text().replace("effective_from = 2027-04-01T00:00:00+09:00",
                                   "effective_from = 2027-04-01"), "UTC offset"),
        (price_list_text().replace('currency = "JPY"', 'currency = "yen"'), "ISO 4217"),
        (price_list_text().replace("[services.ems]", "[services.ups]"), "services.ups: no such"),
        (price_list_text("x" * 41), "over 40 characters"),
        (price_list_text().replace('currency = "JPY"', 'currency = "USD"'), "fees are whole yen"),
        (price_list_text().replace('"2027-04-01"', '"a\\u0000b"'), "must be printable text"),
        (price_list_text().split("[services.air]")[0], "no prices for air, sal, surface, dhl"),
        (price_list_text().replace("[30000, 53200,", "[30000, 53200000000000000000000,", 1),
         r"services.ems: fee 53200000000000000000000 at 30000 g zone 1 is absurd"),
        (price_list_text().replace('currency = "JPY"', 'currency = "JPY"\nnotes = "x"'),
         r"unknown key\(s\) notes \(known: version, effective_from, currency, services\)"),
        (price_list_text().replace("[services.ems]", "[services.ems]\nzone = []", 1),
         r"services.ems: unknown key\(s\) zone \(known: zones, rows\)"),
    ],
    ids=[
        "other-text-same-version",
        "same-start",
        "same-start-other-offset",
        "packaged-start",
        "packaged-version-other-prices",
        "malformed-toml",
        "missing-zone",
        "naive-start",
        "bad-currency",
        "unknown-service",
        "long-version",
        "not-yen",
        "control-character-in-version",
        "a-service-unpriced",
        "absurd-fee",
        "misspelt-key",
        "misspelt-service-key",
    ],
)  # fmt: skip
def test_refusals_leave_the_store_unchanged(store: Store, text: str, message: str) -> None:
    publish(store, price_list_text())
    before = snapshot(store)
    with pytest.raises(PriceListRefused, match=message):
        publish(store, text)
    assert snapshot(store) == before
    assert [p.version for p in lists_of(store)] == ["2026-11-01", "2027-04-01"]


def test_the_packaged_list_itself_is_not_published_again(sqlite_store: Store) -> None:
    before = snapshot(sqlite_store)
    done = publish(sqlite_store, PACKAGED.read_text(encoding="utf-8"), source="2026-11.toml")
    assert not done.added and "ships with the program" in done.message
    assert snapshot(sqlite_store) == before


def test_an_operator_may_not_publish(sqlite_store: Store) -> None:
    populate(sqlite_store)
    before = snapshot(sqlite_store)
    for actor in (STAFF, Actor(STATION, "yui", "lead")):
        with sqlite_store.transaction() as s, pytest.raises(NotAllowed, match="setup command"):
            publish_price_list(s, actor, price_list_text(), source="x.toml")
    assert snapshot(sqlite_store) == before


def test_a_start_in_the_past_is_published_with_a_warning(sqlite_store: Store) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    done = publish(sqlite_store, price_list_text("late", past.isoformat()))
    assert done.added and "has passed" in done.warnings[0]
    assert quote("ems", 500, country="CN", lists=lists_of(sqlite_store)).price_list_version == (
        "late"
    )


def _insert(store: Store, version: str, body: str, station: str, at: datetime) -> None:
    """A row as sync writes it for a list published at another bench."""
    parsed = refs.parse_price_list(tomllib.loads(body), refs.services(), "t")
    with store.transaction() as s:
        s.connection().execute(
            PRICE_LIST.insert(),
            {
                "version": version,
                "effective_from": parsed.effective_from,
                "body": body,
                "published_at": at,
                "station_id": station,
                "operator": None,
                "event_id": f"{station}-{version}",
            },
        )


def test_lists_from_two_benches_with_one_start_settle_on_the_first(sqlite_store: Store) -> None:
    t0 = datetime(2026, 11, 20, tzinfo=UTC)
    _insert(sqlite_store, "b-list", price_list_text("b-list", factor=3), "ST02", t0 + timedelta(1))
    _insert(sqlite_store, "a-list", price_list_text("a-list", factor=2), "ST01", t0)
    lists = lists_of(sqlite_store)
    assert [p.version for p in lists] == ["2026-11-01", "a-list"]
    with sqlite_store.transaction() as s:
        catalogue = price_list_catalogue(s, at=APRIL)
    by_version = {e.version: e for e in catalogue}
    assert by_version["a-list"].in_force and by_version["a-list"].ignored is None
    assert by_version["b-list"].ignored == "same effective_from as a-list, which came first"
    assert not by_version["2026-11-01"].in_force and by_version["2026-11-01"].source == "packaged"


def test_a_published_list_this_program_cannot_read_stops_pricing(sqlite_store: Store) -> None:
    body = price_list_text("odd")
    _insert(sqlite_store, "odd", body, "ST09", datetime(2026, 11, 20, tzinfo=UTC))
    with sqlite_store.transaction() as s:
        broken = body.replace("[services.ems]", "[services.ups]")
        s.connection().execute(PRICE_LIST.update().values(body=broken))
    with pytest.raises(PriceListRefused, match=r"published at ST09: services\.ups: no such"):
        lists_of(sqlite_store)
    with sqlite_store.transaction() as s:
        catalogue = price_list_catalogue(s)
    (odd,) = [e for e in catalogue if e.version == "odd"]
    assert odd.unreadable is not None and "services.ups: no such" in odd.unreadable
    assert not any(e.in_force for e in catalogue)


def test_packing_after_the_start_uses_the_published_list(store: Store) -> None:
    publish(store, price_list_text())
    requested(store, row(parcels=jp12(1)))
    weighed(store)
    with store.transaction() as s:
        packed = pack_box(
            s,
            STAFF,
            "SR-000001",
            (30, 20, 10),
            scanned_label=make_s10("EE", 7, "JP"),
            at=APRIL + timedelta(hours=1),
        )
    assert packed.quote.price_list_version == "2027-04-01"
    packaged = quote("ems", 2345, (30, 20, 10), "US", at=APRIL)
    assert packaged.price_list_version == "2026-11-01"  # without the store's lists
    assert packed.quote.fee == 2 * packaged.fee


def test_a_parcel_charge_before_and_after_the_start(sqlite_store: Store) -> None:
    populate(sqlite_store)
    with sqlite_store.transaction() as s:
        receive(s, STAFF, jp12(1))
        record_weight(s, STAFF, jp12(1), 480, raw_frame=b"S S 480 g\r\n")
    publish(sqlite_store, price_list_text())
    with sqlite_store.transaction() as s:
        old = parcel_charge(s, jp12(1), "ems", country="CN", at=APRIL - timedelta(days=1))
        new = parcel_charge(s, jp12(1), "ems", country="CN", at=APRIL)
    assert (old.price_list_version, old.fee.amount) == ("2026-11-01", 1450)
    assert (new.price_list_version, new.fee.amount) == ("2027-04-01", 2900)


def test_the_packing_preview_prices_as_packing_will(store: Store) -> None:
    from jpgb_terminal.workflow.packing import PackingFlow

    publish(store, price_list_text())
    requested(store, row(parcels=jp12(1)))
    weighed(store)
    flow = PackingFlow(store, STATION, STAFF.operator, STAFF.role)
    view = flow.open_request("SR-000001")
    preview = flow.preview(view, (30, 20, 10), APRIL + timedelta(hours=1))
    assert preview.quote.price_list_version == "2027-04-01"
    with store.transaction() as s:
        packed = pack_box(
            s,
            STAFF,
            "SR-000001",
            (30, 20, 10),
            scanned_label=make_s10("EE", 7, "JP"),
            at=APRIL + timedelta(hours=1),
        )
    assert packed.quote.fee == preview.quote.fee
