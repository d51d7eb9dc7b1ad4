"""`jpgb user ...`: the station's operators (an administrator's command: no PIN asked)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    console,
    fail,
    handled_errors,
    open_cli_store,
    read_secret,
    settings_for,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.operators import ROLES, add_operator, list_operators

app = typer.Typer(help="Operators: add and list.", no_args_is_help=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Operator name (also what a badge scan sends).")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    pin_stdin: Annotated[
        bool, typer.Option("--pin-stdin", help="Read the PIN from stdin.")
    ] = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Add an operator; the PIN (4 to 12 digits) is asked twice, or read once from stdin."""
    if role not in ROLES:
        fail(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    settings = settings_for(config, db)
    if pin_stdin or not sys.stdin.isatty():
        pin = read_secret("PIN", from_stdin=True)
    else:
        pin = read_secret("PIN", from_stdin=False)
        if typer.prompt("PIN again", hide_input=True) != pin:
            fail("the two PINs differ")
    store = open_cli_store(settings)
    with handled_errors(), store.transaction() as session:
        add_operator(session, Actor(settings.station_id), name, role, pin)
    console.print(f"operator {name} added as {role}", highlight=False)


@app.command("list")
def list_(db: DbOpt = None, config: ConfigOpt = None) -> None:
    """List operators with their role and lock state."""
    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors(), store.transaction() as session:
        operators = list_operators(session)
        table = Table("name", "role", "active", "failed PINs", "locked until")
        for op in operators:
            locked = op.locked_until.isoformat(timespec="minutes") if op.locked_until else ""
            table.add_row(
                op.name, op.role, "yes" if op.active else "no", str(op.failed_attempts), locked
            )
    if not operators:
        console.print("no operators yet: add one with `jpgb user add NAME --role staff`")
    else:
        console.print(table)
