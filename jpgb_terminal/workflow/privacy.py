"""Personal data as people handle it: reveal one parcel's customer, purge past retention,
erase one customer on request. Each checks the operator (a PIN, or the logged-in actor)."""

from __future__ import annotations

from datetime import datetime

from jpgb_terminal.privacy.erase import erase_customer
from jpgb_terminal.privacy.purge import PurgeReport, purge_personal_data
from jpgb_terminal.privacy.reveal import Revealed, reveal_customer
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.auth import Who, act_with_pin


def reveal_for_parcel(store: Store, who: Who, tracking_no: str) -> Revealed:
    """The unmasked customer of one parcel for a supervisor or lead; the reveal is an event."""
    return act_with_pin(
        store, who, lambda session, actor: reveal_customer(session, actor, tracking_no)
    )


def purge_old_personal_data(
    store: Store,
    who: Who,
    older_than_days: int,
    *,
    dry_run: bool = False,
    at: datetime | None = None,
) -> PurgeReport:
    """Anonymise the customers whose parcels all finished over `older_than_days` ago (a lead)."""
    return act_with_pin(
        store,
        who,
        lambda session, actor: purge_personal_data(
            session, actor, older_than_days, dry_run=dry_run, at=at
        ),
        at=at,
    )


def erase_one_customer(
    store: Store, who: Who, customer_id: str, *, at: datetime | None = None
) -> tuple[str, list[str]]:
    """Anonymise one customer on request (a lead); who did it, and the fields cleared."""
    return act_with_pin(
        store,
        who,
        lambda session, actor: (
            actor.operator or "",
            erase_customer(session, actor, customer_id, at=at),
        ),
        at=at,
    )
