"""What every event kind shares: a frozen dataclass whose fields are its payload, one codec.

A kind's payload is encoded and decoded from the dataclass's own field types, so a kind is
declared once, as data.  The encoding is the one events have always been stored with (dates
ISO 8601, decimals as strings, bytes as hex, lists as JSON arrays): the audit chain hashes the
stored text, so a payload written today must be the byte-for-byte payload written before.

Per-field metadata (`key`, `omit`) covers the two departures from plain field names:

- `key(...)`: the payload key differs from the field name (`from` is a Python keyword);
- `OMIT_NONE`: the key is written only when the value is set (some writers leave it out).

A field with a default may be missing from a stored payload (older events lack keys added
since); a field without one must be there.

Layer: plain data; imports nothing of the store, the services or the faces.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Self, TypeVar

_T = TypeVar("_T")

_KEY = "jpgb_key"
_OMIT = "jpgb_omit_none"
OMIT_NONE: Mapping[str, Any] = types.MappingProxyType({_OMIT: True})
"""Field metadata: the key is left out of the payload while the value is None."""


def key(name: str, *, omit_none: bool = False) -> Mapping[str, Any]:
    """Field metadata: the field is stored under payload key `name`."""
    return types.MappingProxyType({_KEY: name, _OMIT: omit_none})


class EventPayloadError(ValueError):
    """A stored payload that does not fit its kind, or a kind no event type declares."""


class Event:
    """An event's payload as a typed value; subclasses are frozen dataclasses with a `kind`."""

    kind: ClassVar[str]

    def to_payload(self) -> dict[str, Any]:
        """The payload as stored: JSON values only, the keys and encoding events always had."""
        return _encode_fields(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The event a stored payload holds; EventPayloadError when it does not fit."""
        if not isinstance(payload, Mapping):
            raise EventPayloadError(f"{cls.kind}: the payload is not an object")
        try:
            return _decode_fields(cls, payload, cls.kind)
        except (TypeError, ValueError, InvalidOperation) as exc:
            if isinstance(exc, EventPayloadError):
                raise
            raise EventPayloadError(f"{cls.kind}: {exc}") from exc


# -- the codec -------------------------------------------------------------------------------


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    # Resolved once per type: the annotations are strings (postponed evaluation).
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _payload_key(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get(_KEY, f.name))


def _encode_fields(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    hints = _hints(type(value))
    for f in dataclasses.fields(value):
        v = getattr(value, f.name)
        if v is None and f.metadata.get(_OMIT):
            continue
        out[_payload_key(f)] = _encode(hints[f.name], v)
    return out


def _encode(tp: Any, v: Any) -> Any:
    if v is None:
        return None
    if dataclasses.is_dataclass(v):
        return _encode_fields(v)
    if isinstance(v, tuple):
        inner = _optional_inner(tp)
        item_tp = typing.get_args(inner)[0] if typing.get_args(inner) else Any
        return [_encode(item_tp, i) for i in v]
    if isinstance(v, datetime):
        if v.tzinfo is None:
            raise ValueError("naive datetime: a time zone is required")
        return v.astimezone(UTC).isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, bytes):
        return v.hex()
    return v


def _optional_inner(tp: Any) -> Any:
    """`X | None` -> X; anything else as it is."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


_PLAIN = frozenset({str, int, bool})


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, str, bool, Any, bool, Any], ...]:
    """(field name, payload key, has a default, type, may be null, the plain type or None) of
    each field, worked out once per type: a replay decodes millions of payloads."""
    hints = _hints(cls)
    plan = []
    for f in dataclasses.fields(cls):
        inner, nullable, _, _ = _shape(hints[f.name])
        missing = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        plain = inner if inner in _PLAIN else None
        plan.append((f.name, _payload_key(f), not missing, hints[f.name], nullable, plain))
    return tuple(plan)


@functools.cache
def _shape(tp: Any) -> tuple[Any, bool, bool, Any]:
    """(the type without `| None`, whether None is allowed, is a dataclass, its origin)."""
    inner = _optional_inner(tp)
    nullable = not (inner is tp and tp is not Any)
    return inner, nullable, dataclasses.is_dataclass(inner), typing.get_origin(inner)


def _decode_fields(cls: type[_T], payload: Mapping[str, Any], where: str) -> _T:
    values: dict[str, Any] = {}
    for name, k, has_default, tp, nullable, plain in _plan(typing.cast(type, cls)):
        if k not in payload:
            if not has_default:
                raise EventPayloadError(f"{where}: {k} is missing")
            continue
        v = payload[k]
        # Text, whole numbers and flags of their exact type (or an allowed null) are stored
        # as they are decoded: no need to walk the codec for them.
        if (v is None and nullable) or type(v) is plain:
            values[name] = v
        else:
            values[name] = _decode(tp, v, f"{where}: {k}")
    return cls(**values)


def _decode(tp: Any, v: Any, where: str) -> Any:
    inner, nullable, is_dataclass, origin = _shape(tp)
    if v is None:
        if not nullable:
            raise EventPayloadError(f"{where} must not be null")
        return None
    tp = inner
    if tp is Any:
        return v
    if is_dataclass:
        if not isinstance(v, Mapping):
            raise EventPayloadError(f"{where} must be an object")
        return _decode_fields(typing.cast(type, tp), v, where)
    if origin is tuple:
        if not isinstance(v, list):
            raise EventPayloadError(f"{where} must be a list")
        item_tp = typing.get_args(tp)[0]
        return tuple(_decode(item_tp, i, where) for i in v)
    if tp is bool:
        if not isinstance(v, bool):
            raise EventPayloadError(f"{where} must be true or false")
        return v
    if tp is int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise EventPayloadError(f"{where} must be a whole number")
        return v
    if tp is str:
        if not isinstance(v, str):
            raise EventPayloadError(f"{where} must be text")
        return v
    if not isinstance(v, str):
        raise EventPayloadError(f"{where} must be text")
    if tp is datetime:
        parsed = datetime.fromisoformat(v)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if tp is date:
        return date.fromisoformat(v)
    if tp is Decimal:
        return Decimal(v)
    if tp is bytes:
        return bytes.fromhex(v)
    raise TypeError(f"{where}: no codec for {tp!r}")  # a declaration error, not bad data
