"""The day's manifests for a shift lead: date, kind, format, folder; written on a worker."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, ProgressBar, Static

from jpgb_terminal.clock import local_date
from jpgb_terminal.manifests import FORMATS, KINDS
from jpgb_terminal.rules.permissions import allowed, refusal
from jpgb_terminal.screens.context import InContext
from jpgb_terminal.services.context import Actor

ACTION = "export_manifests"  # data/permissions.toml
KIND_TEXT = {
    "inbound": "parcels received that day",
    "holds": "parcels held at the end of that day",
    "outbound": "boxes handed to the carriers that day",
}


@dataclass
class ManifestCounted(Message):
    """The export knows how many rows it will write."""

    total: int


@dataclass
class ManifestProgressed(Message):
    """The export has written `done` rows."""

    done: int


@dataclass
class ManifestWritten(Message):
    """The manifest is in place at `path`."""

    kind: str
    path: Path
    rows: int
    billable_g: int


@dataclass
class ManifestFailed(Message):
    """Nothing was written; `reason` says why."""

    reason: str


class ManifestScreen(InContext, Screen[None]):
    """Enter (or F5) exports; F2 and F3 step through kinds and formats; Esc goes back."""

    CSS_PATH = "manifests.tcss"
    AUTO_FOCUS = "#day"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f2", "next_kind", "Kind"),
        Binding("f3", "next_format", "Format"),
        Binding("f5", "export", "Export"),
    ]

    def __init__(self) -> None:
        """The first kind and format the manifests offer."""
        super().__init__()
        self.kind: str = KINDS[0]
        self.fmt: str = FORMATS[0]
        self.running = False

    def compose(self) -> ComposeResult:
        """The four choices, a progress bar and the outcome line."""
        yield Header(show_clock=False)
        with Vertical(id="manifest-box"):
            yield Label("Day (YYYY-MM-DD, Asia/Tokyo)")
            yield Input(id="day", placeholder="YYYY-MM-DD", restrict=r"[0-9-]*", max_length=10)
            yield Static("", id="manifest-kind")
            yield Static("", id="manifest-format")
            yield Label("Output folder")
            yield Input(id="folder", placeholder="folder to write into")
            yield Static("", id="manifest-file")
            yield Static(
                "Manifests carry customer ids only: no names, addresses or phone numbers.",
                id="manifest-note",
            )
            yield ProgressBar(id="manifest-progress", show_eta=False)
            yield Static("", id="manifest-result")
        yield Footer()

    def on_mount(self) -> None:
        """Today in Japan and the current folder by default."""
        self.sub_title = "Daily manifests"
        day = self.query_one("#day", Input)
        day.value = local_date(self.ctx.clock()).isoformat()
        folder = self.query_one("#folder", Input)
        folder.value = os.getcwd()
        for field in (day, folder):
            field.cursor_blink = self.ctx.cursor_blink
        self._show_choices()
        if not self.allowed():
            why = refusal(self.ctx.operator.role, ACTION)
            self._result(f"{why[0].upper()}{why[1:]}. Esc goes back.", "error")

    def allowed(self) -> bool:
        """What the permission table says of the logged-in role (a lead's job)."""
        return allowed(self.ctx.operator.role, ACTION)

    def actor(self) -> Actor:
        """The logged-in operator, with the role the export service checks again."""
        return self.ctx.operator.actor(self.ctx.settings.station_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Export for leads only, and one export at a time."""
        if action == "export":
            if not self.allowed():
                return False
            return None if self.running else True
        return True

    # -- choices --------------------------------------------------------------------------

    def _show_choices(self) -> None:
        self.query_one("#manifest-kind", Static).update(
            Text(f"Kind    {self.kind}  ({KIND_TEXT.get(self.kind, '')})   F2 next: ")
            + Text(" / ".join(KINDS), style="dim")
        )
        self.query_one("#manifest-format", Static).update(
            Text(f"Format  {self.fmt}   F3 next: ") + Text(" / ".join(FORMATS), style="dim")
        )
        target = self._target()
        text = f"File    {target}" if isinstance(target, Path) else f"File    - ({target})"
        self.query_one("#manifest-file", Static).update(Text(text))

    def _day(self) -> date | str:
        """The day typed, or why it is not one."""
        raw = self.query_one("#day", Input).value.strip()
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return f"{raw!r} is not a date: type YYYY-MM-DD"

    def _target(self) -> Path | str:
        """The file to write, or why there is none."""
        day = self._day()
        if isinstance(day, str):
            return day
        folder = self.query_one("#folder", Input).value.strip() or "."
        return Path(folder).expanduser() / f"{self.kind}-{day.isoformat()}.{self.fmt}"

    @on(Input.Changed)
    def _changed(self, _event: Input.Changed) -> None:
        self._show_choices()

    def action_next_kind(self) -> None:
        """F2: the next manifest kind."""
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]  # type: ignore[arg-type]
        self._show_choices()

    def action_next_format(self) -> None:
        """F3: the next output format."""
        self.fmt = FORMATS[(FORMATS.index(self.fmt) + 1) % len(FORMATS)]  # type: ignore[arg-type]
        self._show_choices()

    # -- export ---------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.action_export()

    def action_export(self) -> None:
        """Enter or F5: write the manifest on a worker."""
        if not self.allowed() or self.running:
            return
        day = self._day()
        if isinstance(day, str):
            self._result(day, "error")
            return
        target = self._target()
        assert isinstance(target, Path)
        if not target.parent.is_dir():
            self._result(f"Cannot write: the folder {target.parent} does not exist.", "error")
            return
        if self.ctx.store is None:
            self._result("The store is not open yet.", "error")
            return
        self.running = True
        self.refresh_bindings()
        bar = self.query_one("#manifest-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.add_class("running")
        self._result(f"Writing {target.name}...", "info")
        self._export(self.actor(), self.kind, day, self.fmt, target)

    @work(thread=True, exclusive=True, group="manifest")
    def _export(self, actor: Actor, kind: str, day: date, fmt: str, path: Path) -> None:
        from jpgb_terminal.manifests import ManifestError
        from jpgb_terminal.services.errors import NotAllowed
        from jpgb_terminal.workflow.review import ExportedManifest, export_day_manifest

        try:
            # The store is touched on the database thread only; this worker just waits for it,
            # so the screen stays live while a long export runs.
            done: ExportedManifest = self.app.call_from_thread(
                self.ctx.run_db,
                export_day_manifest,
                self.ctx.store,
                actor,
                kind,
                day,
                fmt,
                path,
                on_total=lambda n: self.post_message(ManifestCounted(n)),
                progress=lambda n: self.post_message(ManifestProgressed(n)),
            )
        except (ManifestError, NotAllowed) as exc:
            self.post_message(ManifestFailed(str(exc)))
            return
        except Exception as exc:  # any failure must reach the lead, not kill the worker
            self.post_message(ManifestFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(ManifestWritten(kind, path, done.rows, done.billable_g))

    def on_manifest_counted(self, message: ManifestCounted) -> None:
        """Size the progress bar."""
        self.query_one("#manifest-progress", ProgressBar).update(total=max(message.total, 1))

    def on_manifest_progressed(self, message: ManifestProgressed) -> None:
        """Move the progress bar."""
        self.query_one("#manifest-progress", ProgressBar).update(progress=message.done)

    def on_manifest_written(self, message: ManifestWritten) -> None:
        """Say where the file is."""
        self._finished()
        bar = self.query_one("#manifest-progress", ProgressBar)
        bar.update(total=max(message.rows, 1), progress=max(message.rows, 1))
        self._result(
            f"Written {message.path.resolve()}: {message.rows} "
            f"{'boxes' if message.kind == 'outbound' else 'parcels'}, "
            f"billable {message.billable_g:,} g",
            "ok",
        )

    def on_manifest_failed(self, message: ManifestFailed) -> None:
        """Say why nothing was written."""
        self._finished()
        self.query_one("#manifest-progress", ProgressBar).update(total=None, progress=0)
        self._result(f"Not written: {message.reason}", "error")
        self.app.bell()

    def _finished(self) -> None:
        self.running = False
        self.query_one("#manifest-progress", ProgressBar).remove_class("running")
        self.refresh_bindings()

    def _result(self, text: str, level: str) -> None:
        prefix = {"info": "", "ok": "OK: ", "error": "ERROR: "}[level]
        result = self.query_one("#manifest-result", Static)
        result.update(Text(prefix + text))
        result.set_classes(level)
