"""Masking personal data on display (privacy policy: least access, masking when shown)."""

from __future__ import annotations


def mask_name(name: str | None) -> str:
    """First letter of each word, the rest as stars: "Taro Yamada" -> "T*** Y***"."""
    if not name:
        return "-"
    return " ".join(f"{word[0]}***" for word in name.split())


def mask_phone(phone: str | None) -> str:
    """Only the last four digits stay: "090-1234-5678" -> "***-****-5678"."""
    if not phone:
        return "-"
    digits = [c for c in phone if c.isdigit()]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "***-****-" + "".join(digits[-4:])


def mask_address(address: str | None) -> str:
    """Only the last comma-separated part (city, country) stays."""
    if not address:
        return "-"
    parts = [p.strip() for p in address.split(",") if p.strip()]
    return "*** " + ", ".join(parts[-2:]) if len(parts) > 1 else "***"
