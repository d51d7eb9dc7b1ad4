"""Daily manifests (inbound, holds, outbound carrier manifest) as CSV, XLSX or PDF: customer ids only, never names,
addresses or phone numbers."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, cast

from sqlalchemy import Connection

from jpgb_terminal.manifests.holds import HOLDS_COLUMNS, held_at_end_of, iter_holds
from jpgb_terminal.manifests.inbound import INBOUND_COLUMNS, count_inbound, iter_inbound
from jpgb_terminal.manifests.outbound import (
    OUTBOUND_COLUMNS,
    OutboundTotals,
    count_outbound,
    iter_outbound,
)
from jpgb_terminal.manifests.totals import Totals
from jpgb_terminal.manifests.writers import counted, write_csv, write_pdf, write_xlsx
from jpgb_terminal.services.context import Actor, authorize

Kind = Literal["inbound", "holds", "outbound"]
Format = Literal["csv", "xlsx", "pdf"]
KINDS: tuple[Kind, ...] = ("inbound", "holds", "outbound")
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "pdf")


class ManifestError(ValueError):
    """A manifest that cannot be written; the message says why and nothing was left behind."""


@dataclass
class Manifest:
    """A manifest's columns and streamed rows; `totals` is complete once the rows are read."""

    kind: Kind
    day: date
    columns: tuple[str, ...]
    rows: Iterator[tuple[Any, ...]]
    totals: Totals = field(default_factory=Totals)

    @property
    def title(self) -> str:
        """Heading of the XLSX sheet and the PDF pages."""
        return f"{self.kind} manifest {self.day.isoformat()} (Asia/Tokyo)"


def check_kind(kind: str) -> Kind:
    """`kind` if it is a manifest kind; ManifestError otherwise."""
    if kind not in KINDS:
        raise ManifestError(f"unknown manifest kind {kind!r} (one of {', '.join(KINDS)})")
    return cast(Kind, kind)


def check_format(fmt: str) -> Format:
    """`fmt` if it is an output format; ManifestError otherwise."""
    if fmt not in FORMATS:
        raise ManifestError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    return cast(Format, fmt)


def build_manifest(
    conn: Connection, actor: Actor, kind: str, day: date, *, service: str | None = None
) -> Manifest:
    """The manifest of `kind` for one Japan day, its rows not yet read (`service`: outbound).

    Only a role the table allows to export manifests (or the station's administrator, for
    `jpgb manifest export`) gets one: NotAllowed otherwise, before any row is read.
    """
    kind = check_kind(kind)
    authorize(conn, actor, "export_manifests")
    if kind == "outbound":
        boxes = OutboundTotals()
        rows = iter_outbound(conn, day, boxes, service)
        return Manifest(kind, day, OUTBOUND_COLUMNS, rows, boxes)
    totals = Totals()
    if kind == "inbound":
        return Manifest(kind, day, INBOUND_COLUMNS, iter_inbound(conn, day, totals), totals)
    return Manifest(kind, day, HOLDS_COLUMNS, iter_holds(conn, day, totals), totals)


def expected_rows(conn: Connection, kind: str, day: date, *, service: str | None = None) -> int:
    """How many rows the manifest will have (for a progress bar)."""
    kind = check_kind(kind)
    if kind == "outbound":
        return count_outbound(conn, day, service)
    if kind == "inbound":
        return count_inbound(conn, day)
    return len(held_at_end_of(conn, day))


def write_manifest(
    manifest: Manifest,
    fmt: str,
    out: Any,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write to an open stream: text for CSV, binary for XLSX and PDF."""
    fmt = check_format(fmt)
    rows = counted(manifest.rows, progress)
    if fmt == "csv":
        write_csv(out, manifest.columns, rows)
    elif fmt == "xlsx":
        write_xlsx(out, manifest.title, manifest.columns, rows, manifest.totals)
    else:
        write_pdf(out, manifest.title, manifest.columns, rows, manifest.totals)


def check_writable(path: Path) -> None:
    """Fail early, before any query, when `path` cannot be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ManifestError(f"cannot write {path}: it is a folder")
    if not folder.is_dir():
        raise ManifestError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ManifestError(f"cannot write {path}: permission denied")


def export_to_file(
    manifest: Manifest,
    fmt: str,
    path: Path,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write next to `path` and move into place, so a failed export leaves no half file."""
    fmt = check_format(fmt)
    check_writable(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise ManifestError(f"cannot write {path}: {exc.strerror}") from exc
    tmp = Path(tmp_name)
    try:
        if fmt == "csv":
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as text_out:
                write_manifest(manifest, fmt, text_out, progress)
        else:
            with os.fdopen(fd, "wb") as binary_out:
                write_manifest(manifest, fmt, binary_out, progress)
        # mkstemp creates 0600; a manifest is shared like any other file the user writes.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ManifestError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def export_to_stdout(manifest: Manifest, progress: Callable[[int], None] | None = None) -> None:
    """CSV on standard output."""
    write_manifest(manifest, "csv", sys.stdout, progress)


__all__ = [
    "FORMATS",
    "HOLDS_COLUMNS",
    "INBOUND_COLUMNS",
    "KINDS",
    "OUTBOUND_COLUMNS",
    "Manifest",
    "ManifestError",
    "Totals",
    "build_manifest",
    "check_format",
    "check_kind",
    "expected_rows",
    "export_to_file",
    "export_to_stdout",
    "write_manifest",
]
