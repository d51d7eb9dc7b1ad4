"""Bad stores, URLs, ports and files: one clear line, status 1, no traceback, nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.store import open_store
from jpgb_terminal.store.engine import display_url

runner = CliRunner()
AUDIT = ("audit", "verify", "--db")
LIST = Path(__file__).resolve().parents[2] / "data" / "price_lists" / "2026-11.toml"


def _one_line_failure(args: list[str], expected: str) -> str:
    r = runner.invoke(app, args)
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], r.output
    return lines[0]


@pytest.mark.parametrize(
    ("url", "expected", "secret"),
    [
        ("postgresql://postgres:p@qzx9@127.0.0.1/test", "unencoded '@'", "qzx9"),
        ("postgresql://postgres:se@crq7@et@127.0.0.1/test", "unencoded '@'", "crq7"),
        ("postgresql://postgres@127.0.0.1:abc/test", "port 'abc': a port is a number", None),
        ("postgresql://postgres:pwq3@127.0.0.1:5432x/test", "a port is a number", "pwq3"),
    ],
)
def test_a_bad_store_url_is_one_line_that_hides_the_password(
    url: str, expected: str, secret: str | None
) -> None:
    line = _one_line_failure(["customer", "add", "C1", "--name", "X", "--db", url], expected)
    if secret is not None:
        assert secret not in line


def test_display_url_never_shows_part_of_a_password() -> None:
    assert display_url("postgresql://u:p@ss@h/db") == "postgresql://u:***@h/db"
    assert display_url("postgresql://u@h/db") == "postgresql://u@h/db"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty file (0 bytes), not a store"),
        (b"hello, this is a note\n" * 10, "not a store (not a SQLite database file)"),
    ],
)
def test_a_file_that_is_not_a_store_is_refused_not_turned_into_one(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "station.db"
    path.write_bytes(content)
    for args in (
        ["customer", "add", "C1", "--name", "X", "--db", str(path)],
        ["audit", "verify", "--db", str(path)],
        ["sync", "status", "--db", str(path)],
    ):
        _one_line_failure(args, expected)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["station.db"]


def _corrupt_store(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.db"
    open_store(f"sqlite:///{path}").dispose()
    with path.open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\xff" * 8000)
    return path


def test_audit_verify_on_a_corrupt_store_is_one_line(tmp_path: Path) -> None:
    path = _corrupt_store(tmp_path)
    before = path.read_bytes()
    _one_line_failure(["audit", "verify", "--db", str(path)], "damaged or not a store")
    assert path.read_bytes() == before


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    path = _corrupt_store(tmp_path)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-c", "from jpgb_terminal.cli import main; main()", *AUDIT, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "damaged or not a store" in done.stderr


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        ("/dev/no-such-scale", "no serial port /dev/no-such-scale: no such device"),
        ("bogus://x", "unknown URL scheme bogus://"),
        ("{tmp}", "is a folder, not a serial port"),
    ],
)
def test_a_bad_serial_port_is_one_line(tmp_path: Path, port: str, expected: str) -> None:
    _one_line_failure(["devices", "probe", port.format(tmp=tmp_path), "--timeout", "0.5"], expected)


def _list_text(effective: str = "2027-01-01T00:00:00+09:00", version: str = "x1") -> str:
    text = LIST.read_text(encoding="utf-8")
    text = text.replace(
        "effective_from = 2026-11-01T00:00:00+09:00", f"effective_from = {effective}"
    )
    return text.replace('version = "2026-11-01"', f'version = "{version}"')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _list_text("9999-12-31T23:59:59-14:00"),
            "effective_from 9999-12-31 23:59:59-14:00 is out",
        ),
        (_list_text("0001-01-01T00:00:00+09:00"), "is out of range"),
        ('version = "x"\nx = ' + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ('version = "x"\nx = 1' + "0" * 5000 + "\n", "Exceeds the limit (4300 digits)"),
    ],
    ids=["year-9999", "year-1", "deep-nesting", "huge-integer"],
)
def test_price_list_input_that_overflows_is_one_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    file = tmp_path / "list.toml"
    file.write_text(text, encoding="utf-8")
    db = tmp_path / "station.db"
    line = _one_line_failure(["prices", "publish", str(file), "--db", str(db)], expected)
    assert "set_int_max_str_digits" not in line
    assert not db.exists()
