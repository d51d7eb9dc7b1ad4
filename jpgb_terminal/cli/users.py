"""`jpgb user ...`: the station's operators (add, set-pin, list: the administrator's, no PIN asked;
unlock and resolve: a supervisor's or lead's decision, their PIN asked)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from jpgb_terminal.cli.common import (
    ConfigOpt,
    DbOpt,
    PinStdinOpt,
    console,
    fail,
    handled_errors,
    open_cli_store,
    operator_credentials,
    read_new_pin,
    settings_for,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.operators import ROLES
from jpgb_terminal.workflow.operators import add_user, set_user_pin, users

app = typer.Typer(
    help="Operators: add, set a PIN, list, unlock, resolve a name two benches added.",
    no_args_is_help=True,
)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Operator name (also what a badge scan sends).")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    pin_stdin: PinStdinOpt = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Add an operator; the PIN (4 to 12 digits) is asked twice, or read once from stdin."""
    if role not in ROLES:
        fail(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    settings = settings_for(config, db)
    pin = read_new_pin(from_stdin=pin_stdin)
    store = open_cli_store(settings)
    with handled_errors():
        add_user(store, Actor(settings.station_id), name, role, pin)
    console.print(f"operator {name} added as {role}", highlight=False, markup=False)


@app.command("set-pin")
def set_pin_(
    name: Annotated[str, typer.Argument(help="The operator whose PIN changes.")],
    pin_stdin: PinStdinOpt = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Give an operator a new PIN (4 to 12 digits), asked twice, or read once from stdin."""
    settings = settings_for(config, db)
    pin = read_new_pin(from_stdin=pin_stdin)
    store = open_cli_store(settings)
    with handled_errors():
        set_user_pin(store, Actor(settings.station_id), name, pin)
    console.print(f"operator {name.strip()} has a new PIN", highlight=False, markup=False)


@app.command("list")
def list_(db: DbOpt = None, config: ConfigOpt = None) -> None:
    """List operators with their role and lock state."""
    settings = settings_for(config, db)
    store = open_cli_store(settings)
    with handled_errors():
        operators = users(store)
        table = Table("name", "role", "active", "failed PINs", "locked until")
        for op in operators:
            locked = op.locked_until.isoformat(timespec="minutes") if op.locked_until else ""
            # Nothing else deactivates an operator: inactive is a name sync found added twice.
            active = "yes" if op.active else "no: on hold, `jpgb user resolve`"
            table.add_row(op.name, op.role, active, str(op.failed_attempts), locked)
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
    pin_stdin: PinStdinOpt = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Lift a lockout after too many wrong PINs; a supervisor or lead confirms with a PIN."""
    from jpgb_terminal.workflow.operators import unlock_user

    settings = settings_for(config, db)
    store = open_cli_store(settings)
    credentials = operator_credentials(settings.station_id, operator, pin_stdin=pin_stdin)
    with handled_errors():
        by = unlock_user(store, credentials, name)
    console.print(f"operator {name} unlocked by {by}", highlight=False)


@app.command("resolve")
def resolve(
    name: Annotated[str, typer.Argument(help="The operator two benches added differently.")],
    role: Annotated[str, typer.Option("--role", help=f"The role that holds: {', '.join(ROLES)}.")],
    operator: Annotated[str, typer.Option("--operator", help="The lead settling it (PIN asked).")],
    pin_stdin: PinStdinOpt = False,
    db: DbOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Settle an operator added at two benches with another role or PIN: the role given and
    the PIN the operator has at this bench hold everywhere once this syncs."""
    from jpgb_terminal.workflow.operators import resolve_user

    if role not in ROLES:
        fail(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    settings = settings_for(config, db)
    store = open_cli_store(settings)
    credentials = operator_credentials(settings.station_id, operator, pin_stdin=pin_stdin)
    with handled_errors():
        by = resolve_user(store, credentials, name, role)
    console.print(
        f"operator {name.strip()} settled as {role} by {by}; sync takes it to every bench",
        highlight=False,
        markup=False,
    )
