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

app = typer.Typer(help="Operators: add, list, unlock.", no_args_is_help=True)


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


@app.command("unlock")
def unlock(
    name: Annotated[str, typer.Argument(help="The locked-out operator.")],
    operator: Annotated[
        str, typer.Option("--operator", help="The supervisor or lead unlocking (PIN asked).")
    ],
    pin_stdin: Annotated[
        bool, typer.Option("--pin-stdin", help="Read the PIN from stdin.")
    ] = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Lift a lockout after too many wrong PINs; a supervisor or lead confirms with a PIN."""
    from jpgb_terminal.services.operators import unlock_operator, verify_pin

    settings = settings_for(config, db)
    store = open_cli_store(settings)
    pin = read_secret(f"PIN for {operator}", from_stdin=pin_stdin)
    # Its own transaction: a wrong PIN is counted even though nothing else happens.
    with handled_errors(), store.transaction() as session:
        login = verify_pin(session, settings.station_id, operator, pin)
    if not login.ok or login.operator is None:
        fail(login.message)
    with handled_errors(), store.transaction() as session:
        unlock_operator(session, Actor(settings.station_id, login.operator.name), name)
    console.print(f"operator {name} unlocked by {login.operator.name}", highlight=False)
