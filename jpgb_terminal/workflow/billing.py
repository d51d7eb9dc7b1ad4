"""Fee quotes for a parcel on its billable weight, from the price lists in its store."""

from __future__ import annotations

from dataclasses import dataclass

from jpgb_terminal.rules.pricing import Dims
from jpgb_terminal.services.billing import BillableWeight, ServiceQuote, quote_parcel
from jpgb_terminal.services.parcels import resolve_tracking
from jpgb_terminal.store import Store


@dataclass(frozen=True)
class ParcelQuote:
    """The weight a parcel is billed on and one quote per service asked for."""

    weight: BillableWeight
    quotes: tuple[ServiceQuote, ...]


def quote_stored_parcel(
    store: Store,
    tracking: str,
    *,
    service: str | None = None,
    dims_cm: Dims | None = None,
    country: str | None = None,
) -> ParcelQuote:
    """Quote the parcel `tracking` names on its billable weight (one service, or every one)."""
    number = resolve_tracking(tracking)
    with store.transaction() as session:
        weight, quotes = quote_parcel(
            session, number, service=service, dims_cm=dims_cm, country=country
        )
    return ParcelQuote(weight, tuple(quotes))
