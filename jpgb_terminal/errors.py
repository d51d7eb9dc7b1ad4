"""Errors a request is refused with: each says what happened and what to do, and nothing was
written. They live below every layer so that rules, services, audit and privacy share them."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the rules refuse; the transaction it ran in must be rolled back.

    Not a ValueError: a face shows a ServiceError as a refusal, so a ValueError from a bug
    (bad data inside the program) must not be caught as one."""


class NotFound(ServiceError):
    """No such parcel, customer or operator."""


class DuplicateScan(ServiceError):
    """The parcel was already received; nothing is recorded twice."""


class NotAllowed(ServiceError):
    """The operator's role or the parcel's state does not allow this."""


class AuthError(ServiceError):
    """Wrong PIN, unknown operator, or operator locked out."""
