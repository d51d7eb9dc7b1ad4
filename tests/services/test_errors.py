"""Refusals and bugs stay apart: a ServiceError is shown as a refusal, a ValueError is a bug."""

from __future__ import annotations

import pytest

from jpgb_terminal.errors import AuthError, DuplicateScan, NotAllowed, NotFound, ServiceError
from jpgb_terminal.privacy.crypto import KeyFileError
from jpgb_terminal.services.billing import NotBillable
from jpgb_terminal.services.csv_files import ImportRejected
from jpgb_terminal.services.decisions import DecisionRefused
from jpgb_terminal.services.packing import PackingRefused
from jpgb_terminal.services.price_lists import PriceListRefused
from jpgb_terminal.workflow.decisions import IncompleteDecision

REFUSALS = [
    ServiceError,
    NotFound,
    DuplicateScan,
    NotAllowed,
    AuthError,
    KeyFileError,
    NotBillable,
    ImportRejected,
    DecisionRefused,
    PackingRefused,
    PriceListRefused,
    IncompleteDecision,
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda c: c.__name__)
def test_a_refusal_is_a_service_error_and_not_a_value_error(refusal: type[Exception]) -> None:
    assert issubclass(refusal, ServiceError)
    assert not issubclass(refusal, ValueError)
