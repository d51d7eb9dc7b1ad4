"""`jpgb central ...`: create or upgrade the central store and look at its health."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy.engine import make_url

from jpgb_terminal.cli.common import ConfigOpt, DbOpt, console, fail, handled_errors, settings_for
from jpgb_terminal.store import Store
from jpgb_terminal.store.engine import display_url, normalize_url
from jpgb_terminal.store.role import mark_central
from jpgb_terminal.sync import SyncError, central_overview
from jpgb_terminal.sync.link import check_local_file

app = typer.Typer(
    help="The central store: init (create or upgrade) and status.", no_args_is_help=True
)


def _url(db: str | None, config: Path | None) -> str:
    # --db names the central store here; without it the station's `central` setting is used.
    url = db or settings_for(config).central
    if not url:
        fail("name the central store: --db URL (or set JPGB_CENTRAL)")
    return normalize_url(url)


@app.command("init")
def init(db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Create the central store, or bring its schema to this program's version."""
    url = _url(db, config)
    parsed = make_url(url)
    try:
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            check_local_file(Path(parsed.database))
    except SyncError as exc:
        fail(str(exc))
    with handled_errors():
        store = Store(url)
        try:
            before = store.current_revision()
            store.upgrade()
            after = store.current_revision()
            with store.engine.begin() as conn:
                mark_central(conn)
        finally:
            store.dispose()
    shown = display_url(url)
    if before == after:
        console.print(f"central store {shown} is up to date (schema {after})", highlight=False)
    else:
        console.print(
            f"central store {shown} upgraded from {before or 'empty'} to {after}", highlight=False
        )


@app.command("status")
def status(
    db: DbOpt = None,
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every station's sequence on central, gaps, open issues, duplicate receipts to review."""
    url = _url(db, config)
    try:
        overview = central_overview(url)
    except SyncError as exc:
        fail(str(exc))
    stations = [
        {
            "station_id": s.station_id,
            "max_contiguous_seq": s.max_contiguous_seq,
            "max_seen_seq": s.max_seen_seq,
            "gap_from": s.gap_from,
            "alarm": s.alarm,
            "last_push_at": s.last_push_at.isoformat() if s.last_push_at else None,
        }
        for s in overview.sequences
    ]
    if as_json:
        data = {
            "central": overview.central,
            "events": overview.events,
            "issues": overview.issues,
            "duplicate_receipts": overview.duplicate_receipts,
            "stations": stations,
            "issue_list": [
                {"station_id": st, "kind": kind, "event_id": eid, "problem": problem}
                for st, kind, eid, problem in overview.issue_list
            ],
            "quarantine": overview.quarantine,
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console.print(
        f"{overview.central}: {overview.events} events, {overview.issues} issues, "
        f"{overview.duplicate_receipts} duplicate receipts to review",
        highlight=False,
    )
    for s in stations:
        console.print(
            f"  {s['station_id']}: contiguous to {s['max_contiguous_seq']}, seen "
            f"{s['max_seen_seq']}, last push {s['last_push_at'] or '-'}"
            + (f"  ALARM: {s['alarm']}" if s["alarm"] else ""),
            highlight=False,
        )
    for station_id, kind, event_id, problem in overview.issue_list:
        # Not wrapped: an event id must stay whole to be copied.
        console.print(
            f"  issue: {station_id} {kind} {event_id}: {problem}", highlight=False, soft_wrap=True
        )
    for line in overview.quarantine:
        # Escaped: the line ends in "[kept unprojected]", which is not console markup.
        console.print(f"  QUARANTINE: {escape(line)}", highlight=False, soft_wrap=True)
    if overview.quarantine:
        console.print(
            "  resolved at a bench: `jpgb sync quarantine resolve STATION SEQ --operator NAME "
            "--note TEXT`",
            highlight=False,
        )
    if overview.issues > len(overview.issue_list):
        console.print(
            f"  ... and {overview.issues - len(overview.issue_list)} older issues", highlight=False
        )
    if overview.duplicate_receipts:
        console.print(
            "  parcels received twice: `jpgb receipts list --db URL`, "
            "reviewed at a bench with `jpgb receipts review`",
            highlight=False,
        )
    if any(s["gap_from"] for s in stations):
        raise typer.Exit(2)
