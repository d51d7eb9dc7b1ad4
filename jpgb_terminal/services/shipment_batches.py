"""Shipment-request import from a file, checked whole then written in short batches.

The same rules as `shipments.import_shipments`, without holding the write lock for the whole
file: see batched_import for the markers and how an interrupted import is resumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from jpgb_terminal.clock import now
from jpgb_terminal.events import ShipmentImported
from jpgb_terminal.services.batched_import import (
    pending_import,
    reading,
    resumes,
    settle_pending,
    write_in_batches,
    written_since,
)
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.csv_files import ImportRejected, decode_csv_bytes, problem_line
from jpgb_terminal.services.shipments import (
    RequestDraft,
    ShipmentImport,
    create_shipment,
    parse_shipment_csv,
    shipment_conflicts,
)
from jpgb_terminal.store import Store

WHAT = "shipments"
IMPORTED = ShipmentImported.kind
BATCH_REQUESTS = 50  # a request writes its parcels and customs lines too


def import_shipment_file(
    store: Store,
    actor: Actor,
    data: bytes,
    *,
    source: str = "file",
    at: datetime | None = None,
    abandon: bool = False,
    batch_requests: int = BATCH_REQUESTS,
) -> ShipmentImport:
    """Import shipment requests all or nothing to the user; raises ImportRejected naming every
    bad line with nothing written. The same file after a crash finishes the import."""
    pending = pending_import(store, actor.station_id, WHAT)
    with reading(store) as session:
        drafts, problems = parse_shipment_csv(decode_csv_bytes(data), source)
        done: set[str] = set()
        if pending is not None and resumes(pending, data, abandon=abandon):
            found = written_since(session, actor.station_id, pending.started_seq, IMPORTED)
            done = {payload["shipment_id"] for _, payload in found}
        problems += shipment_conflicts(session.connection(), drafts, source, done)
    if problems:
        problems.sort(key=problem_line)
        raise ImportRejected(problems)
    resumed = settle_pending(store, actor, pending, data, source, abandon=abandon)
    at_ = at or now()

    def write(session: Session, batch: Sequence[RequestDraft]) -> None:
        # A bench may have held or boxed one of these parcels since the check.
        late = shipment_conflicts(session.connection(), list(batch), source)
        if late:
            raise ImportRejected(late)
        for draft in batch:
            create_shipment(session, actor, draft, at=at_)

    write_in_batches(
        store,
        actor,
        what=WHAT,
        data=data,
        source=source,
        items=[d for d in drafts if d.request_id not in done],
        write=write,
        resumed=resumed,
        batch_rows=batch_requests,
        at=at_,
    )
    return ShipmentImport(tuple(d.request_id for d in drafts))
