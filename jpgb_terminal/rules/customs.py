"""Customs declarations for outbound boxes: which form, which warnings, which lines are refused."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from jpgb_terminal.refdata import CustomsRules, Service, customs_rules
from jpgb_terminal.tracking import ISO_COUNTRY_CODES

CATEGORIES = ("gift", "merchandise", "documents", "sample", "returned_goods", "other")
LITHIUM = ("none", "installed", "loose")
DECLARED_CURRENCY = "JPY"
HS_CODE = re.compile(r"^\d{6,10}$")
Lithium = Literal["none", "installed", "loose"]


@dataclass(frozen=True)
class DeclaredLine:
    """One line of contents as the customer declared it."""

    description: str
    quantity: int
    unit_value: Decimal
    currency: str
    origin_country: str
    hs_code: str | None = None
    net_weight_g: int | None = None
    lithium: str = "none"

    @property
    def value(self) -> Decimal:
        """Quantity times unit value."""
        return self.unit_value * self.quantity


@dataclass(frozen=True)
class Declaration:
    """The form a box needs and what the lead must know about it."""

    form: str
    total_value: Decimal
    currency: str
    export_declaration: bool
    warnings: tuple[str, ...]
    rules_version: str


def normalize_hs_code(text: str) -> str:
    """HS code digits only: `6109.10` and `6109 10` both become `610910`."""
    return re.sub(r"[\s.\-]", "", text)


def line_problems(
    line: DeclaredLine, service: Service | None, rules: CustomsRules | None = None
) -> list[str]:
    """Why customs or the carrier would refuse this line (empty when it is acceptable)."""
    rules = rules or customs_rules()
    problems: list[str] = []
    text = line.description.strip()
    if not text:
        problems.append("description is empty")
    elif rules.is_generic_description(text):
        problems.append(
            f"description {text!r} is too vague for customs: say what it is "
            "(e.g. 'gift: wool scarf', 'manga books')"
        )
    if isinstance(line.quantity, bool) or not isinstance(line.quantity, int) or line.quantity <= 0:
        problems.append(f"quantity {line.quantity!r} must be a whole number above 0")
    if line.unit_value < 0:
        problems.append(f"unit value {line.unit_value} is negative")
    if line.currency != DECLARED_CURRENCY:
        problems.append(
            f"currency {line.currency!r}: declared values must be in {DECLARED_CURRENCY} "
            "(the customs thresholds are in yen)"
        )
    if line.origin_country not in ISO_COUNTRY_CODES:
        problems.append(f"origin country {line.origin_country!r} is not an ISO country code")
    if line.hs_code is not None and not HS_CODE.match(line.hs_code):
        problems.append(f"HS code {line.hs_code!r} must be 6 to 10 digits")
    if line.net_weight_g is not None and line.net_weight_g <= 0:
        problems.append(f"net weight {line.net_weight_g} g must be above 0")
    if line.lithium not in LITHIUM:
        problems.append(f"lithium {line.lithium!r} must be one of {', '.join(LITHIUM)}")
    elif service is not None:
        problems.extend(lithium_problems(line.lithium, service))
    return problems


def lithium_problems(lithium: str, service: Service) -> list[str]:
    """The service's lithium-battery policy applied to one line's batteries."""
    if lithium == "none" or service.lithium_battery == "allowed":
        return []
    if service.lithium_battery == "forbidden":
        return [f"{service.name} takes no lithium batteries at all"]
    if lithium == "loose":
        return [f"{service.name} takes lithium batteries only installed in equipment, none loose"]
    return []


def declare(
    lines: Sequence[DeclaredLine], category: str, rules: CustomsRules | None = None
) -> Declaration:
    """Total value, CN22 or CN23, and the export-declaration flag for a box's contents."""
    rules = rules or customs_rules()
    if category not in CATEGORIES:
        raise ValueError(f"category {category!r} must be one of {', '.join(CATEGORIES)}")
    if not lines:
        raise ValueError("a customs declaration needs at least one line")
    total = sum((line.value for line in lines), Decimal("0"))
    # Thresholds are whole yen; a fraction of a yen counts against the sender.
    whole_yen = int(total.to_integral_value(rounding="ROUND_CEILING"))
    form = rules.customs_form(whole_yen)
    export = rules.needs_export_declaration(whole_yen)
    warnings: list[str] = []
    if export:
        warnings.append(
            f"declared value {whole_yen:,} JPY is over {rules.export_declaration_threshold_jpy:,} "
            "JPY: an export declaration to Japan Customs is needed before the box leaves"
        )
    if form == "CN23" and any(line.hs_code is None for line in lines):
        warnings.append("CN23: HS codes are missing on some lines; customs may ask for them")
    return Declaration(
        form=form,
        total_value=total,
        currency=DECLARED_CURRENCY,
        export_declaration=export,
        warnings=tuple(warnings),
        rules_version=rules.version,
    )
