"""The `jpgb` command line: one typer sub-app per command group, imported only when used.

The terminal must open fast, so `jpgb demo` or `jpgb run` does not import the
modules of every other command group: the entry point looks at the first word
on the command line and builds only that group (all groups for help).

The top layer: may import everything, the app included (`jpgb run`, `jpgb demo`), but never
Textual itself; nothing imports the CLI.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

# command word -> (module in jpgb_terminal.cli, attribute, is a single command)
GROUPS: dict[str, tuple[str, str, bool]] = {
    "db": ("db", "app", False),
    "user": ("users", "app", False),
    "customer": ("customers", "app", False),
    "prealert": ("prealerts", "app", False),
    "parcel": ("parcels", "app", False),
    "demo": ("demo", "app", False),
    "run": ("run", "run", True),
    "devices": ("devices", "app", False),
    "holds": ("holds", "app", False),
    "manifest": ("manifest", "app", False),
    "billing": ("billing", "app", False),
    "prices": ("prices", "app", False),
    "sync": ("sync", "app", False),
    "central": ("central", "app", False),
    "receipts": ("receipts", "app", False),
    "shipment": ("shipment", "app", False),
    "audit": ("audit", "app", False),
    "keys": ("keys", "app", False),
    "privacy": ("privacy", "app", False),
}


def _one_line(exc: BaseException) -> str | None:
    """The one line a bench user sees for an error no command turned into a message itself;
    None for a programming error, which keeps its traceback."""
    from sqlalchemy.exc import DatabaseError

    from jpgb_terminal.services.errors import ServiceError
    from jpgb_terminal.store import StoreError

    if isinstance(exc, StoreError | ServiceError):
        return str(exc)
    if isinstance(exc, DatabaseError):
        return f"the store is damaged or not a store ({exc.orig}): nothing was changed"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to be read: nothing was changed"
    if isinstance(exc, OverflowError):
        return f"a number or date in the input is out of range ({exc}): nothing was changed"
    return None


def _root_group() -> type:
    """The root command class: errors that reach it become one line on stderr and status 1."""
    import typer
    from typer._click.core import Context
    from typer._click.exceptions import ClickException
    from typer.core import TyperGroup

    class RootGroup(TyperGroup):
        def invoke(self, ctx: Context) -> Any:
            try:
                return super().invoke(ctx)
            except (typer.Exit, typer.Abort, ClickException):
                raise
            except Exception as exc:
                line = _one_line(exc)
                if line is None:
                    raise
                from jpgb_terminal.cli.common import fail

                fail(line)
            raise typer.Exit(1)  # unreachable: fail() leaves

    return RootGroup


def build_app(only: str | None = None) -> typer.Typer:
    """The `jpgb` app with every command group, or with just the one named `only`."""
    import typer

    root = typer.Typer(
        cls=_root_group(),
        name="jpgb",
        help="JPGB Terminal: receive, weigh, inspect, hold and pack parcels at the bench.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    for word, (module_name, attribute, single) in GROUPS.items():
        if only is not None and word != only:
            continue
        module = importlib.import_module(f"jpgb_terminal.cli.{module_name}")
        target = getattr(module, attribute)
        if single:
            root.command(word)(target)
        else:
            root.add_typer(target, name=word)
    if only is not None and GROUPS[only][2]:
        # A Typer app with one command and no callback runs that command as the app itself,
        # so `jpgb run --db x` would refuse `run` as an extra argument: keep the word.
        root.callback()(_no_options)
    return root


def _no_options() -> None:
    """JPGB Terminal: receive, weigh, inspect, hold and pack parcels at the bench."""


def __getattr__(name: str) -> Any:
    # `from jpgb_terminal.cli import app` (tests, embedding) gets the whole app.
    if name == "app":
        return build_app()
    raise AttributeError(name)


def main() -> None:
    """Console-script entry point."""
    if sys.argv[1:] == ["demo"]:
        # `make demo` is what a new operator runs first: open it without building the CLI.
        from jpgb_terminal.app import run_demo

        run_demo()
        return
    words = [a for a in sys.argv[1:] if not a.startswith("-")]
    first = words[0] if words else None
    build_app(first if first in GROUPS else None)()
