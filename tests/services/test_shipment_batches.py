"""Shipment requests imported by batches, on SQLite and PostgreSQL, resumed by the same file."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from jpgb_terminal.services.batched_import import ImportInterrupted, write_in_batches
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.csv_files import ImportRejected, decode_csv_bytes
from jpgb_terminal.services.errors import ServiceError
from jpgb_terminal.services.prealerts import import_prealert_file
from jpgb_terminal.services.shipment_batches import import_shipment_file
from jpgb_terminal.services.shipments import RequestDraft, create_shipment, parse_shipment_csv
from jpgb_terminal.store import Store
from jpgb_terminal.store.outbound import Shipment
from tests.factories import STATION, jp12
from tests.services.test_shipments import AT, count, csv_bytes, row, stock

ADMIN = Actor(STATION)
THREE = csv_bytes(
    row(parcels=jp12(1)),
    row(rid="SR-000002", customer="C2", parcels=jp12(2)),
    row(rid="SR-000003", customer="C3", parcels=jp12(3)),
)


def test_requests_are_imported_by_batches(store: Store) -> None:
    stock(store)
    done = import_shipment_file(store, ADMIN, THREE, source="r.csv", at=AT, batch_requests=2)
    assert done.added == ("SR-000001", "SR-000002", "SR-000003")
    assert count(store, Shipment) == 3


def test_a_refused_request_imports_none(store: Store) -> None:
    stock(store)
    data = csv_bytes(row(parcels=jp12(1)), row(rid="SR-000002", customer="C1", parcels=jp12(2)))
    with pytest.raises(ImportRejected, match=r"r\.csv:3: .*C2"):
        import_shipment_file(store, ADMIN, data, source="r.csv", at=AT, batch_requests=1)
    assert count(store, Shipment) == 0


def _cut_after_first(store: Store) -> None:
    """The import of THREE as it runs, stopped after its first request was written."""
    drafts, _ = parse_shipment_csv(decode_csv_bytes(THREE), "r.csv")

    def write(session: Session, batch: list[RequestDraft]) -> None:
        if batch[0].request_id != "SR-000001":
            raise ServiceError("the machine went off")
        create_shipment(session, ADMIN, batch[0], at=AT)

    with pytest.raises(ImportInterrupted, match="stopped after 1 of 3"):
        write_in_batches(
            store,
            ADMIN,
            what="shipments",
            data=THREE,
            source="r.csv",
            items=drafts,
            write=write,  # type: ignore[arg-type]
            batch_rows=1,
            pause_s=0,
            at=AT,
        )


def test_the_same_file_finishes_an_interrupted_import(store: Store) -> None:
    """The request written before the cut is not refused as already imported, nor rewritten."""
    stock(store)
    _cut_after_first(store)
    assert count(store, Shipment) == 1
    done = import_shipment_file(store, ADMIN, THREE, source="r.csv", at=AT)
    assert done.added == ("SR-000001", "SR-000002", "SR-000003")
    assert count(store, Shipment) == 3
    with pytest.raises(ImportRejected, match="SR-000001 was already imported"):
        import_shipment_file(store, ADMIN, THREE, source="r.csv", at=AT)


def test_an_unfinished_shipment_import_does_not_block_pre_alerts(store: Store) -> None:
    """Markers are per kind of import: pre-alerts still import while shipments wait."""
    stock(store)
    _cut_after_first(store)
    other = csv_bytes(row(rid="SR-000009", parcels=jp12(4)))
    with pytest.raises(ServiceError, match=r"shipments import of r\.csv .* is not finished"):
        import_shipment_file(store, ADMIN, other, source="o.csv", at=AT)
    alerts = f"tracking_no,customer_id\n{jp12(40)},C1\n".encode()
    assert import_prealert_file(store, ADMIN, alerts, source="a.csv").added == 1
