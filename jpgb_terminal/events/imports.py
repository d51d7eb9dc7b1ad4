"""The markers that bracket a batched import: started (what file, how many rows) and finished."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from jpgb_terminal.events.base import OMIT_NONE, Event


@dataclass(frozen=True, kw_only=True)
class ImportStarted(Event):
    """A batched import began: the file's digest tells a resumed import from another file."""

    kind: ClassVar[str] = "import.started"
    import_id: str
    what: str
    source: str
    sha256: str
    rows: int


@dataclass(frozen=True, kw_only=True)
class ImportFinished(Event):
    """A batched import ended: written in full (rows written, whether resumed) or abandoned."""

    kind: ClassVar[str] = "import.finished"
    import_id: str
    rows_written: int | None = field(default=None, metadata=OMIT_NONE)
    resumed: bool | None = field(default=None, metadata=OMIT_NONE)
    abandoned: bool | None = field(default=None, metadata=OMIT_NONE)


TYPES: tuple[type[Event], ...] = (ImportStarted, ImportFinished)
