"""Per-station blocks of a tracking-number range: table-driven cases and properties."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jpgb_terminal.rules.tracking_blocks import (
    MAX_SERIAL,
    Block,
    BlockRefused,
    first_overlap,
    hand_over_tail,
    partition,
    stations_of,
)


@pytest.mark.parametrize(
    ("first", "last", "stations", "expected"),
    [
        (1, 10, ["A"], [("A", 1, 10)]),
        (1, 10, ["A", "B"], [("A", 1, 5), ("B", 6, 10)]),
        (1, 10, ["A", "B", "C"], [("A", 1, 4), ("B", 5, 7), ("C", 8, 10)]),
        (0, 0, ["A"], [("A", 0, 0)]),
        (5, 6, ["B", "A"], [("B", 5, 5), ("A", 6, 6)]),  # the order given decides
        (1, 4, ["A", "A", " B "], [("A", 1, 2), ("B", 3, 4)]),  # repeats and spaces dropped
        (0, MAX_SERIAL, ["A", "B"], [("A", 0, 49_999_999), ("B", 50_000_000, MAX_SERIAL)]),
    ],
)
def test_partition(first: int, last: int, stations: list[str], expected: list[tuple]) -> None:
    assert [(b.station_id, b.first, b.last) for b in partition(first, last, stations)] == expected


@pytest.mark.parametrize(
    ("first", "last", "stations", "message"),
    [
        (1, 2, ["A", "B", "C"], "cannot be split between 3 stations"),
        (5, 4, ["A"], "after last serial"),
        (-1, 4, ["A"], "serials must be"),
        (1, MAX_SERIAL + 1, ["A"], "serials must be"),
        (1, 4, [], "at least one station"),
        (1, 4, ["  "], "cannot be empty"),
        (1, 4, ["bench 1"], "not allowed"),
    ],
)
def test_partition_refused(first: int, last: int, stations: list[str], message: str) -> None:
    with pytest.raises(BlockRefused, match=message):
        partition(first, last, stations)


@pytest.mark.parametrize(
    ("block", "next_serial", "count", "to", "expected"),
    [
        (Block("A", 1, 10), 1, 3, "B", ("B", 8, 10)),
        (Block("A", 1, 10), 4, 7, "B", ("B", 4, 10)),  # everything not yet given out
        (Block("A", 1, 10), 10, 1, "C", ("C", 10, 10)),
        (Block("A", 5, 10), 0, 6, "B", ("B", 5, 10)),  # a next below the block counts from first
    ],
)
def test_hand_over_tail(
    block: Block, next_serial: int, count: int, to: str, expected: tuple[str, int, int]
) -> None:
    given_block = hand_over_tail(block, next_serial, count, to)
    assert (given_block.station_id, given_block.first, given_block.last) == expected


@pytest.mark.parametrize(
    ("next_serial", "count", "to", "message"),
    [
        (4, 8, "B", "has 7 numbers left, fewer than 8"),
        (11, 1, "B", "has 0 numbers left"),
        (1, 0, "B", "at least 1"),
        (1, 1, "A", "already belongs to A"),
        (1, 1, "", "cannot be empty"),
    ],
)
def test_hand_over_refused(next_serial: int, count: int, to: str, message: str) -> None:
    with pytest.raises(BlockRefused, match=message):
        hand_over_tail(Block("A", 1, 10), next_serial, count, to)


@pytest.mark.parametrize(
    ("block", "others", "mine_too", "expected"),
    [
        (Block("A", 1, 5), [Block("B", 6, 9)], False, None),
        (Block("A", 1, 5), [Block("B", 5, 9)], False, Block("B", 5, 9)),
        (Block("A", 1, 5), [Block("A", 3, 4)], False, None),  # one's own block is no clash
        (Block("A", 1, 5), [Block("A", 3, 4)], True, Block("A", 3, 4)),
        (Block("A", 4, 4), [Block("B", 1, 3), Block("C", 4, 8)], False, Block("C", 4, 8)),
    ],
)
def test_first_overlap(
    block: Block, others: list[Block], mine_too: bool, expected: Block | None
) -> None:
    assert first_overlap(block, others, other_owners_only=not mine_too) == expected


def test_stations_keep_their_order() -> None:
    assert stations_of(["B2", "A1", "B2"]) == ("B2", "A1")


spans = st.tuples(st.integers(0, MAX_SERIAL), st.integers(0, 5_000)).map(
    lambda t: (t[0], min(MAX_SERIAL, t[0] + t[1]))
)
names = st.lists(st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True), min_size=1, max_size=12)


@given(spans, names)
def test_blocks_never_overlap_and_cover_only_the_range(
    span: tuple[int, int], stations: list[str]
) -> None:
    first, last = span
    owners = stations_of(stations)
    if len(owners) > last - first + 1:
        with pytest.raises(BlockRefused):
            partition(first, last, stations)
        return
    blocks = partition(first, last, stations)
    assert [b.station_id for b in blocks] == list(owners)
    # Contiguous, in order, from the first serial to the last: no gap, no overlap, no spill.
    assert blocks[0].first == first and blocks[-1].last == last
    for a, b in pairwise(blocks):
        assert a.last + 1 == b.first
    assert all(b.size >= 1 for b in blocks)
    assert sum(b.size for b in blocks) == last - first + 1
    assert max(b.size for b in blocks) - min(b.size for b in blocks) <= 1
    for i, a in enumerate(blocks):
        assert first_overlap(a, blocks[:i] + blocks[i + 1 :]) is None


@given(spans, st.integers(0, 6_000), st.integers(1, 6_000))
def test_a_handed_tail_stays_inside_the_unused_part(
    span: tuple[int, int], used: int, count: int
) -> None:
    first, last = span
    block = Block("A", first, last)
    next_serial = first + used
    left = last - next_serial + 1
    if count > left:
        with pytest.raises(BlockRefused):
            hand_over_tail(block, next_serial, count, "B")
        return
    tail = hand_over_tail(block, next_serial, count, "B")
    kept = Block("A", first, tail.first - 1)
    assert tail.size == count and tail.last == last and tail.first >= next_serial
    # What the owner keeps and what it gave never share a serial, and together are the block.
    assert not kept.overlaps(tail.first, tail.last)
    assert kept.size + tail.size == block.size
