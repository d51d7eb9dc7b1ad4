"""The errors a use case raises, re-exported from their home below every layer."""

from __future__ import annotations

from jpgb_terminal.errors import AuthError, DuplicateScan, NotAllowed, NotFound, ServiceError

__all__ = ["AuthError", "DuplicateScan", "NotAllowed", "NotFound", "ServiceError"]
