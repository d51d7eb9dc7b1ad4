"""Settings: defaults, the TOML file, JPGB_* variables and flags, in that order of strength."""

from __future__ import annotations

from pathlib import Path

import pytest

from jpgb_terminal.settings import (
    Settings,
    default_customs_forms_dir,
    default_key_file,
    default_store_url,
    load_settings,
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("JPGB_STATION_ID", "JPGB_DB", "JPGB_SCALE", "JPGB_CONFIG", "JPGB_CENTRAL"):
        monkeypatch.delenv(name, raising=False)
    # No settings file unless a test writes one.
    monkeypatch.setenv("JPGB_CONFIG", str(tmp_path / "absent.toml"))


def test_defaults() -> None:
    settings = Settings()
    assert settings.station_id == "ST01"
    assert settings.db == default_store_url() and settings.db.startswith("sqlite:///")
    assert settings.scanner == "keyboard" and settings.timezone == "Asia/Tokyo"
    assert settings.central is None and settings.empty_threshold_g == 20
    # Customs forms go beside the key file in the user's data folder, not the current directory.
    assert settings.customs_forms_dir == default_customs_forms_dir()
    assert settings.customs_forms_dir.parent == default_key_file().parent
    assert settings.customs_forms_dir.is_absolute()


def test_the_customs_forms_folder_is_a_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JPGB_CUSTOMS_FORMS_DIR", str(tmp_path / "forms"))
    assert load_settings().customs_forms_dir == tmp_path / "forms"


def test_japan_time_is_accepted_as_written() -> None:
    assert Settings(timezone="Asia/Tokyo").timezone == "Asia/Tokyo"


def test_file_then_env_then_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'station_id = "FILE"\nscale = "socket://10.0.0.5:4001"\nscale_protocol = "sma"\n'
    )
    from_file = load_settings(config)
    assert (from_file.station_id, from_file.scale, from_file.scale_protocol) == (
        "FILE",
        "socket://10.0.0.5:4001",
        "sma",
    )
    monkeypatch.setenv("JPGB_STATION_ID", "ENV")
    assert load_settings(config).station_id == "ENV"
    assert load_settings(config, station_id="FLAG").station_id == "FLAG"
    # A flag left out (None) does not erase what the file says.
    assert load_settings(config, scale=None).scale == "socket://10.0.0.5:4001"


def test_missing_settings_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="settings file not found"):
        load_settings(tmp_path / "nope.toml")


def test_every_field_is_documented() -> None:
    import ast
    import inspect
    import itertools

    import jpgb_terminal.settings as module

    tree = ast.parse(inspect.getsource(module.Settings))
    body = tree.body[0].body  # type: ignore[attr-defined]
    documented = {
        node.target.id
        for node, after in itertools.pairwise(body)
        if isinstance(node, ast.AnnAssign)
        and isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
        and isinstance(after.value.value, str)
    }
    assert set(Settings.model_fields) <= documented


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "scale_protocol",
            "bogus",
            "scale_protocol: unknown scale protocol 'bogus' (known: mt-sics",
        ),
        ("scale_protocol", "MT-SICS", "unknown scale protocol 'MT-SICS'"),
        ("empty_threshold_g", "abc", "empty_threshold_g: Input should be a valid integer"),
        ("empty_threshold_g", "0", "empty_threshold_g: must be more than 0"),
        ("sync_interval_s", "-5", "sync_interval_s: must be more than 0"),
        ("wedge_burst_ms", "-1", "wedge_burst_ms: must be 0 or more"),
        ("scale_line", "9600", "scale_line: line settings '9600' must look like '9600 8N1'"),
        ("scale_line", "14400 8N1", "scale_line: baud rate 14400 is not one a scale uses"),
        (
            "timezone",
            "Europe/London",
            "timezone: 'Europe/London' refused: days are Japan time by the service terms",
        ),
        ("timezone", "UTC", "timezone: 'UTC' refused: days are Japan time"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, setting: str, value: str, message: str
) -> None:
    monkeypatch.setenv(f"JPGB_{setting.upper()}", value)
    with pytest.raises(ValueError, match=r"^bad setting: ") as refused:
        load_settings()
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_bad_protocol_flag_stops_run_before_the_terminal_opens(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from jpgb_terminal.cli import app

    args = ["run", "--db", str(tmp_path / "s.db"), "--scale", "loop://", "--scale-protocol", "x"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and "unknown scale protocol 'x'" in result.stderr
    assert not (tmp_path / "s.db").exists()
