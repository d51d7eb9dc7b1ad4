"""`jpgb run`: open the terminal on this station's real devices."""

from __future__ import annotations

from typing import Annotated

import typer

from jpgb_terminal.cli.common import ConfigOpt, DbOpt, StationOpt, fail


def run(
    db: DbOpt = None,
    station: StationOpt = None,
    scale: Annotated[
        str | None, typer.Option("--scale", help="Scale port URL.", metavar="URL")
    ] = None,
    scale_protocol: Annotated[
        str | None, typer.Option("--scale-protocol", help="mt-sics, toledo-8217, ad or sma.")
    ] = None,
    scale_line: Annotated[
        str | None,
        typer.Option(
            "--scale-line",
            help="Scale line settings, e.g. '19200 8N1' (default: the protocol's).",
            metavar="LINE",
        ),
    ] = None,
    scanner: Annotated[
        str | None,
        typer.Option("--scanner", help="Scanner port URL, or `keyboard`.", metavar="URL"),
    ] = None,
    printer: Annotated[
        str | None, typer.Option("--printer", help="Label printer URL or folder.", metavar="URL")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Open the bench terminal (flags override the settings)."""
    from jpgb_terminal.settings import load_settings

    try:
        settings = load_settings(
            config,
            db=db,
            station_id=station,
            scale=scale,
            scale_protocol=scale_protocol,
            scale_line=scale_line,
            scanner=scanner,
            printer=printer,
        )
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    from jpgb_terminal.app import JpgbApp

    JpgbApp(settings).run()
