"""Parcel states and the transitions between them."""

from __future__ import annotations

from enum import StrEnum


class ParcelState(StrEnum):
    """Where a parcel stands in the warehouse."""

    RECEIVED = "received"  # scanned in, waiting for its weight
    WEIGHED = "weighed"  # weight recorded, waiting for inspection
    CLEARED = "cleared"  # inspected, nothing wrong: may be shipped
    HELD = "held"  # kept for one or more Art. 14 reasons
    RELEASED = "released"  # hold resolved in time (Art. 15.3)
    RETURNED = "returned"  # sent back to the sender
    DISPOSED = "disposed"  # destroyed (Art. 15.1, 15.4)
    SOLD = "sold"  # sold after the custody period (Art. 15.4-15.7)
    REPORTED = "reported"  # frozen and reported to the police (Art. 13.2, 18.1(9))
    PACKED = "packed"  # packed into an outbound box, labelled and declared
    SHIPPED = "shipped"  # its box was handed to the carrier


S = ParcelState

TRANSITIONS: dict[ParcelState, frozenset[ParcelState]] = {
    S.RECEIVED: frozenset({S.WEIGHED, S.HELD}),
    S.WEIGHED: frozenset({S.CLEARED, S.HELD}),
    S.CLEARED: frozenset({S.HELD, S.PACKED}),
    S.HELD: frozenset({S.RELEASED, S.RETURNED, S.DISPOSED, S.SOLD, S.REPORTED}),
    S.RELEASED: frozenset({S.HELD, S.PACKED}),
    S.RETURNED: frozenset(),
    S.DISPOSED: frozenset(),
    S.SOLD: frozenset(),
    S.REPORTED: frozenset(),
    S.PACKED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset(),
}

FINAL_STATES = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


class IllegalTransition(ValueError):
    """A change of state the rules do not allow."""

    def __init__(self, tracking_no: str, current: str, target: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS.get(ParcelState(current), ()))) or "none (final)"
        super().__init__(
            f"parcel {tracking_no} is {current}; it cannot become {target} "
            f"(from {current} it can become: {allowed})"
        )
        self.tracking_no = tracking_no
        self.current = current
        self.target = target


def can_transition(current: ParcelState | str, target: ParcelState | str) -> bool:
    """Whether a parcel in `current` may move to `target`."""
    return ParcelState(target) in TRANSITIONS[ParcelState(current)]


def check_transition(
    tracking_no: str, current: ParcelState | str, target: ParcelState | str
) -> None:
    """Raise IllegalTransition unless `current` -> `target` is allowed."""
    if not can_transition(current, target):
        raise IllegalTransition(tracking_no, str(current), str(target))
