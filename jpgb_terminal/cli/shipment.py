"""`jpgb shipment ...`: import shipment requests, hand over the day's boxes, number ranges."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from jpgb_terminal.cli.common import (
    AbandonOpt,
    ConfigOpt,
    DbOpt,
    PinStdinOpt,
    StationOpt,
    console,
    fail,
    handled_errors,
    open_cli_store,
    operator_credentials,
    settings_for,
)

app = typer.Typer(
    help="Shipment requests: import, show, hand over; carrier number ranges.",
    no_args_is_help=True,
)
range_app = typer.Typer(help="Outbound tracking-number ranges issued by carriers.")
app.add_typer(range_app, name="range")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV, one row per customs line")],
    db: DbOpt = None,
    config: ConfigOpt = None,
    station: StationOpt = None,
    abandon: AbandonOpt = False,
) -> None:
    """Import shipment requests; the whole file is checked first and any bad row imports nothing.

    Header: request_id, customer_id, parcels (separated by ';'), service, country,
    recipient_name, recipient_address, [recipient_phone], category, [insurance_jpy],
    description, quantity, unit_value, [currency], [hs_code], [origin_country],
    [net_weight_g], [lithium]. UTF-8, UTF-8 with BOM and Shift-JIS are read.
    """
    from jpgb_terminal.workflow.shipments import import_requests

    settings = settings_for(config, db, station)
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    store = open_cli_store(settings)
    with handled_errors():
        done = import_requests(store, settings.station_id, data, source=file.name, abandon=abandon)
    console.print(f"{file.name}: {len(done.added)} shipment request(s) imported", highlight=False)


@app.command("handover")
def handover(
    day: Annotated[
        str, typer.Option("--date", help="The Japan (Asia/Tokyo) day packed.", metavar="YYYY-MM-DD")
    ],
    operator: Annotated[
        str,
        typer.Option(
            "--operator",
            help="The shift lead handing over (PIN asked; stdin if piped).",
            metavar="NAME",
        ),
    ],
    service: Annotated[
        str | None, typer.Option("--service", help="Only this service.", metavar="S")
    ] = None,
    pin_stdin: PinStdinOpt = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
    station: StationOpt = None,
) -> None:
    """Mark the boxes packed that day (and not yet handed over) as shipped (a shift lead)."""
    from jpgb_terminal.workflow.shipments import hand_over_day

    when = _day(day)
    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    credentials = operator_credentials(settings.station_id, operator, pin_stdin=pin_stdin)
    with handled_errors():
        done = hand_over_day(store, credentials, when, service=service).handover
    for number in done.outbound_tracking_nos:
        console.print(number, highlight=False)
    console.print(
        f"{len(done.shipments)} box(es) packed on {when.isoformat()} handed over", highlight=False
    )


@app.command("show")
def show(
    request_id: Annotated[str, typer.Argument(help="SR-000123")],
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """A request: its parcels, customs lines and box (recipient masked)."""
    from jpgb_terminal.rules.masking import mask_name
    from jpgb_terminal.workflow.shipments import shipment_detail

    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors():
        view = shipment_detail(store, request_id)
    out = console.print
    out(
        f"{view.id}  {view.state}  customer {view.customer_id}  {view.service} to {view.country}  "
        f"category {view.category}  insurance {view.insurance_jpy} JPY",
        highlight=False,
    )
    out(f"recipient: {mask_name(view.recipient_name)}", highlight=False)
    for p in view.parcels:
        mark = "x" if p.confirmed else " "
        holds = f" held: {', '.join(p.hold_reasons)}" if p.hold_reasons else ""
        out(f"  [{mark}] {p.tracking_no}  {p.state or 'not received'}{holds}", highlight=False)
    for i, line in enumerate(view.lines, start=1):
        out(
            f"  {i}. {line.description} x{line.quantity} @ {line.unit_value} {line.currency}"
            f"  HS {line.hs_code or '-'}  origin {line.origin_country}  lithium {line.lithium}",
            highlight=False,
        )
    box = view.box
    if box is not None:
        length, width, height = box.dims_cm
        out(
            f"box {box.outbound_tracking_no}: {box.weight_g} g, {length}x{width}x{height} cm, "
            f"chargeable {box.chargeable_g} g, fee {box.fee} {box.currency} "
            f"(price list {box.price_list_version}), {box.customs_form}, declared "
            f"{box.declared_value} {box.declared_currency}"
            + (", EXPORT DECLARATION" if box.export_declaration else ""),
            highlight=False,
        )


@range_app.command("add")
def range_add(
    service: Annotated[str, typer.Option("--service", help="Service code, e.g. ems.")],
    prefix: Annotated[str, typer.Option("--prefix", help="Two letters, e.g. EE.")],
    first: Annotated[int, typer.Option("--from", help="First serial (8 digits).", min=0)],
    last: Annotated[int, typer.Option("--to", help="Last serial (8 digits).", min=0)],
    country: Annotated[str, typer.Option("--country", help="Country of origin.")] = "JP",
    stations: Annotated[
        str | None,
        typer.Option(
            "--stations",
            help="Comma-separated stations to split the range between (default: this one).",
            metavar="A,B,...",
        ),
    ] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
    station: StationOpt = None,
) -> None:
    """Register a range of S10 numbers a carrier issued (check digits are computed).

    The range is split into one block per station; each bench numbers only from its own.
    Setup, like importing pre-alerts: the station's administrator runs it, with no PIN.
    """
    from jpgb_terminal.workflow.shipments import register_range

    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    names = [n for n in (stations or "").split(",") if n.strip()]
    with handled_errors():
        done = register_range(
            store,
            settings.station_id,
            service,
            prefix,
            first,
            last,
            country=country,
            stations=names,
        )
    added, blocks = done.range, done.blocks
    console.print(
        f"{added.service}: {added.first_number} .. {added.last_number} ({added.left} numbers)",
        highlight=False,
    )
    for b in blocks:
        console.print(
            f"  {b.station_id}: {b.first_number} .. {b.last_number} ({b.left} numbers)",
            highlight=False,
        )


@range_app.command("give")
def range_give(
    service: Annotated[str, typer.Option("--service", help="Service code, e.g. ems.")],
    to_station: Annotated[str, typer.Option("--to", help="The station to give numbers to.")],
    count: Annotated[int, typer.Option("--count", help="How many numbers.", min=1)],
    db: DbOpt = None,
    config: ConfigOpt = None,
    station: StationOpt = None,
) -> None:
    """Hand the last unused numbers of this station's block over to another station.

    Only a block's owner can do this, so it is safe offline; it syncs as an event.
    """
    from jpgb_terminal.workflow.shipments import give_numbers

    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    with handled_errors():
        given = give_numbers(store, settings.station_id, service, to_station, count)
    console.print(
        f"{given.service}: {given.first_number} .. {given.last_number} "
        f"({given.left} numbers) now belong to {given.station_id}",
        highlight=False,
    )


@range_app.command("list")
def range_list(
    service: Annotated[
        str | None, typer.Option("--service", help="Only this service.", metavar="S")
    ] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Every range and its blocks, with the numbers left in each as far as this store knows."""
    from jpgb_terminal.workflow.shipments import number_ranges

    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors():
        listing = number_ranges(store, service)
    if not listing.ranges:
        console.print("no ranges", highlight=False)
    for r in listing.ranges:
        mine = listing.blocks_of(r.id)
        left = sum(b.left for b in mine)
        console.print(
            f"{r.service:8} {r.first_number} .. {r.last_number}  left {left}", highlight=False
        )
        for b in mine:
            console.print(
                f"  {b.station_id:12} {b.first_number} .. {b.last_number}  left {b.left}",
                highlight=False,
            )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(f"--date must be a date as YYYY-MM-DD, got {text!r}")
