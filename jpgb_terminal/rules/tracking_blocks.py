"""Splitting a carrier's serial range into per-station blocks, and handing a block's tail on.

Pure arithmetic on S10 serials (0..99999999): no store, no clock.  A block is owned by one
station, and only its owner gives out numbers from it, so two stations that never talk can
never give out the same number.  Every function here keeps two promises, checked by the
property tests: the blocks of a range never overlap, and together they cover the range and
nothing outside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jpgb_terminal.stations import station_id_problem

MAX_SERIAL = 99_999_999


class BlockRefused(ValueError):
    """A partition or hand-over that cannot be made; the message is one line saying why."""


@dataclass(frozen=True)
class Block:
    """Serials `first`..`last` (inclusive) of a range, given out by `station_id` only."""

    station_id: str
    first: int
    last: int

    @property
    def size(self) -> int:
        """How many serials the block holds."""
        return self.last - self.first + 1

    def overlaps(self, first: int, last: int) -> bool:
        """Whether the block shares a serial with `first`..`last`."""
        return self.first <= last and first <= self.last


def _check_span(first: int, last: int) -> None:
    if not (0 <= first <= MAX_SERIAL and 0 <= last <= MAX_SERIAL):
        raise BlockRefused(f"serials must be 0..{MAX_SERIAL}, got {first}..{last}")
    if first > last:
        raise BlockRefused(f"first serial {first} is after last serial {last}")


def stations_of(names: Sequence[str]) -> tuple[str, ...]:
    """The station ids in the order given, without repeats; BlockRefused on a bad or no id."""
    seen: list[str] = []
    for raw in names:
        name = raw.strip()
        problem = station_id_problem(name)
        if problem is not None:
            raise BlockRefused(problem)
        if name not in seen:
            seen.append(name)
    if not seen:
        raise BlockRefused("a range needs at least one station to give out its numbers")
    return tuple(seen)


def partition(first: int, last: int, stations: Sequence[str]) -> tuple[Block, ...]:
    """Split `first`..`last` into one contiguous block per station, in the order given.

    Sizes differ by at most one; the earlier stations take the remainder.  A station listed
    twice gets one block.  Refused when there are more stations than serials.
    """
    _check_span(first, last)
    owners = stations_of(stations)
    total = last - first + 1
    if len(owners) > total:
        raise BlockRefused(
            f"{total} numbers cannot be split between {len(owners)} stations: "
            "each station needs at least one"
        )
    base, extra = divmod(total, len(owners))
    blocks: list[Block] = []
    start = first
    for i, owner in enumerate(owners):
        size = base + (1 if i < extra else 0)
        blocks.append(Block(owner, start, start + size - 1))
        start += size
    return tuple(blocks)


def hand_over_tail(block: Block, next_serial: int, count: int, to_station: str) -> Block:
    """The last `count` serials of `block` not yet given out, as a block of `to_station`.

    `next_serial` is the owner's next serial to give out (numbers below it are used).  Only
    the owner may call this for its block, so the tail handed on is one it will never use.
    """
    problem = station_id_problem(to_station)
    if problem is not None:
        raise BlockRefused(problem)
    if to_station == block.station_id:
        raise BlockRefused(f"the block already belongs to {to_station}")
    if count < 1:
        raise BlockRefused(f"count must be at least 1, got {count}")
    left = block.last - max(next_serial, block.first) + 1
    if count > left:
        raise BlockRefused(
            f"the block {block.first}..{block.last} of {block.station_id} has {max(left, 0)} "
            f"numbers left, fewer than {count}"
        )
    return Block(to_station, block.last - count + 1, block.last)


def first_overlap(
    block: Block, others: Sequence[Block], *, other_owners_only: bool = True
) -> Block | None:
    """The first of `others` sharing a serial with `block` (of another owner, by default)."""
    for other in others:
        if other_owners_only and other.station_id == block.station_id:
            continue
        if block.overlaps(other.first, other.last):
            return other
    return None
