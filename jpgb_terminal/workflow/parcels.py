"""One parcel as a command line asks for it: the weighing evidence, checked against the chain.

The parcel's own view (state, holds, events) is `workflow.review.parcel_detail`, which the
hold detail screen and `jpgb parcel show` share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jpgb_terminal.audit.evidence import weighing_evidence
from jpgb_terminal.services.parcels import resolve_tracking
from jpgb_terminal.store import Store


@dataclass(frozen=True)
class WeighingEvidence:
    """Every weighing of a parcel with its chain position, as `weighing_evidence` reads it."""

    found: dict[str, Any]

    @property
    def verified(self) -> bool:
        """True when every weighing checks out against the audit chain."""
        return all(w["verified"] for w in self.found["weighings"])


def parcel_weighing_evidence(store: Store, tracking: str) -> WeighingEvidence:
    """The weighing evidence of the parcel `tracking` names (typed or scanned as people do)."""
    number = resolve_tracking(tracking)
    with store.transaction() as session:
        return WeighingEvidence(weighing_evidence(session.connection(), number))
