"""`jpgb billing ...`: chargeable weight and fee quotes from the price list in force."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    console,
    fail,
    handled_errors,
    open_cli_store,
    settings_for,
)
from jpgb_terminal.refdata import PriceList, services
from jpgb_terminal.rules.pricing import ChargeLine, Dims, special_expense
from jpgb_terminal.services.billing import (
    BillableWeight,
    ServiceQuote,
    quote_all,
    service_needs_country,
)

if TYPE_CHECKING:
    from jpgb_terminal.settings import Settings

app = typer.Typer(help="Billing: chargeable weight and fees (Art. 11).", no_args_is_help=True)

_DIMS_RE = re.compile(r"^\s*(\d+)\s*[xX×*]\s*(\d+)\s*[xX×*]\s*(\d+)\s*$")
_EXPENSE_RE = re.compile(r"^(.+)=(\d+)$")


def parse_dims(text: str) -> Dims:
    """`LxWxH` in whole centimetres."""
    match = _DIMS_RE.match(text)
    if not match:
        fail(f"--dims must be L x W x H in whole centimetres, e.g. 40x30x20; got {text!r}")
    length, width, height = (int(g) for g in match.groups())
    return (length, width, height)


def parse_expense(text: str) -> ChargeLine:
    """`DESCRIPTION=AMOUNT` in whole yen, e.g. `customs duty=3400`."""
    match = _EXPENSE_RE.match(text.strip())
    if not match or not match.group(1).strip():
        fail(f"--expense must be DESCRIPTION=YEN, e.g. 'customs duty=3400'; got {text!r}")
    return special_expense(match.group(1).strip(), int(match.group(2)))


@app.command("quote")
def quote_(
    tracking: Annotated[
        str | None,
        typer.Argument(metavar="[TRACKING]", help="Quote a parcel on its billable weight."),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option("--service", help="One service (default: every service).", metavar="S"),
    ] = None,
    weight_g: Annotated[
        int | None,
        typer.Option("--weight-g", help="Quote a weight instead of a parcel.", metavar="N"),
    ] = None,
    dims: Annotated[
        str | None,
        typer.Option("--dims", help="Box size L x W x H cm (couriers).", metavar="LxWxH"),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option("--country", help="Destination, ISO 3166 alpha-2.", metavar="CC"),
    ] = None,
    expenses: Annotated[
        list[str] | None,
        typer.Option(
            "--expense",
            help="A special expense at cost, DESCRIPTION=YEN (repeatable; Art. 11.2).",
            metavar="TEXT=N",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Chargeable weight, fee and price-list version for a parcel or a weight."""
    if (tracking is None) == (weight_g is None):
        fail("give either a TRACKING number or --weight-g N, not both and not neither")
    if weight_g is not None and weight_g <= 0:
        fail(f"--weight-g must be a positive number of grams, got {weight_g}")
    if service is not None:
        # Typed as a person types it, or copied from a sheet: "EMS", "ｅｍｓ", " dhl ".
        service = unicodedata.normalize("NFKC", service).strip().lower()
    if country is not None:
        country = unicodedata.normalize("NFKC", country).strip().upper()
    if service is not None and service not in services():
        fail(f"unknown service {service!r} (known: {', '.join(services())})")
    box = parse_dims(dims) if dims is not None else None
    lines = [parse_expense(e) for e in expenses or []]
    if lines and service is None:
        fail("--expense needs --service: special expenses are billed with one shipment")
    chosen = [service] if service else list(services())
    if not (country or "").strip():
        zoned = [services()[c].name for c in chosen if service_needs_country(c)]
        if zoned:
            fail(
                f"the fee of {', '.join(zoned)} depends on the destination zone: "
                "give --country CC (e.g. --country US)"
            )
    weight: BillableWeight | None = None
    if tracking is not None:
        settings = settings_for(config, db)
        store = open_cli_store(settings)
        from jpgb_terminal.workflow.billing import quote_stored_parcel

        with handled_errors():
            quoted = quote_stored_parcel(
                store, tracking, service=service, dims_cm=box, country=country
            )
        weight, quotes = quoted.weight, list(quoted.quotes)
    else:
        assert weight_g is not None
        lists = _store_lists(settings_for(config, db), explicit=db is not None)
        with handled_errors():
            quotes = quote_all(weight_g, dims_cm=box, country=country, only=chosen, lists=lists)
    if service is not None:
        _one(quotes[0], weight, lines, as_json)
    else:
        _all(quotes, weight, as_json)


def _store_lists(settings: Settings, *, explicit: bool) -> tuple[PriceList, ...] | None:
    """The price lists of the bench's store (published ones included), or None (the packaged
    lists) when no store was named and the configured file does not exist yet."""
    from sqlalchemy.engine import make_url

    from jpgb_terminal.store.engine import normalize_url
    from jpgb_terminal.workflow.prices import store_price_lists

    url = make_url(normalize_url(settings.db))
    missing = not url.database or not Path(url.database).exists()
    if not explicit and url.get_backend_name() == "sqlite" and missing:
        return None
    store = open_cli_store(settings)
    try:
        with handled_errors():
            return store_price_lists(store)
    finally:
        store.dispose()


def _weight_dict(weight: BillableWeight | None) -> dict[str, Any]:
    if weight is None:
        return {}
    return {
        "tracking_no": weight.tracking_no,
        "weight_source": weight.source,
        "weight_id": weight.weight_id,
        "approved_by": weight.approved_by,
    }


def _one(
    q: ServiceQuote, weight: BillableWeight | None, lines: list[ChargeLine], as_json: bool
) -> None:
    if q.refused is not None:
        fail(f"{q.name}: {q.refused}")
    assert q.fee is not None and q.currency is not None
    charges = [("fee", q.name, q.fee, q.currency)] + [
        ("special_expense", line.description, line.amount, line.currency) for line in lines
    ]
    if as_json:
        payload = {
            **_weight_dict(weight),
            **q.as_dict(),
            "lines": [
                {"kind": k, "description": d, "amount": a, "currency": c} for k, d, a, c in charges
            ],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    table = Table(show_header=False, box=None)
    if weight is not None:
        table.add_row("parcel", f"{weight.tracking_no} ({weight.source} weight)")
    table.add_row("service", f"{q.name} to {q.country} (zone {q.zone})")
    table.add_row("actual_g", str(q.actual_g))
    if q.volumetric_g is not None:
        table.add_row("volumetric_g", str(q.volumetric_g))
    table.add_row("chargeable_g", str(q.chargeable_g))
    table.add_row("fee", f"{q.fee} {q.currency}")
    table.add_row("currency", q.currency)
    table.add_row("price_list_version", str(q.price_list_version))
    for kind, description, amount, currency in charges[1:]:
        table.add_row(kind, f"{description}: {amount} {currency} (at cost, Art. 11.2)")
    if lines:
        total = sum(a for _, _, a, c in charges if c == q.currency)
        table.add_row("total", f"{total} {q.currency}")
    console.print(table)


def _all(quotes: list[ServiceQuote], weight: BillableWeight | None, as_json: bool) -> None:
    if as_json:
        payload = [{**_weight_dict(weight), **q.as_dict()} for q in quotes]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if weight is not None:
        console.print(
            f"{weight.tracking_no}: billed on {weight.grams} g ({weight.source} weight)",
            highlight=False,
        )
    table = Table("service", "chargeable_g", "fee", "currency", "price list", "note")
    for q in quotes:
        table.add_row(
            q.name,
            "" if q.chargeable_g is None else str(q.chargeable_g),
            "" if q.fee is None else str(q.fee),
            q.currency or "",
            q.price_list_version or "",
            q.refused or "",
        )
    console.print(table)
