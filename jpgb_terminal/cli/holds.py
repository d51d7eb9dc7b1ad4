"""`jpgb holds ...`: the hold queue and a supervisor's decisions on it."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    StationOpt,
    console,
    fail,
    handled_errors,
    open_cli_store,
    operator_credentials,
    settings_for,
)
from jpgb_terminal.clock import WAREHOUSE_TZ
from jpgb_terminal.manifests.writers import inert_csv_row
from jpgb_terminal.refdata import hold_reasons
from jpgb_terminal.rules.decisions import form_problem, parse_action
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.decisions import DecisionResult, SaleAmounts
from jpgb_terminal.services.events import jsonable
from jpgb_terminal.services.holds_queue import HOLDS_COLUMNS
from jpgb_terminal.services.parcels import resolve_tracking

app = typer.Typer(help="Held parcels: list the queue, decide (supervisors).", no_args_is_help=True)

LIST_FORMATS = ("table", "csv", "json")
# The rule's field (rules.decisions.FORM_FIELDS) -> the option that gives it.
FORM_FIELD_OPTIONS = {
    "sale": " (--proceeds and the fee options)",
    "note": " (--note)",
    "report_reference": ": give --report-ref",
    "proceeds": ": give --proceeds (and the fees deducted)",
}


@app.command("list")
def list_(
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only holds past their custody deadline.")
    ] = False,
    fmt: Annotated[
        str, typer.Option("--format", help="table, csv or json.", metavar="FORMAT")
    ] = "table",
    reason: Annotated[
        str | None, typer.Option("--reason", help="Only parcels held for this reason code.")
    ] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Only this customer's parcels.")
    ] = None,
    station: Annotated[
        str | None, typer.Option("--station", help="Only parcels received at this station.")
    ] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """List held parcels with reasons, deadline and days left, overdue first."""
    if fmt not in LIST_FORMATS:
        fail(f"unknown format {fmt!r} (one of {', '.join(LIST_FORMATS)})")
    if reason is not None and reason not in hold_reasons():
        fail(f"unknown hold reason {reason!r} (known: {', '.join(hold_reasons())})")
    settings = settings_for(config, db)
    store = open_cli_store(settings)
    from jpgb_terminal.workflow.holds import held_list

    with handled_errors():
        held = held_list(
            store,
            Actor(settings.station_id),
            overdue_only=overdue,
            reason=reason,
            customer_id=customer,
            station_id=station,
        )
    rows = [h.as_row() for h in held]
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(HOLDS_COLUMNS)
        for row in rows:
            writer.writerow(inert_csv_row(_csv_values(row)))
        return
    if not rows:
        console.print("no overdue holds" if overdue else "no parcels are held")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("tracking", no_wrap=True)
    table.add_column("customer", overflow="fold")
    table.add_column("reasons", min_width=11, overflow="fold")
    table.add_column("received", no_wrap=True)
    table.add_column("deadline", no_wrap=True)
    table.add_column("days left", justify="right", no_wrap=True)
    for h in held:
        left = f"[bold red]{h.days_left} OVERDUE[/]" if h.overdue else str(h.days_left)
        table.add_row(
            h.tracking_no,
            h.customer_id or "-",
            ", ".join(h.reasons) + (" (dispose now: Art. 15.1)" if h.disposable_now else ""),
            h.received_at.astimezone(WAREHOUSE_TZ).date().isoformat(),
            h.deadline.isoformat(),
            left,
        )
    console.print(table)
    late = sum(h.overdue for h in held)
    console.print(f"{len(held)} held, {late} overdue", highlight=False)


def _csv_values(row: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for key in HOLDS_COLUMNS:
        value = row[key]
        if isinstance(value, list):
            value = ";".join(value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        out.append(value)
    return out


@app.command("decide")
def decide_(
    tracking: Annotated[str, typer.Argument(metavar="TRACKING", help="Tracking number.")],
    action: Annotated[
        str,
        typer.Argument(metavar="ACTION", help="release, return, dispose, sell or report."),
    ],
    operator: Annotated[
        str, typer.Option("--operator", help="The deciding supervisor (PIN asked).")
    ],
    note: Annotated[str, typer.Option("--note", help="Why: kept with the decision.")],
    consent: Annotated[
        str | None,
        typer.Option(
            "--consent", help="Customer consent reference (early disposal).", metavar="REF"
        ),
    ] = None,
    report_ref: Annotated[
        str | None,
        typer.Option("--report-ref", help="Police report reference (report).", metavar="REF"),
    ] = None,
    proceeds: Annotated[
        int | None, typer.Option("--proceeds", help="Sale proceeds, yen (sell).", min=0)
    ] = None,
    custody_fee: Annotated[
        int, typer.Option("--custody-fee", help="Custody fee deducted, yen (sell).", min=0)
    ] = 0,
    disposal_fee: Annotated[
        int, typer.Option("--disposal-fee", help="Disposal fee deducted, yen (sell).", min=0)
    ] = 0,
    service_fee: Annotated[
        int, typer.Option("--service-fee", help="Service fee deducted, yen (sell).", min=0)
    ] = 0,
    pin_stdin: Annotated[
        bool, typer.Option("--pin-stdin", help="Read the PIN from stdin.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    db: DbOpt = None,
    station: StationOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Decide on a held parcel: each action only for a supervisor, with a note, as an event."""
    from jpgb_terminal.workflow.decisions import decide_held_parcel

    try:
        act = parse_action(action)
    except ValueError as exc:
        fail(str(exc))
    # Asked before the PIN, in the rule's words with the option to give.
    missing = form_problem(
        act,
        note=note,
        report_reference=report_ref,
        proceeds=proceeds,
        fees_given=bool(custody_fee or disposal_fee or service_fee),
    )
    if missing is not None:
        fail(missing.message + FORM_FIELD_OPTIONS[missing.field])
    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    with handled_errors():
        number = resolve_tracking(tracking)
    credentials = operator_credentials(settings.station_id, operator, pin_stdin=pin_stdin)
    sale = (
        SaleAmounts(proceeds, custody_fee, disposal_fee, service_fee)
        if proceeds is not None
        else None
    )
    with handled_errors():
        result = decide_held_parcel(
            store,
            credentials,
            number,
            act.value,
            note,
            consent_reference=consent,
            report_reference=report_ref,
            sale=sale,
        )
    if as_json:
        typer.echo(json.dumps(jsonable(_result_dict(result)), ensure_ascii=False, indent=2))
        return
    _print_result(result)


def _result_dict(result: DecisionResult) -> dict[str, Any]:
    return {
        "decision_id": result.decision_id,
        "tracking_no": result.tracking_no,
        "action": result.action,
        "article": result.article,
        "from_state": result.from_state,
        "to_state": result.to_state,
        "reasons": list(result.reasons),
        "closed_hold_ids": list(result.closed_hold_ids),
        "deadline": result.deadline,
        "decided_at": result.decided_at,
        "operator": result.operator,
        "event_id": result.event_id,
        "consent_reference": result.consent_reference,
        "report_reference": result.report_reference,
        "sale": result.sale.as_dict() if result.sale else None,
    }


def _print_result(result: DecisionResult) -> None:
    console.print(
        f"{result.tracking_no}: {result.action} by {result.operator} ({result.article}); "
        f"now {result.to_state}; closed {len(result.closed_hold_ids)} hold(s): "
        f"{', '.join(result.reasons)}",
        highlight=False,
    )
    if result.report_reference:
        console.print(f"police report {result.report_reference}", highlight=False)
    if result.consent_reference:
        console.print(f"customer consent {result.consent_reference}", highlight=False)
    sale = result.sale
    if sale is not None:
        table = Table(show_header=False, box=None)
        table.add_row("proceeds", f"{sale.proceeds:,} {sale.currency}")
        table.add_row("custody fee", f"-{sale.custody_fee:,}")
        table.add_row("disposal fee", f"-{sale.disposal_fee:,}")
        table.add_row("service fee", f"-{sale.service_fee:,}")
        table.add_row("balance", f"{sale.balance:,} {sale.currency} (no interest, Art. 15.7)")
        if sale.shortfall:
            table.add_row("shortfall", f"{sale.shortfall:,} {sale.currency} still owed")
        due = sale.remittance_due.isoformat() if sale.remittance_due else "nothing to remit"
        table.add_row("fixed on", sale.balance_fixed_on.isoformat())
        table.add_row("remit by", due)
        console.print(table)
