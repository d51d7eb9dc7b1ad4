"""`jpgb audit verify`: check every audit chain, every weight and the state in one or more stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from jpgb_terminal.cli.common import (
    ConfigOpt,
    console,
    err_console,
    handled_errors,
    settings_for,
)

app = typer.Typer(help="Audit: verify the tamper-evident event chains.", no_args_is_help=True)


@app.command("verify")
def verify(
    dbs: Annotated[
        list[str] | None,
        typer.Option(
            "--db",
            help="Store URL to check; repeat it to check several (e.g. a station and central) "
            "and compare the chains they share. Default: the station's store.",
            metavar="URL",
        ),
    ] = None,
    with_central: Annotated[
        bool, typer.Option("--central", help="Also check the central store from the settings.")
    ] = False,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            help="Another store to check and to compare with the first one: their chains and "
            "their state, table by table and row by row.",
            metavar="URL",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Verify every station's chain (hashes, links, no gaps), that every weight matches its
    event, and that every derived table holds what the events make (replayed into a fresh
    projection); exit 1 naming the first broken event or difference."""
    from jpgb_terminal.audit.state import Difference, compare_states
    from jpgb_terminal.audit.verify import Break, VerifyReport, compare_stores, verify_store
    from jpgb_terminal.store.engine import display_url, normalize_url

    settings = settings_for(config)
    urls = list(dbs or [settings.db])
    if with_central:
        if not settings.central:
            typer.echo("error: no central store is configured", err=True)
            raise typer.Exit(2)
        urls.append(settings.central)
    if against:
        urls.append(against)
    checked: list[tuple[str, Any, VerifyReport]] = []
    opened = []
    results: list[dict[str, Any]] = []
    first: Break | Difference | None = None
    state_cross: list[Difference] = []
    try:
        for url in urls:
            with handled_errors():
                engine = _reader(url)
                opened.append(engine)
                conn = engine.connect()
                report = verify_store(conn, state=True)
            name = display_url(normalize_url(url))
            checked.append((name, conn, report))
            results.append(_report_dict(name, report))
        cross: list[Break] = []
        for i in range(len(checked)):
            for j in range(i + 1, len(checked)):
                cross += compare_stores(checked[i], checked[j])
        if against:
            (name_a, conn_a, _), (name_b, conn_b, _) = checked[0], checked[-1]
            state_cross = compare_states((name_a, conn_a), (name_b, conn_b)).differences()
        for _name, _conn, report in checked:
            problems: list[Break | Difference] = [*report.breaks()]
            problems += report.state.differences() if report.state else []
            if problems and first is None:
                first = problems[0]
        if first is None:
            disagreements: list[Break | Difference] = [*cross, *state_cross]
            first = disagreements[0] if disagreements else None
    finally:
        for _name, conn, _report in checked:
            conn.close()
        for engine in opened:
            engine.dispose()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": first is None,
                    "stores": results,
                    "disagreements": [b.line() for b in cross],
                    "state_disagreements": [d.line() for d in state_cross],
                },
                indent=2,
            )
        )
    else:
        for result in results:
            _print_report(result)
        for b in cross:
            console.print(f"[red]DISAGREE[/] {b.line()}", highlight=False)
        for d in state_cross:
            console.print(f"[red]DISAGREE[/] {d.line()}", highlight=False)
    if first is not None:
        what = "first difference" if isinstance(first, Difference) else "first broken event"
        err_console.print(f"[bold red]{what}:[/] {first.line()}", highlight=False)
        raise typer.Exit(1)


def _reader(url: str) -> Any:
    """An engine that only reads: a SQLite file is read without taking the station's write lock."""
    from sqlalchemy.engine import make_url

    from jpgb_terminal.store.engine import StoreError, make_engine, normalize_url

    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (
        not parsed.database or not Path(parsed.database).is_file()
    ):
        raise StoreError(f"no store at {parsed.database}")
    return make_engine(url, read_only=True)


def _report_dict(name: str, report: Any) -> dict[str, Any]:
    return {
        "store": name,
        "ok": report.ok,
        "events": report.events,
        "chains": [
            {
                "station_id": c.station_id,
                "events": c.events,
                "last_seq": c.last_seq,
                "head": c.head,
                "broken": c.broken.line() if c.broken else None,
            }
            for c in report.chains
        ],
        "weights_checked": report.weights_checked,
        "weight_problems": [b.line() for b in report.weight_problems],
        "state": _state_dict(report.state),
    }


def _state_dict(state: Any) -> dict[str, Any] | None:
    if state is None:
        return None
    replay = state.replay
    return {
        "ok": state.ok,
        "rows": state.rows,
        "tables": {
            t.table: {
                "stored": t.left_rows,
                "replayed": t.right_rows,
                "differences": t.differences,
                "first": t.first.line() if t.first else None,
            }
            for t in state.tables
        },
        "replayed_events": replay.applied if replay else 0,
        "quarantined_events": replay.quarantined if replay else 0,
        "refused_events": list(replay.refused) if replay else [],
    }


def _print_report(result: dict[str, Any]) -> None:
    verdict = "[green]intact[/]" if result["ok"] else "[bold red]BROKEN[/]"
    console.print(
        f"{result['store']}: {result['events']} events in {len(result['chains'])} chain(s), "
        f"{result['weights_checked']} weight record(s): {verdict}",
        highlight=False,
    )
    for chain in result["chains"]:
        if chain["broken"]:
            console.print(f"  [red]BROKEN[/] {chain['broken']}", highlight=False)
        else:
            console.print(
                f"  {chain['station_id']}: seq 1..{chain['last_seq']} intact, "
                f"head {chain['head'][:16]}",
                highlight=False,
            )
    for problem in result["weight_problems"]:
        console.print(f"  [red]WEIGHT[/] {problem}", highlight=False)
    state = result["state"]
    if state is None:
        return
    tables = state["tables"]
    if state["ok"]:
        console.print(
            f"  state: {state['rows']} row(s) in {len(tables)} table(s) are what the "
            f"{state['replayed_events']} replayed event(s) make",
            highlight=False,
        )
    for name, table in tables.items():
        if table["first"]:
            more = table["differences"] - 1
            tail = f" (and {more} more in {name})" if more else ""
            console.print(f"  [red]STATE[/] {table['first']}{tail}", highlight=False)
    for refused in state["refused_events"]:
        console.print(f"  not replayable: {refused}", highlight=False)
