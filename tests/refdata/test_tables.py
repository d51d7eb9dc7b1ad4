"""Reference tables: the shipped data is valid, and the validators catch broken tables."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jpgb_terminal import refdata as refs
from jpgb_terminal.refdata import (
    NoPriceListInForce,
    ReferenceDataError,
    WeightSegment,
    brackets_from_segments,
    check_price_lists,
    data_dir,
    load_toml,
    parse_customs_rules,
    parse_hold_reasons,
    parse_price_list,
    parse_prohibited_categories,
    parse_services,
    price_list_in_force,
)

JST = timezone(timedelta(hours=9))


def raw(name: str) -> dict[str, Any]:
    """A private copy of a parsed table, safe to break (load_toml's result is cached)."""
    return copy.deepcopy(load_toml(name))


# --- the shipped data ------------------------------------------------------------------------


def test_all_tables_load() -> None:
    refs.validate_all()


def test_prohibited_categories_follow_article_10() -> None:
    cats = refs.prohibited_categories()
    assert [c.code for c in cats] == [
        "cash_securities",
        "cards",
        "passbooks",
        "unidentified_address",
        "letters",
        "animals_plants",
        "human_remains",
        "perishables",
        "drugs",
        "weapons_hazmat",
        "pharmaceuticals",
        "obscene",
        "improper_goods",
        "restricted_by_law",
        "carrier_forbidden",
        "company_discretion",
    ]
    assert [c.number for c in cats] == list(range(1, 17))
    assert "".join(c.key for c in cats) == "1234567890abcdef"
    assert all(len(c.label) <= 30 and c.examples and c.text for c in cats)
    assert cats[9].article == "Art. 10(10)"


@pytest.mark.parametrize(
    ("example", "code"),
    [
        ("loose lithium batteries and power banks", "carrier_forbidden"),
        ("aerosols (hair spray, spray paint, deodorant)", "carrier_forbidden"),
        ("perfume, nail polish and other flammable liquids", "carrier_forbidden"),
        ("alcoholic drinks (sake, whisky)", "restricted_by_law"),
        ("knives and swords (including decorative katana)", "weapons_hazmat"),
        ("prescription medicines", "pharmaceuticals"),
        ("contact lenses", "pharmaceuticals"),
    ],
)
def test_examples_filed_under_the_right_category(example: str, code: str) -> None:
    assert example in refs.prohibited_category(code).examples


def test_unknown_category_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown prohibited-item category 'guns'.*weapons_hazmat"):
        refs.prohibited_category("guns")


def test_hold_reasons_follow_article_14_and_15() -> None:
    reasons = refs.hold_reasons()
    assert tuple(reasons) == refs.HOLD_REASON_CODES
    assert [r.article for r in reasons.values()] == [f"Art. 14({n})" for n in range(1, 13)]
    prohibited = refs.hold_reason("prohibited_item")
    assert (prohibited.custody_days, prohibited.immediate_disposal) == (0, True)
    others = [r for r in reasons.values() if r.code != "prohibited_item"]
    assert {(r.custody_days, r.immediate_disposal) for r in others} == {(60, False)}


def test_unknown_hold_reason_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match=r"unknown hold reason 'lost'.*prohibited_item"):
        refs.hold_reason("lost")


def test_ems_brackets_match_the_design() -> None:
    ems = refs.service("ems")
    expected = (
        500,
        *range(600, 1001, 100),
        *range(1250, 2001, 250),
        *range(2500, 6001, 500),
        *range(7000, 30001, 1000),
    )
    assert ems.brackets == expected
    assert (ems.kind, ems.max_weight_g, ems.volumetric_divisor) == ("postal", 30000, None)
    assert (ems.max_longest_side_cm, ems.max_length_girth_cm) == (150, 300)


def test_services_shape() -> None:
    svcs = refs.services()
    assert set(svcs) == {"ems", "air", "sal", "surface", "dhl"}
    dhl = svcs["dhl"]
    assert (dhl.kind, dhl.volumetric_divisor, dhl.rounding_g) == ("courier", 5000, 500)
    assert all(s.kind == "postal" for c, s in svcs.items() if c != "dhl")
    assert {s.lithium_battery for s in svcs.values()} <= {"forbidden", "installed_only", "allowed"}


@pytest.mark.parametrize(
    ("country", "zone"),
    [("CN", "1"), ("kr", "1"), ("TW", "1"), ("AU", "2"), ("GB", "2"), ("US", "3"), ("BR", "4")],
)
def test_japan_post_zones(country: str, zone: str) -> None:
    assert refs.service("ems").zone_for(country) == zone


def test_zone_map_is_big_enough_and_iso() -> None:
    zones = refs.service("ems").zones
    assert len(zones) >= 40
    assert refs.service("ems").zone_for("RU") is None


def test_unknown_service_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match=r"unknown service 'fedex'.*ems"):
        refs.service("fedex")


def test_price_list_in_force_now() -> None:
    current = price_list_in_force(datetime(2026, 11, 26, tzinfo=UTC))
    assert current.version == "2026-11-01"
    assert current.currency == "JPY"
    assert current.fee("ems", "1", 500) == 1450
    assert current.fee("ems", "1", 501) is None


def test_price_list_needs_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        price_list_in_force(datetime(2026, 11, 26))


def test_customs_rules() -> None:
    rules = refs.customs_rules()
    assert rules.cn22_max_value_sdr == 300
    assert rules.sdr_jpy_rate == Decimal("205.00")
    assert rules.cn22_max_value_jpy == 61500
    assert rules.customs_form(61499) == "CN22"
    assert rules.customs_form(61500) == "CN23"
    assert rules.needs_export_declaration(200000) is False
    assert rules.needs_export_declaration(200001) is True


@pytest.mark.parametrize(
    ("description", "refused"),
    [
        ("gift", True),
        ("Gift", True),
        ("GOODS", True),
        ("sample items", True),
        ("misc. goods", True),
        ("Various gifts and presents", True),
        ("", True),
        ("  ", True),
        ("merchandise", True),
        ("stuff", True),
        ("wool scarf", False),
        ("gift: wool scarf", False),
        ("used paperback books", False),
        ("phone accessories", False),
        ("anime figures (PVC)", False),
    ],
)
def test_generic_descriptions(description: str, refused: bool) -> None:
    assert refs.customs_rules().is_generic_description(description) is refused


# --- validators catch broken tables ----------------------------------------------------------


def test_validator_reads_a_file_written_to_disk(tmp_path: Path) -> None:
    broken = tmp_path / "hold_reasons.toml"
    source = data_dir() / refs.HOLD_REASONS_FILE
    broken.write_text(
        source.read_text(encoding="utf-8").replace("custody_days = 60", "custody_days = 30", 1),
        encoding="utf-8",
    )
    with broken.open("rb") as fh:
        parsed = tomllib.load(fh)
    with pytest.raises(ReferenceDataError, match="unknown_address must have custody_days = 60"):
        parse_hold_reasons(parsed, source=broken.name)


def _drop_category(d: dict[str, Any]) -> None:
    del d["categories"][-1]


def _duplicate_key(d: dict[str, Any]) -> None:
    d["categories"][3]["key"] = "3"


def _renumber(d: dict[str, Any]) -> None:
    d["categories"][4]["number"] = 7


def _long_label(d: dict[str, Any]) -> None:
    d["categories"][0]["label"] = "x" * 31


def _wrong_key(d: dict[str, Any]) -> None:
    d["categories"][9]["key"] = "g"


def _bad_code(d: dict[str, Any]) -> None:
    d["categories"][0]["code"] = "Cash Securities"


def _no_version(d: dict[str, Any]) -> None:
    del d["version"]


def _examples_not_strings(d: dict[str, Any]) -> None:
    d["categories"][0]["examples"] = ["cash", 3]


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_drop_category, "expected 16 categories"),
        (_duplicate_key, "key '3' used twice"),
        (_renumber, "is number 7, expected 5"),
        (_long_label, "over 30 characters"),
        (_wrong_key, "has key 'g', expected '0'"),
        (_bad_code, "must be snake_case"),
        (_no_version, "version must be str"),
        (_examples_not_strings, "examples must be non-empty strings"),
    ],
)
def test_prohibited_categories_validation(breakage: Any, message: str) -> None:
    data = raw(refs.PROHIBITED_FILE)
    breakage(data)
    with pytest.raises(ReferenceDataError, match=message):
        parse_prohibited_categories(data)


def test_hold_reasons_validation() -> None:
    data = raw(refs.HOLD_REASONS_FILE)
    data["reasons"][0], data["reasons"][1] = data["reasons"][1], data["reasons"][0]
    with pytest.raises(ReferenceDataError, match="exactly prohibited_item, unknown_address"):
        parse_hold_reasons(data)

    data = raw(refs.HOLD_REASONS_FILE)
    data["reasons"][0]["immediate_disposal"] = False
    with pytest.raises(ReferenceDataError, match=r"Art. 15.1"):
        parse_hold_reasons(data)

    data = raw(refs.HOLD_REASONS_FILE)
    data["reasons"][5]["immediate_disposal"] = True
    with pytest.raises(ReferenceDataError, match=r"carrier_refuses .*Art. 15.2"):
        parse_hold_reasons(data)

    data = raw(refs.HOLD_REASONS_FILE)
    data["reasons"][2]["custody_days"] = True
    with pytest.raises(ReferenceDataError, match="custody_days must be int"):
        parse_hold_reasons(data)

    data = raw(refs.HOLD_REASONS_FILE)
    data["reasons"].pop()
    with pytest.raises(ReferenceDataError, match="exactly"):
        parse_hold_reasons(data)


@pytest.mark.parametrize(
    ("segments", "message"),
    [
        ([(500, 500), (400, 100)], "must rise above 500 g"),
        ([(500, 500), (1000, 300)], "not a whole number of 300 g steps"),
        ([(500, 0)], "must rise above 0 g with a positive step"),
        ([], "no brackets"),
    ],
)
def test_bracket_segments_validation(segments: list[tuple[int, int]], message: str) -> None:
    with pytest.raises(ReferenceDataError, match=message):
        brackets_from_segments(tuple(WeightSegment(u, s) for u, s in segments))


def test_bracket_segments_expand() -> None:
    segs = (WeightSegment(500, 500), WeightSegment(1000, 250))
    assert brackets_from_segments(segs) == (500, 750, 1000)


def _ems(d: dict[str, Any]) -> dict[str, Any]:
    ems: dict[str, Any] = d["services"]["ems"]
    return ems


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: _ems(d).update(max_weight_g=31000), "must equal max_weight_g 31000"),
        (lambda d: _ems(d)["brackets"].reverse(), "must rise above"),
        (lambda d: _ems(d).update(kind="truck"), "kind must be one of postal, courier"),
        (lambda d: _ems(d).update(volumetric_divisor=5000), "actual weight only"),
        (lambda d: d["services"]["dhl"].pop("volumetric_divisor"), "needs volumetric_divisor"),
        (lambda d: d["services"]["dhl"].update(rounding_g=1000), "every 1000 g"),
        (lambda d: _ems(d).update(zone_map="yamato"), "unknown zone_map 'yamato'"),
        (lambda d: _ems(d).update(zones_served=["1", "9"]), "zones_served"),
        (lambda d: d["zone_maps"]["japan_post"].update(UK="2"), "unknown country code 'UK'"),
        (lambda d: _ems(d).update(lithium_battery="maybe"), "lithium_battery must be one of"),
        (lambda d: _ems(d).update(max_longest_side_cm=0), "max_longest_side_cm must be >= 1"),
    ],
)
def test_services_validation(breakage: Any, message: str) -> None:
    data = raw(refs.SERVICES_FILE)
    breakage(data)
    with pytest.raises(ReferenceDataError, match=message):
        parse_services(data)


PRICE_FILE = "price_lists/2026-11.toml"


def _ems_rows(d: dict[str, Any]) -> list[list[int]]:
    rows: list[list[int]] = d["services"]["ems"]["rows"]
    return rows


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: d.update(effective_from=date(2026, 11, 1)), "with a UTC offset"),
        (
            lambda d: d.update(effective_from=datetime(2026, 11, 1)),
            "with a UTC offset",
        ),
        (lambda d: d.update(currency="yen"), "ISO 4217"),
        (lambda d: _ems_rows(d).pop(3), r"missing \[800\]"),
        (lambda d: _ems_rows(d)[0].pop(), "row 1 of rows must be"),
        (lambda d: _ems_rows(d)[5].__setitem__(2, 0), "must be > 0"),
        (lambda d: _ems_rows(d)[5].__setitem__(1, 1), "zone 1 fees fall"),
        (lambda d: d["services"]["ems"].update(zones=["1", "2", "3"]), "must be the served"),
        (lambda d: d["services"].update(ups=d["services"]["dhl"]), "services.ups: no such"),
    ],
)
def test_price_list_validation(breakage: Any, message: str) -> None:
    data = raw(PRICE_FILE)
    breakage(data)
    with pytest.raises(ReferenceDataError, match=message):
        parse_price_list(data, refs.services(), "test.toml")


def _list_from(version: str, start: datetime, bump: int = 0) -> refs.PriceList:
    data = raw(PRICE_FILE)
    data["version"] = version
    data["effective_from"] = start
    for table in data["services"].values():
        for row in table["rows"]:
            row[1:] = [fee + bump for fee in row[1:]]
    return parse_price_list(data, refs.services(), f"{version}.toml")


def test_price_list_selection_by_date() -> None:
    nov = _list_from("2026-11-01", datetime(2026, 11, 1, tzinfo=JST))
    apr = _list_from("2027-04-01", datetime(2027, 4, 1, tzinfo=JST), bump=100)
    lists = check_price_lists([apr, nov])
    assert [p.version for p in lists] == ["2026-11-01", "2027-04-01"]

    def at(when: datetime) -> str:
        return price_list_in_force(when, lists).version

    assert at(datetime(2026, 11, 1, tzinfo=JST)) == "2026-11-01"
    assert at(datetime(2026, 10, 31, 15, tzinfo=UTC)) == "2026-11-01"  # midnight in Tokyo
    assert at(datetime(2027, 3, 31, 23, 59, tzinfo=JST)) == "2026-11-01"
    assert at(datetime(2027, 4, 1, tzinfo=JST)) == "2027-04-01"
    assert at(datetime(2030, 1, 1, tzinfo=UTC)) == "2027-04-01"
    with pytest.raises(NoPriceListInForce, match="no price list in force"):
        at(datetime(2026, 10, 31, 14, 59, tzinfo=UTC))


def test_price_lists_must_not_share_version_or_start() -> None:
    nov = _list_from("2026-11-01", datetime(2026, 11, 1, tzinfo=JST))
    same_start = _list_from("2026-11-01b", datetime(2026, 10, 31, 15, tzinfo=UTC))
    with pytest.raises(ReferenceDataError, match="share effective_from"):
        check_price_lists([nov, same_start])
    same_version = _list_from("2026-11-01", datetime(2027, 1, 1, tzinfo=JST))
    with pytest.raises(ReferenceDataError, match="share version"):
        check_price_lists([nov, same_version])
    with pytest.raises(ReferenceDataError, match="no price lists"):
        check_price_lists([])


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: d["cn22"].update(sdr_jpy_rate="abc"), "decimal string"),
        (lambda d: d["cn22"].update(sdr_jpy_rate="-1"), "must be positive"),
        (lambda d: d["cn22"].update(sdr_jpy_rate=205.0), "sdr_jpy_rate must be str"),
        (lambda d: d["cn22"].update(max_value_sdr=0), "max_value_sdr must be >= 1"),
        (lambda d: d["cn22"].update(sdr_rate_as_of="2026-10-31"), "must be a date"),
        (lambda d: d["export_declaration"].update(threshold_jpy=-1), "threshold_jpy"),
        (lambda d: d["descriptions"]["generic"].append("Two Words"), "single lower-case"),
        (lambda d: d["descriptions"].update(generic=[]), "generic is empty"),
    ],
)
def test_customs_validation(breakage: Any, message: str) -> None:
    data = raw(refs.CUSTOMS_FILE)
    breakage(data)
    with pytest.raises(ReferenceDataError, match=message):
        parse_customs_rules(data)
