"""Who can log in to the demo terminal (kept apart so the login screen loads nothing heavy)."""

from __future__ import annotations

DEMO_OPERATORS: tuple[tuple[str, str, str], ...] = (
    ("aiko", "staff", "1111"),
    ("kenji", "supervisor", "2222"),
    ("yui", "lead", "3333"),
)


def demo_operator_lines() -> list[str]:
    """The demo's operators with their roles and PINs, one line each."""
    return [f"{name} ({role}) PIN {pin}" for name, role, pin in DEMO_OPERATORS]
