"""The names this module has always offered; a round now lives in its own modules.

`round` (sync_once, watch, same_store), `push` and `pull` (the two halves), `status` (the
report and the station's `sync_state`), `central` (the schema check and the overview) and
`failures` (what went wrong, as a SyncError).
"""

from jpgb_terminal.sync.central import CentralOverview, central_overview
from jpgb_terminal.sync.pull import PullHook
from jpgb_terminal.sync.round import BATCH_SIZE, PULL_PAGE, same_store, sync_once, watch
from jpgb_terminal.sync.status import SyncReport, SyncStatus, sync_status

__all__ = [
    "BATCH_SIZE",
    "PULL_PAGE",
    "CentralOverview",
    "PullHook",
    "SyncReport",
    "SyncStatus",
    "central_overview",
    "same_store",
    "sync_once",
    "sync_status",
    "watch",
]
