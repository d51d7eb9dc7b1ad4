"""The CN22 or CN23 customs declaration of a packed box, as a one-page PDF (fpdf2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fpdf import FPDF

from jpgb_terminal.rules.customs import DeclaredLine

SENDER = "JPGB Forwarding Warehouse, Japan"
CATEGORY_LABELS = {
    "gift": "Gift",
    "merchandise": "Sale of goods",
    "documents": "Documents",
    "sample": "Commercial sample",
    "returned_goods": "Returned goods",
    "other": "Other",
}


@dataclass(frozen=True)
class CustomsForm:
    """Everything printed on the form."""

    form: str
    shipment_id: str
    outbound_tracking_no: str
    service: str
    sender: str
    recipient_name: str
    recipient_address: str
    recipient_phone: str
    country: str
    category: str
    lines: tuple[DeclaredLine, ...]
    total_value: Decimal
    currency: str
    gross_weight_g: int
    insurance_jpy: int
    fee: int
    fee_currency: str
    export_declaration: bool
    day: date


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1 only; anything else prints as '?'.
    return text.encode("latin-1", "replace").decode("latin-1")


def render_customs_form(data: CustomsForm) -> bytes:
    """The form as PDF bytes: sender, addressee, items, category, totals, signature."""
    pdf = FPDF(orientation="P", unit="mm", format=(148, 210))  # A5
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    title = "CN 22 - CUSTOMS DECLARATION" if data.form == "CN22" else "CN 23 - CUSTOMS DECLARATION"
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.cell(
        0,
        5,
        _latin1(
            f"Item {data.outbound_tracking_no}   service {data.service}   request "
            f"{data.shipment_id}   date {data.day.isoformat()}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(0, 5, _latin1(f"From: {data.sender}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        5,
        _latin1(
            f"To: {data.recipient_name}\n{data.recipient_address}\n"
            f"Country: {data.country}   Phone: {data.recipient_phone or '-'}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(1)
    pdf.set_font("Helvetica", "B", 8)
    ticks = "   ".join(
        f"[{'X' if code == data.category else ' '}] {label}"
        for code, label in CATEGORY_LABELS.items()
    )
    pdf.multi_cell(0, 5, _latin1(f"Category: {ticks}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    widths = (52, 12, 18, 24, 20, 12)
    heads = ("Detailed description", "Qty", "Net g", f"Value {data.currency}", "HS code", "Origin")
    for head, width in zip(heads, widths, strict=True):
        pdf.cell(width, 5, head, border=1)
    pdf.ln(5)
    pdf.set_font("Helvetica", "", 8)
    for line in data.lines:
        cells = (
            line.description[:40],
            str(line.quantity),
            str(line.net_weight_g or ""),
            f"{line.value:,.2f}",
            line.hs_code or "",
            line.origin_country,
        )
        for text, width in zip(cells, widths, strict=True):
            pdf.cell(width, 5, _latin1(text), border=1)
        pdf.ln(5)
    pdf.set_font("Helvetica", "B", 8)
    pdf.cell(
        0,
        6,
        f"Total gross weight {data.gross_weight_g} g   Total value {data.total_value:,.2f} "
        f"{data.currency}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 8)
    pdf.cell(
        0,
        5,
        f"Postage/fees {data.fee:,} {data.fee_currency}   Insured value {data.insurance_jpy:,} JPY",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    lithium = sorted({ln.lithium for ln in data.lines if ln.lithium != "none"})
    if lithium:
        pdf.cell(
            0,
            5,
            f"Lithium batteries: {', '.join(lithium)}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if data.export_declaration:
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(
            0,
            6,
            "EXPORT DECLARATION REQUIRED (value over 200,000 JPY)",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("Helvetica", "", 8)
    pdf.ln(2)
    pdf.multi_cell(
        0,
        4,
        "I certify that the particulars given in this customs declaration are correct and "
        "that this item does not contain any dangerous article prohibited by legislation or "
        "by postal or customs regulations.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.cell(0, 5, f"Date and sender's signature: {data.day.isoformat()}  ____________________")
    return bytes(pdf.output())
