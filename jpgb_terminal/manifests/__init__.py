"""Daily manifests (inbound, holds, outbound carrier manifest) as CSV, XLSX or PDF: customer ids only, never names,
addresses or phone numbers.

Writers only: rows in, files out. The rows come from `jpgb_terminal.services.manifest_rows`
(`build_manifest`, `expected_rows`); nothing here reads the store or checks a permission:
the import contracts keep the store, SQL, the use cases and the settings out of this package.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, cast

from jpgb_terminal.manifests.columns import HOLDS_COLUMNS, INBOUND_COLUMNS, OUTBOUND_COLUMNS
from jpgb_terminal.manifests.totals import OutboundTotals, Totals
from jpgb_terminal.manifests.writers import counted, write_csv, write_pdf, write_xlsx

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
    "OutboundTotals",
    "Totals",
    "check_format",
    "check_kind",
    "export_to_file",
    "export_to_stdout",
    "write_manifest",
]
