"""Supervisor decisions on held parcels (Art. 15) and the ledger of sales (Art. 15.4-15.7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from jpgb_terminal.store.types import UTCDateTime


def _utc(*, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=False, index=index))


def _yen() -> Any:
    # BigInteger: PostgreSQL's INTEGER stops at about 2.1 billion yen.
    return Field(sa_column=Column(BigInteger(), nullable=False))


class Decision(SQLModel, table=True):
    """A supervisor's decision closing a parcel's holds: release, return, dispose, sell or report."""

    __tablename__ = "decision"

    id: str = Field(primary_key=True, max_length=36)
    tracking_no: str = Field(foreign_key="parcel.tracking_no", index=True, max_length=40)
    action: str = Field(max_length=16)
    note: str = Field(max_length=2000)
    operator: str = Field(max_length=80)
    role: str = Field(max_length=16)
    decided_at: datetime = _utc(index=True)
    station_id: str = Field(max_length=40)
    article: str = Field(max_length=40)
    from_state: str = Field(max_length=16)
    to_state: str = Field(max_length=16)
    deadline: date | None = None
    report_reference: str | None = Field(default=None, max_length=100)
    consent_reference: str | None = Field(default=None, max_length=200)
    event_id: str = Field(max_length=36)


class Sale(SQLModel, table=True):
    """What a sale brought in and where it went (Art. 15.5-15.7), in whole yen.

    There is no interest column: the balance owed to the user never earns interest (15.7).
    `balance - shortfall` always equals proceeds minus the three fees.
    """

    __tablename__ = "sale"
    __table_args__ = (
        UniqueConstraint("decision_id", name="uq_sale_decision"),
        CheckConstraint(
            "proceeds >= 0 AND custody_fee >= 0 AND disposal_fee >= 0 AND service_fee >= 0",
            name="ck_sale_amounts_not_negative",
        ),
        CheckConstraint("balance >= 0 AND shortfall >= 0", name="ck_sale_balance_not_negative"),
        CheckConstraint(
            "balance - shortfall = proceeds - custody_fee - disposal_fee - service_fee",
            name="ck_sale_arithmetic",
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    decision_id: str = Field(foreign_key="decision.id", max_length=36)
    tracking_no: str = Field(foreign_key="parcel.tracking_no", index=True, max_length=40)
    currency: str = Field(max_length=3)
    proceeds: int = _yen()
    custody_fee: int = _yen()
    disposal_fee: int = _yen()
    service_fee: int = _yen()
    balance: int = _yen()
    shortfall: int = _yen()
    balance_fixed_on: date
    remittance_due: date | None = None
