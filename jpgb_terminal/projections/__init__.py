"""Projections: events onto a store's tables, one module per aggregate, one registry by kind.

Central applies every event it accepts, and a station applies the events it pulls, through the
same functions (`apply_events`).  Modules:

- `events`: the event as sync moves it, the snapshots beside it, the outcome, ApplyError;
- `bulk`: table handles and the batched reads and writes;
- `unit_of_work`: the working set of one batch, loaded once and flushed once;
- `parcels`, `people` (customers, operators, pre-alerts), `outbound` (shipments, boxes,
  tracking ranges), `price_lists`, `sync_records` (quarantine bookkeeping): the appliers;
- `registry`: `APPLIERS` (kind -> applier), `applied_kinds()`, `apply_events`.

An event of a kind nothing applies is stored and reported in `sync_issue`, never dropped and
never fatal.  A known kind whose payload does not fit (or a parcel event for a parcel nobody
received) raises ApplyError: central quarantines that event and goes on (jpgb_terminal.sync.merge).

Layer: above the services, below sync (the transport calls in); imports the store, the rules,
privacy's field lists and the bottom modules, never a use case, sync or a face.
"""
