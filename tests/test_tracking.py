"""Tracking-number parsing: schemes, check digits, normalisation and error messages."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jpgb_terminal.tracking import (
    ISO_COUNTRY_CODES,
    InvalidTrackingNumber,
    TrackingNumber,
    gs1_check_digit,
    jp12_check_digit,
    make_s10,
    normalize,
    parse_tracking,
    s10_check_digit,
)

# Check digits below were worked out by hand from the scheme definitions, not by the code.
VALID = [
    # (input, normalized, scheme, country)
    ("RR473124829GB", "RR473124829GB", "s10", "GB"),
    ("EE123456785JP", "EE123456785JP", "s10", "JP"),
    ("CP123456785JP", "CP123456785JP", "s10", "JP"),
    ("LX987654326CN", "LX987654326CN", "s10", "CN"),
    ("RA000000014KR", "RA000000014KR", "s10", "KR"),
    ("ee123456785jp", "EE123456785JP", "s10", "JP"),
    ("EE 1234 5678 5 JP", "EE123456785JP", "s10", "JP"),
    ("ＥＥ１２３４５６７８５ＪＰ", "EE123456785JP", "s10", "JP"),
    ("ｅｅ１２３４５６７８５ｊｐ", "EE123456785JP", "s10", "JP"),
    ("EE\u3000123456785\u3000JP", "EE123456785JP", "s10", "JP"),
    ("123456789013", "123456789013", "jp12", None),
    ("1234-5678-9013", "123456789013", "jp12", None),
    ("1234－5678－9013", "123456789013", "jp12", None),
    ("1234ー5678ー9013", "123456789013", "jp12", None),
    ("1234\u20135678\u20149013", "123456789013", "jp12", None),
    ("1234\u22125678\u20109013", "123456789013", "jp12", None),
    ("３９９０-１２３４-５６７５", "399012345675", "jp12", None),
    ("100000000004", "100000000004", "jp12", None),
    ("4901234567894", "4901234567894", "ean13", None),
    ("5901234123457", "5901234123457", "ean13", None),
    ("106141411234567897", "106141411234567897", "sscc18", None),
    ("00106141411234567897", "106141411234567897", "sscc18", None),
    ("(00)106141411234567897", "106141411234567897", "sscc18", None),
    ("(00) 1 0614141 123456789 7", "106141411234567897", "sscc18", None),
    ("（００）106141411234567897", "106141411234567897", "sscc18", None),
    ("  EE123456785JP\r\n", "EE123456785JP", "s10", "JP"),
]


@pytest.mark.parametrize(("text", "normalized", "scheme", "country"), VALID)
def test_valid_numbers(text: str, normalized: str, scheme: str, country: str | None) -> None:
    result = parse_tracking(text)
    assert result == TrackingNumber(normalized=normalized, scheme=scheme, raw=text, country=country)  # type: ignore[arg-type]
    assert str(result) == normalized


INVALID = [
    # (input, error code, message fragment)
    ("", "empty", "empty"),
    ("   ", "empty", "empty"),
    ("- -", "empty", "empty"),
    ("EE12345678éJP", "bad_character", "unexpected character 'é'"),
    ("é", "bad_character", "unexpected character 'é'"),
    ("EE123456785JP!", "bad_character", "unexpected character '!'"),
    ("(01)106141411234567897", "bad_character", "unexpected character '('"),
    ("EE12345678\u200b5JP", "bad_character", "unexpected character '\\u200b'"),
    ("12345678901", "wrong_length", "wrong length: 11 characters"),
    ("1234567890123", "bad_check_digit", "bad check digit"),
    ("12345678901234", "wrong_length", "wrong length: 14 characters"),
    ("1234567890123456789", "wrong_length", "wrong length: 19 characters"),
    ("11106141411234567897", "wrong_length", "wrong length: 20 characters"),
    ("EE12345678JP", "wrong_length", "wrong length: 12 characters"),
    ("EE1234567855JP", "wrong_length", "wrong length: 14 characters"),
    ("(00)10614141123456789", "wrong_length", "18-digit SSCC"),
    ("E1123456785JP", "bad_format", "expected 2 letters, 9 digits, 2 letters"),
    ("EE12345678XJP", "bad_format", "expected 2 letters, 9 digits, 2 letters"),
    ("EE123456785J1", "bad_format", "expected 2 letters, 9 digits, 2 letters"),
    ("RR473124829XX", "unknown_country", "unknown country code 'XX'"),
    ("RR473124829UK", "unknown_country", "unknown country code 'UK'"),
    ("RR473124828GB", "bad_check_digit", "bad check digit (expected 9, got 8)"),
    ("EE123456783JP", "bad_check_digit", "bad check digit (expected 5, got 3)"),
    ("123456789015", "bad_check_digit", "bad check digit (expected 3, got 5)"),
    ("123456789018", "bad_check_digit", "bad check digit (expected 3, got 8)"),
    ("4901234567890", "bad_check_digit", "bad check digit (expected 4, got 0)"),
    ("106141411234567890", "bad_check_digit", "bad check digit (expected 7, got 0)"),
    ("00106141411234567891", "bad_check_digit", "bad check digit (expected 7, got 1)"),
]


@pytest.mark.parametrize(("text", "code", "fragment"), INVALID)
def test_invalid_numbers(text: str, code: str, fragment: str) -> None:
    with pytest.raises(InvalidTrackingNumber) as info:
        parse_tracking(text)
    assert info.value.code == code
    assert fragment in str(info.value)
    assert info.value.raw == text
    assert isinstance(info.value, ValueError)


def test_non_string_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_tracking(123456789013)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("digits8", "check"),
    [("47312482", 9), ("12345678", 5), ("98765432", 6), ("00000001", 4), ("00000000", 5)],
)
def test_s10_check_digit(digits8: str, check: int) -> None:
    assert s10_check_digit(digits8) == check


def test_s10_check_digit_maps_ten_to_zero() -> None:
    # Residue 1 gives a raw check of 10, written as 0; residue 0 gives 11, written as 5.
    serial = next(f"{n:08d}" for n in range(1000) if sum_s10(f"{n:08d}") % 11 == 1)
    assert s10_check_digit(serial) == 0
    serial = next(f"{n:08d}" for n in range(1, 1000) if sum_s10(f"{n:08d}") % 11 == 0)
    assert s10_check_digit(serial) == 5


def sum_s10(digits8: str) -> int:
    """Weighted S10 sum, written out independently of the module under test."""
    return sum(int(d) * w for d, w in zip(digits8, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))


@pytest.mark.parametrize("bad", ["1234567", "123456789", "1234567a", ""])
def test_s10_check_digit_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        s10_check_digit(bad)


@pytest.mark.parametrize(
    ("first11", "check"), [("12345678901", 3), ("39901234567", 5), ("10000000000", 4)]
)
def test_jp12_check_digit(first11: str, check: int) -> None:
    assert jp12_check_digit(first11) == check


@pytest.mark.parametrize(
    ("body", "check"),
    [("490123456789", 4), ("590123412345", 7), ("10614141123456789", 7), ("0", 0)],
)
def test_gs1_check_digit(body: str, check: int) -> None:
    assert gs1_check_digit(body) == check


@pytest.mark.parametrize("bad", ["", "12a4"])
def test_gs1_check_digit_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        gs1_check_digit(bad)


def test_make_s10() -> None:
    assert make_s10("EE", 12345678, "JP") == "EE123456785JP"
    assert make_s10("rr", 47312482, "gb") == "RR473124829GB"
    assert make_s10("RA", 1, "KR") == "RA000000014KR"


@pytest.mark.parametrize(
    ("prefix", "serial", "country"),
    [("E", 1, "JP"), ("E1", 1, "JP"), ("EE", -1, "JP"), ("EE", 100_000_000, "JP"), ("EE", 1, "XX")],
)
def test_make_s10_rejects_bad_parts(prefix: str, serial: int, country: str) -> None:
    with pytest.raises(ValueError):
        make_s10(prefix, serial, country)


def test_country_list_is_iso_3166_alpha2() -> None:
    assert len(ISO_COUNTRY_CODES) == 249
    assert {"JP", "GB", "US", "CN", "KR", "TW", "HK", "SS", "XK"} - ISO_COUNTRY_CODES == {"XK"}
    assert all(len(c) == 2 and c.isascii() and c.isupper() for c in ISO_COUNTRY_CODES)


def test_normalize_keeps_unknown_characters_for_the_message() -> None:
    assert normalize(" ｅｅ-１２３ ") == "EE123"
    assert normalize("a/b") == "A/B"


def test_s10_single_digit_blind_spot_exists() -> None:
    # Residues 0 and 6 both give check digit 5, so S10 misses some single-digit changes.
    assert parse_tracking("EE000000005JP").scheme == "s10"
    assert parse_tracking("EE900000005JP").scheme == "s10"


def test_jp12_blind_spot_exists() -> None:
    # A digit changed by 7 leaves the number unchanged mod 7.
    assert parse_tracking("123456789013").scheme == "jp12"
    assert parse_tracking("823456789013").scheme == "jp12"


# --- properties ------------------------------------------------------------------------------

letters = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@st.composite
def s10_numbers(draw: st.DrawFn) -> str:
    prefix = draw(letters) + draw(letters)
    serial = draw(st.integers(min_value=0, max_value=99_999_999))
    country = draw(st.sampled_from(sorted(ISO_COUNTRY_CODES)))
    return make_s10(prefix, serial, country)


@st.composite
def jp12_numbers(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=11, max_size=11))
    return body + str(jp12_check_digit(body))


@st.composite
def gs1_numbers(draw: st.DrawFn, length: int) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    return body + str(gs1_check_digit(body))


valid_numbers = st.one_of(
    s10_numbers().map(lambda n: (n, "s10")),
    jp12_numbers().map(lambda n: (n, "jp12")),
    gs1_numbers(13).map(lambda n: (n, "ean13")),
    gs1_numbers(18).map(lambda n: (n, "sscc18")),
)

SEPARATORS = [" ", "-", "\u3000", "\u2010", "\u2012", "\u2015", "\u2212", "\u30fc", "\uff0d", "\t"]


def full_width(c: str) -> str:
    """The full-width form of an ASCII letter or digit."""
    return chr(ord(c) + 0xFEE0)


@st.composite
def decorated(draw: st.DrawFn, number: str) -> str:
    out: list[str] = []
    for c in number:
        if draw(st.booleans()):
            out.append(draw(st.sampled_from(SEPARATORS)))
        style = draw(st.sampled_from(["plain", "lower", "wide", "wide_lower"]))
        if style in ("lower", "wide_lower"):
            c = c.lower()
        if style in ("wide", "wide_lower"):
            c = full_width(c)
        out.append(c)
    if draw(st.booleans()):
        out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


@given(st.data(), valid_numbers)
def test_round_trip_through_decoration(data: st.DataObject, case: tuple[str, str]) -> None:
    number, scheme = case
    text = data.draw(decorated(number))
    result = parse_tracking(text)
    assert result.normalized == number
    assert result.scheme == scheme
    assert result.raw == text
    assert result.country == (number[-2:] if scheme == "s10" else None)


@given(st.text())
def test_arbitrary_text_only_raises_invalid_tracking_number(text: str) -> None:
    try:
        result = parse_tracking(text)
    except InvalidTrackingNumber as exc:
        assert str(exc)
    else:
        assert result.normalized.isascii() and result.normalized.isalnum()


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPRSTUVWXYZ -()ー", max_size=24))
def test_near_miss_text_only_raises_invalid_tracking_number(text: str) -> None:
    with contextlib.suppress(InvalidTrackingNumber):
        parse_tracking(text)


def substitute(number: str, data: st.DataObject, positions: list[int]) -> tuple[str, int, int]:
    """Change one digit of `number`; returns the new number, position and signed change."""
    pos = data.draw(st.sampled_from(positions))
    old = int(number[pos])
    new = data.draw(st.integers(min_value=0, max_value=9).filter(lambda d: d != old))
    return number[:pos] + str(new) + number[pos + 1 :], pos, new - old


@given(st.data(), st.one_of(gs1_numbers(13), gs1_numbers(18)))
def test_gs1_detects_every_single_digit_change(data: st.DataObject, number: str) -> None:
    # Weights 1 and 3 are both invertible mod 10, so any one changed digit moves the sum.
    mutated, _, _ = substitute(number, data, list(range(len(number))))
    with pytest.raises(InvalidTrackingNumber, match="bad check digit"):
        parse_tracking(mutated)


@given(st.data(), s10_numbers())
def test_s10_single_digit_change_missed_only_between_residues_0_and_6(
    data: st.DataObject, number: str
) -> None:
    # Every weight is invertible mod 11, so one changed digit always moves the residue; but
    # the mapping 11 -> 5 makes residues 0 and 6 share check digit 5, and that pair is missed.
    mutated, pos, _ = substitute(number, data, list(range(2, 11)))
    old_r, new_r = sum_s10(number[2:10]) % 11, sum_s10(mutated[2:10]) % 11
    blind = pos < 10 and {old_r, new_r} == {0, 6}
    if blind:
        assert parse_tracking(mutated).normalized == mutated
    else:
        with pytest.raises(InvalidTrackingNumber, match="bad check digit"):
            parse_tracking(mutated)


@given(st.data(), jp12_numbers())
def test_jp12_single_digit_change_missed_only_when_changed_by_seven(
    data: st.DataObject, number: str
) -> None:
    # 10**k is never 0 mod 7, so a body change of d * 10**k goes unseen exactly when 7 | d.
    mutated, pos, delta = substitute(number, data, list(range(12)))
    if pos < 11 and abs(delta) == 7:
        assert parse_tracking(mutated).normalized == mutated
    else:
        with pytest.raises(InvalidTrackingNumber, match="bad check digit"):
            parse_tracking(mutated)


@given(s10_numbers(), st.sampled_from(sorted({a + b for a in "ABCXYZ" for b in "AKQXZ"})))
def test_s10_country_must_be_iso(number: str, country: str) -> None:
    text = number[:-2] + country
    if country in ISO_COUNTRY_CODES:
        assert parse_tracking(text).country == country
    else:
        with pytest.raises(InvalidTrackingNumber, match="unknown country code"):
            parse_tracking(text)
