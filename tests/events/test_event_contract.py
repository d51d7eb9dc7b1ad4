"""The contract between writers, types and projections: no kind is written that nothing
applies, none applied that nothing writes, and every kind has exactly one type."""

from __future__ import annotations

import ast
import dataclasses
from functools import cache
from pathlib import Path

import pytest

from jpgb_terminal import events
from jpgb_terminal.events import EVENT_TYPES, EventPayloadError, decode
from jpgb_terminal.projections.registry import APPLIERS

PACKAGE = Path(events.__file__).parent.parent
EVENTS_DIR = Path(events.__file__).parent

# Kinds that are written and kept (log, audit chain) but change no row anywhere: each with
# why.  Empty today: every kind, a reveal too, goes through a projector (one that may do
# nothing), so a new kind must be added to a projection or here on purpose.
NOT_PROJECTED: dict[str, str] = {}


@cache
def _constructed_names() -> frozenset[str]:
    """Names called anywhere in the program outside the events package itself."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if EVENTS_DIR in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name):
                    names.add(func.id)
                elif isinstance(func, ast.Attribute):
                    names.add(func.attr)
    return frozenset(names)


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_every_declared_kind_is_written_somewhere(kind: str) -> None:
    assert EVENT_TYPES[kind].__name__ in _constructed_names(), f"nothing writes {kind}"


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_every_declared_kind_is_applied_or_listed_as_kept_only(kind: str) -> None:
    assert (kind in APPLIERS) != (kind in NOT_PROJECTED), (
        f"{kind} must be applied by a projection or listed in NOT_PROJECTED with a reason"
    )


def test_every_applied_kind_has_a_type() -> None:
    assert set(APPLIERS) - set(EVENT_TYPES) == set()
    assert set(NOT_PROJECTED) <= set(EVENT_TYPES)


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_each_type_is_a_documented_frozen_dataclass_of_its_kind(kind: str) -> None:
    cls = EVENT_TYPES[kind]
    assert cls.kind == kind
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert (cls.__doc__ or "").strip()


def test_the_events_package_imports_nothing_above_it() -> None:
    for path in EVENTS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            for module in modules:
                top = module.split(".")[0]
                assert top != "sqlalchemy" and top != "sqlmodel" and top != "textual", path
                if top == "jpgb_terminal":
                    assert module.startswith("jpgb_terminal.events"), (path.name, module)


@pytest.mark.parametrize(
    ("kind", "payload", "problem"),
    [
        ("parcel.teleported", {}, "unknown event kind 'parcel.teleported'"),
        ("parcel.weighed", {"weight_id": "W1", "source": "scale"}, "grams is missing"),
        ("parcel.weighed", {"weight_id": "W1", "grams": "12", "source": "s"}, "whole number"),
        ("parcel.weighed", {"weight_id": "W1", "grams": True, "source": "s"}, "whole number"),
        ("parcel.held", {"hold_id": "H", "reason": "r", "deadline": None}, "must not be null"),
        ("parcel.held", {"hold_id": "H", "reason": "r", "deadline": "soon"}, "parcel.held"),
        ("receipt.reviewed", {"receipt_event_ids": "E1"}, "must be a list"),
        ("customer.updated", {"customer_id": "C1", "fields": [1]}, "must be text"),
        ("parcel.inspected", {"inspection_id": "I", "opened": "yes"}, "true or false"),
        ("prealert.recorded", {"customer_id": "C1", "declared_value": "ten"}, "prealert"),
        (
            "parcel.decided",
            {"decision_id": "D", "action": "a", "to_state": "s", "sale": 5},
            "object",
        ),
        ("price_list.published", ["version"], "not an object"),
    ],
)
def test_a_payload_that_does_not_fit_is_refused_in_one_line(
    kind: str, payload: object, problem: str
) -> None:
    with pytest.raises(EventPayloadError, match=problem) as caught:
        decode(kind, payload)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)
