"""CSV, XLSX (openpyxl) and PDF (fpdf2) writers for manifest rows and their totals.

Exports are inert: a text cell a spreadsheet would read as a formula (it starts with `=`, `+`,
`-`, `@`, a tab or a carriage return; OWASP, "CSV Injection") is written as text: a string
cell in XLSX, and prefixed with a single quote in CSV.  Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Font

from jpgb_terminal.manifests.totals import Totals

Row = Sequence[Any]
PROGRESS_EVERY = 1_000
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def inert_text(value: str) -> str:
    """`value`, prefixed with a single quote when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(FORMULA_LEADS) else value


def inert_csv_row(row: Row) -> list[Any]:
    """A row for a CSV file: text cells made inert, numbers and empty cells as they are."""
    return [inert_text(v) if isinstance(v, str) else v for v in row]


def counted(rows: Iterable[Row], progress: Callable[[int], None] | None) -> Iterator[Row]:
    """Pass rows through, reporting every thousand (and the last) to `progress`."""
    if progress is None:
        yield from rows
        return
    n = 0
    for n, row in enumerate(rows, start=1):
        yield row
        if n % PROGRESS_EVERY == 0:
            progress(n)
    progress(n)


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[Row]) -> None:
    """A header line, then one line per row; empty cells for missing values."""
    # csv quotes a field holding a character of its line terminator: with "\r\n" that covers a
    # carriage return inside a cell, which a "\n" terminator leaves bare and readers split on.
    # Each line still ends with "\n".
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in itertools.chain([columns], rows):
        writer.writerow(inert_csv_row(row))
        out.write(buf.getvalue()[:-2] + "\n")
        buf.seek(0)
        buf.truncate()


def write_xlsx(
    out: IO[bytes], title: str, columns: Sequence[str], rows: Iterable[Row], totals: Totals
) -> None:
    """One sheet of rows and a `totals` sheet filled once every row has been written."""
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(_sheet_name(title))
    sheet.append(_xlsx_row(sheet, columns))
    for row in rows:
        sheet.append(_xlsx_row(sheet, row))
    summary = wb.create_sheet("totals")
    bold = Font(bold=True)
    for heading, items in totals.sections():
        summary.append([_bold_cell(summary, heading, bold)])
        for label, value in items:
            summary.append(_xlsx_row(summary, (label, value)))
        summary.append([])
    wb.save(out)


def _xlsx_row(sheet: Any, row: Row) -> list[Any]:
    return [
        _xlsx_text(sheet, v) if isinstance(v, str) and v.startswith(FORMULA_LEADS) else v
        for v in row
    ]


def _xlsx_text(sheet: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    # openpyxl types a string starting with "=" as a formula; the cell is text, whatever it holds.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _bold_cell(sheet: Any, value: str, font: Font) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = (
        _xlsx_text(sheet, value)
        if value.startswith(FORMULA_LEADS)
        else WriteOnlyCell(sheet, value=value)
    )
    cell.font = font
    return cell


def _sheet_name(title: str) -> str:
    # Excel limits sheet names to 31 characters and forbids a few punctuation marks.
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title)
    return cleaned[:31] or "manifest"


# Relative column widths for the PDF, by column name; unknown columns get the default.
_PDF_WIDTHS = {
    "received_at": 3.2,
    "tracking_no": 1.9,
    "customer_id": 1.5,
    "hold_reasons": 2.6,
    "reasons": 2.6,
    "operator": 1.2,
    "station_id": 1.0,
    "scheme": 0.8,
    "weight_g": 0.9,
    "weight_source": 1.0,
    "state": 1.0,
    "prealert_matched": 1.2,
    "deadline": 1.2,
    "days_left": 0.8,
    "overdue": 0.8,
}
_ROW_H = 4.2


class _ManifestPDF(FPDF):
    def __init__(self, title: str, columns: Sequence[str]) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.title_text = title
        self.columns = list(columns)
        weights = [_PDF_WIDTHS.get(c, 1.0) for c in self.columns]
        usable = self.w - self.l_margin - self.r_margin
        self.widths = [usable * w / sum(weights) for w in weights]
        self.show_columns = True
        self.set_auto_page_break(auto=True, margin=12)

    def header(self) -> None:
        self.set_font("Helvetica", "B", 10)
        self.cell(0, 6, _latin1(self.title_text), new_x="LMARGIN", new_y="NEXT")
        if self.show_columns:
            self.set_font("Helvetica", "B", 6.5)
            for name, width in zip(self.columns, self.widths, strict=True):
                self.cell(width, _ROW_H, name, border="B")
            self.ln(_ROW_H)
        self.set_font("Helvetica", "", 6.5)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", "", 6.5)
        self.cell(0, 4, f"page {self.page_no()}", align="R")


def write_pdf(
    out: IO[bytes], title: str, columns: Sequence[str], rows: Iterable[Row], totals: Totals
) -> None:
    """A landscape table with the column names on every page, then a page of totals."""
    pdf = _ManifestPDF(title, columns)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 6.5)
    widths = pdf.widths
    for row in rows:
        for value, width in zip(row, widths, strict=True):
            pdf.cell(width, _ROW_H, _fit(pdf, _text(value), width))
        pdf.ln(_ROW_H)
    pdf.show_columns = False
    pdf.add_page()
    for heading, items in totals.sections():
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        for label, value in items:
            pdf.cell(60, 5, _latin1(label))
            pdf.cell(30, 5, str(value), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    out.write(bytes(pdf.output()))


def _text(value: Any) -> str:
    return "" if value is None else _latin1(str(value))


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1 only; ids and codes are ASCII, anything else shows as '?'.
    return text.encode("latin-1", "replace").decode("latin-1")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width - 1:
        return text
    while text and pdf.get_string_width(text + "...") > width - 1:
        text = text[:-1]
    return text + "..."
