"""`jpgb sync ...`: push this station's events to central and pull everyone else's."""

from __future__ import annotations

import json
import signal
import threading
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from jpgb_terminal.cli.common import (
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
from jpgb_terminal.settings import Settings
from jpgb_terminal.store.engine import check_url, display_url
from jpgb_terminal.sync import (
    SyncError,
    SyncReport,
    central_overview,
    sync_once,
    sync_status,
    watch,
)
from jpgb_terminal.sync.link import Deadlines
from jpgb_terminal.workflow.pull_policy import hold_for_pulled_statuses

app = typer.Typer(
    help="Sync with the central store: --once, --watch, or `status`.",
    invoke_without_command=True,
)

CentralOpt = Annotated[
    str | None,
    typer.Option(
        "--central", help="Central store URL (overrides JPGB_CENTRAL and settings).", metavar="URL"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _central(settings: Settings, central: str | None) -> str:
    url = central or settings.central
    if not url:
        fail("no central store configured: pass --central URL or set JPGB_CENTRAL")
    with handled_errors():
        check_url(url)  # a URL no store can have is refused here, not as a failed round
    return url


def _print_report(report: SyncReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    stamp = f"{report.started_at:%H:%M:%S}"
    style = "green" if report.ok else "red"
    console.print(
        f"[{style}]{stamp} {escape(report.summary())}[/]", highlight=False, soft_wrap=True
    )
    for kind in report.unknown_kinds:
        console.print(f"  unknown event kind stored, not applied: {kind}", highlight=False)
    for tracking_no in report.duplicate_receipts:
        console.print(f"  {tracking_no} received more than once: flagged", highlight=False)
    for tracking_no in report.held_here:
        console.print(f"  {tracking_no} held: its customer's status changed", highlight=False)
    for line in report.quarantined:
        console.print(f"  quarantined at central: {escape(line)}", highlight=False, soft_wrap=True)
    if report.open_quarantine:
        console.print(
            f"  {len(report.open_quarantine)} event(s) of this station in central's quarantine: "
            "`jpgb sync quarantine list`",
            highlight=False,
        )


@app.callback()
def sync(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="One round: push, then pull.")] = False,
    watch_: Annotated[
        bool, typer.Option("--watch", help="Keep syncing, backing off while offline.")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between rounds with --watch.", min=0.1)
    ] = 5.0,
    central: CentralOpt = None,
    db: DbOpt = None,
    station: StationOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sync this station with the central store."""
    if ctx.invoked_subcommand is not None:
        return
    if once == watch_:
        typer.echo(ctx.get_help())
        raise typer.Exit(0 if not once else 2)
    settings = settings_for(config, db, station)
    url = _central(settings, central)
    store = open_cli_store(settings)
    try:
        if once:
            report = sync_once(store, url, settings.station_id, after_pull=hold_for_pulled_statuses)
            _print_report(report, as_json)
            if not report.ok:
                raise typer.Exit(1)
            return
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        if not as_json:
            console.print(
                f"syncing {settings.station_id} with {display_url(url)} every {interval:g} s "
                "(Ctrl-C stops)",
                highlight=False,
            )
        try:
            watch(
                store,
                url,
                settings.station_id,
                stop,
                interval_s=interval,
                on_report=lambda r: _print_report(r, as_json),
                after_pull=hold_for_pulled_statuses,
            )
        except KeyboardInterrupt:
            stop.set()
        finally:
            signal.signal(signal.SIGTERM, previous)
    finally:
        store.dispose()


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


@app.command("status")
def status(
    remote: Annotated[
        bool, typer.Option("--remote", help="Also ask central for every station's sequence.")
    ] = False,
    central: CentralOpt = None,
    db: DbOpt = None,
    station: StationOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Queued events, last success, offline since, alarms (and central's view with --remote)."""
    settings = settings_for(config, db, station)
    store = open_cli_store(settings)
    try:
        state = sync_status(store, settings.station_id)
    finally:
        store.dispose()
    data: dict[str, Any] = {"local": state.as_dict()}
    overview = None
    if remote:
        url = _central(settings, central)
        try:
            overview = central_overview(url, Deadlines(connect_s=5, step_s=10, overall_s=15))
            data["central"] = {
                "url": overview.central,
                "events": overview.events,
                "issues": overview.issues,
                "duplicate_receipts": overview.duplicate_receipts,
                "quarantine": overview.quarantine,
                "stations": [
                    {
                        "station_id": s.station_id,
                        "max_contiguous_seq": s.max_contiguous_seq,
                        "max_seen_seq": s.max_seen_seq,
                        "gap_from": s.gap_from,
                        "last_push_at": _when(s.last_push_at),
                    }
                    for s in overview.sequences
                ],
            }
        except SyncError as exc:
            data["central"] = {"url": display_url(url), "error": str(exc)}
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = [
        ("station", state.station_id),
        ("queued events", str(state.queued)),
        ("pushed up to seq", f"{state.pushed_seq} of {state.local_max_seq}"),
        ("pull cursor", str(state.pulled_central_id)),
        ("last attempt", _when(state.last_attempt_at)),
        ("last success", _when(state.last_success_at)),
        ("offline since", _when(state.offline_since)),
        ("last error", state.last_error or "-"),
        ("alarm", state.alarm or "-"),
    ]
    for key, value in rows:
        console.print(f"{key:>18}  {value}", highlight=False, soft_wrap=True)
    central_data = data.get("central")
    if central_data is None:
        return
    if "error" in central_data:
        console.print(f"{'central':>18}  {central_data['error']}", highlight=False)
        return
    console.print(
        f"{'central':>18}  {central_data['url']}: {central_data['events']} events, "
        f"{central_data['issues']} issues, "
        f"{central_data['duplicate_receipts']} duplicate receipts to review",
        highlight=False,
    )
    for line in central_data["quarantine"]:
        console.print(f"{'quarantine':>18}  {escape(line)}", highlight=False, soft_wrap=True)
    for s in central_data["stations"]:
        gap = f"  GAP from seq {s['gap_from']}" if s["gap_from"] else ""
        console.print(
            f"{s['station_id']:>18}  contiguous to {s['max_contiguous_seq']}, "
            f"seen {s['max_seen_seq']}, last push {s['last_push_at']}{gap}",
            highlight=False,
        )


quarantine_app = typer.Typer(
    help="Events central refused and keeps unprojected: list, resolve.", no_args_is_help=True
)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
def quarantine_list(
    all_: Annotated[bool, typer.Option("--all", help="Also the resolved ones.")] = False,
    central: CentralOpt = None,
    db: DbOpt = None,
    station: StationOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Central's quarantined events: station, seq, kind, parcel, reason."""
    from jpgb_terminal.workflow.quarantine import list_quarantine

    settings = settings_for(config, db, station)
    url = _central(settings, central)
    try:
        rows = list_quarantine(url, open_only=not all_)
    except SyncError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("nothing in quarantine", highlight=False)
    for row in rows:
        console.print(f"{row.state:>8}  {escape(row.line())}", highlight=False, soft_wrap=True)


@quarantine_app.command("resolve")
def quarantine_resolve(
    station_id: Annotated[
        str, typer.Argument(metavar="STATION", help="The refused event's station.")
    ],
    seq: Annotated[int, typer.Argument(metavar="SEQ", help="Its sequence number.")],
    operator: Annotated[
        str,
        typer.Option(
            "--operator", help="The supervisor or lead (PIN asked; stdin if piped).", metavar="NAME"
        ),
    ],
    note: Annotated[str, typer.Option("--note", help="What was done about it.", metavar="TEXT")],
    pin_stdin: PinStdinOpt = False,
    central: CentralOpt = None,
    db: DbOpt = None,
    station: StationOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Record that a quarantined event was dealt with; the next sync carries it to central."""
    from jpgb_terminal.workflow.quarantine import resolve_quarantined

    settings = settings_for(config, db, station)
    url = _central(settings, central)
    store = open_cli_store(settings)
    try:
        credentials = operator_credentials(settings.station_id, operator, pin_stdin=pin_stdin)
        try:
            with handled_errors():
                done = resolve_quarantined(store, credentials, url, station_id, seq, note=note)
        except SyncError as exc:
            fail(str(exc))
    finally:
        store.dispose()
    console.print(
        f"{station_id} seq {seq} resolved by {done.operator}; the next sync carries it to central",
        highlight=False,
    )
