"""The names a customer row carries when it holds no personal data: anonymised, or a
placeholder until the customer's own row arrives.

They stay in clear even when names are sealed at rest: they say nothing about a person, and
retention, the state audit and sync compare stored names with them, in SQL too, without a key.
A real name is sealed when a key file is configured, so it is never taken for one of them.
"""

from __future__ import annotations

ANONYMISED_NAME = "anonymised"


def placeholder_name(customer_id: str) -> str:
    """The name a customer row carries until the customer's own row arrives."""
    return f"(customer {customer_id})"


def is_marker_name(customer_id: str, name: str | None) -> bool:
    """Whether a stored name is one of the clear markers (anonymised, placeholder)."""
    return name == ANONYMISED_NAME or name == placeholder_name(customer_id)
