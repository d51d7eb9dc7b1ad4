"""Verifying a store's audit chains and that every weight matches the event that recorded it.

A store holds one chain per station (a station's store also keeps the chains it pulled from
central; central keeps every station's).  For each chain, in sequence order, the verifier checks
that sequence numbers run 1, 2, 3 ... with none missing, that each event's `prev_hash` is the
hash of the event before it, and that its `hash` is the SHA-256 of its canonical encoding
(`jpgb_terminal.events.chain`).  The sync bookkeeping says how far each chain must reach, so
deleting the newest events is caught too.  Then every weight record is compared with the
payload of its `parcel.weighed` event, every such event must have its weight record, and every
parcel's billed weight must be one of its weight records.  With `state=True` the events are
also replayed into a fresh projection and every derived table compared with the stored one
(`jpgb_terminal.audit.state`): a parcel billed on a weighing other than the rule's (the newest,
by measurement time), an edited fee, a closed hold, a deleted decision or an edited status is
named there, table, key and column.

A hash chain alone cannot stop someone who rewrites a whole chain and recomputes every hash;
the copy at central (or at another station) can: `compare_stores` checks that two stores agree
on every chain they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

from jpgb_terminal.audit.batches import Batch, chain_batches, hex_digests
from jpgb_terminal.audit.chains import (
    Break,
    ChainReport,
    check_reach,
    event_problem,
    hash_at,
    reach_expected,
    verify_chains,
)
from jpgb_terminal.audit.state import StateReport, verify_state
from jpgb_terminal.audit.weights import verify_weights, weight_mismatches
from jpgb_terminal.store.handles import EVENT, PARCEL
from jpgb_terminal.store.handles import WEIGHT_RECORD as WEIGHT

# What callers have always imported from here.
__all__ = [
    "EVENT",
    "PARCEL",
    "WEIGHT",
    "Batch",
    "Break",
    "ChainReport",
    "StateReport",
    "VerifyReport",
    "chain_batches",
    "compare_stores",
    "event_problem",
    "hex_digests",
    "verify_chains",
    "verify_store",
    "weight_mismatches",
]


@dataclass
class VerifyReport:
    """Every chain of a store, and the weight checks."""

    chains: list[ChainReport] = field(default_factory=list)
    weights_checked: int = 0
    weight_problems: list[Break] = field(default_factory=list)
    state: StateReport | None = None  # the replay, when it was asked for

    @property
    def ok(self) -> bool:
        """True when every chain is intact, every weight matches its event, and the state
        (when checked) is what the events make."""
        return (
            not self.weight_problems
            and all(c.broken is None for c in self.chains)
            and (self.state is None or self.state.ok)
        )

    @property
    def events(self) -> int:
        """How many events were checked."""
        return sum(c.events for c in self.chains)

    def breaks(self) -> list[Break]:
        """Every problem found: the first break of each chain, then the weight problems."""
        return [c.broken for c in self.chains if c.broken is not None] + self.weight_problems


def verify_store(conn: Connection, *, state: bool = False) -> VerifyReport:
    """Check every chain, how far each must reach, and every weight, in one store; with
    `state`, also replay the events and compare every derived table with the stored one."""
    expected = reach_expected(conn)
    chains = verify_chains(conn)
    check_reach(chains, expected)
    checked, problems = verify_weights(conn)
    report = VerifyReport(sorted(chains, key=lambda c: c.station_id), checked, problems)
    if state:
        report.state = verify_state(conn)
    return report


def compare_stores(
    first: tuple[str, Connection, VerifyReport], second: tuple[str, Connection, VerifyReport]
) -> list[Break]:
    """Where two stores disagree on a chain they both hold (one was rewritten as a whole)."""
    name_a, conn_a, report_a = first
    name_b, conn_b, report_b = second
    b_chains = {c.station_id: c for c in report_b.chains}
    out: list[Break] = []
    for a in report_a.chains:
        b = b_chains.get(a.station_id)
        if b is None or a.broken is not None or b.broken is not None:
            continue
        common = min(a.last_seq, b.last_seq)
        if common == 0:
            continue
        # Each chain is intact on its own, so one equal hash vouches for everything before it.
        if hash_at(conn_a, a.station_id, common) != hash_at(conn_b, a.station_id, common):
            out.append(
                Break(
                    a.station_id,
                    f"{name_a} and {name_b} hold different chains up to seq {common}: "
                    "one of them was rewritten",
                    common,
                )
            )
    return out
