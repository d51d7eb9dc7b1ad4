"""Projection of import markers: `import.started` / `import.finished` bracket a batched import.

The markers change no table: an import's state (unfinished, finished, abandoned) is read from
the markers themselves (jpgb_terminal.services.batched_import). Applying one only checks that
it names its import, so a malformed marker is refused like any other misfit.
"""

from __future__ import annotations

from jpgb_terminal.events import ImportFinished, ImportStarted
from jpgb_terminal.projections.events import ApplyError, SyncEvent
from jpgb_terminal.projections.unit_of_work import Applier, UnitOfWork


def _marker(_p: UnitOfWork, e: SyncEvent, ev: ImportStarted | ImportFinished) -> None:
    """Either marker: it must name its import by id (the type says it is text)."""
    if not ev.import_id:
        raise ApplyError(e, "import_id must be an import id")


APPLIERS: dict[str, Applier] = {ImportStarted.kind: _marker, ImportFinished.kind: _marker}
