"""Parcel labels as SVG, PNG and ZPL, and delivery to printer URLs."""

from __future__ import annotations

import io
import socket
import threading
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from jpgb_terminal.devices.label import LabelData, render_png, render_svg, render_zpl
from jpgb_terminal.devices.printer import PrinterError, format_for, print_label, send_to_printer

HELD = LabelData("P-000123", "EJ123456785JP", "C-42", date(2025, 4, 1), True, ("prohibited_item",))
CLEAR = LabelData("P-000124", "123456789012", None, date(2025, 4, 1), False)


def test_zpl_contents() -> None:
    zpl = render_zpl(HELD).decode()
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert "^BCN" in zpl and "^FDP-000123^FS" in zpl
    assert "EJ123456785JP" in zpl and "C-42" in zpl and "2025-04-01" in zpl
    assert "HOLD" in zpl and "prohibited_5Fitem" in zpl
    assert "HOLD" not in render_zpl(CLEAR).decode()


def test_zpl_escapes_control_characters() -> None:
    tricky = LabelData("P-1", "A^B~C", "x_y", date(2025, 1, 1), False)
    zpl = render_zpl(tricky).decode()
    assert "A_5EB_7EC" in zpl and "x_5Fy" in zpl


def test_svg_and_png() -> None:
    svg = render_svg(HELD).decode()
    assert svg.startswith("<?xml") and "data:image/svg+xml;base64," in svg and "HOLD" in svg
    png = render_png(HELD)
    img = Image.open(io.BytesIO(png))
    assert img.size == (800, 560)


def test_parcel_id_must_be_code128_safe() -> None:
    with pytest.raises(ValueError):
        render_zpl(LabelData("荷物1", "x", None, date(2025, 1, 1), False))


def test_print_to_file(tmp_path: Path) -> None:
    out = tmp_path / "label.png"
    assert format_for(str(out)) == "png"
    print_label(HELD, str(out))
    assert out.read_bytes().startswith(b"\x89PNG")


def test_print_to_raw_tcp() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    got: list[bytes] = []

    def accept() -> None:
        conn, _ = server.accept()
        chunks = []
        while data := conn.recv(4096):
            chunks.append(data)
        got.append(b"".join(chunks))
        conn.close()

    t = threading.Thread(target=accept)
    t.start()
    sent = print_label(HELD, f"socket://127.0.0.1:{server.getsockname()[1]}")
    t.join(3)
    server.close()
    assert got == [sent] and sent.startswith(b"^XA")


def test_printer_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(PrinterError, match="cannot send"):
        send_to_printer(b"x", "socket://127.0.0.1:1", timeout=1)
    with pytest.raises(PrinterError, match="cannot write"):
        send_to_printer(b"x", str(tmp_path / "missing" / "dir" / "l.zpl"))
    with pytest.raises(PrinterError, match="queue"):
        send_to_printer(b"x", "lp:")


def test_lp_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "lp.log"
    fake = tmp_path / "lp"
    fake.write_text(f'#!/bin/sh\necho "$@" > {log}\ncat >> {log}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    print_label(CLEAR, "lp:ZEBRA1")
    assert log.read_text().startswith("-d ZEBRA1\n^XA")
    fake.write_text("#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n")
    with pytest.raises(PrinterError, match="does not exist"):
        print_label(CLEAR, "lp:NOPE")
