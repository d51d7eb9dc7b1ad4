"""`jpgb prices publish` and `jpgb prices list`, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner, Result

from jpgb_terminal.cli import app
from jpgb_terminal.store import open_store
from tests.services.test_price_lists import PACKAGED, price_list_text, snapshot

runner = CliRunner()


def jpgb(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "160"})


def write(folder: Path, text: str, name: str = "2027-04.toml") -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def listed(url: str) -> dict[str, object]:
    r = jpgb("prices", "list", "--db", url, "--json")
    assert r.exit_code == 0, r.output
    out: dict[str, object] = json.loads(r.stdout)
    return out


def test_publish_then_list(store_url: str, tmp_path: Path) -> None:
    file = write(tmp_path, price_list_text())
    r = jpgb("prices", "publish", file, "--db", store_url)
    assert r.exit_code == 0, r.output
    assert "price list 2027-04-01 published, in force from 2027-04-01T00:00:00+09:00" in r.stdout
    assert "next sync" in r.stdout

    again = jpgb("prices", "publish", file, "--db", store_url)
    assert again.exit_code == 0, again.output
    assert "already published at ST01" in again.stdout and "nothing changed" in again.stdout

    out = listed(store_url)
    assert out["in_force"] == "2026-11-01"
    rows = out["price_lists"]
    assert isinstance(rows, list)
    assert [(p["version"], p["source"], p["station_id"]) for p in rows] == [
        ("2026-11-01", "packaged", None),
        ("2027-04-01", "published", "ST01"),
    ]
    assert rows[1]["effective_from"] == "2027-04-01T00:00:00+09:00"

    text = jpgb("prices", "list", "--db", store_url)
    assert text.exit_code == 0, text.output
    assert "packaged (2026-11.toml)" in text.stdout and "in force" in text.stdout
    assert "published at ST01 on" in text.stdout


def test_a_list_whose_start_has_passed_is_in_force(sqlite_url: str, tmp_path: Path) -> None:
    start = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    file = write(tmp_path, price_list_text("now-list", start))
    r = jpgb("prices", "publish", file, "--db", sqlite_url)
    assert r.exit_code == 0, r.output
    assert "has passed" in r.stderr
    assert listed(sqlite_url)["in_force"] == "now-list"


def test_a_weight_quote_uses_the_stores_lists(sqlite_url: str, tmp_path: Path) -> None:
    start = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    assert (
        jpgb(
            "prices",
            "publish",
            write(tmp_path, price_list_text("now-list", start)),
            "--db",
            sqlite_url,
        ).exit_code
        == 0
    )
    words = (
        "billing",
        "quote",
        "--weight-g",
        "480",
        "--service",
        "ems",
        "--country",
        "CN",
        "--json",
    )
    with_store = json.loads(jpgb(*words, "--db", sqlite_url).stdout)
    without = json.loads(jpgb(*words, "--db", f"sqlite:///{tmp_path / 'fresh.db'}").stdout)
    assert with_store["price_list_version"] == "now-list"
    assert without["price_list_version"] == "2026-11-01"
    assert with_store["fee"] == 2 * without["fee"]


def test_bad_files_are_refused_and_nothing_is_written(sqlite_url: str, tmp_path: Path) -> None:
    first = jpgb("prices", "publish", write(tmp_path, price_list_text()), "--db", sqlite_url)
    assert first.exit_code == 0, first.output
    store = open_store(sqlite_url)
    before = snapshot(store)
    missing_zone = price_list_text("2027-05-01", "2027-05-01T00:00:00+09:00").replace(
        'zones = ["1", "2", "3", "4"]', 'zones = ["1", "2", "3"]', 1
    )
    cases = {
        "malformed.toml": ("version = \n", "not valid TOML"),
        "zone.toml": (missing_zone, "must be the served zones"),
        "other.toml": (price_list_text(factor=3), "already published at ST01"),
        "start.toml": (price_list_text("x", "2027-04-01T00:00:00+09:00"), "already starts at"),
        "shipped.toml": (price_list_text("2026-11-01", "2026-11-01T00:00:00+09:00"), "shipped"),
        "short.toml": (
            price_list_text("2027-05-01", "2027-05-01T00:00:00+09:00").replace(
                "[500, 2900, 6300, 7800, 7200]", "[500, 2900, 6300, 7800]", 1
            ),
            "row 1 of rows must be [up_to_g, one integer fee per zone]",
        ),
        "usd.toml": (
            price_list_text("2027-05-01", "2027-05-01T00:00:00+09:00").replace("JPY", "USD"),
            "fees are whole yen",
        ),
    }
    for name, (text, message) in cases.items():
        r = jpgb("prices", "publish", write(tmp_path, text, name), "--db", sqlite_url)
        assert r.exit_code == 1, (name, r.output)
        assert "error:" in r.stderr and message in " ".join(r.stderr.split()), (name, r.stderr)
        assert snapshot(store) == before, name
    store.dispose()

    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('# prix \u00e9t\u00e9\nversion = "x"\n'.encode("latin-1"))
    r = jpgb("prices", "publish", str(latin1), "--db", sqlite_url)
    assert r.exit_code == 1 and "not UTF-8" in r.stderr
    r = jpgb("prices", "publish", str(tmp_path / "nowhere.toml"), "--db", sqlite_url)
    assert r.exit_code == 1 and "cannot read" in r.stderr


def test_a_file_with_a_byte_order_mark_is_read(sqlite_url: str, tmp_path: Path) -> None:
    # Notepad on Windows saves UTF-8 with a BOM.
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + price_list_text().encode("utf-8"))
    r = jpgb("prices", "publish", str(path), "--db", sqlite_url)
    assert r.exit_code == 0, r.output
    assert "2027-04-01 published" in r.stdout


def test_a_bad_file_does_not_create_a_store(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    r = jpgb("prices", "publish", write(tmp_path, "version = \n", "bad.toml"), "--db", str(db))
    assert r.exit_code == 1
    assert not db.exists()


def test_the_packaged_list_is_not_published_again(sqlite_url: str) -> None:
    r = jpgb("prices", "publish", str(PACKAGED), "--db", sqlite_url)
    assert r.exit_code == 0, r.output
    assert "ships with the program" in r.stdout
    assert [p["source"] for p in listed(sqlite_url)["price_lists"]] == ["packaged"]  # type: ignore[union-attr]


def test_publishing_into_the_central_store_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    """Even a central store no bench has pushed to yet: `central init` marks it."""
    assert jpgb("central", "init", "--db", sqlite_url).exit_code == 0
    store = open_store(sqlite_url)
    before = snapshot(store)
    r = jpgb("prices", "publish", write(tmp_path, price_list_text()), "--db", sqlite_url)
    assert r.exit_code == 1 and "central store" in r.stderr
    assert snapshot(store) == before
    store.dispose()
