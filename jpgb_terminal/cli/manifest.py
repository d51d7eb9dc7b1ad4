"""`jpgb manifest ...`: the day's inbound, holds and outbound (carrier) manifests."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    err_console,
    fail,
    handled_errors,
    open_cli_store,
    settings_for,
)
from jpgb_terminal.manifests import FORMATS, KINDS, ManifestError, check_writable
from jpgb_terminal.services.context import Actor

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


class ProgressBar:
    """A rich progress bar on stderr for long exports at a terminal, started once the row
    count is known; nothing for short ones or when stderr is not a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def on_total(self, total: int) -> None:
        """Start the bar when the export is long enough to want one."""
        if total < PROGRESS_FROM_ROWS or not err_console.is_terminal:
            return
        self._bar = Progress(
            TextColumn(self.label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=total)

    def progress(self, done: int) -> None:
        """Move the bar (when there is one)."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done)

    def close(self) -> None:
        """Take the bar off the terminal."""
        if self._bar is not None:
            self._bar.stop()


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
    from jpgb_terminal.workflow.review import export_day_manifest

    settings = settings_for(config, db)
    store = open_cli_store(settings)
    bar = ProgressBar(f"{kind} {when.isoformat()}")
    try:
        with handled_errors():
            # The station's administrator's command (README, Privacy and audit): no PIN.
            done = export_day_manifest(
                store,
                Actor(settings.station_id),
                kind,
                when,
                fmt,
                output,
                service=service,
                on_total=bar.on_total,
                progress=bar.progress,
            )
    except ManifestError as exc:
        fail(str(exc))
    finally:
        bar.close()
    where = "stdout" if done.path is None else str(done.path)
    what = "boxes" if kind == "outbound" else "parcels"
    err_console.print(
        f"{kind} manifest {when.isoformat()}: {done.rows} {what}, "
        f"billable {done.billable_g} g, written to {where}",
        highlight=False,
    )
