"""Price lists as an administrator handles them: publish one, list what the store knows."""

from __future__ import annotations

from dataclasses import dataclass

from jpgb_terminal.refdata import PriceList
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.price_lists import (
    CatalogueEntry,
    Published,
    price_list_catalogue,
    price_lists_in_store,
    publish_price_list,
)
from jpgb_terminal.store import Store


@dataclass(frozen=True)
class PriceCatalogue:
    """Every price list the store knows, oldest first, and the version in force now."""

    entries: tuple[CatalogueEntry, ...]

    @property
    def in_force(self) -> str | None:
        """The version in force now, or None when none is."""
        return next((e.version for e in self.entries if e.in_force), None)

    @property
    def unreadable(self) -> tuple[CatalogueEntry, ...]:
        """The published lists this program cannot read."""
        return tuple(e for e in self.entries if e.unreadable)


def publish_prices(store: Store, station_id: str, text: str, *, source: str) -> Published:
    """Publish a price list as the station's administrator (no PIN), for sync to spread."""
    with store.transaction() as session:
        return publish_price_list(session, Actor(station_id), text, source=source)


def price_catalogue(store: Store) -> PriceCatalogue:
    """Every price list this store knows, marking the one in force now."""
    with store.transaction() as session:
        return PriceCatalogue(tuple(price_list_catalogue(session)))


def store_price_lists(store: Store) -> tuple[PriceList, ...]:
    """The packaged price lists plus those published in the store, oldest first."""
    with store.transaction() as session:
        return price_lists_in_store(session)
