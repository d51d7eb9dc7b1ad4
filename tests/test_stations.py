"""Station ids: letters, digits, '-' and '_', at most 40; anything else refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jpgb_terminal.settings import load_settings
from jpgb_terminal.stations import MAX_LENGTH, check_station_id, station_id_problem


@pytest.mark.parametrize(
    "value", ["ST01", "A", "bench-3", "osaka_2", "0", "x" * MAX_LENGTH, "A-B_c-9"]
)
def test_valid_ids_pass_unchanged(value: str) -> None:
    assert check_station_id(value) == value and station_id_problem(value) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "cannot be empty"),
        ("x" * (MAX_LENGTH + 1), "is 41 characters long"),
        ("ST 01", "'ST 01' is not allowed"),
        ("ST01\n", "'ST01\\n' is not allowed"),
        ("ST\x0701", "'ST\\x0701' is not allowed"),
        ("=HYPERLINK(1)", "'=HYPERLINK(1)' is not allowed"),
        ("ST/01", "is not allowed"),
        ("ステーション", "is not allowed"),
        ("ＳＴ０１", "is not allowed"),
        ("ST01;DROP", "is not allowed"),
    ],
)
def test_invalid_ids_are_refused_in_one_line(value: str, says: str) -> None:
    with pytest.raises(ValueError, match="at most 40") as refused:
        check_station_id(value)
    text = str(refused.value)
    assert says in text and "\n" not in text and "\x07" not in text


@given(st.text(max_size=60))
def test_any_text_is_either_a_valid_id_or_one_refusal_line(value: str) -> None:
    problem = station_id_problem(value)
    valid = (
        0 < len(value) <= MAX_LENGTH
        and value.isascii()
        and all(c.isalnum() or c in "-_" for c in value)
    )
    assert (problem is None) == valid
    if problem is not None:
        assert "\n" not in problem and "\r" not in problem


@pytest.mark.parametrize("value", ["ST 01", "x" * 41, "ST\x1b01"])
def test_a_bad_station_setting_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("JPGB_CONFIG", "/nonexistent/absent.toml")
    monkeypatch.delenv("JPGB_STATION_ID", raising=False)
    with pytest.raises(ValueError, match=r"^bad setting: station_id: ") as refused:
        load_settings(station_id=value)
    assert "\n" not in str(refused.value)
    monkeypatch.setenv("JPGB_STATION_ID", value)
    with pytest.raises(ValueError, match=r"^bad setting: station_id: "):
        load_settings()


def test_who_named_the_station_is_known(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JPGB_STATION_ID", raising=False)
    monkeypatch.setenv("JPGB_CONFIG", str(tmp_path / "absent.toml"))
    assert load_settings().station_origin() is None
    assert load_settings(station_id="B").station_origin() == "--station"
    config = tmp_path / "config.toml"
    config.write_text('station_id = "FILE"\n')
    assert load_settings(config).station_origin() == f"the settings file {config}"
    monkeypatch.setenv("JPGB_STATION_ID", "ENV")
    assert load_settings(config).station_origin() == "JPGB_STATION_ID"
