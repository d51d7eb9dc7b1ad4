"""Typed events keep the stored bytes: a payload decodes to its event and encodes back to the
very text the audit chain hashed, for every kind and for events written before today."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Text, select, type_coerce

from jpgb_terminal.events import EVENT_TYPES, CustomerAdded, Event, ParcelDecided, decode
from jpgb_terminal.events.chain import canonical_payload
from jpgb_terminal.services.demo import seed_demo
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import EVENT

AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # a price list is in force


def _strategy(tp: Any) -> st.SearchStrategy[Any]:
    """Values of a field type, as writers produce them (UTC instants, finite decimals)."""
    if isinstance(tp, types.UnionType):
        return st.one_of(*(_strategy(a) for a in typing.get_args(tp)))
    if tp is type(None):
        return st.none()
    if dataclasses.is_dataclass(tp):
        return _instances(typing.cast(type, tp))
    if typing.get_origin(tp) is tuple:
        return st.lists(_strategy(typing.get_args(tp)[0]), max_size=4).map(tuple)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=12),
        int: st.integers(-(2**53), 2**53),
        bool: st.booleans(),
        bytes: st.binary(max_size=16),
        date: st.dates(),
        datetime: st.datetimes(timezones=st.just(UTC)),
        Decimal: st.decimals(allow_nan=False, allow_infinity=False, places=2),
    }
    return simple[tp]


def _instances(cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    fields = {f.name: _strategy(hints[f.name]) for f in dataclasses.fields(cls)}
    return st.fixed_dictionaries(fields).map(lambda kw: cls(**kw))


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_every_kind_survives_the_round_trip_through_stored_json(kind: str) -> None:
    cls = EVENT_TYPES[kind]

    @settings(max_examples=40, deadline=None)
    @given(_instances(cls))
    def round_trip(event: Event) -> None:
        payload = event.to_payload()
        stored = canonical_payload(payload)
        assert cls.from_payload(payload) == event
        assert decode(kind, json.loads(stored)) == event
        # What is stored re-encodes to the same text: its hash is the one it always had.
        assert canonical_payload(decode(kind, json.loads(stored)).to_payload()) == stored

    round_trip()


def test_every_payload_of_the_demo_seed_decodes_to_the_bytes_it_was_stored_as(
    sqlite_store: Store,
) -> None:
    seed_demo(sqlite_store, "ST01", parcels=60, seed=3, at=AT, shipments=6)
    with sqlite_store.engine.connect() as conn:
        rows = conn.execute(
            select(EVENT.c.kind, type_coerce(EVENT.c.payload, Text).label("payload"))
        ).all()
    kinds = {kind for kind, _ in rows}
    assert {"parcel.received", "parcel.weighed", "box.packed", "shipment.imported"} <= kinds
    for kind, text in rows:
        event = decode(kind, json.loads(text))
        assert canonical_payload(event.to_payload()) == text, kind


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [
        # Before changes named their fields: no `fields`, the whole row applies.
        ("customer.added", {"customer_id": "C9"}, CustomerAdded(customer_id="C9")),
        # Before the sale id travelled: the projection derives it.
        (
            "parcel.decided",
            {
                "decision_id": "D1",
                "action": "sell",
                "article": "15.2",
                "note": "unclaimed",
                "role": "supervisor",
                "from_state": "held",
                "to_state": "sold",
                "hold_ids": ["H1"],
                "reasons": ["unclaimed"],
                "deadline": "2026-04-01",
                "consent_reference": None,
                "report_reference": None,
                "sale": {
                    "currency": "JPY",
                    "proceeds": 5000,
                    "custody_fee": 1000,
                    "disposal_fee": 0,
                    "service_fee": 500,
                    "balance": 3500,
                    "shortfall": 0,
                    "balance_fixed_on": "2026-05-01",
                    "remittance_due": "2026-05-21",
                },
            },
            None,
        ),
    ],
)
def test_events_written_before_today_still_decode(
    kind: str, payload: dict[str, Any], expected: Event | None
) -> None:
    event = decode(kind, payload)
    if expected is not None:
        assert event == expected
    # Keys an old writer left out stay out: the old text, and so its hash, comes back.
    assert canonical_payload(event.to_payload()) == canonical_payload(payload)
    if isinstance(event, ParcelDecided):
        assert event.sale is not None and event.sale.sale_id is None
