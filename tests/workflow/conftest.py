"""The screen tests' bench (a real store and a simulated scale), for tests that drive both faces."""

from __future__ import annotations

from tests.screens.conftest import bench

__all__ = ["bench"]
