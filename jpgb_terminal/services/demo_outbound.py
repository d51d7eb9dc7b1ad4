"""Demo shipment requests through the real service path: some packed, some handed over, some waiting."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from jpgb_terminal.clock import local_date, now
from jpgb_terminal.rules.customs import DeclaredLine
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.packing import confirm_parcel, hand_over, pack_box, record_box_weight
from jpgb_terminal.services.shipments import (
    RequestDraft,
    add_range,
    create_shipment,
    list_ranges,
    open_requests_of,
    shipment_id,
)
from jpgb_terminal.store import Store
from jpgb_terminal.store.handles import CUSTOMER, PARCEL, SHIPMENT

DEMO_SCALE_ID = "demo-scale"
DEMO_PROTOCOL = "mt-sics"
_SERVICES = (("ems", "US"), ("ems", "GB"), ("air", "AU"), ("sal", "FR"), ("ems", "SG"))
_ITEMS = (
    ("anime figures", "950300"),
    ("manga books", "490199"),
    ("trading cards", "950440"),
    ("green tea", "090210"),
    ("wool scarf", "611710"),
)
_RANGES = {"ems": ("EE", 50_000_000), "air": ("RR", 50_000_000), "sal": ("CP", 50_000_000)}


def _frame(grams: int) -> bytes:
    # What the demo scale (MT-SICS) sends for a stable weight.
    return f"S S {grams:>10} g\r\n".encode("ascii")


def seed_outbound(
    store: Store, station_id: str, *, shipments: int, seed: int = 1, at: datetime | None = None
) -> list[str]:
    """Up to `shipments` requests from cleared parcels, grouped by customer; returns their ids."""
    rng = random.Random(seed * 7919 + 17)
    at = at or now()
    # The demo's packer and shift lead (demo_operators), with the roles the services check.
    staff = Actor(station_id, "aiko", "staff")
    lead = Actor(station_id, "yui", "lead")
    with store.transaction() as session:
        conn = session.connection()
        active = set(
            conn.execute(select(CUSTOMER.c.id).where(CUSTOMER.c.status == "active")).scalars()
        )
        rows = conn.execute(
            select(PARCEL.c.tracking_no, PARCEL.c.customer_id)
            .where(PARCEL.c.state.in_(("cleared", "released")))
            .order_by(PARCEL.c.tracking_no)
        ).all()
        busy = open_requests_of(conn, [r.tracking_no for r in rows])
        by_customer: dict[str, list[str]] = {}
        for tracking_no, cid in rows:
            if cid in active and tracking_no not in busy:
                by_customer.setdefault(cid, []).append(tracking_no)
        known_ranges = {r.service for r in list_ranges(conn)}
        for service, (prefix, first) in _RANGES.items():
            if service not in known_ranges:
                offset = (seed % 100) * 100_000
                add_range(
                    session, staff, service, prefix, first + offset, first + offset + 99_999, at=at
                )
        taken = conn.execute(select(SHIPMENT.c.id)).scalars().all()
    next_n = 1 + max((int(t.removeprefix("SR-")) for t in taken), default=0)
    ids: list[str] = []
    customers = sorted(by_customer)
    rng.shuffle(customers)
    for cid in customers[:shipments]:
        parcels = by_customer[cid][: rng.randint(1, 3)]
        service, country = rng.choice(_SERVICES)
        items = rng.sample(_ITEMS, rng.randint(1, 2))
        rid = shipment_id(next_n)
        next_n += 1
        draft = RequestDraft(
            request_id=rid,
            line=0,
            header={
                "customer_id": cid,
                "service": service,
                "country": country,
                "recipient_name": f"Demo Recipient {cid[-3:]}",
                "recipient_address": f"{rng.randint(1, 999)} Demo Avenue, {country}",
                "recipient_phone": f"+1-555-{rng.randint(1000, 9999)}",
                "category": rng.choice(("gift", "merchandise")),
            },
            parcels=parcels,
            lines=[
                (
                    i,
                    DeclaredLine(
                        description=desc,
                        quantity=rng.randint(1, 4),
                        unit_value=Decimal(rng.randint(5, 150) * 100),
                        currency="JPY",
                        origin_country="JP",
                        hs_code=hs,
                        net_weight_g=rng.randint(100, 900),
                    ),
                )
                for i, (desc, hs) in enumerate(items, start=1)
            ],
        )
        created = at - timedelta(hours=rng.randint(2, 8))
        with store.transaction() as session:
            create_shipment(session, staff, draft, at=created)
        ids.append(rid)
        fate = rng.random()
        if fate < 0.3:
            continue  # waiting for the packer
        # Some boxes were packed yesterday and are with the carrier; today's wait for handover.
        days_back = 1 if fate < 0.6 else 0
        packed_at = at - timedelta(days=days_back, minutes=rng.randint(10, 90))
        with store.transaction() as session:
            for t in parcels:
                confirm_parcel(session, staff, rid, t, at=packed_at)
            grams = 300 * len(parcels) + rng.randint(100, 3000)
            record_box_weight(
                session,
                staff,
                rid,
                grams,
                raw_frame=_frame(grams),
                scale_id=DEMO_SCALE_ID,
                protocol=DEMO_PROTOCOL,
                at=packed_at + timedelta(seconds=20),
            )
            dims = (rng.randint(20, 60), rng.randint(15, 40), rng.randint(10, 30))
            pack_box(session, staff, rid, dims, at=packed_at + timedelta(seconds=40))
    with store.transaction() as session:
        hand_over(session, lead, local_date(at - timedelta(days=1)), at=at)
    return ids
