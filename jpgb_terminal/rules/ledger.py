"""The sale ledger of Art. 15.5-15.7: proceeds pay the fees, a balance is remitted, no interest.

All amounts are whole yen. When the fees exceed the proceeds the balance is 0 and the
difference is kept as `shortfall` (still owed by the user under Art. 11.3); it is never shown
as a negative balance. A balance is due within 20 days of the day it is fixed (15.6); with no
balance there is nothing to remit and no due date. No interest is ever added (15.7): the
ledger has no interest field to fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

REMITTANCE_DAYS = 20
MAX_YEN = 10**12  # far above any parcel; guards against a mistyped amount
CURRENCY = "JPY"


class LedgerError(ValueError):
    """An amount the ledger cannot take."""


@dataclass(frozen=True)
class SaleLedger:
    """One sale, settled: proceeds, the three fees, and what is left for the user."""

    proceeds: int
    custody_fee: int
    disposal_fee: int
    service_fee: int
    balance: int
    shortfall: int
    balance_fixed_on: date
    remittance_due: date | None
    currency: str = CURRENCY

    @property
    def fees(self) -> int:
        """Custody, disposal and service fees together."""
        return self.custody_fee + self.disposal_fee + self.service_fee

    @property
    def interest(self) -> int:
        """Always 0 (Art. 15.7)."""
        return 0

    def as_dict(self) -> dict[str, object]:
        """Plain values for an event payload or JSON output."""
        return {
            "currency": self.currency,
            "proceeds": self.proceeds,
            "custody_fee": self.custody_fee,
            "disposal_fee": self.disposal_fee,
            "service_fee": self.service_fee,
            "fees": self.fees,
            "balance": self.balance,
            "shortfall": self.shortfall,
            "interest": self.interest,
            "balance_fixed_on": self.balance_fixed_on.isoformat(),
            "remittance_due": self.remittance_due.isoformat() if self.remittance_due else None,
        }


def remittance_due(fixed_on: date) -> date:
    """The last day to remit a balance fixed on `fixed_on` (Art. 15.6: within 20 days)."""
    return fixed_on + timedelta(days=REMITTANCE_DAYS)


def _amount(name: str, value: object) -> int:
    # A float or bool here would be a bug upstream: money is whole yen.
    if isinstance(value, bool) or not isinstance(value, int):
        raise LedgerError(f"{name} must be whole yen, got {value!r}")
    if value < 0:
        raise LedgerError(f"{name} cannot be negative, got {value}")
    if value > MAX_YEN:
        raise LedgerError(f"{name} {value} yen is beyond any parcel; check the amount")
    return value


def settle_sale(
    proceeds: int,
    *,
    custody_fee: int = 0,
    disposal_fee: int = 0,
    service_fee: int = 0,
    fixed_on: date,
) -> SaleLedger:
    """Deduct the fees from the proceeds and fix the balance on `fixed_on` (a Japan date)."""
    proceeds = _amount("proceeds", proceeds)
    custody_fee = _amount("custody fee", custody_fee)
    disposal_fee = _amount("disposal fee", disposal_fee)
    service_fee = _amount("service fee", service_fee)
    net = proceeds - custody_fee - disposal_fee - service_fee
    balance = max(net, 0)
    return SaleLedger(
        proceeds=proceeds,
        custody_fee=custody_fee,
        disposal_fee=disposal_fee,
        service_fee=service_fee,
        balance=balance,
        shortfall=max(-net, 0),
        balance_fixed_on=fixed_on,
        remittance_due=remittance_due(fixed_on) if balance else None,
    )
