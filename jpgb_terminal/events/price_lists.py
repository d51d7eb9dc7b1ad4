"""Events of price lists: a version published with the prices it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from jpgb_terminal.events.base import Event


@dataclass(frozen=True, kw_only=True)
class PriceListPublished(Event):
    """A price list version published, in force from `effective_from`; `body` is its text."""

    kind: ClassVar[str] = "price_list.published"
    version: str
    effective_from: datetime
    body: str


TYPES: tuple[type[Event], ...] = (PriceListPublished,)
