"""Reading the CSV files people bring (pre-alerts, shipment requests): encodings and headers."""

from __future__ import annotations

import csv
import io
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
    the header itself cannot be used.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return None, [], ["the file is empty"]
    except csv.Error as exc:
        return None, [], [f"{source}:1: {exc}"]
    columns = [h.strip().lower() for h in header]
    problems: list[str] = []
    missing = [c for c in required if c not in columns]
    unknown = [c for c in columns if c not in allowed]
    if missing:
        problems.append(f"{source}:1: missing column(s) {', '.join(missing)} in the header")
    if unknown:
        problems.append(f"{source}:1: unknown column(s) {', '.join(unknown)} in the header")
    if len(set(columns)) != len(columns):
        problems.append(f"{source}:1: a column appears twice in the header")
    return (None if problems else reader), columns, problems
