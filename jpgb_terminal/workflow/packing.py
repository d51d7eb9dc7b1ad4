"""The packing bench's steps: open a request, confirm its parcels, weigh, price, pack, print.

Each method is one transaction and returns a `ShipmentView`; they block on the store, so the
terminal calls them from its database worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jpgb_terminal.clock import local_date, now
from jpgb_terminal.devices.capture import Capture
from jpgb_terminal.devices.label import LabelData
from jpgb_terminal.devices.printer import print_label, send_to_printer
from jpgb_terminal.manifests.customs_form import SENDER, CustomsForm, render_customs_form
from jpgb_terminal.refdata import PriceList
from jpgb_terminal.rules.customs import Declaration
from jpgb_terminal.rules.pricing import Dims, Quote
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.packing import (
    Handover,
    Packed,
    PackingRefused,
    confirm_parcel,
    declaration_for,
    hand_over,
    pack_box,
    price_box,
    record_box_weight,
)
from jpgb_terminal.services.price_lists import PriceListRefused, price_lists_in_store
from jpgb_terminal.services.shipments import ShipmentView, load_shipment
from jpgb_terminal.store import Store
from jpgb_terminal.workflow.labels import label_target

MAX_SIDE_CM = 999


def parse_dims(text: str) -> Dims:
    """`40 30 20` or `40x30x20` as three whole centimetres; ValueError with the reason."""
    parts = text.lower().replace("x", " ").replace("*", " ").replace(",", " ").split()
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"type three whole centimetres, L W H (e.g. 40 30 20), got {text!r}")
    length, width, height = (int(p) for p in parts)
    if not all(0 < d <= MAX_SIDE_CM for d in (length, width, height)):
        raise ValueError(f"each side must be 1 to {MAX_SIDE_CM} cm, got {text!r}")
    return length, width, height


@dataclass(frozen=True)
class Preview:
    """The price and declaration the screen shows before F2."""

    quote: Quote
    declaration: Declaration


class PackingFlow:
    """The packing steps for one logged-in operator at one station."""

    def __init__(
        self, store: Store, station_id: str, operator: str | None = None, role: str | None = None
    ) -> None:
        """Nothing is read until a step is asked for."""
        self.store = store
        self.station_id = station_id
        self.operator = operator
        self.role = role
        # The store's price lists as of the open request (or why they cannot be read).
        self._lists: tuple[PriceList, ...] | PriceListRefused | None = None

    @property
    def actor(self) -> Actor:
        """Who the events are stamped with, and whose role the services check."""
        return Actor(self.station_id, self.operator, self.role)

    def open_request(self, request_id: str) -> ShipmentView:
        """The request whose sheet was scanned, with the parcels to pick; the price lists in
        the store are read with it, so the preview prices as packing will."""
        with self.store.transaction() as session:
            view = load_shipment(session.connection(), request_id)
            try:
                self._lists = price_lists_in_store(session)
            except PriceListRefused as exc:
                self._lists = exc
            return view

    def confirm(self, request_id: str, scanned: str, at: datetime | None = None) -> ShipmentView:
        """Confirm a scanned parcel into the box; refused parcels raise with the reason."""
        with self.store.transaction() as session:
            return confirm_parcel(session, self.actor, request_id, scanned, at=at)

    def record_capture(
        self, request_id: str, capture: Capture, *, scale_id: str | None, protocol: str | None
    ) -> ShipmentView:
        """Keep the captured box weight with its frame and the scale's identity."""
        with self.store.transaction() as session:
            record_box_weight(
                session,
                self.actor,
                request_id,
                capture.grams,
                raw_frame=capture.raw,
                scale_id=scale_id,
                protocol=protocol,
                at=capture.at,
            )
            return load_shipment(session.connection(), request_id)

    def preview(self, view: ShipmentView, dims: Dims, at: datetime | None = None) -> Preview:
        """Chargeable weight, fee and customs form for the weighed box (nothing written)."""
        if view.weight_g is None:
            raise ValueError("no box weight yet")
        if isinstance(self._lists, PriceListRefused):
            raise PackingRefused("no_price_list", str(self._lists))
        return Preview(price_box(view, view.weight_g, dims, at, self._lists), declaration_for(view))

    def pack(
        self, request_id: str, dims: Dims, scanned_label: str | None, at: datetime | None = None
    ) -> Packed:
        """Price, number and declare the box; the request and its parcels become packed."""
        with self.store.transaction() as session:
            return pack_box(
                session, self.actor, request_id, dims, scanned_label=scanned_label, at=at
            )

    def handover(self, day: date, at: datetime | None = None) -> Handover:
        """Mark the day's packed boxes shipped (a shift lead's step)."""
        with self.store.transaction() as session:
            return hand_over(session, self.actor, day, at=at)


def customs_form_of(packed: Packed, at: datetime | None = None) -> CustomsForm:
    """The customs form's content for a packed box."""
    view, box = packed.view, packed.view.box
    assert box is not None
    return CustomsForm(
        form=packed.declaration.form,
        shipment_id=view.id,
        outbound_tracking_no=box.outbound_tracking_no,
        service=view.service,
        sender=SENDER,
        recipient_name=view.recipient_name or "",
        recipient_address=view.recipient_address or "",
        recipient_phone=view.recipient_phone or "",
        country=view.country,
        category=view.category,
        lines=view.lines,
        total_value=packed.declaration.total_value,
        currency=packed.declaration.currency,
        gross_weight_g=box.weight_g,
        insurance_jpy=view.insurance_jpy,
        fee=box.fee,
        fee_currency=box.currency,
        export_declaration=packed.declaration.export_declaration,
        day=local_date(at or box.packed_at or now()),
    )


def print_box_papers(packed: Packed, printer_url: str, *, forms_dir: Path) -> tuple[str, str]:
    """Print the box label and its customs form (blocking: call from a worker); where they went.

    A folder printer gets `<outbound>.svg` and `<outbound>-CN22.pdf`; `lp:` queues get both;
    a raw label printer (`socket://`) gets the label, and the form goes to `forms_dir` (the
    `customs_forms_dir` setting), never to the current directory.
    """
    box = packed.view.box
    assert box is not None
    label = LabelData(
        parcel_id=box.outbound_tracking_no,
        tracking_no=f"{packed.view.id} {packed.view.service.upper()} {packed.view.country}",
        customer_id=packed.view.customer_id,
        date=local_date(box.packed_at),
        held=False,
    )
    label_to = label_target(printer_url, box.outbound_tracking_no)
    print_label(label, label_to)
    pdf = render_customs_form(customs_form_of(packed))
    name = f"{box.outbound_tracking_no}-{packed.declaration.form}.pdf"
    folder = Path(printer_url.removeprefix("file:"))
    if printer_url.startswith("lp:"):
        form_to = printer_url
    elif "://" not in printer_url and folder.is_dir():
        form_to = str(folder / name)
    else:
        # The form carries the recipient's address in full: a private folder, like the store's.
        forms_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        form_to = str(forms_dir / name)
    send_to_printer(pdf, form_to)
    return label_to, form_to
