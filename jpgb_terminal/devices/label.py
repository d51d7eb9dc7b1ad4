"""Parcel labels: Code 128 of the parcel id with tracking, customer, date and hold marker."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date
from typing import Literal
from xml.sax.saxutils import escape

import barcode
from barcode.writer import ImageWriter, SVGWriter
from PIL import Image, ImageDraw, ImageFont

WIDTH_MM = 100
HEIGHT_MM = 70
DOTS_PER_MM = 8
"""203 dpi, the usual thermal print head."""

LabelFormat = Literal["zpl", "png", "svg"]


@dataclass(frozen=True)
class LabelData:
    """What goes on a parcel label."""

    parcel_id: str
    tracking_no: str
    customer_id: str | None
    date: date
    held: bool
    hold_reasons: tuple[str, ...] = ()


def _lines(data: LabelData) -> list[str]:
    return [
        f"Tracking: {data.tracking_no}",
        f"Customer: {data.customer_id or '-'}",
        f"Date: {data.date.isoformat()}",
    ]


def _hold_text(data: LabelData) -> str:
    return ", ".join(data.hold_reasons) if data.hold_reasons else "see supervisor"


def _check(data: LabelData) -> None:
    if not data.parcel_id or not data.parcel_id.isascii() or not data.parcel_id.isprintable():
        raise ValueError(f"parcel id must be printable ASCII for Code 128: {data.parcel_id!r}")


def render_svg(data: LabelData) -> bytes:
    """The label as an SVG document (mm units), barcode drawn by python-barcode's SVGWriter."""
    _check(data)
    code = barcode.get("code128", data.parcel_id, writer=SVGWriter())
    bars = code.render({"module_width": 0.33, "module_height": 15, "write_text": False})
    href = "data:image/svg+xml;base64," + base64.b64encode(bars).decode("ascii")
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" '
        f'viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}" font-family="sans-serif">',
        f'<rect width="{WIDTH_MM}" height="{HEIGHT_MM}" fill="white"/>',
        f'<text x="5" y="9" font-size="6" font-weight="bold">{escape(data.parcel_id)}</text>',
        f'<image x="5" y="12" width="70" height="20" preserveAspectRatio="xMinYMid meet" '
        f'href="{href}"/>',
    ]
    for i, line in enumerate(_lines(data)):
        parts.append(f'<text x="5" y="{40 + i * 6}" font-size="4.5">{escape(line)}</text>')
    if data.held:
        parts.append('<rect x="72" y="2" width="25" height="11" fill="black"/>')
        parts.append(
            '<text x="84.5" y="10.5" font-size="8" font-weight="bold" fill="white" '
            'text-anchor="middle">HOLD</text>'
        )
        reasons = escape("Hold: " + _hold_text(data))
        parts.append(f'<text x="5" y="64" font-size="4" font-weight="bold">{reasons}</text>')
    parts.append("</svg>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def render_png(data: LabelData, dots_per_mm: int = DOTS_PER_MM) -> bytes:
    """The label as a 1-bit-friendly PNG at `dots_per_mm` (8 = 203 dpi)."""
    _check(data)
    dpi = round(dots_per_mm * 25.4)
    code = barcode.get("code128", data.parcel_id, writer=ImageWriter())
    bars = code.render({"module_width": 0.33, "module_height": 15, "write_text": False, "dpi": dpi})
    w, h = WIDTH_MM * dots_per_mm, HEIGHT_MM * dots_per_mm
    img = Image.new("L", (w, h), 255)
    scale = min(1.0, (70 * dots_per_mm) / bars.width)
    if scale < 1.0:
        bars = bars.resize((int(bars.width * scale), bars.height))
    img.paste(bars.convert("L"), (5 * dots_per_mm, 12 * dots_per_mm))
    draw = ImageDraw.Draw(img)
    big = ImageFont.load_default(size=6 * dots_per_mm)
    small = ImageFont.load_default(size=int(4.5 * dots_per_mm))
    draw.text((5 * dots_per_mm, 2 * dots_per_mm), data.parcel_id, fill=0, font=big)
    for i, line in enumerate(_lines(data)):
        draw.text((5 * dots_per_mm, (36 + i * 6) * dots_per_mm), line, fill=0, font=small)
    if data.held:
        x0, y0 = 72 * dots_per_mm, 2 * dots_per_mm
        draw.rectangle((x0, y0, 97 * dots_per_mm, 13 * dots_per_mm), fill=0)
        draw.text((x0 + 2 * dots_per_mm, y0 + dots_per_mm), "HOLD", fill=255, font=big)
        draw.text(
            (5 * dots_per_mm, 60 * dots_per_mm), "Hold: " + _hold_text(data), fill=0, font=small
        )
    out = io.BytesIO()
    img.convert("1").save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def zpl_field(text: str) -> str:
    """Text made safe inside ^FH ... ^FD ... ^FS (the ZPL control characters hex-escaped)."""
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def render_zpl(data: LabelData) -> bytes:
    """The label in ZPL II for a 203 dpi thermal printer (UTF-8, ^CI28)."""
    _check(data)
    d = DOTS_PER_MM
    out = [
        "^XA",
        "^CI28",
        f"^PW{WIDTH_MM * d}",
        f"^LL{HEIGHT_MM * d}",
        f"^FO{5 * d},{2 * d}^A0N,{6 * d},{6 * d}^FH^FD{zpl_field(data.parcel_id)}^FS",
        f"^FO{5 * d},{12 * d}^BY3^BCN,{15 * d},N,N,N^FH^FD{zpl_field(data.parcel_id)}^FS",
    ]
    for i, line in enumerate(_lines(data)):
        y = (36 + i * 6) * d
        out.append(f"^FO{5 * d},{y}^A0N,{4 * d},{4 * d}^FH^FD{zpl_field(line)}^FS")
    if data.held:
        out.append(f"^FO{72 * d},{2 * d}^GB{25 * d},{11 * d},{11 * d}^FS")
        out.append(f"^FO{74 * d},{4 * d}^A0N,{8 * d},{8 * d}^FR^FDHOLD^FS")
        reasons = zpl_field("Hold: " + _hold_text(data))
        out.append(f"^FO{5 * d},{60 * d}^A0N,{4 * d},{4 * d}^FH^FD{reasons}^FS")
    out.append("^XZ")
    return ("\n".join(out) + "\n").encode("utf-8")


def render(data: LabelData, fmt: LabelFormat) -> bytes:
    """The label in `fmt`."""
    if fmt == "zpl":
        return render_zpl(data)
    if fmt == "png":
        return render_png(data)
    if fmt == "svg":
        return render_svg(data)
    raise ValueError(f"unknown label format {fmt!r}")
