"""Station settings: environment variables (JPGB_*), an optional TOML file, then defaults.

Below the services, beside audit and manifests: imports only devices' protocol names, stations
and the clock, so anything above may read settings without pulling a face in.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from jpgb_terminal.clock import WAREHOUSE_ZONE

APP_NAME = "jpgb-terminal"


def default_config_path() -> Path:
    """Where the TOML settings file lives when `--config` is not given."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_store_url() -> str:
    """The station's SQLite file in the platform data directory."""
    path = Path(platformdirs.user_data_dir(APP_NAME)) / "station.db"
    return f"sqlite:///{path}"


def default_key_file() -> Path:
    """The key file that seals personal data when settings name none (created on first use)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "jpgb.key"


def default_customs_forms_dir() -> Path:
    """Where customs forms go when the printer takes labels only (created 0700 on first use)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "customs-forms"


class Settings(BaseSettings):
    """Everything a station needs to know about itself and its devices."""

    model_config = SettingsConfigDict(env_prefix="JPGB_", extra="ignore")

    station_id: str = "ST01"
    """Short name of this bench (letters, digits, `-`, `_`, at most 40); stamped on every event,
    weight and label. A new store takes it; after that the store's own id is used, and a
    setting naming another id is refused. Give every bench its own: `ST01` is only the default."""

    db: str = Field(default_factory=default_store_url)
    """SQLAlchemy URL of the local store (a SQLite file by default)."""

    central: str | None = None
    """URL of the central store (PostgreSQL, or SQLite for a one-bench site); unset = offline."""

    sync_interval_s: float = 5.0
    """Seconds between two sync rounds while central answers (failures back off to a minute)."""

    scale: str | None = None
    """pyserial URL of the scale (`/dev/ttyUSB0`, `socket://host:port`, `loop://`); unset = none."""

    scale_protocol: str = "mt-sics"
    """Scale protocol: `mt-sics`, `toledo-8217`, `ad` or `sma`."""

    scale_line: str | None = None
    """Serial line settings of the scale, e.g. `19200 8N1`; unset = the protocol's factory
    setting (`jpgb devices probe` finds them). Ignored for socket URLs."""

    scanner: str = "keyboard"
    """pyserial URL of a serial barcode scanner, or `keyboard` for a keyboard-wedge scanner."""

    printer: str | None = None
    """Label printer: `socket://host:9100`, a file path, or `lp:QUEUE` for a CUPS queue."""

    timezone: str = WAREHOUSE_ZONE
    """Time zone in which days are counted (hold deadlines, manifests): always `Asia/Tokyo`,
    because the service terms count days in Japan time; any other value is refused."""

    customs_forms_dir: Path = Field(default_factory=default_customs_forms_dir)
    """Folder for the customs forms when the label printer is a raw `socket://` printer (a
    folder printer or an `lp:` queue gets the forms itself); they hold the recipient's address,
    so the folder is created private (0700)."""

    empty_threshold_g: int = 20
    """Below this many grams the scale counts as empty between two parcels."""

    wedge_burst_ms: int = 40
    """A keyboard-wedge scanner types a code faster than this many ms per key; people do not."""

    key_file: Path | None = Field(default_factory=default_key_file)
    """File holding the keys that encrypt personal data at rest; created (0600) by the first
    command that opens a store, so nothing personal is ever stored in clear."""

    _station_origin: str | None = PrivateAttr(default=None)

    @field_validator("station_id")
    @classmethod
    def _station_id(cls, value: str) -> str:
        from jpgb_terminal.stations import check_station_id

        return check_station_id(value)

    @field_validator("timezone")
    @classmethod
    def _japan_time(cls, value: str) -> str:
        if value != WAREHOUSE_ZONE:
            raise ValueError(
                f"{value!r} refused: days are Japan time by the service terms ({WAREHOUSE_ZONE})"
            )
        return value

    @field_validator("scale_protocol")
    @classmethod
    def _known_protocol(cls, value: str) -> str:
        from jpgb_terminal.devices.protocols import PROTOCOLS

        if value not in PROTOCOLS:
            raise ValueError(f"unknown scale protocol {value!r} (known: {', '.join(PROTOCOLS)})")
        return value

    @field_validator("scale_line")
    @classmethod
    def _line(cls, value: str | None) -> str | None:
        from jpgb_terminal.devices.protocols import LineSettings

        return None if value is None or not value.strip() else LineSettings.parse(value).label

    @field_validator("sync_interval_s", "empty_threshold_g")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(f"must be more than 0, not {value}")
        return value

    @field_validator("wedge_burst_ms")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        # 0 turns burst detection off: every key is a person's (a bench with a serial scanner).
        if value < 0:
            raise ValueError(f"must be 0 or more, not {value}")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags beat environment, environment beats the TOML file."""
        toml_path = Path(os.environ.get("JPGB_CONFIG", str(default_config_path())))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    def station_origin(self) -> str | None:
        """Who named the station id (`--station`, `JPGB_STATION_ID`, the settings file), or None
        when it is the default, which a store's own id replaces."""
        if "station_id" not in self.model_fields_set:
            return None
        return self._station_origin or "the settings"


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Settings from `config` (or the default file), the environment and explicit overrides."""
    if config is not None:
        if not config.is_file():
            raise FileNotFoundError(f"settings file not found: {config}")
        os.environ["JPGB_CONFIG"] = str(config)
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**clean)
    except ValidationError as exc:
        # One line per bad setting, named as the settings file and JPGB_* variables name it.
        problems = [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        ]
        raise ValueError("bad setting: " + "; ".join(problems)) from None
    if "station_id" in clean:
        settings._station_origin = "--station"
    elif os.environ.get("JPGB_STATION_ID") is not None:
        settings._station_origin = "JPGB_STATION_ID"
    elif "station_id" in settings.model_fields_set:
        toml = os.environ.get("JPGB_CONFIG", str(default_config_path()))
        settings._station_origin = f"the settings file {toml}"
    return settings
