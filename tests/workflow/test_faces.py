"""The command line and the terminal reach the same use case for each action: the use case is
wrapped with a recorder (the real one still runs), then each face is driven, the command with
typer's runner and the screen with Textual's pilot, on one real store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

from jpgb_terminal.cli import app as cli
from jpgb_terminal.clock import now
from jpgb_terminal.screens.customer_status import CustomerStatusDialog
from jpgb_terminal.screens.decision_dialog import DecisionDialog
from jpgb_terminal.screens.holds_review import HoldsReviewScreen
from jpgb_terminal.screens.login import LoginScreen
from jpgb_terminal.screens.receipts_review import ReceiptReviewDialog, ReceiptsReviewScreen
from jpgb_terminal.screens.unlock_dialog import UnlockDialog
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.store.sync_tables import Receipt
from jpgb_terminal.store.tables import Parcel
from jpgb_terminal.workflow import customers, decisions, operators, receipts
from jpgb_terminal.workflow.auth import Credentials, login
from tests.factories import STAFF, jp12, s10
from tests.screens.helpers import Bench, until
from tests.screens.helpers import login as log_in

SIZE = (160, 50)
runner = CliRunner()


def recorder(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str) -> list[Any]:
    """Wrap `module.name`: each call's `who` is recorded, then the real use case runs."""
    calls: list[Any] = []
    real: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def command(bench: Bench, *words: str, pin: str = "2222") -> None:
    args = [*words, "--operator", "kenji", "--pin-stdin", "--db", bench.settings.db]
    result = runner.invoke(cli, args, input=pin + "\n")
    assert result.exit_code == 0, result.output


def lock(bench: Bench, name: str) -> None:
    for _ in range(5):
        login(bench.store, Credentials("ST01", name, "0000"))


def held(bench: Bench, *numbers: str) -> None:
    """Parcels with no pre-alert: held at the scan, within custody (they can be released)."""
    with bench.store.transaction() as s:
        for number in numbers:
            receive(s, STAFF, number)


async def open_review(pilot: Any) -> HoldsReviewScreen:
    await log_in(pilot, "kenji", "2222")
    await pilot.press("ctrl+r")
    await until(pilot, lambda: isinstance(pilot.app.screen, HoldsReviewScreen))
    screen = pilot.app.screen
    await until(pilot, lambda: screen.queue is not None)
    return screen


def is_credentials(who: Any, name: str = "kenji") -> bool:
    return isinstance(who, Credentials) and who.name == name


async def test_unlock_from_the_login_screen_and_the_command(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = recorder(monkeypatch, operators, "unlock_user")
    lock(bench, "aiko")
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, app.ready.is_set)
        await pilot.press(*"aiko", "enter", "f2")
        await until(pilot, lambda: isinstance(app.screen, UnlockDialog))
        await pilot.press(*"kenji", "enter", *"2222", "enter")
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
    lock(bench, "aiko")
    command(bench, "user", "unlock", "aiko")
    assert len(calls) == 2 and all(is_credentials(who) for who in calls)


async def test_decide_from_the_review_and_the_command(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = recorder(monkeypatch, decisions, "decide_held_parcel")
    held(bench, s10(901), s10(902))
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, DecisionDialog))
        await pilot.press(*"pre-alert came late", "enter", *"2222", "enter")
        await until(pilot, lambda: app.screen is screen and len(calls) == 1)
    decided = {s10(901), s10(902)}
    with bench.store.transaction() as s:
        left = [t for t in decided if (p := s.get(Parcel, t)) is not None and p.state == "held"]
    [other] = left
    command(bench, "holds", "decide", other, "release", "--note", "pre-alert came late")
    assert len(calls) == 2 and all(is_credentials(who) for who in calls)


async def test_customer_status_from_the_dialog_and_the_command(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = recorder(monkeypatch, customers, "change_customer_status")
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CustomerStatusDialog))
        dialog = app.screen
        await pilot.press(*"C1", "enter")
        await until(pilot, lambda: dialog.summary is not None)
        await pilot.press("f2", *"fees unpaid", "enter")
        await until(pilot, lambda: app.screen is screen and len(calls) == 1)
    command(bench, "customer", "set-status", "C2", "suspended", "--note", "fees unpaid")
    # The terminal's supervisor is logged in already; the command names one and a PIN.
    assert calls[0].operator == "kenji" and is_credentials(calls[1])
    assert len(calls) == 2


def received_twice(bench: Bench, number: str) -> None:
    """`number` received here and, offline, at ST07: as a pull leaves the receipts."""
    at = now()
    with bench.store.transaction() as s:
        receive(s, STAFF, number, at=at)
        for event_id, station_id, duplicate in (
            (f"{number}-7", "ST07", False),
            (number, "ST01", True),
        ):
            s.add(
                Receipt(
                    event_id=event_id,
                    tracking_no=number,
                    station_id=station_id,
                    operator="aiko",
                    received_at=at - timedelta(minutes=0 if duplicate else 5),
                    duplicate=duplicate,
                )
            )


async def test_receipt_review_from_the_screen_and_the_command(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = recorder(monkeypatch, receipts, "review_receipts")
    received_twice(bench, jp12(1))
    received_twice(bench, jp12(2))
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ReceiptsReviewScreen))
        screen = app.screen
        await until(pilot, lambda: screen.query_one("#receipts").row_count == 2)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReceiptReviewDialog))
        await pilot.press(*"one box", "enter", *"2222", "enter")
        await until(pilot, lambda: app.screen is screen and len(calls) == 1)
    pending = receipts.pending_receipts(bench.store)
    [other] = {r.tracking_no for r in pending}
    command(bench, "receipts", "review", other, "--note", "one box")
    assert len(calls) == 2 and all(is_credentials(who) for who in calls)


async def test_every_pin_check_is_the_one_in_workflow_auth(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jpgb_terminal.workflow import auth

    checked: list[str] = []
    real = auth.verify_pin

    def wrapper(session: Any, station_id: str, name: str, pin: str, **kwargs: Any) -> Any:
        checked.append(name)
        return real(session, station_id, name, pin, **kwargs)

    monkeypatch.setattr(auth, "verify_pin", wrapper)
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "aiko", "1111")  # the login screen
    command(bench, "customer", "set-status", "C2", "frozen")  # a command's --operator
    args = ["privacy", "purge", "--older-than", "365", "--dry-run", "--operator", "yui"]
    runner.invoke(cli, [*args, "--pin-stdin", "--db", bench.settings.db], input="3333\n")
    assert checked == ["aiko", "kenji", "yui"]
