"""Masking of names, phones and addresses, table-driven."""

from __future__ import annotations

import pytest

from jpgb_terminal.rules.masking import mask_address, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Taro Yamada", "T*** Y***"),
        ("  Emma   Smith ", "E*** S***"),
        ("山田 太郎", "山*** 太***"),
        ("Cher", "C***"),
        ("", "-"),
        (None, "-"),
    ],
)
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("090-1234-5678", "***-****-5678"),
        ("+1 (555) 010-9999", "***-****-9999"),
        ("123", "***"),
        (None, "-"),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("12 Demo Street, Los Angeles, US", "*** Los Angeles, US"),
        ("somewhere", "***"),
        (None, "-"),
    ],
)
def test_mask_address(address: str | None, masked: str) -> None:
    assert mask_address(address) == masked
