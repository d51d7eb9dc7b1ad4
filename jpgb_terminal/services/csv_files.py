"""Reading the CSV files people bring (pre-alerts, shipment requests): encodings and headers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from typing import Any

from jpgb_terminal.services.errors import ServiceError


class ImportRejected(ServiceError):
    """The file was refused; `problems` names every bad line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"nothing imported; {len(problems)} problem(s):\n{shown}{more}")


def decode_csv_bytes(data: bytes) -> str:
    """Text of a CSV file in UTF-8 (with or without BOM) or Shift-JIS (as Excel in Japan writes)."""
    if not data.strip():
        raise ImportRejected(["the file is empty"])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data.count(0) > len(data) // 4:
        # Excel's "Unicode Text" and some exports: every other byte is zero.
        raise ImportRejected(
            [
                "the file is UTF-16, which is not read: save it as "
                "CSV UTF-8 (or CSV in Shift-JIS) and import that"
            ]
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            # cp932 is the Shift-JIS that Windows and Excel actually write.
            return data.decode("cp932")
        except UnicodeDecodeError:
            pos = utf8_error.start
            raise ImportRejected(
                [
                    "the file is neither UTF-8 nor Shift-JIS "
                    f"(bad byte 0x{data[pos]:02x} at offset {pos})"
                ]
            ) from None


def open_table(
    text: str, source: str, required: Collection[str], allowed: Collection[str]
) -> tuple[Any, list[str], list[str]]:
    """A csv reader past the header, the header's column names, and what is wrong with it.

    Column names are compared without case or surrounding spaces; the reader is None when
    the header itself cannot be used. Blank lines before the header are skipped, and so are
    empty columns after the last named one (the trailing commas spreadsheets write) while
    nothing is written in them.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        while not any(h.strip() for h in header):
            header = next(reader)
    except StopIteration:
        return None, [], ["the file is empty"]
    except csv.Error as exc:
        return None, [], [csv_problem(source, reader.line_num, exc)]
    where = f"{source}:{reader.line_num}"
    columns = [h.strip().lower() for h in header]
    while columns and not columns[-1]:
        columns.pop()
    problems: list[str] = []
    missing = [c for c in required if c not in columns]
    unknown = [c for c in columns if c and c not in allowed]
    if missing:
        problems.append(f"{where}: missing column(s) {', '.join(missing)} in the header")
    if unknown:
        problems.append(f"{where}: unknown column(s) {', '.join(unknown)} in the header")
    unnamed = [str(i) for i, c in enumerate(columns, 1) if not c]
    if unnamed:
        problems.append(f"{where}: column(s) {', '.join(unnamed)} have no name in the header")
    named = [c for c in columns if c]
    if len(set(named)) != len(named):
        problems.append(f"{where}: a column appears twice in the header")
    rows = _Rows(reader, len(columns), io.StringIO(text, newline="").readlines())
    return (None if problems else rows), columns, problems


class _Rows:
    """The rows after the header, without empty cells beyond the header's last column."""

    def __init__(self, reader: Any, width: int, lines: list[str]) -> None:
        self._reader = reader
        self._width = width
        self._lines = lines

    @property
    def line_num(self) -> int:
        """The line the current row ended on (as csv.reader counts)."""
        return int(self._reader.line_num)

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> list[str]:
        start = int(self._reader.line_num) + 1
        record: list[str] = next(self._reader)
        end = int(self._reader.line_num)
        if end > start or end >= len(self._lines):
            self._refuse_open_quote(record, start, end)
        if len(record) > self._width and not any(c.strip() for c in record[self._width :]):
            return record[: self._width]
        return record

    def _refuse_open_quote(self, record: list[str], start: int, end: int) -> None:
        """Raise UnclosedQuote naming the line where a quoted field opened and never closed.

        The lenient reader would carry such a field to the end of the file (or to the next
        stray quote), swallowing the rows in between; a strict reading of the same lines
        tells a real multi-line field from one that never ends.
        """
        raw = "".join(self._lines[start - 1 : end])
        try:
            list(csv.reader(io.StringIO(raw, newline=""), strict=True))
        except csv.Error:
            raise UnclosedQuote(_failing_quote_line(raw, start)) from None


def _line_ends(text: str) -> int:
    """How many line ends `text` holds, counted as csv.reader counts lines (CR, LF, CRLF)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _failing_quote_line(raw: str, first: int) -> int:
    """The line (counting from `first`) where the quoted field a strict reading rejects opened.

    A quoted field fails when the text ends inside it or when its closing quote is followed
    by anything but a comma or a line end: the lenient reader reads past both.
    """
    i, n, line, field_start = 0, len(raw), first, True
    while i < n:
        ch = raw[i]
        if field_start and ch == '"':
            opened = line
            close = i + 1
            while True:
                close = raw.find('"', close)
                if close < 0:
                    return opened
                if raw.startswith('""', close):
                    close += 2
                    continue
                break
            line += _line_ends(raw[i:close])
            after = raw[close + 1 : close + 2]
            if after not in ("", ",", "\r", "\n"):
                return opened
            i, field_start = close + 1, False
            continue
        if ch in "\r\n":
            line += 1 if ch == "\n" or raw[i + 1 : i + 2] != "\n" else 0
        field_start = ch in ",\r\n"
        i += 1
    return first


class UnclosedQuote(csv.Error):
    """A quote that opens a field and is never closed; `line` is where it opened."""

    def __init__(self, line: int) -> None:
        self.line = line
        super().__init__(f"line {line}: unterminated quote")


def csv_problem(source: str, line: int, exc: csv.Error) -> str:
    """The one line telling what the CSV reader refused, and where (line of the open quote)."""
    if isinstance(exc, UnclosedQuote):
        return f"{source}: {exc}"
    return f"{source}:{line}: {exc}"


def problem_line(problem: str) -> int:
    """The line a problem names (`file:12: ...` or `file: line 12: ...`), 0 for the whole file."""
    match = re.match(r"^[^:]*:(?:(\d+)| line (\d+)):", problem)
    return int(match.group(1) or match.group(2)) if match else 0
