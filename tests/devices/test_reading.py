"""Unit conversion to integer grams and the billable rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jpgb_terminal.devices.reading import FrameError, ScaleReading, parse_number, to_grams


@pytest.mark.parametrize(
    ("value", "unit", "grams"),
    [
        ("1234", "g", 1234),
        ("1234.4", "g", 1234),
        ("1234.5", "g", 1235),
        ("0.5", "g", 1),
        ("-0.5", "g", -1),
        ("1.234", "kg", 1234),
        ("0.0005", "kg", 1),
        ("1", "lb", 454),
        ("2.205", "lb", 1000),
        ("1", "oz", 28),
        ("16", "oz", 454),
        ("1500", "mg", 2),
        ("30.000", "kg", 30000),
    ],
)
def test_to_grams_exact(value: str, unit: str, grams: int) -> None:
    assert to_grams(Decimal(value), unit) == grams


def test_unknown_unit_is_a_frame_error() -> None:
    with pytest.raises(FrameError):
        to_grams(Decimal(1), "PC")


@pytest.mark.parametrize("text", ["", "+", "1.2.3", "abc", "１２", "²", "1e3", "nan"])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(FrameError):
        parse_number(text)


def _r(**kw: object) -> ScaleReading:
    base: dict[str, object] = {
        "grams": 100,
        "stable": True,
        "net": False,
        "status": "ok",
        "raw": b"x",
    }
    base.update(kw)
    return ScaleReading(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "gross", "net"),
    [
        ({}, True, False),
        ({"net": True}, False, True),
        ({"stable": False, "status": "motion"}, False, False),
        ({"grams": 0}, False, False),
        ({"grams": None, "status": "overload"}, False, False),
        ({"grams": -5, "status": "negative"}, False, False),
        ({"status": "error"}, False, False),
    ],
)
def test_billable(kw: dict[str, object], gross: bool, net: bool) -> None:
    reading = _r(**kw)
    assert reading.billable is gross
    assert reading.billable_as(net=False) is gross
    assert reading.billable_as(net=True) is net
