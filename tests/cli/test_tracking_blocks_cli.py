"""`jpgb shipment range add --stations`, `range give` and `range list` with blocks."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from jpgb_terminal.cli import app
from jpgb_terminal.tracking import make_s10

runner = CliRunner()


def jpgb(*args: str) -> Result:
    return runner.invoke(app, list(args))


def test_split_give_and_list(sqlite_url: str) -> None:
    add = ["shipment", "range", "add", "--service", "ems", "--prefix", "EE", "--db", sqlite_url]
    r = jpgb(*add, "--from", "100", "--to", "109", "--stations", "ST01,bench-2")
    assert r.exit_code == 0, r.output
    assert f"ST01: {make_s10('EE', 100, 'JP')} .. {make_s10('EE', 104, 'JP')}" in r.stdout
    assert f"bench-2: {make_s10('EE', 105, 'JP')}" in r.stdout
    r = jpgb(*add, "--from", "200", "--to", "201", "--stations", "a,b,c")
    assert r.exit_code == 1 and "2 numbers cannot be split between 3 stations" in r.stderr
    give = ["shipment", "range", "give", "--service", "ems", "--db", sqlite_url]
    r = jpgb(*give, "--to", "bench-3", "--count", "2")
    assert r.exit_code == 0, r.output
    assert f"{make_s10('EE', 103, 'JP')} .. {make_s10('EE', 104, 'JP')}" in r.stdout
    assert "now belong to bench-3" in r.stdout
    r = jpgb(*give, "--to", "bench-3", "--count", "9")
    assert r.exit_code == 1 and "3 numbers left, fewer than 9" in r.stderr
    r = jpgb("shipment", "range", "list", "--db", sqlite_url)
    assert r.exit_code == 0, r.output
    lines = [line.split() for line in r.stdout.splitlines()]
    assert lines[0][-2:] == ["left", "10"]
    assert [(cols[0], cols[-1]) for cols in lines[1:]] == [
        ("ST01", "3"),
        ("bench-3", "2"),
        ("bench-2", "5"),
    ]
