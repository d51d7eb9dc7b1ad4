"""What went wrong in a step with central, as one of sync's errors with a readable message."""

from __future__ import annotations

import psycopg
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from jpgb_terminal.sync.apply import ApplyError
from jpgb_terminal.sync.link import CentralRejected, CentralUnavailable, SyncError


def classify(exc: BaseException) -> SyncError:
    """Map whatever went wrong to offline / timeout / rejected, with a readable message."""
    if isinstance(exc, SyncError):
        return exc
    if isinstance(exc, ApplyError):
        return CentralRejected(str(exc))
    if isinstance(exc, IntegrityError):
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return CentralRejected(f"central refused the batch: {detail}")
    if isinstance(exc, OperationalError | DBAPIError):
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            return CentralUnavailable(f"central unavailable: {detail}")
        return CentralRejected(f"central refused the batch: {detail}")
    # The COPY path talks to psycopg directly, so its errors arrive unwrapped.
    if isinstance(exc, psycopg.IntegrityError):
        return CentralRejected(f"central refused the batch: {_first_line(exc)}")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return CentralUnavailable(f"central unavailable: {_first_line(exc)}")
    if isinstance(exc, psycopg.Error):
        return CentralRejected(f"central refused the batch: {_first_line(exc)}")
    if isinstance(exc, SQLAlchemyError | OSError):
        return CentralUnavailable(f"central unavailable: {exc}")
    return SyncError(f"{type(exc).__name__}: {exc}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
