"""Fixtures for device tests: simulators and fake devices that always get closed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.devices.helpers import FakeDevice


@pytest.fixture
def fake_device() -> Iterator[FakeDevice]:
    dev = FakeDevice()
    yield dev
    dev.close()
