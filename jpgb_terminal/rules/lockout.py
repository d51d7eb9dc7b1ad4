"""The lockout and the one-name-one-role rule as constants every store applies alike."""

from __future__ import annotations

from datetime import timedelta

MAX_ATTEMPTS = 5
"""Wrong PINs in a row, counted across the site, before an operator is locked out."""

LOCKOUT = timedelta(minutes=15)
"""How long a lockout lasts unless a supervisor or lead lifts it."""

# Wording shared by the login refusal and the sync conflict, so a lead reads one instruction.
RESOLVE_HINT = "a lead resolves it: jpgb user resolve {name} --role ROLE --operator LEAD_NAME"
ON_HOLD = "{name} is on hold: two benches added this name with another role or PIN"
