"""`jpgb parcel ...`: look a parcel up."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

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

if TYPE_CHECKING:
    from jpgb_terminal.store import Store

app = typer.Typer(
    help="Parcels: show state, weight, holds and history; a manual weight.", no_args_is_help=True
)


@app.command("show")
def show(
    tracking: Annotated[str, typer.Argument(metavar="TRACKING", help="Tracking number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    evidence: Annotated[
        bool,
        typer.Option(
            "--evidence",
            help="Print the weighing evidence: grams, raw frame, scale, station, operator, "
            "time, chain position, manual overrides; each checked against the audit chain.",
        ),
    ] = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Show one parcel: state, customer, weight, holds with deadlines, and every event."""
    settings = settings_for(config, db)
    store = open_cli_store(settings)
    if evidence:
        _show_evidence(store, tracking, as_json)
        return
    from jpgb_terminal.clock import now
    from jpgb_terminal.workflow.review import parcel_detail

    with handled_errors():
        # The same use case as the hold detail screen; the command prints the parcel's view.
        view = parcel_detail(store, tracking, now()).view.as_dict()
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


@app.command("weigh")
def weigh(
    tracking: Annotated[str, typer.Argument(metavar="TRACKING", help="Tracking number.")],
    grams: Annotated[int, typer.Option("--grams", help="The weight in whole grams.", min=1)],
    reason: Annotated[str, typer.Option("--reason", help="Why the scale was not used.")],
    operator: Annotated[
        str,
        typer.Option(
            "--operator",
            help="The supervisor or lead approving it (PIN asked; stdin if piped).",
            metavar="NAME",
        ),
    ],
    pin_stdin: PinStdinOpt = False,
    db: DbOpt = None,
    station: StationOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Record a manual weight (Art. 11.1: it bills), approved by a supervisor or lead's PIN."""
    from jpgb_terminal.services.parcels import resolve_tracking
    from jpgb_terminal.workflow.receiving import record_manual_weight

    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    credentials = operator_credentials(settings.station_id, operator, pin_stdin=pin_stdin)
    with handled_errors():
        # Nobody is logged in at a command line: the approver records it as well.
        card = record_manual_weight(
            store, None, resolve_tracking(tracking), grams, reason, credentials
        )
    console.print(
        f"{card.tracking_no}: {grams} g (manual, approved by {credentials.name.strip()})",
        highlight=False,
    )


def _show_evidence(store: Store, tracking: str, as_json: bool) -> None:
    from jpgb_terminal.workflow.parcels import parcel_weighing_evidence

    with handled_errors():
        evidence = parcel_weighing_evidence(store, tracking)
    if as_json:
        typer.echo(json.dumps(evidence.found, ensure_ascii=False, indent=2))
    else:
        _print_evidence(evidence.found)
    if not evidence.verified:
        raise typer.Exit(1)


def _print_evidence(found: dict[str, Any]) -> None:
    billed = f"{found['billed_grams']} g" if found["billed_grams"] else "not weighed"
    console.print(f"{found['tracking_no']}: billed on {billed}", highlight=False)
    if not found["weighings"]:
        console.print("no weighings recorded", highlight=False)
    for i, w in enumerate(found["weighings"], 1):
        table = Table(show_header=False, box=None)
        mark = " (billed)" if w["billed"] else ""
        table.add_row("weighing", f"#{i} {w['weight_id']}{mark}")
        table.add_row("grams", f"{w['grams']} g ({w['source']})")
        table.add_row("raw frame", f"{w['raw_frame'] or '-'}  [hex {w['raw_frame_hex'] or '-'}]")
        table.add_row("scale", f"{w['scale_id'] or '-'} ({w['protocol'] or '-'})")
        table.add_row("station", w["station_id"])
        table.add_row("operator", w["operator"] or "-")
        table.add_row("time", f"{w['measured_at_local']} (UTC {w['measured_at']})")
        override = w["manual_override"]
        if override:
            table.add_row(
                "manual override",
                f"approved by {override['approved_by']}, reason: {override['reason']}",
            )
        chain = w["chain"]
        table.add_row(
            "chain",
            f"station {chain['station_id']} seq {chain['seq']}, event {w['event_id']}",
        )
        table.add_row("hash", f"{chain['hash']}")
        table.add_row("prev hash", f"{chain['prev_hash']}")
        verdict = "[green]verified[/]" if w["verified"] else "[bold red]NOT VERIFIED[/]"
        table.add_row("check", verdict + "".join(f"\n  {p}" for p in w["problems"]))
        console.print(table)
