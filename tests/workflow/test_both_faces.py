"""The command line and the terminal reach the same use case for the same action.

Each test wraps a workflow function in a recorder that calls through, drives the CLI (typer's
CliRunner) and then the screen (Textual's Pilot) on one real store, and checks that both faces
called it, with the same arguments where they ask for the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from jpgb_terminal.cli import app as cli
from jpgb_terminal.clock import now
from jpgb_terminal.screens.hold_detail import HoldDetailScreen
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store.sync_tables import Receipt
from jpgb_terminal.workflow import receipts, review
from tests.factories import STAFF, jp12
from tests.screens.helpers import Bench, until
from tests.screens.test_holds_review import OLD, open_review, seed_holds
from tests.screens.test_manifest_screen import (
    DAY,
    open_manifests,
    result,
    seed_day,
    set_day,
    set_folder,
)
from tests.screens.test_receipts_review import (
    TWICE,
    ReceiptReviewDialog,
    ReceiptsReviewScreen,
    banner,
    open_receipts,
    seed_received_twice,
)

SIZE = (160, 50)
runner = CliRunner()


class Recorder:
    """Wraps `module.name` so that every call is recorded and then runs the real function."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        real: Callable[..., Any] = getattr(module, name)

        def recording(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((args, kwargs))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, recording)


def jpgb(bench: Bench, *args: str) -> Result:
    """A command on the bench's store, as its station."""
    result = runner.invoke(
        cli, [*args, "--db", bench.settings.db], env={"JPGB_STATION_ID": "ST01", "COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    return result


async def test_parcel_detail_from_the_command_and_the_hold_detail_screen(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_holds(bench)
    recorder = Recorder(monkeypatch, review, "parcel_detail")
    shown = jpgb(bench, "parcel", "show", OLD)
    assert OLD in shown.stdout
    assert [args[1] for args, _ in recorder.calls] == [OLD]

    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HoldDetailScreen))
        detail = app.screen
        await until(pilot, lambda: detail.detail is not None)
    assert [args[1] for args, _ in recorder.calls] == [OLD, OLD]


async def test_manifest_export_from_the_command_and_the_manifests_screen(
    bench: Bench, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seed_day(bench)
    recorder = Recorder(monkeypatch, review, "export_day_manifest")
    exported = jpgb(bench, "manifest", "export", "--date", DAY.isoformat(), "--kind", "inbound")
    assert "3 parcels" in exported.stderr

    out = tmp_path / "out"
    out.mkdir()
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_manifests(pilot)
        await set_folder(pilot, out)
        await set_day(pilot, DAY)
        await pilot.press("enter")
        await until(pilot, lambda: "OK:" in result(app))
    assert (out / f"inbound-{DAY}.csv").exists()
    # (store, actor, kind, day, fmt, path): the same manifest, to stdout and to a file.
    asked = [args[2:6] for args, _ in recorder.calls]
    assert asked == [
        ("inbound", DAY, "csv", None),
        ("inbound", DAY, "csv", out / f"inbound-{DAY}.csv"),
    ]
    assert all(isinstance(args[3], date) for args, _ in recorder.calls)


async def test_receipts_waiting_for_review_from_the_command_and_the_screen(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_received_twice(bench)
    recorder = Recorder(monkeypatch, receipts, "pending_receipts")
    listed = jpgb(bench, "receipts", "list")
    assert TWICE in listed.stdout
    assert len(recorder.calls) == 1

    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_receipts(pilot)
        table = screen.query_one("#receipts")
        assert [key.value for key in table.rows] == [TWICE]  # type: ignore[attr-defined]
    assert len(recorder.calls) == 2


def received_twice(bench: Bench, tracking_no: str) -> None:
    """`tracking_no` received here and, earlier, at ST07: this bench's receipt is a duplicate."""
    at = now()
    with bench.store.transaction() as s:
        receive(s, STAFF, tracking_no, at=at)
        for event_id, station, duplicate in (("x-st07", "ST07", False), ("x-here", "ST01", True)):
            s.add(
                Receipt(
                    event_id=event_id,
                    tracking_no=tracking_no,
                    station_id=station,
                    operator="ken",
                    received_at=at,
                    duplicate=duplicate,
                )
            )


async def test_a_receipt_review_from_the_command_and_the_dialog(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_received_twice(bench)
    other = jp12(2)
    received_twice(bench, other)
    recorder = Recorder(monkeypatch, receipts, "review_receipts")
    args = ["receipts", "review", other, "--operator", "kenji", "--pin-stdin", "--note", "cli"]
    r = runner.invoke(
        cli, [*args, "--db", bench.settings.db], input="2222\n", env={"JPGB_STATION_ID": "ST01"}
    )
    assert r.exit_code == 0, r.output
    assert "1 duplicate receipt(s) reviewed by kenji" in r.stdout

    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_receipts(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReceiptReviewDialog))
        await pilot.press(*"screen", "enter", *"2222", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReceiptsReviewScreen))
        await until(pilot, lambda: "1 duplicate receipt(s) reviewed" in banner(app))
    # (store, who, tracking_no, note): kenji's PIN checked by the use case for both faces.
    asked = [(args[1].name, args[2], args[3]) for args, _ in recorder.calls]
    assert asked == [("kenji", other, "cli"), ("kenji", TWICE, "screen")]
