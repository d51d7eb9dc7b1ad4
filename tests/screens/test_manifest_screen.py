"""The lead's manifest screen through the real app: files written on a worker and read back."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import select

from jpgb_terminal.clock import day_bounds
from jpgb_terminal.manifests import HOLDS_COLUMNS, INBOUND_COLUMNS
from jpgb_terminal.screens.bench import BenchScreen
from jpgb_terminal.screens.manifests import ManifestScreen
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store.tables import Parcel
from tests.factories import STAFF, jp12, s10
from tests.screens.helpers import Bench, login, until

SIZE = (160, 50)
DAY = date(2026, 3, 10)
START, END = day_bounds(DAY)


def seed_day(bench: Bench) -> None:
    """Two pre-alerted parcels and one unknown (held) on DAY, one parcel the day before."""
    with bench.store.transaction() as s:
        receive(s, STAFF, jp12(5), at=START - timedelta(seconds=1))
        at = START + timedelta(hours=1)
        receive(s, STAFF, jp12(1), at=at)
        record_weight(s, STAFF, jp12(1), 1500, raw_frame=b"S S 1500 g\r\n", at=at)
        receive(s, STAFF, jp12(2), at=at + timedelta(minutes=5))
        receive(s, STAFF, s10(300), at=at + timedelta(minutes=10))


def result(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#manifest-result").render())


async def open_manifests(pilot) -> ManifestScreen:  # type: ignore[no-untyped-def]
    await login(pilot, "yui", "3333")
    await pilot.press("ctrl+e")
    await until(pilot, lambda: isinstance(pilot.app.screen, ManifestScreen))
    return pilot.app.screen


async def set_day(pilot, day: date) -> None:  # type: ignore[no-untyped-def]
    await pilot.click("#day")
    pilot.app.screen.query_one("#day").value = ""
    await pilot.press(*day.isoformat())


async def set_folder(pilot, folder: Path) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one("#folder").value = str(folder)


async def test_lead_exports_inbound_csv_and_holds_xlsx(bench: Bench, tmp_path: Path) -> None:
    seed_day(bench)
    out = tmp_path / "out"
    out.mkdir()
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_manifests(pilot)
        assert screen.kind == "inbound" and screen.fmt == "csv"
        await set_folder(pilot, out)
        await set_day(pilot, DAY)
        await pilot.press("enter")
        await until(pilot, lambda: "OK:" in result(app))
        assert str(out / f"inbound-{DAY}.csv") in result(app) and "3 parcels" in result(app)
        await pilot.press("f2", "f3")  # holds, xlsx
        assert screen.kind == "holds" and screen.fmt == "xlsx"
        await pilot.press("f5")
        await until(pilot, lambda: f"holds-{DAY}.xlsx" in result(app) and "OK:" in result(app))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, BenchScreen))

    with bench.store.transaction() as s:
        on_day = s.exec(
            select(Parcel)
            .where(Parcel.received_at >= START, Parcel.received_at < END)
            .order_by(Parcel.received_at)
        ).all()
        held = [p for p in on_day if p.state == "held"]
        weights = {p.tracking_no: p.weight_g for p in on_day}
    with (out / f"inbound-{DAY}.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0].keys()) == INBOUND_COLUMNS
    assert [r["tracking_no"] for r in rows] == [p.tracking_no for p in on_day]
    assert jp12(5) not in {r["tracking_no"] for r in rows}  # the day before
    for r in rows:
        assert r["weight_g"] == (
            "" if weights[r["tracking_no"]] is None else str(weights[r["tracking_no"]])
        )
        assert set(r) == set(INBOUND_COLUMNS)  # ids only: no name, address or phone column
    assert {r["customer_id"] for r in rows} == {"C1", "C2", ""}

    book = load_workbook(out / f"holds-{DAY}.xlsx", read_only=True)
    sheet = book.worksheets[0]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert tuple(table[0]) == HOLDS_COLUMNS
    assert [r[0] for r in table[1:]] == [p.tracking_no for p in held] == [s10(300)]
    assert table[1][3] == "no_prealert"
    book.close()


async def test_export_into_a_missing_folder_says_so(bench: Bench, tmp_path: Path) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_manifests(pilot)
        await set_folder(pilot, tmp_path / "missing")
        await pilot.press("f5")
        await until(pilot, lambda: "ERROR:" in result(app))
        assert "does not exist" in result(app)
        # A folder that exists but where the file name is taken by a folder: refused by the writer.
        (tmp_path / f"inbound-{app.screen._day()}.csv").mkdir()
        await set_folder(pilot, tmp_path)
        await pilot.press("f5")
        await until(pilot, lambda: "Not written" in result(app))
        assert "it is a folder" in result(app)
    assert list((tmp_path).glob(".inbound*")) == []  # no half-written temporary file


async def test_only_a_lead_sees_the_manifests(bench: Bench) -> None:
    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "kenji", "2222")
        bench_screen = app.screen
        assert bench_screen.check_action("manifests", ()) is False
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.screen is bench_screen
        screen = ManifestScreen()
        app.push_screen(screen)
        await until(pilot, lambda: "Only a lead may export manifests" in result(app))
        assert screen.check_action("export", ()) is False


async def test_every_kind_the_manifests_offer_can_be_chosen(bench: Bench, tmp_path: Path) -> None:
    from jpgb_terminal.manifests import KINDS

    app = bench.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_manifests(pilot)
        await set_folder(pilot, tmp_path)
        seen = []
        for _ in KINDS:
            seen.append(screen.kind)
            await pilot.press("f5")
            await until(pilot, lambda: "OK:" in result(app) and f"{seen[-1]}-" in result(app))
            await pilot.press("f2")
        assert tuple(seen) == KINDS and screen.kind == KINDS[0]
    for kind in KINDS:
        [written] = tmp_path.glob(f"{kind}-*.csv")
        assert written.read_text(encoding="utf-8").count("\n") == 1  # header only: nothing that day
