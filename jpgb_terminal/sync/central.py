"""Central as a whole: the schema check every round starts with, and what central holds.

(The re-checks central makes of each pushed event live in `central_checks`.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, select

from jpgb_terminal.store.engine import MIGRATIONS
from jpgb_terminal.store.handles import EVENT, RECEIPT, SYNC_ISSUE
from jpgb_terminal.sync.failures import classify
from jpgb_terminal.sync.link import CentralLink, CentralRejected, Deadlines, SyncError
from jpgb_terminal.sync.merge import quarantine_rows
from jpgb_terminal.sync.wire import SequenceState, schema_revision, sequence_states

ISSUES_SHOWN = 50


@dataclass(frozen=True)
class CentralOverview:
    """What central holds: per-station sequences, and what waits for a person."""

    central: str
    events: int
    sequences: list[SequenceState]
    issues: int
    duplicate_receipts: int
    # The newest issues first, at most ISSUES_SHOWN: (station, kind, event id, problem).
    issue_list: list[tuple[str, str, str, str]] = field(default_factory=list)
    quarantine: list[str] = field(default_factory=list)
    """Open quarantine entries, one line each (jpgb_terminal.sync.merge)."""


def check_central(conn: Connection) -> list[SequenceState]:
    """Refuse a central whose schema is not this program's; else its per-station sequences."""
    revision = schema_revision(conn)
    head = _head_revision()
    if revision != head:
        raise CentralRejected(
            f"central store is at schema {revision or 'none'}, this program needs {head}: "
            "run `jpgb central init --db URL`"
        )
    with conn.begin():
        return sequence_states(conn)


_HEAD: list[str] = []


def _head_revision() -> str:
    if not _HEAD:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        _HEAD.append(ScriptDirectory.from_config(cfg).get_current_head() or "")
    return _HEAD[0]


def central_overview(central_url: str, deadlines: Deadlines | None = None) -> CentralOverview:
    """Read central's sequences, event count, open issues and unreviewed duplicate receipts."""

    def read(conn: Connection) -> CentralOverview:
        states = check_central(conn)
        with conn.begin():
            events = conn.execute(select(func.count()).select_from(EVENT)).scalar_one()
            issues = conn.execute(select(func.count()).select_from(SYNC_ISSUE)).scalar_one()
            dups = conn.execute(
                select(func.count()).where(RECEIPT.c.duplicate, RECEIPT.c.reviewed_at.is_(None))
            ).scalar_one()
            listed = conn.execute(
                select(
                    SYNC_ISSUE.c.station_id,
                    SYNC_ISSUE.c.kind,
                    SYNC_ISSUE.c.event_id,
                    SYNC_ISSUE.c.problem,
                )
                .order_by(SYNC_ISSUE.c.noted_at.desc(), SYNC_ISSUE.c.event_id)
                .limit(ISSUES_SHOWN)
            ).all()
            held = [r.line() for r in quarantine_rows(conn, open_only=True)]
        return CentralOverview(
            link.shown, events, states, issues, dups, [tuple(row) for row in listed], held
        )

    with CentralLink(central_url, deadlines) as link:
        try:
            return link.run("overview", read)
        except SyncError:
            raise
        except Exception as exc:
            raise classify(exc) from exc
