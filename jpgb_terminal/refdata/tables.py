"""The shipped reference tables in `data/`, each read once, validated and cached."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from types import MappingProxyType

from jpgb_terminal.refdata.loader import data_dir, load_toml
from jpgb_terminal.refdata.model import (
    CUSTOMS_FILE,
    HOLD_REASONS_FILE,
    PRICE_LIST_DIR,
    PROHIBITED_FILE,
    SERVICES_FILE,
    CustomsRules,
    HoldReason,
    NoPriceListInForce,
    PriceList,
    ProhibitedCategory,
    Service,
)
from jpgb_terminal.refdata.parse import (
    check_price_lists,
    parse_customs_rules,
    parse_hold_reasons,
    parse_price_list,
    parse_prohibited_categories,
    parse_services,
)


@cache
def prohibited_categories() -> tuple[ProhibitedCategory, ...]:
    """The 16 prohibited-item categories, in checklist order."""
    return parse_prohibited_categories(load_toml(PROHIBITED_FILE))


def prohibited_category(code: str) -> ProhibitedCategory:
    """One prohibited-item category by code; KeyError names the known codes."""
    for category in prohibited_categories():
        if category.code == code:
            return category
    known = ", ".join(c.code for c in prohibited_categories())
    raise KeyError(f"unknown prohibited-item category {code!r} (known: {known})")


@cache
def hold_reasons() -> Mapping[str, HoldReason]:
    """The 12 hold reasons by code, in Art. 14 order."""
    return MappingProxyType(parse_hold_reasons(load_toml(HOLD_REASONS_FILE)))


def hold_reason(code: str) -> HoldReason:
    """One hold reason by code; KeyError names the known codes."""
    try:
        return hold_reasons()[code]
    except KeyError:
        known = ", ".join(hold_reasons())
        raise KeyError(f"unknown hold reason {code!r} (known: {known})") from None


@cache
def services() -> Mapping[str, Service]:
    """The outbound services by code."""
    return MappingProxyType(parse_services(load_toml(SERVICES_FILE)))


def service(code: str) -> Service:
    """One service by code; KeyError names the known codes."""
    try:
        return services()[code]
    except KeyError:
        raise KeyError(f"unknown service {code!r} (known: {', '.join(services())})") from None


@cache
def price_lists() -> tuple[PriceList, ...]:
    """Every price list in `data/price_lists/`, oldest first."""
    directory = data_dir() / PRICE_LIST_DIR
    lists = [
        parse_price_list(load_toml(f"{PRICE_LIST_DIR}/{path.name}"), services(), path.name)
        for path in sorted(directory.glob("*.toml"))
    ]
    return check_price_lists(lists)


def price_list_in_force(at: datetime, lists: tuple[PriceList, ...] | None = None) -> PriceList:
    """The price list with the latest `effective_from` not after `at` (timezone-aware)."""
    if at.utcoffset() is None:
        raise ValueError("price_list_in_force needs a timezone-aware datetime")
    candidates = [p for p in (price_lists() if lists is None else lists) if p.effective_from <= at]
    if not candidates:
        raise NoPriceListInForce(f"no price list in force at {at.isoformat()}")
    return max(candidates, key=lambda p: p.effective_from)


@cache
def customs_rules() -> CustomsRules:
    """The customs paperwork rules."""
    return parse_customs_rules(load_toml(CUSTOMS_FILE))


def validate_all() -> None:
    """Load every table once so a broken file fails loudly at start-up, not at the bench."""
    prohibited_categories()
    hold_reasons()
    services()
    price_lists()
    customs_rules()
