"""Scale protocols by name: `mt-sics`, `toledo-8217`, `ad`, `sma`."""

from __future__ import annotations

from jpgb_terminal.devices.protocols import ad, mtsics, sma, toledo
from jpgb_terminal.devices.protocols.base import (
    Ack,
    Display,
    LineSettings,
    Protocol,
    Reply,
)

PROTOCOLS: dict[str, Protocol] = {
    p.name: p for p in (mtsics.PROTOCOL, toledo.PROTOCOL, ad.PROTOCOL, sma.PROTOCOL)
}


def get_protocol(name: str) -> Protocol:
    """The protocol called `name`; ValueError naming the known ones otherwise."""
    try:
        return PROTOCOLS[name]
    except KeyError:
        known = ", ".join(PROTOCOLS)
        raise ValueError(f"unknown scale protocol {name!r} (known: {known})") from None


__all__ = ["PROTOCOLS", "Ack", "Display", "LineSettings", "Protocol", "Reply", "get_protocol"]
