"""Validation of the reference tables: parsed TOML in, typed values out, or one clear error.

Pure functions of their input (the shipped tables and a price list imported from a file go
through the same checks); reading the files is jpgb_terminal.refdata.tables' job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from types import MappingProxyType
from typing import Any, cast

from jpgb_terminal.refdata import fields
from jpgb_terminal.refdata.model import (
    CHECKLIST_KEYS,
    CUSTOMS_FILE,
    HOLD_REASON_CODES,
    HOLD_REASONS_FILE,
    PRICE_LIST_DIR,
    PROHIBITED_FILE,
    SERVICES_FILE,
    WORD_RE,
    CustomsRules,
    HoldReason,
    LithiumPolicy,
    PriceList,
    ProhibitedCategory,
    ReferenceDataError,
    Service,
    ServiceKind,
    WeightSegment,
)
from jpgb_terminal.tracking import ISO_COUNTRY_CODES


def parse_prohibited_categories(
    raw: Mapping[str, Any], source: str = PROHIBITED_FILE
) -> tuple[ProhibitedCategory, ...]:
    """Validate the prohibited-categories table: 16 categories numbered 1..16, keys in order."""
    fields.version(raw, source)
    rows = fields.list_of_tables(raw, "categories", source)
    result: list[ProhibitedCategory] = []
    for i, row in enumerate(rows):
        where = f"{source}: categories[{i}]"
        examples = fields.get(row, "examples", list, where)
        if not all(isinstance(e, str) and e.strip() for e in examples):
            raise ReferenceDataError(f"{where}: examples must be non-empty strings")
        result.append(
            ProhibitedCategory(
                code=fields.code(row, where),
                number=fields.integer(row, "number", where),
                key=fields.text(row, "key", where),
                label=fields.label(row, where),
                article=fields.text(row, "article", where),
                text=fields.text(row, "text", where),
                examples=tuple(examples),
            )
        )
    if len(result) != 16:
        raise ReferenceDataError(f"{source}: expected 16 categories (Art. 10), got {len(result)}")
    fields.unique(result, "code", source)
    fields.unique(result, "key", source)
    for expected, (cat, key) in enumerate(zip(result, CHECKLIST_KEYS, strict=True), start=1):
        if cat.number != expected:
            raise ReferenceDataError(
                f"{source}: category {cat.code!r} is number {cat.number}, expected {expected}"
            )
        if cat.key != key:
            raise ReferenceDataError(
                f"{source}: category {cat.number} has key {cat.key!r}, expected {key!r}"
            )
        if cat.article != f"Art. 10({expected})":
            raise ReferenceDataError(
                f"{source}: category {cat.number} cites {cat.article!r}, expected "
                f"'Art. 10({expected})'"
            )
    return tuple(result)


def parse_hold_reasons(
    raw: Mapping[str, Any], source: str = HOLD_REASONS_FILE
) -> dict[str, HoldReason]:
    """Validate the hold-reasons table: the 12 reasons of Art. 14 with their custody rules."""
    fields.version(raw, source)
    rows = fields.list_of_tables(raw, "reasons", source)
    reasons: list[HoldReason] = []
    for i, row in enumerate(rows):
        where = f"{source}: reasons[{i}]"
        reasons.append(
            HoldReason(
                code=fields.code(row, where),
                number=fields.integer(row, "number", where),
                article=fields.text(row, "article", where),
                label=fields.label(row, where),
                text=fields.text(row, "text", where),
                custody_days=fields.integer(row, "custody_days", where, minimum=0),
                immediate_disposal=fields.get(row, "immediate_disposal", bool, where),
                custody_article=fields.text(row, "custody_article", where),
            )
        )
    codes = tuple(r.code for r in reasons)
    if codes != HOLD_REASON_CODES:
        raise ReferenceDataError(
            f"{source}: reasons must be exactly {', '.join(HOLD_REASON_CODES)} in that order; "
            f"got {', '.join(codes)}"
        )
    for expected, reason in enumerate(reasons, start=1):
        if reason.number != expected or reason.article != f"Art. 14({expected})":
            raise ReferenceDataError(
                f"{source}: reason {reason.code!r} must be number {expected}, Art. 14({expected})"
            )
        # Art. 15.1 lets prohibited goods go at once; 15.2 keeps everything else 60 days.
        if reason.code == "prohibited_item":
            if not reason.immediate_disposal or reason.custody_days != 0:
                raise ReferenceDataError(
                    f"{source}: prohibited_item must have immediate_disposal = true and "
                    "custody_days = 0 (Art. 15.1)"
                )
        elif reason.immediate_disposal or reason.custody_days != 60:
            raise ReferenceDataError(
                f"{source}: {reason.code} must have custody_days = 60 and no immediate "
                "disposal (Art. 15.2)"
            )
    return {r.code: r for r in reasons}


def brackets_from_segments(segments: tuple[WeightSegment, ...], where: str = "") -> tuple[int, ...]:
    """Expand bracket segments into the list of bracket upper bounds, checking each segment."""
    prefix = f"{where}: " if where else ""
    bounds: list[int] = []
    start = 0
    for seg in segments:
        if seg.step_g <= 0 or seg.up_to_g <= start:
            raise ReferenceDataError(
                f"{prefix}bracket segment up to {seg.up_to_g} g must rise above {start} g "
                "with a positive step"
            )
        if (seg.up_to_g - start) % seg.step_g:
            raise ReferenceDataError(
                f"{prefix}bracket segment {start}..{seg.up_to_g} g is not a whole number of "
                f"{seg.step_g} g steps"
            )
        bounds.extend(range(start + seg.step_g, seg.up_to_g + 1, seg.step_g))
        start = seg.up_to_g
    if not bounds:
        raise ReferenceDataError(f"{prefix}no brackets")
    return tuple(bounds)


def parse_services(raw: Mapping[str, Any], source: str = SERVICES_FILE) -> dict[str, Service]:
    """Validate the services table: kinds, limits, increasing brackets and zone maps."""
    fields.version(raw, source)
    zone_maps_raw = fields.get(raw, "zone_maps", dict, source)
    zone_maps: dict[str, Mapping[str, str]] = {}
    for name, table in zone_maps_raw.items():
        where = f"{source}: zone_maps.{name}"
        if not isinstance(table, dict) or not table:
            raise ReferenceDataError(f"{where}: must be a non-empty table of country = zone")
        for country, zone in table.items():
            if country not in ISO_COUNTRY_CODES:
                raise ReferenceDataError(f"{where}: unknown country code {country!r}")
            if not isinstance(zone, str) or not zone:
                raise ReferenceDataError(f"{where}: zone of {country} must be a string")
        zone_maps[name] = MappingProxyType(dict(table))

    services: dict[str, Service] = {}
    for code, row in fields.get(raw, "services", dict, source).items():
        where = f"{source}: services.{code}"
        if not fields.CODE_RE.match(code):
            raise ReferenceDataError(f"{where}: code must be snake_case")
        if not isinstance(row, dict):
            raise ReferenceDataError(f"{where}: must be a table")
        kind = fields.choice(row, "kind", ("postal", "courier"), where)
        max_weight = fields.integer(row, "max_weight_g", where, minimum=1)
        segments = tuple(
            WeightSegment(
                up_to_g=fields.integer(seg, "up_to_g", f"{where}.brackets[{i}]", minimum=1),
                step_g=fields.integer(seg, "step_g", f"{where}.brackets[{i}]", minimum=1),
            )
            for i, seg in enumerate(fields.list_of_tables(row, "brackets", where))
        )
        brackets = brackets_from_segments(segments, where)
        if brackets[-1] != max_weight:
            raise ReferenceDataError(
                f"{where}: last bracket {brackets[-1]} g must equal max_weight_g {max_weight} g"
            )
        divisor = fields.optional_integer(row, "volumetric_divisor", where)
        rounding = fields.optional_integer(row, "rounding_g", where)
        if kind == "courier":
            if divisor is None or rounding is None:
                raise ReferenceDataError(
                    f"{where}: a courier needs volumetric_divisor and rounding_g"
                )
            # Rounded chargeable weights must land exactly on a bracket bound.
            if (
                any(b % rounding for b in brackets)
                or brackets[0] != rounding
                or any(b - a != rounding for a, b in pairwise(brackets))
            ):
                raise ReferenceDataError(f"{where}: courier brackets must be every {rounding} g")
        elif divisor is not None or rounding is not None:
            raise ReferenceDataError(
                f"{where}: a postal service charges actual weight only; remove "
                "volumetric_divisor and rounding_g"
            )
        zone_map = fields.text(row, "zone_map", where)
        if zone_map not in zone_maps:
            raise ReferenceDataError(f"{where}: unknown zone_map {zone_map!r}")
        zones_served = fields.get(row, "zones_served", list, where)
        known_zones = set(zone_maps[zone_map].values())
        if not zones_served or any(z not in known_zones for z in zones_served):
            raise ReferenceDataError(
                f"{where}: zones_served {zones_served} must be zones of zone_map {zone_map!r} "
                f"({', '.join(sorted(known_zones))})"
            )
        services[code] = Service(
            code=code,
            name=fields.text(row, "name", where),
            description=fields.text(row, "description", where),
            kind=cast(ServiceKind, kind),
            max_weight_g=max_weight,
            max_longest_side_cm=fields.optional_integer(row, "max_longest_side_cm", where),
            max_length_girth_cm=fields.optional_integer(row, "max_length_girth_cm", where),
            volumetric_divisor=divisor,
            rounding_g=rounding,
            lithium_battery=cast(
                LithiumPolicy,
                fields.choice(
                    row, "lithium_battery", ("forbidden", "installed_only", "allowed"), where
                ),
            ),
            segments=segments,
            brackets=brackets,
            zone_map=zone_map,
            zones_served=tuple(zones_served),
            zones=zone_maps[zone_map],
        )
    if not services:
        raise ReferenceDataError(f"{source}: no services")
    return services


def check_price_list_keys(raw: Mapping[str, Any], source: str) -> None:
    """Refuse keys a price list does not have (a misspelt key would be dropped without a word).

    For a list about to be published; reading one already published stays lenient.
    """

    def known(table: Mapping[str, Any], names: tuple[str, ...], where: str) -> None:
        unknown = sorted(set(table) - set(names))
        if unknown:
            raise ReferenceDataError(
                f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(names)})"
            )

    known(raw, ("version", "effective_from", "currency", "services"), source)
    services = raw.get("services")
    for code, table in services.items() if isinstance(services, dict) else ():
        if isinstance(table, dict):
            known(table, ("zones", "rows"), f"{source}: services.{code}")


def parse_price_list(
    raw: Mapping[str, Any], services: Mapping[str, Service], source: str
) -> PriceList:
    """Validate one price list against the services: every bracket and served zone priced."""
    version = fields.version(raw, source)
    effective_from = raw.get("effective_from")
    if not isinstance(effective_from, datetime) or effective_from.utcoffset() is None:
        raise ReferenceDataError(
            f"{source}: effective_from must be a date-time with a UTC offset, "
            "e.g. 2026-11-01T00:00:00+09:00"
        )
    currency = fields.text(raw, "currency", source)
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ReferenceDataError(f"{source}: currency must be an ISO 4217 code, got {currency!r}")
    fees: dict[str, Mapping[str, Mapping[int, int]]] = {}
    for code, table in fields.get(raw, "services", dict, source).items():
        where = f"{source}: services.{code}"
        service = services.get(code)
        if service is None:
            raise ReferenceDataError(f"{where}: no such service in {SERVICES_FILE}")
        zones = fields.get(table, "zones", list, where)
        if sorted(zones) != sorted(service.zones_served) or len(set(zones)) != len(zones):
            raise ReferenceDataError(
                f"{where}: zones {zones} must be the served zones {list(service.zones_served)}"
            )
        rows = fields.get(table, "rows", list, where)
        bounds = []
        columns: dict[str, dict[int, int]] = {z: {} for z in zones}
        for i, row in enumerate(rows):
            if (
                not isinstance(row, list)
                or len(row) != len(zones) + 1
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in row)
            ):
                raise ReferenceDataError(
                    f"{where}: row {i + 1} of rows must be [up_to_g, one integer fee per zone]"
                )
            bound, *row_fees = row
            bounds.append(bound)
            for zone, fee in zip(zones, row_fees, strict=True):
                if fee <= 0:
                    raise ReferenceDataError(f"{where}: fee at {bound} g zone {zone} must be > 0")
                columns[zone][bound] = fee
        if tuple(bounds) != service.brackets:
            missing = sorted(set(service.brackets) - set(bounds))
            extra = sorted(set(bounds) - set(service.brackets))
            raise ReferenceDataError(
                f"{where}: rows must be the service's brackets in order "
                f"(missing {missing[:5]}, unexpected {extra[:5]})"
            )
        for zone, column in columns.items():
            ordered = [column[b] for b in service.brackets]
            if any(b < a for a, b in pairwise(ordered)):
                raise ReferenceDataError(f"{where}: zone {zone} fees fall as weight rises")
        fees[code] = MappingProxyType({z: MappingProxyType(c) for z, c in columns.items()})
    return PriceList(
        version=version,
        effective_from=effective_from,
        currency=currency,
        fees=MappingProxyType(fees),
        source=source,
    )


def parse_customs_rules(raw: Mapping[str, Any], source: str = CUSTOMS_FILE) -> CustomsRules:
    """Validate the customs table: CN22 limit and rate, export threshold, description words."""
    version = fields.version(raw, source)
    cn22 = fields.get(raw, "cn22", dict, source)
    where = f"{source}: cn22"
    try:
        rate = Decimal(fields.text(cn22, "sdr_jpy_rate", where))
    except InvalidOperation:
        raise ReferenceDataError(f"{where}: sdr_jpy_rate must be a decimal string") from None
    if not rate.is_finite() or rate <= 0:
        raise ReferenceDataError(f"{where}: sdr_jpy_rate must be positive")
    as_of = cn22.get("sdr_rate_as_of")
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise ReferenceDataError(f"{where}: sdr_rate_as_of must be a date")
    export = fields.get(raw, "export_declaration", dict, source)
    descriptions = fields.get(raw, "descriptions", dict, source)
    words: dict[str, frozenset[str]] = {}
    for name in ("generic", "filler"):
        values = fields.get(descriptions, name, list, f"{source}: descriptions")
        if not all(isinstance(v, str) and WORD_RE.fullmatch(v) for v in values):
            raise ReferenceDataError(
                f"{source}: descriptions.{name} must be single lower-case words"
            )
        words[name] = frozenset(values)
    if not words["generic"]:
        raise ReferenceDataError(f"{source}: descriptions.generic is empty")
    return CustomsRules(
        version=version,
        cn22_max_value_sdr=fields.integer(cn22, "max_value_sdr", where, minimum=1),
        sdr_jpy_rate=rate,
        sdr_rate_as_of=as_of,
        export_declaration_threshold_jpy=fields.integer(
            export, "threshold_jpy", f"{source}: export_declaration", minimum=1
        ),
        generic_descriptions=words["generic"],
        filler_words=words["filler"],
    )


def check_price_lists(lists: list[PriceList]) -> tuple[PriceList, ...]:
    """Sort price lists by start and reject duplicate versions or start times."""
    if not lists:
        raise ReferenceDataError(f"{PRICE_LIST_DIR}/: no price lists")
    ordered = sorted(lists, key=lambda p: p.effective_from)
    for name in ("version", "effective_from"):
        seen: dict[object, str] = {}
        for p in ordered:
            value = getattr(p, name)
            if value in seen:
                raise ReferenceDataError(
                    f"{PRICE_LIST_DIR}/: {p.source} and {seen[value]} share {name} {value}"
                )
            seen[value] = p.source
    return tuple(ordered)
