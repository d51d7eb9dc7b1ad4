"""The weight capture rule, including the stale weight left on the scale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jpgb_terminal.devices.capture import Capture, CaptureRule, Refusal
from jpgb_terminal.devices.reading import ScaleReading

T0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


def t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def r(
    grams: int | None, *, stable: bool = True, net: bool = False, status: str = "ok"
) -> ScaleReading:
    return ScaleReading(
        grams=grams,
        stable=stable,
        net=net,
        status=status,  # type: ignore[arg-type]
        raw=f"S S {grams} g\r\n".encode(),
    )


def test_capture_after_scan_on_emptied_scale() -> None:
    rule = CaptureRule()
    assert rule.offer(r(0), t(0)) is None
    rule.parcel_scanned(t(1))
    assert rule.offer(r(1200, stable=False, status="motion"), t(2)) is None
    got = rule.offer(r(1234), t(3))
    assert isinstance(got, Capture)
    assert (got.grams, got.raw, got.scanned_at) == (1234, b"S S 1234 g\r\n", t(1))
    # One capture per parcel.
    assert rule.offer(r(1234), t(4)) is None


def test_reading_from_before_the_scan_is_not_captured() -> None:
    rule = CaptureRule()
    rule.offer(r(0), t(0))
    rule.parcel_scanned(t(5))
    assert rule.offer(r(800), t(4)) is None
    assert isinstance(rule.offer(r(800), t(6)), Capture)


def test_stale_weight_previous_parcel_never_removed() -> None:
    rule = CaptureRule()
    rule.offer(r(0), t(0))
    rule.parcel_scanned(t(1))
    assert isinstance(rule.offer(r(900), t(2)), Capture)
    # Next parcel scanned while the first still sits on the scale.
    rule.parcel_scanned(t(3))
    refused = rule.offer(r(900), t(4))
    assert isinstance(refused, Refusal)
    assert refused.reason == "remove_previous"
    # Lifted off (below 20 g), then the new parcel goes on.
    assert rule.offer(r(5, stable=False, status="motion"), t(5)) is None
    got = rule.offer(r(1500), t(6))
    assert isinstance(got, Capture) and got.grams == 1500


def test_stale_weight_on_scale_before_anything_was_seen_empty() -> None:
    rule = CaptureRule()
    rule.parcel_scanned(t(1))
    assert isinstance(rule.offer(r(700), t(2)), Refusal)


def test_threshold_is_configurable() -> None:
    rule = CaptureRule(empty_threshold_g=100)
    rule.offer(r(50), t(0))
    rule.parcel_scanned(t(1))
    assert isinstance(rule.offer(r(60), t(2)), type(None))
    assert isinstance(rule.offer(r(150), t(3)), Capture)
    rule.parcel_scanned(t(4))
    rule.offer(r(60), t(5))
    assert isinstance(rule.offer(r(300), t(6)), Capture)


def test_non_billable_readings_never_capture() -> None:
    rule = CaptureRule()
    rule.offer(r(0), t(0))
    rule.parcel_scanned(t(1))
    for reading in [
        r(None, stable=False, status="overload"),
        r(None, status="error"),
        r(1000, net=True),
        r(1000, stable=False, status="motion"),
        r(None, status="no_weight"),
        None,
    ]:
        assert rule.offer(reading, t(2)) is None


def test_net_weighing() -> None:
    rule = CaptureRule(weigh_net=True)
    rule.offer(r(0, net=True), t(0))
    rule.parcel_scanned(t(1))
    assert rule.offer(r(1000), t(2)) is None
    assert isinstance(rule.offer(r(1000, net=True), t(3)), Capture)


def test_port_lost_ignores_readings_from_before() -> None:
    rule = CaptureRule()
    rule.offer(r(0), t(0))
    rule.parcel_scanned(t(1))
    rule.port_lost(t(3))
    late = ScaleReading(grams=1000, stable=True, net=False, status="ok", raw=b"x", at=t(2))
    assert rule.offer(late, t(4)) is None
    fresh = ScaleReading(grams=1000, stable=True, net=False, status="ok", raw=b"y", at=t(5))
    got = rule.offer(fresh, t(5))
    assert isinstance(got, Capture) and got.raw == b"y"


def test_port_lost_does_not_forget_the_uncollected_parcel() -> None:
    rule = CaptureRule()
    rule.offer(r(0), t(0))
    rule.parcel_scanned(t(1))
    assert isinstance(rule.offer(r(900), t(2)), Capture)
    rule.port_lost(t(3))
    rule.parcel_scanned(t(4))
    assert isinstance(rule.offer(r(900), t(5)), Refusal)


def test_a_capture_carries_the_scale_it_came_from() -> None:
    rule = CaptureRule()
    assert rule.offer(r(0), t(0), scale_id="usb-AND_FX-300i", protocol="and-ad") is None
    rule.parcel_scanned(t(1))
    got = rule.offer(r(1234), t(2), scale_id="usb-AND_FX-300i", protocol="and-ad")
    assert isinstance(got, Capture)
    assert (got.scale_id, got.protocol) == ("usb-AND_FX-300i", "and-ad")


def test_a_capture_from_an_unnamed_scale_says_so() -> None:
    rule = CaptureRule()
    rule.offer(r(0), t(0))
    rule.parcel_scanned(t(1))
    got = rule.offer(r(1234), t(2))
    assert isinstance(got, Capture) and (got.scale_id, got.protocol) == (None, None)
