"""`jpgb manifest ...`: the day's inbound, holds and outbound (carrier) manifests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    err_console,
    fail,
    handled_errors,
    open_cli_store,
    settings_for,
)
from jpgb_terminal.manifests import (
    FORMATS,
    KINDS,
    ManifestError,
    check_writable,
    export_to_file,
    export_to_stdout,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.manifest_rows import build_manifest, expected_rows

app = typer.Typer(
    help="Manifests: the day's inbound parcels, holds and outbound boxes.", no_args_is_help=True
)

# Below this many rows an export takes well under a second: no bar.
PROGRESS_FROM_ROWS = 5_000


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(f"--date must be a date as YYYY-MM-DD, got {text!r}")


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on stderr for long exports at a terminal; nothing otherwise."""
    if total < PROGRESS_FROM_ROWS or not err_console.is_terminal:
        yield None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


@app.command("export")
def export(
    day: Annotated[
        str, typer.Option("--date", help="The Japan (Asia/Tokyo) day.", metavar="YYYY-MM-DD")
    ],
    kind: Annotated[
        str, typer.Option("--kind", help="inbound, holds or outbound.", metavar="KIND")
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="csv, xlsx or pdf.", metavar="FORMAT")
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file (CSV goes to stdout without it; XLSX and PDF to KIND-DATE.FMT).",
            metavar="FILE",
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option("--service", help="outbound: only this service (e.g. ems).", metavar="S"),
    ] = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Export one day's manifest: customer ids only, no names, addresses or phone numbers."""
    when = parse_day(day)
    if kind not in KINDS:
        fail(f"unknown manifest kind {kind!r} (one of {', '.join(KINDS)})")
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if service is not None and kind != "outbound":
        fail("--service applies to the outbound manifest only")
    if output is None and fmt != "csv":
        output = Path(f"{kind}-{when.isoformat()}.{fmt}")
    if output is not None:
        try:
            check_writable(output)
        except ManifestError as exc:
            fail(str(exc))
    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors(), store.transaction() as session:
        conn = session.connection()
        total = expected_rows(conn, kind, when, service=service)
        # The station's administrator's command (README, Privacy and audit): no PIN.
        admin = Actor(settings.station_id)
        manifest = build_manifest(conn, admin, kind, when, service=service)
        with progress_bar(total, f"{kind} {when.isoformat()}") as progress:
            try:
                if output is None:
                    export_to_stdout(manifest, progress)
                else:
                    export_to_file(manifest, fmt, output, progress)
            except ManifestError as exc:
                fail(str(exc))
    totals = manifest.totals
    where = "stdout" if output is None else str(output)
    what = "boxes" if kind == "outbound" else "parcels"
    err_console.print(
        f"{kind} manifest {when.isoformat()}: {totals.rows} {what}, "
        f"billable {totals.billable_g} g, written to {where}",
        highlight=False,
    )
