"""CSV reading: an unterminated quote is refused with its line, never a silent merge of rows."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jpgb_terminal.services.prealerts import parse_prealert_csv
from tests.factories import jp12

HEADER = "tracking_no,customer_id,contents"


def _table(contents: list[str]) -> str:
    """A well-formed pre-alert CSV, one row per contents text, written as Excel writes it."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER.split(","))
    for i, text in enumerate(contents, 1):
        writer.writerow([jp12(i), "C1", text])
    return out.getvalue()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (f'{HEADER}\n{jp12(1)},C1,"books\n{jp12(2)},C1,toys\n', 2),
        (f'{HEADER}\n{jp12(1)},C1,ok\n{jp12(2)},C1,"toys\n', 3),
        # The second quoted field of a record opens on the record's second line.
        (f'{HEADER}\n{jp12(1)},"C\n1","books\n{jp12(2)},C1,toys\n', 3),
        # Closed, but text follows the closing quote on a later line: the field is not whole.
        (f'{HEADER}\n{jp12(1)},C1,"books\n{jp12(2)},C1,"toys\n', 2),
        (f'{HEADER}\r\n{jp12(1)},C1,"books\r\n{jp12(2)},C1,toys\r\n', 2),
    ],
)
def test_unterminated_quote_is_refused_with_its_line(text: str, line: int) -> None:
    rows, problems = parse_prealert_csv(text, "in.csv")
    assert problems == [f"in.csv: line {line}: unterminated quote"]
    assert all(r.line < line for r in rows)  # the rows read before it; the import takes none


@pytest.mark.parametrize(
    "text",
    [
        f'{HEADER}\n{jp12(1)},C1,"two\nlines"\n{jp12(2)},C1,toys\n',
        f'{HEADER}\n{jp12(1)},C1,"say ""hi"""\n{jp12(2)},C1,toys\n',
        f'{HEADER}\n{jp12(1)},C1,"a,b"\n{jp12(2)},C1,"c\r\nd"\n',
    ],
)
def test_closed_quotes_are_read(text: str) -> None:
    rows, problems = parse_prealert_csv(text, "in.csv")
    assert problems == []
    assert [r.tracking_no for r in rows] == [jp12(1), jp12(2)]


CELL = st.text(alphabet=st.sampled_from('ab ,"\n\r'), max_size=8)


@settings(max_examples=300, deadline=None)
@given(contents=st.lists(CELL, min_size=1, max_size=6))
def test_well_formed_files_read_back_exactly(contents: list[str]) -> None:
    """Whatever the cells hold, a properly quoted file reads back row for row."""
    rows, problems = parse_prealert_csv(_table(contents), "in.csv")
    assert problems == []
    assert [r.contents or "" for r in rows] == [c.strip() for c in contents]


@settings(max_examples=500, deadline=None)
@given(contents=st.lists(CELL, min_size=1, max_size=6), cut=st.integers(min_value=0))
def test_a_lost_quote_never_merges_rows(contents: list[str], cut: int) -> None:
    """Drop one quote from a good file: either a clear error naming a line, or every row is
    still there on its own (a quote that changed only the text of its own field)."""
    text = _table(contents)
    quotes = [i for i, ch in enumerate(text) if ch == '"']
    if quotes:
        i = quotes[cut % len(quotes)]
        text = text[:i] + text[i + 1 :]
    rows, problems = parse_prealert_csv(text, "in.csv")
    if problems:
        assert all(p.startswith("in.csv:") for p in problems)
    else:
        assert [r.tracking_no for r in rows] == [jp12(i) for i in range(1, len(contents) + 1)]


@settings(max_examples=500, deadline=None)
@given(contents=st.lists(CELL, min_size=1, max_size=6), at=st.integers(min_value=0))
def test_a_stray_quote_never_merges_rows(contents: list[str], at: int) -> None:
    """Add one quote anywhere in a good file: a clear error, or every row still on its own."""
    text = _table(contents)
    pos = at % (len(text) + 1)
    text = text[:pos] + '"' + text[pos:]
    rows, problems = parse_prealert_csv(text, "in.csv")
    if not problems:
        assert [r.tracking_no for r in rows] == [jp12(i) for i in range(1, len(contents) + 1)]
