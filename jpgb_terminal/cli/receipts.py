"""`jpgb receipts ...`: parcels received at more than one bench, and a supervisor's review."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    PinStdinOpt,
    StationOpt,
    console,
    handled_errors,
    open_cli_store,
    operator_credentials,
    settings_for,
)

app = typer.Typer(
    help="Parcels received at more than one bench: list them, review them (supervisors).",
    no_args_is_help=True,
)


@app.command("list")
def list_(
    show_all: Annotated[
        bool, typer.Option("--all", help="Reviewed ones too, not only those waiting.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Every receipt of each parcel received twice: the billed one first, then duplicates."""
    from jpgb_terminal.clock import WAREHOUSE_TZ
    from jpgb_terminal.workflow.receipts import pending_receipts

    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors():
        receipts = pending_receipts(store, pending_only=not show_all)

    def local(at: datetime | None) -> str | None:
        return at.astimezone(WAREHOUSE_TZ).isoformat() if at is not None else None

    rows = [
        {
            "tracking_no": r.tracking_no,
            "station_id": r.station_id,
            "operator": r.operator,
            "received_at": local(r.received_at),
            "duplicate": r.duplicate,
            "reviewed_by": r.reviewed_by,
            "reviewed_at": local(r.reviewed_at),
            "event_id": r.event_id,
        }
        for r in receipts
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print(
            "no parcel received twice" + ("" if show_all else " waits for review"), highlight=False
        )
        return
    for row in rows:
        what = "duplicate" if row["duplicate"] else "billed   "
        reviewed = f"  reviewed by {row['reviewed_by']}" if row["reviewed_by"] else ""
        console.print(
            f"{row['tracking_no']}  {what}  {row['station_id']:8} {row['operator'] or '-':10} "
            f"{row['received_at']}{reviewed}",
            highlight=False,
            soft_wrap=True,  # one line per receipt, whatever the terminal's width
        )


@app.command("review")
def review(
    tracking_no: Annotated[str, typer.Argument(help="The parcel received twice.")],
    operator: Annotated[
        str,
        typer.Option(
            "--operator",
            help="The supervisor or lead reviewing (PIN asked; stdin if piped).",
            metavar="NAME",
        ),
    ],
    note: Annotated[
        str | None, typer.Option("--note", help="What was found.", metavar="TEXT")
    ] = None,
    pin_stdin: PinStdinOpt = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
    station: StationOpt = None,
) -> None:
    """Record that the parcel's duplicate receipts were looked at; sync takes it everywhere."""
    from jpgb_terminal.services.parcels import resolve_tracking
    from jpgb_terminal.workflow.receipts import review_receipts

    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    credentials = operator_credentials(settings.station_id, operator, pin_stdin=pin_stdin)
    with handled_errors():
        number = resolve_tracking(tracking_no)
        by, reviewed = review_receipts(store, credentials, number, note)
    console.print(
        f"{number}: {len(reviewed)} duplicate receipt(s) reviewed by {by}",
        highlight=False,
    )
