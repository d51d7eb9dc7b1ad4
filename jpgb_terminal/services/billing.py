"""Billing weight and fee quotes (Art. 11): only scale weights or approved manual weights bill."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from jpgb_terminal.refdata import PriceList, services
from jpgb_terminal.rules.pricing import (
    Charge,
    ChargeLine,
    Dims,
    PricingRefused,
    charge,
    chargeable_weight_g,
    quote,
)
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.price_lists import price_lists_in_store
from jpgb_terminal.services.weighing import APPROVER_ROLES, get_parcel
from jpgb_terminal.store.tables import Operator, WeightRecord


class NotBillable(ServiceError):
    """The parcel has no weight the fee may be based on."""


@dataclass(frozen=True)
class BillableWeight:
    """The weight a parcel is billed on, with the evidence behind it (Art. 11.1)."""

    tracking_no: str
    grams: int
    source: str
    weight_id: str
    measured_at: datetime
    scale_id: str | None = None
    approved_by: str | None = None


@dataclass(frozen=True)
class ServiceQuote:
    """One service's answer for one parcel: a fee, or why it cannot carry or price it."""

    service: str
    name: str
    kind: str
    chargeable_g: int | None
    fee: int | None
    currency: str | None
    price_list_version: str | None
    zone: str | None
    country: str | None
    actual_g: int
    volumetric_g: int | None = None
    refused: str | None = None
    rule: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON output."""
        return {
            "service": self.service,
            "name": self.name,
            "kind": self.kind,
            "chargeable_g": self.chargeable_g,
            "fee": self.fee,
            "currency": self.currency,
            "price_list_version": self.price_list_version,
            "zone": self.zone,
            "country": self.country,
            "actual_g": self.actual_g,
            "volumetric_g": self.volumetric_g,
            "refused": self.refused,
            "rule": self.rule,
        }


def weight_is_billable(source: str | None, approved_by: str | None) -> bool:
    """Quick check for listings: a scale weight, or a manual weight someone approved.

    `billable_weight` is the full check (scale frame present, approver's role) used to bill.
    """
    return source == "scale" or (source == "manual" and bool(approved_by))


def billable_weight(session: Session, tracking_no: str) -> BillableWeight:
    """The parcel's newest weight if it may be billed; NotBillable says why not."""
    parcel = get_parcel(session, tracking_no)
    if parcel.weight_g is None or parcel.weight_id is None:
        raise NotBillable(f"parcel {tracking_no} has no weight yet: weigh it on the scale first")
    record = session.get(WeightRecord, parcel.weight_id)
    if record is None:
        raise NotBillable(f"parcel {tracking_no}: its weight record is missing; weigh it again")
    if record.source == "scale":
        if record.raw_frame is None:
            raise NotBillable(
                f"parcel {tracking_no}: the scale weight has no scale frame as evidence; "
                "weigh it again"
            )
    elif record.source == "manual":
        approver = session.get(Operator, record.approved_by) if record.approved_by else None
        if approver is None or approver.role not in APPROVER_ROLES:
            raise NotBillable(
                f"parcel {tracking_no}: its weight {record.grams} g was typed in and no "
                "supervisor approved it; weigh it on the scale or have a supervisor approve it"
            )
    else:
        raise NotBillable(f"parcel {tracking_no}: unknown weight source {record.source!r}")
    return BillableWeight(
        tracking_no=parcel.tracking_no,
        grams=record.grams,
        source=record.source,
        weight_id=record.id,
        measured_at=record.measured_at,
        scale_id=record.scale_id,
        approved_by=record.approved_by,
    )


def quote_service(
    service: str,
    weight_g: int,
    *,
    dims_cm: Dims | None = None,
    country: str | None = None,
    at: datetime | None = None,
    lists: tuple[PriceList, ...] | None = None,
) -> ServiceQuote:
    """One service's quote for a weight; refusals come back in the result, not raised."""
    svc = services().get(service)
    if svc is None:
        known = ", ".join(services())
        raise ServiceError(f"unknown service {service!r} (known: {known})")
    base: dict[str, Any] = {
        "service": svc.code,
        "name": svc.name,
        "kind": svc.kind,
        "actual_g": weight_g,
        "country": country.strip().upper() if country else None,
    }
    try:
        q = quote(svc.code, weight_g, dims_cm, country, at, lists)
    except PricingRefused as exc:
        chargeable: int | None
        try:
            chargeable = chargeable_weight_g(svc, weight_g, dims_cm)
        except PricingRefused:
            chargeable = None
        return ServiceQuote(
            **base,
            chargeable_g=chargeable,
            fee=None,
            currency=None,
            price_list_version=None,
            zone=None,
            refused=exc.message,
            rule=exc.rule,
        )
    return ServiceQuote(
        **{**base, "country": q.country},
        chargeable_g=q.chargeable_g,
        fee=q.fee,
        currency=q.currency,
        price_list_version=q.price_list_version,
        zone=q.zone,
        volumetric_g=q.volumetric_g,
    )


def quote_all(
    weight_g: int,
    *,
    dims_cm: Dims | None = None,
    country: str | None = None,
    at: datetime | None = None,
    only: Iterable[str] | None = None,
    lists: tuple[PriceList, ...] | None = None,
) -> list[ServiceQuote]:
    """A quote from every service in `data/services.toml` (or those in `only`), in file order."""
    codes = list(only) if only is not None else list(services())
    return [
        quote_service(c, weight_g, dims_cm=dims_cm, country=country, at=at, lists=lists)
        for c in codes
    ]


def quote_parcel(
    session: Session,
    tracking_no: str,
    *,
    service: str | None = None,
    dims_cm: Dims | None = None,
    country: str | None = None,
    at: datetime | None = None,
) -> tuple[BillableWeight, list[ServiceQuote]]:
    """The parcel's billable weight and a quote from each service (or the one named)."""
    weight = billable_weight(session, tracking_no)
    only = [service] if service is not None else None
    lists = price_lists_in_store(session)
    return weight, quote_all(
        weight.grams, dims_cm=dims_cm, country=country, at=at, only=only, lists=lists
    )


def parcel_charge(
    session: Session,
    tracking_no: str,
    service: str,
    *,
    country: str,
    dims_cm: Dims | None = None,
    special_expenses: Iterable[ChargeLine] = (),
    at: datetime | None = None,
) -> Charge:
    """The bill for a parcel: the fee line, then each special expense at cost (Art. 11.2)."""
    weight = billable_weight(session, tracking_no)
    lists = price_lists_in_store(session)
    try:
        return charge(quote(service, weight.grams, dims_cm, country, at, lists), special_expenses)
    except PricingRefused as exc:
        raise ServiceError(exc.message) from None
    except ValueError as exc:
        raise ServiceError(str(exc)) from None


def service_needs_country(service: str) -> bool:
    """Whether a service's fee depends on the destination zone (it then needs a country)."""
    svc = services().get(service)
    return svc is None or len(svc.zones_served) > 1
