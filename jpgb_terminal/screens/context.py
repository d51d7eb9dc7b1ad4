"""What screens may use of the terminal: a typed protocol the app implements.

Screens read the app through `InContext.ctx`, typed as `BenchContext`, so the type checker
holds them to it: the store, the flows, the devices, the operator session, the clock, the
settings and the database thread, plus the few start-up and device-news hooks the bench
screens share. Textual's own calls (push_screen, bell, ...) stay on `self.app`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from jpgb_terminal.devices.reading import ScaleReading
    from jpgb_terminal.devices.scale import DriverState
    from jpgb_terminal.settings import Settings
    from jpgb_terminal.store import Store
    from jpgb_terminal.workflow.demo import DemoRig
    from jpgb_terminal.workflow.devices import BenchDevices
    from jpgb_terminal.workflow.receiving import ReceivingFlow
    from jpgb_terminal.workflow.session import OperatorSession

T = TypeVar("T")


class BenchContext(Protocol):
    """The terminal as screens see it."""

    settings: Settings
    store: Store | None
    flow: ReceivingFlow | None
    devices: BenchDevices | None
    rig: DemoRig | None
    operator: OperatorSession
    clock: Callable[[], datetime]
    cursor_blink: bool
    demo: bool
    ready: asyncio.Event
    failure: str | None
    device_states: dict[str, str]
    bench: MessagePump | None
    """The screen the devices report to (None: the app keeps the news)."""

    async def run_db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking store call on the one database thread."""
        ...

    def take_reading(self) -> ScaleReading | None:
        """The newest scale reading, re-arming the next message."""
        ...

    def note_device_state(self, device: str, state: DriverState) -> None:
        """Keep a device's state for the status line."""
        ...


class InContext:
    """For screens and dialogs: the app, seen through `BenchContext`."""

    @property
    def ctx(self) -> BenchContext:
        """The terminal this screen runs in."""
        node = cast("MessagePump", self)
        # JpgbApp implements BenchContext (checked in jpgb_terminal/app.py).
        return cast(BenchContext, node.app)
