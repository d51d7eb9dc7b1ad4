"""`jpgb billing quote` for a weight and for a parcel; refusals; SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner, Result

from jpgb_terminal import refdata as refs
from jpgb_terminal.cli import app
from jpgb_terminal.ids import new_id
from jpgb_terminal.services.receiving import receive
from jpgb_terminal.services.weighing import record_weight
from jpgb_terminal.store import open_store
from jpgb_terminal.store.handles import PARCEL
from jpgb_terminal.store.tables import WeightRecord
from tests.factories import STAFF, STATION, jp12, populate

runner = CliRunner()


def jpgb(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "160"})


def prices() -> refs.PriceList:
    return refs.price_list_in_force(datetime.now(UTC))


def test_weight_quote_json() -> None:
    r = jpgb(
        "billing", "quote", "--service", "ems", "--weight-g", "1234", "--country", "us", "--json"
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["chargeable_g"] == 1250 and out["currency"] == "JPY"
    assert out["fee"] == prices().fee("ems", "3", 1250)
    assert out["price_list_version"] == prices().version
    assert out["lines"][0]["kind"] == "fee"


@pytest.mark.parametrize(
    ("service", "country"), [("EMS", "US"), ("\uff45\uff4d\uff53", "\uff55\uff53")]
)
def test_service_and_country_as_people_type_them(service: str, country: str) -> None:
    r = jpgb("billing", "quote", "--service", service, "--weight-g", "1234", "--country", country)
    assert r.exit_code == 0, r.output
    assert "EMS to US (zone 3)" in r.stdout


def test_courier_with_dims_and_a_special_expense() -> None:
    r = jpgb(
        "billing", "quote", "--service", "dhl", "--weight-g", "1200", "--dims", "40x30x20",
        "--country", "GB", "--expense", "customs duty=3400", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["chargeable_g"] == 5000 and out["volumetric_g"] == 4800
    assert [line["kind"] for line in out["lines"]] == ["fee", "special_expense"]
    assert out["lines"][1] == {
        "kind": "special_expense",
        "description": "customs duty",
        "amount": 3400,
        "currency": "JPY",
    }


def test_every_service_as_a_table() -> None:
    r = jpgb("billing", "quote", "--weight-g", "2100", "--country", "US")
    assert r.exit_code == 0, r.output
    for svc in refs.services().values():
        assert svc.name in r.stdout
    assert "measure" in r.stdout  # DHL without dimensions


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--weight-g", "500"), "give --country CC"),
        (("--weight-g", "500", "--service", "pigeon", "--country", "US"), "unknown service"),
        (("--weight-g", "0", "--country", "US"), "positive number of grams"),
        (("--country", "US"), "either a TRACKING number or --weight-g"),
        (
            ("--service", "ems", "--weight-g", "31000", "--country", "US"),
            "refuses parcels over 30 kg",
        ),
        (
            ("--service", "dhl", "--weight-g", "500", "--country", "US", "--dims", "40x30"),
            "L x W x H",
        ),
        (
            ("--service", "ems", "--weight-g", "500", "--country", "US", "--expense", "duty"),
            "DESCRIPTION=YEN",
        ),
        (
            ("--weight-g", "500", "--country", "US", "--expense", "duty=5"),
            "--expense needs --service",
        ),
    ],
)
def test_bad_input(args: tuple[str, ...], words: str) -> None:
    r = jpgb("billing", "quote", *args)
    assert r.exit_code == 1, r.output
    assert words in r.output


@pytest.fixture
def url(store_url: str) -> str:
    store = open_store(store_url)
    populate(store)
    with store.transaction() as s:
        receive(s, STAFF, jp12(1))
        record_weight(s, STAFF, jp12(1), 1234, raw_frame=b"S S 1234 g\r\n")
        receive(s, STAFF, jp12(2))
        receive(s, STAFF, jp12(3))
        weight_id = new_id()
        s.add(
            WeightRecord(
                id=weight_id,
                tracking_no=jp12(3),
                grams=900,
                source="manual",
                station_id=STATION,
                operator="aiko",
                measured_at=datetime.now(UTC),
                reason="typed in",
                approved_by=None,
                event_id=new_id(),
            )
        )
        s.flush()
        s.connection().execute(
            PARCEL.update()
            .where(PARCEL.c.tracking_no == jp12(3))
            .values(weight_g=900, weight_source="manual", weight_id=weight_id)
        )
    store.dispose()
    return store_url


def test_parcel_quote_uses_its_scale_weight(url: str) -> None:
    r = jpgb(
        "billing", "quote", jp12(1), "--service", "ems", "--country", "US", "--json", "--db", url
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["tracking_no"] == jp12(1) and out["weight_source"] == "scale"
    assert out["actual_g"] == 1234 and out["chargeable_g"] == 1250
    assert out["price_list_version"] == prices().version
    table = jpgb("billing", "quote", jp12(1), "--country", "US", "--db", url)
    assert table.exit_code == 0 and "billed on 1234 g (scale weight)" in table.stdout


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (jp12(2), "no weight yet"),
        (jp12(3), "no supervisor approved it"),
        (jp12(99), "no parcel"),
    ],
)
def test_parcel_that_cannot_be_billed(url: str, number: str, words: str) -> None:
    r = jpgb("billing", "quote", number, "--service", "ems", "--country", "US", "--db", url)
    assert r.exit_code == 1 and words in r.output


def test_parcel_without_country(url: str) -> None:
    r = jpgb("billing", "quote", jp12(1), "--service", "ems", "--db", url)
    assert r.exit_code == 1 and "depends on the destination zone" in r.output
