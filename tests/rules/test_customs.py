"""Customs thresholds, refused descriptions and the lithium policy, table-driven."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jpgb_terminal.refdata import customs_rules, services
from jpgb_terminal.rules.customs import DeclaredLine, declare, line_problems

RULES = customs_rules()
LIMIT = RULES.cn22_max_value_jpy  # 300 SDR at the table's rate, in whole yen


def line(value: str, quantity: int = 1, **kw: object) -> DeclaredLine:
    base: dict[str, object] = {
        "description": "wool scarf",
        "quantity": quantity,
        "unit_value": Decimal(value),
        "currency": "JPY",
        "origin_country": "JP",
    }
    base.update(kw)
    return DeclaredLine(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "form", "export"),
    [
        ("1", "CN22", False),
        (str(LIMIT - 1), "CN22", False),
        (f"{LIMIT - 1}.01", "CN23", False),  # a fraction of a yen counts against the sender
        (str(LIMIT), "CN23", False),
        ("200000", "CN23", False),
        ("200000.01", "CN23", True),
        ("200001", "CN23", True),
    ],
)
def test_form_and_export_threshold(value: str, form: str, export: bool) -> None:
    d = declare([line(value)], "gift")
    assert (d.form, d.export_declaration) == (form, export)
    assert bool(d.warnings and "export declaration" in d.warnings[0]) == export


def test_total_is_quantity_times_unit_value_over_lines() -> None:
    d = declare([line("1000", 3), line("250.50", 2)], "merchandise")
    assert d.total_value == Decimal("3501.00") and d.currency == "JPY"


@pytest.mark.parametrize(
    ("description", "refused"),
    [
        ("gift", True),
        ("Goods", True),
        ("sample", True),
        ("misc. goods", True),
        ("personal belongings", True),
        ("gift: wool scarf", False),
        ("manga books", False),
        ("", True),
    ],
)
def test_generic_descriptions(description: str, refused: bool) -> None:
    problems = line_problems(line("100", description=description), services()["ems"])
    assert bool(problems) == refused


@pytest.mark.parametrize(
    ("policy_service", "lithium", "refused"),
    [
        ("ems", "none", False),
        ("ems", "installed", False),
        ("ems", "loose", True),
        ("dhl", "loose", True),
    ],
)
def test_lithium_policy(policy_service: str, lithium: str, refused: bool) -> None:
    svc = services()[policy_service]
    problems = line_problems(line("100", lithium=lithium), svc)
    assert bool(problems) == refused


def test_forbidden_policy_refuses_any_battery() -> None:
    from dataclasses import replace

    svc = replace(services()["ems"], lithium_battery="forbidden")
    assert line_problems(line("100", lithium="installed"), svc)
    allowed = replace(services()["ems"], lithium_battery="allowed")
    assert not line_problems(line("100", lithium="loose"), allowed)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"currency": "USD"}, "JPY"),
        ({"origin_country": "XX"}, "origin country"),
        ({"hs_code": "12"}, "HS code"),
        ({"quantity": 0}, "above 0"),
        ({"lithium": "maybe"}, "lithium"),
    ],
)
def test_line_problems(kw: dict[str, object], message: str) -> None:
    assert any(message in p for p in line_problems(line("100", **kw), None))


def test_bad_category_and_no_lines() -> None:
    with pytest.raises(ValueError, match="category"):
        declare([line("1")], "bribe")
    with pytest.raises(ValueError, match="at least one line"):
        declare([], "gift")
