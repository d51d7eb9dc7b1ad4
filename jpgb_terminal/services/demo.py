"""Demo data through the real service path: customers, pre-alerts and parcels from a seed."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from jpgb_terminal.clock import now
from jpgb_terminal.demo_operators import DEMO_OPERATORS
from jpgb_terminal.refdata import prohibited_categories
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.customers import add_customer, set_customer_status
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.inspection import inspect
from jpgb_terminal.services.operators import add_operator
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import Store
from jpgb_terminal.store.tables import Customer, Operator, PreAlert
from jpgb_terminal.tracking import jp12_check_digit, make_s10

DEMO_SCALE_ID = "demo-scale"
DEMO_PROTOCOL = "mt-sics"

_GIVEN = ("Taro", "Hanako", "Emma", "Liam", "Wei", "Min-jun", "Sofia", "Noah", "Yuki", "Ana")
_FAMILY = ("Yamada", "Suzuki", "Smith", "Garcia", "Chen", "Kim", "Rossi", "Muller", "Silva", "Ito")
_CITIES = ("Los Angeles, US", "Sydney, AU", "London, GB", "Shanghai, CN", "Seoul, KR", "Paris, FR")
_CONTENTS = (
    "anime figures",
    "manga books",
    "trading cards",
    "kitchen knives",
    "cosmetics",
    "clothes",
    "camera lens",
    "stationery",
    "green tea",
    "video games",
)
_S10_PREFIXES = ("EJ", "RR", "LX", "CP", "EE")


@dataclass
class DemoPlan:
    """Everything the seed decides before any station is involved."""

    customers: list[tuple[str, str, str, str]] = field(default_factory=list)
    prealerts: list[tuple[str, str, str, str, Decimal]] = field(default_factory=list)
    parcels: list[tuple[str, int, int, list[str]]] = field(default_factory=list)
    suspended: str | None = None
    frozen: str | None = None
    # The shipment requests made (fewer than asked when fewer customers have parcels to ship).
    shipments: list[str] = field(default_factory=list)


def mt_sics_stable_frame(grams: int) -> bytes:
    """The MT-SICS stable reply a scale sends for `grams` (what the demo scale would say)."""
    return f"S S {grams:>10} g\r\n".encode("ascii")


def _jp12(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(11))
    body = str(rng.randint(1, 9)) + body[1:]
    return body + str(jp12_check_digit(body))


def plan_demo(parcels: int, seed: int) -> DemoPlan:
    """Customers, pre-alerts and parcels for `parcels` receipts; the same seed, the same plan."""
    rng = random.Random(seed)
    plan = DemoPlan()
    n_customers = max(5, parcels // 10)
    for i in range(1, n_customers + 1):
        cid = f"C{seed % 1000:03d}{i:05d}"
        name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
        address = f"{rng.randint(1, 999)} Demo Street, {rng.choice(_CITIES)}"
        phone = f"+1-555-{rng.randint(1000, 9999):04d}"
        plan.customers.append((cid, name, address, phone))
    plan.suspended = plan.customers[-1][0]
    plan.frozen = plan.customers[-2][0]
    codes = [c.code for c in prohibited_categories()]
    seen: set[str] = set()
    # Pre-alerts for every parcel that arrives with one, plus some still on their way.
    for i in range(parcels + max(10, parcels // 2)):
        while True:
            if rng.random() < 0.8:
                tracking = _jp12(rng)
            else:
                tracking = make_s10(rng.choice(_S10_PREFIXES), rng.randint(0, 99_999_999), "JP")
            if tracking not in seen:
                seen.add(tracking)
                break
        cid = rng.choice(plan.customers)[0]
        value = Decimal(rng.randint(5, 500) * 100)
        contents = rng.choice(_CONTENTS)
        prealerted = i >= parcels or rng.random() < 0.9
        if prealerted:
            plan.prealerts.append((tracking, cid, "yamato", contents, value))
        if i < parcels:
            grams = rng.randint(80, 15_000)
            minutes_ago = rng.randint(5, 3 * 24 * 60)
            findings = [rng.choice(codes)] if rng.random() < 0.05 else []
            plan.parcels.append((tracking, grams, minutes_ago, findings))
    return plan


def seed_demo(
    store: Store,
    station_id: str,
    *,
    parcels: int,
    seed: int = 1,
    at: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    shipments: int = 0,
) -> DemoPlan:
    """Fill a store from `plan_demo` through the receiving, weighing and inspection services.

    `shipments` adds that many shipment requests (some packed, some handed over, some waiting).
    """
    if parcels < 0:
        raise ServiceError("--parcels must be zero or more")
    plan = plan_demo(parcels, seed)
    at = at or now()
    admin = Actor(station_id, None)
    with store.transaction() as session:
        if session.get(Customer, plan.customers[0][0]) is not None:
            raise ServiceError(f"this store already holds demo data for seed {seed}")
        for name, role, pin in DEMO_OPERATORS:
            if session.get(Operator, name) is None:
                add_operator(session, admin, name, role, pin, at=at)
        for cid, name, address, phone in plan.customers:
            add_customer(session, admin, cid, name=name, address=address, phone=phone, at=at)
        for tracking, cid, carrier, contents, value in plan.prealerts:
            session.add(
                PreAlert(
                    tracking_no=tracking,
                    customer_id=cid,
                    carrier=carrier,
                    contents=contents,
                    declared_value=value,
                    currency="JPY",
                    created_at=at,
                )
            )
    staff = Actor(station_id, DEMO_OPERATORS[0][0])
    ordered = sorted(plan.parcels, key=lambda p: -p[2])
    batch = 200
    for start in range(0, len(ordered), batch):
        with store.transaction() as session:
            for tracking, grams, minutes_ago, findings in ordered[start : start + batch]:
                received_at = at - timedelta(minutes=minutes_ago)
                receive(session, staff, tracking, at=received_at)
                record_weight(
                    session,
                    staff,
                    tracking,
                    grams,
                    raw_frame=mt_sics_stable_frame(grams),
                    scale_id=DEMO_SCALE_ID,
                    protocol=DEMO_PROTOCOL,
                    at=received_at + timedelta(seconds=4),
                )
                inspect(
                    session,
                    staff,
                    tracking,
                    opened=bool(findings),
                    findings=findings,
                    at=received_at + timedelta(seconds=12),
                )
        if progress:
            progress(min(start + batch, len(ordered)))
    with store.transaction() as session:
        if plan.suspended:
            set_customer_status(session, admin, plan.suspended, "suspended", note="demo", at=at)
        if plan.frozen:
            set_customer_status(session, admin, plan.frozen, "frozen", note="demo", at=at)
    if shipments > 0:
        from jpgb_terminal.services.demo_outbound import seed_outbound

        plan.shipments = seed_outbound(store, station_id, shipments=shipments, seed=seed, at=at)
    return plan


def unreceived_prealerts(store: Store, limit: int = 50) -> list[str]:
    """Pre-alerted tracking numbers with no parcel yet (what the demo scanner scans)."""
    from jpgb_terminal.store.tables import Parcel

    with store.transaction() as session:
        stmt = (
            select(PreAlert.tracking_no)
            .where(~PreAlert.tracking_no.in_(select(Parcel.tracking_no)))  # type: ignore[attr-defined]
            .order_by(PreAlert.tracking_no)
            .limit(limit)
        )
        return list(session.exec(stmt))
