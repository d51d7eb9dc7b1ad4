"""The demo bench: a fresh demo store and in-process simulated scale and scanner on sockets."""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jpgb_terminal.devices.simulators.scale import ScaleSimulator
from jpgb_terminal.devices.simulators.scanner import ScannerSimulator
from jpgb_terminal.services.demo import seed_demo, unreceived_prealerts
from jpgb_terminal.settings import Settings
from jpgb_terminal.store import Store, open_store

GARBAGE = ("HELLO-WORLD", "EE123456784JP", "4912345678901", "12345")
DEMO_SHIPMENTS = 10
"""Shipment requests the demo asks for (one per active customer at most): some wait for the
packer at F6, some are packed today and wait for the lead's handover."""


@dataclass
class DemoRig:
    """Simulators a person drives from the keyboard, and the demo store they feed."""

    scale: ScaleSimulator
    scanner: ScannerSimulator
    store: Store
    folder: Path
    scale_url: str
    scanner_url: str
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def place_random(self) -> int:
        """Put a parcel of a random weight on the scale; returns the grams."""
        grams = self.rng.randint(120, 9_000)
        self.scale.place(grams)
        return grams

    def scan_random_prealerted(self) -> str | None:
        """Scan a pre-alerted parcel that has not arrived yet; None when all have."""
        choices = unreceived_prealerts(self.store, limit=200)
        if not choices:
            return None
        code = self.rng.choice(choices)
        self.scanner.scan(code)
        return code

    def scan_waiting_request(self, *, besides: str | None = None) -> str | None:
        """Scan the sheet of a shipment request that waits for the packer; None when none does."""
        from sqlalchemy import select

        from jpgb_terminal.store.handles import SHIPMENT

        with self.store.transaction() as session:
            waiting = list(
                session.connection()
                .execute(
                    select(SHIPMENT.c.id)
                    .where(SHIPMENT.c.state == "waiting")
                    .order_by(SHIPMENT.c.id)
                )
                .scalars()
            )
        choices = [w for w in waiting if w != besides] or waiting
        if not choices:
            return None
        self.scanner.scan(choices[0])
        return choices[0]

    def scan(self, code: str) -> None:
        """Scan `code` with the simulated scanner."""
        self.scanner.scan(code)

    def scan_garbage(self) -> str:
        """Scan something that is not a valid tracking number."""
        code = self.rng.choice(GARBAGE)
        self.scanner.scan(code)
        return code

    def toggle_plug(self) -> bool:
        """Pull the scale's cable, or put it back; returns True when plugged after."""
        if self.scale.plugged:
            self.scale.unplug()
        else:
            self.scale.replug()
        return self.scale.plugged

    def close(self) -> None:
        """Stop both simulators and the demo store."""
        self.scanner.close()
        self.scale.close()
        self.store.dispose()


def start_demo(
    settings: Settings, *, parcels: int = 40, seed: int = 1, folder: Path | None = None
) -> tuple[DemoRig, Settings]:
    """Seed a fresh demo store, start the simulators, and settings that point at them."""
    folder = folder or Path(tempfile.mkdtemp(prefix="jpgb-demo-"))
    store = open_store(f"sqlite:///{folder / 'demo.db'}")
    seed_demo(store, settings.station_id, parcels=parcels, seed=seed, shipments=DEMO_SHIPMENTS)
    scale = ScaleSimulator(settings.scale_protocol, seed=seed)
    scanner = ScannerSimulator()
    scale_url = f"socket://127.0.0.1:{scale.serve_tcp()}"
    scanner_url = f"socket://127.0.0.1:{scanner.serve_tcp()}"
    demo_settings = settings.model_copy(
        update={
            "db": store.url,
            "scale": scale_url,
            "scanner": scanner_url,
            "printer": str(folder / "labels"),
        }
    )
    (folder / "labels").mkdir(exist_ok=True)
    return DemoRig(scale, scanner, store, folder, scale_url, scanner_url), demo_settings
