"""`jpgb parcel ...`: look a parcel up."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    console,
    handled_errors,
    open_cli_store,
    settings_for,
)
from jpgb_terminal.services.parcels import parcel_view

app = typer.Typer(help="Parcels: show state, weight, holds and history.", no_args_is_help=True)


@app.command("show")
def show(
    tracking: Annotated[str, typer.Argument(metavar="TRACKING", help="Tracking number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Show one parcel: state, customer, weight, holds with deadlines, and every event."""
    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors(), store.transaction() as session:
        view = parcel_view(session, tracking)
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False, indent=2))
        return
    table = Table(show_header=False, box=None)
    for key in ("tracking_no", "scheme", "state", "customer_id", "prealert_matched", "station_id"):
        table.add_row(key, str(view[key]))
    weight = f"{view['weight_g']} g ({view['weight_source']})" if view["weight_g"] else "-"
    table.add_row("weight", weight)
    table.add_row("received", f"{view['received_at']} by {view['received_by'] or '-'}")
    for hold in view["holds"]:
        late = " OVERDUE" if hold["overdue"] else ""
        table.add_row(
            "hold",
            f"{hold['reason']} until {hold['deadline']} ({hold['days_left']} days left){late}",
        )
    console.print(table)
    events = Table("time (JST)", "event", "station", "seq", "operator")
    for e in view["events"]:
        events.add_row(e["at"], e["kind"], e["station_id"], str(e["seq"]), e["operator"] or "")
    console.print(events)
