"""The framer: terminators, markers, garbage, cut frames and overlong runs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jpgb_terminal.devices.framing import Framer


def test_lines_any_terminator() -> None:
    f = Framer()
    assert f.feed(b"A\r\nB\rC\n\r\n") == [b"A\r\n", b"B\r", b"C\n"]


def test_split_reply_is_reassembled() -> None:
    f = Framer()
    assert f.feed(b"S S    12") == []
    assert f.pending == 9
    assert f.feed(b"34.5 g\r\n") == [b"S S    1234.5 g\r\n"]


def test_noise_before_line_is_skipped_and_counted() -> None:
    f = Framer()
    assert f.feed(b"\x00\xff\xfeS S 1 g\r\n") == [b"S S 1 g\r\n"]
    assert f.stats.garbage_bytes == 3


def test_marker_mode_skips_garbage_and_cut_frames() -> None:
    f = Framer(start=b"\x02", end=b"\r")
    assert f.feed(b"xx\x0201.2") == []
    # A new STX before the CR: the cut-off frame is garbage.
    assert f.feed(b"\x0202.000\r") == [b"\x0202.000\r"]
    assert f.stats.garbage_bytes == 2 + 5


def test_overlong_run_is_dropped_and_counted() -> None:
    f = Framer(max_len=10 * 1024)
    assert f.feed(b"A" * 12000) == []
    assert f.stats.overflows == 1
    assert f.pending == 0
    # The tail of the overlong run is dropped up to its terminator, then framing resumes.
    assert f.feed(b"tail\r\nS S 5 g\r\n") == [b"S S 5 g\r\n"]


def test_overlong_run_in_marker_mode() -> None:
    f = Framer(start=b"\n", end=b"\r", max_len=1000)
    assert f.feed(b"\n" + b"1" * 2000) == []
    assert f.stats.overflows == 1
    assert f.feed(b"tail\r\n 1G       1.000kg \r") == [b"\n 1G       1.000kg \r"]


def test_memory_stays_bounded_under_endless_noise() -> None:
    f = Framer(max_len=10 * 1024)
    for _ in range(100):
        f.feed(b"\x01" * 1000)
        assert f.pending <= 10 * 1024
    assert f.stats.overflows >= 9


frames = st.lists(
    st.binary(min_size=1, max_size=30).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    max_size=10,
).map(lambda xs: [x for x in xs if x])


@given(frames, st.lists(st.integers(min_value=1, max_value=7), max_size=40))
def test_chunking_does_not_change_frames(bodies: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(b"\x02" + b.replace(b"\x02", b"") + b"\r" for b in bodies)
    whole = Framer(start=b"\x02", end=b"\r").feed(stream)
    f = Framer(start=b"\x02", end=b"\r")
    pieces: list[bytes] = []
    pos = 0
    for cut in cuts:
        pieces += f.feed(stream[pos : pos + cut])
        pos += cut
    pieces += f.feed(stream[pos:])
    assert pieces == whole
