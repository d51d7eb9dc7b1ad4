"""The reference tables' typed values: categories, hold reasons, services, price lists, customs.

Plain frozen dataclasses and the table names; no file is read here (jpgb_terminal.refdata.tables
loads them, jpgb_terminal.refdata.parse checks them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

ServiceKind = Literal["postal", "courier"]
LithiumPolicy = Literal["forbidden", "installed_only", "allowed"]
CustomsForm = Literal["CN22", "CN23"]

PROHIBITED_FILE = "prohibited_categories.toml"
HOLD_REASONS_FILE = "hold_reasons.toml"
SERVICES_FILE = "services.toml"
CUSTOMS_FILE = "customs.toml"
PRICE_LIST_DIR = "price_lists"

# Checklist keys in screen order: the digit row, then letters for categories 11-16.
CHECKLIST_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "a", "b", "c", "d", "e", "f")
HOLD_REASON_CODES = (
    "prohibited_item",
    "unknown_address",
    "address_mismatch",
    "cash_on_delivery",
    "refused",
    "carrier_refuses",
    "no_prealert",
    "prealert_mismatch",
    "customs_detention",
    "unpaid",
    "terms_violation",
    "other",
)
LABEL_MAX = 30
WORD_RE = re.compile(r"[a-z0-9]+")


class ReferenceDataError(ValueError):
    """A reference table that breaks the rules the code relies on."""


@dataclass(frozen=True)
class ProhibitedCategory:
    """One of the 16 prohibited-item categories of Art. 10, as a checklist line."""

    code: str
    number: int
    key: str
    label: str
    article: str
    text: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class HoldReason:
    """One of the 12 refusal grounds of Art. 14, used as a hold reason."""

    code: str
    number: int
    article: str
    label: str
    text: str
    custody_days: int
    immediate_disposal: bool
    custody_article: str


@dataclass(frozen=True)
class WeightSegment:
    """A run of weight brackets: from the previous segment's end up to `up_to_g` by `step_g`."""

    up_to_g: int
    step_g: int


@dataclass(frozen=True)
class Service:
    """An outbound service: how it weighs, its limits, brackets and destination zones."""

    code: str
    name: str
    description: str
    kind: ServiceKind
    max_weight_g: int
    max_longest_side_cm: int | None
    max_length_girth_cm: int | None
    volumetric_divisor: int | None
    rounding_g: int | None
    lithium_battery: LithiumPolicy
    segments: tuple[WeightSegment, ...]
    brackets: tuple[int, ...]
    zone_map: str
    zones_served: tuple[str, ...]
    zones: Mapping[str, str]

    def bracket_for(self, weight_g: int) -> int | None:
        """Upper bound of the bracket holding `weight_g`, or None when over the last one."""
        for bound in self.brackets:
            if weight_g <= bound:
                return bound
        return None

    def zone_for(self, country: str) -> str | None:
        """The zone this service bills `country` in, or None when it does not go there."""
        zone = self.zones.get(country.upper())
        return zone if zone in self.zones_served else None


@dataclass(frozen=True)
class PriceList:
    """One version of the price list: fees by service, zone and bracket upper bound."""

    version: str
    effective_from: datetime
    currency: str
    fees: Mapping[str, Mapping[str, Mapping[int, int]]]
    source: str

    def fee(self, service: str, zone: str, bracket_g: int) -> int | None:
        """Fee in whole currency units, or None when the list has no such entry."""
        return self.fees.get(service, {}).get(zone, {}).get(bracket_g)


@dataclass(frozen=True)
class CustomsRules:
    """Customs form choice, export-declaration threshold and refused descriptions."""

    version: str
    cn22_max_value_sdr: int
    sdr_jpy_rate: Decimal
    sdr_rate_as_of: date
    export_declaration_threshold_jpy: int
    generic_descriptions: frozenset[str]
    filler_words: frozenset[str]

    @property
    def cn22_max_value_jpy(self) -> int:
        """The CN22 limit in yen: the SDR limit at the table's rate, rounded down."""
        return int(self.cn22_max_value_sdr * self.sdr_jpy_rate)

    def customs_form(self, value_jpy: int) -> CustomsForm:
        """CN22 for a declared value under the limit, CN23 otherwise."""
        return "CN22" if value_jpy < self.cn22_max_value_jpy else "CN23"

    def needs_export_declaration(self, value_jpy: int) -> bool:
        """Whether a declared value is above the export-declaration threshold."""
        return value_jpy > self.export_declaration_threshold_jpy

    def is_generic_description(self, text: str) -> bool:
        """True for a contents description customs would refuse as too vague."""
        words = WORD_RE.findall(text.lower())
        meaningful = [w for w in words if w not in self.filler_words]
        return all(w in self.generic_descriptions for w in meaningful)


class NoPriceListInForce(LookupError):
    """No price list had taken effect at the requested time."""
