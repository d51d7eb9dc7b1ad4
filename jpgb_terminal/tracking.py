"""Tracking-number schemes met at the bench: normalisation, check digits and parsing."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

Scheme = Literal["s10", "jp12", "ean13", "sscc18"]

# Officially assigned ISO 3166-1 alpha-2 codes (249). UPU S10 numbers end in one of these;
# exceptionally reserved codes such as "UK" or "EU" are deliberately absent.
_ISO_TABLE = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
"""
ISO_COUNTRY_CODES: frozenset[str] = frozenset(_ISO_TABLE.split())

# Dashes people and scanners put inside numbers, checked after NFKC (which already turns
# U+FF0D full-width hyphen-minus into "-" and U+2011 into U+2010). U+30FC, the katakana
# long-vowel mark, survives NFKC and is what a Japanese IME often types for a dash.
_DASHES = frozenset(
    "-\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u30fc\ufe58\ufe63\uff0d\uff70"
)
_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ALNUM = _DIGITS | _LETTERS | frozenset("abcdefghijklmnopqrstuvwxyz")

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_SSCC_AI = "00"


class InvalidTrackingNumber(ValueError):
    """A scanned or typed text that is not a tracking number of any known scheme."""

    def __init__(self, raw: str, reason: str, code: str) -> None:
        super().__init__(reason)
        self.raw = raw
        self.reason = reason
        # A stable machine-readable kind, so callers need not parse the message.
        self.code = code


@dataclass(frozen=True)
class TrackingNumber:
    """A validated tracking number in canonical form."""

    normalized: str
    scheme: Scheme
    raw: str
    country: str | None = None

    def __str__(self) -> str:
        return self.normalized


def s10_check_digit(digits8: str) -> int:
    """UPU S10 check digit of an 8-digit serial number."""
    _require_digits(digits8, 8, "S10 serial")
    total = sum(int(d) * w for d, w in zip(digits8, _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return 0
    if check == 11:
        return 5
    return check


def jp12_check_digit(first11: str) -> int:
    """Check digit of a 12-digit Japanese domestic number: the first 11 digits mod 7."""
    _require_digits(first11, 11, "domestic number body")
    return int(first11) % 7


def gs1_check_digit(body: str) -> int:
    """GS1 mod-10 check digit for a body of any length (EAN-13 body: 12, SSCC body: 17)."""
    if not body or any(c not in _DIGITS for c in body):
        raise ValueError(f"GS1 body must be digits, got {body!r}")
    # Weights alternate 3, 1, 3, ... starting from the digit next to the check digit.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def make_s10(prefix: str, serial: int, country: str) -> str:
    """Build a full S10 number such as `EE123456785JP` from its parts."""
    prefix = prefix.upper()
    country = country.upper()
    if len(prefix) != 2 or any(c not in _LETTERS for c in prefix):
        raise ValueError(f"S10 service indicator must be 2 letters, got {prefix!r}")
    if country not in ISO_COUNTRY_CODES:
        raise ValueError(f"unknown country code {country!r}")
    if isinstance(serial, bool) or not isinstance(serial, int) or not 0 <= serial <= 99_999_999:
        raise ValueError(f"S10 serial must be an integer 0..99999999, got {serial!r}")
    digits = f"{serial:08d}"
    return f"{prefix}{digits}{s10_check_digit(digits)}{country}"


def normalize(text: str) -> str:
    """Canonical form of a typed or scanned number: NFKC, no separators, upper case.

    Characters outside A-Z/0-9 are kept, so that `parse_tracking` can name them.
    """
    return _compact(text).upper()


def parse_tracking(text: str) -> TrackingNumber:
    """Normalise and validate a tracking number of any supported scheme."""
    if not isinstance(text, str):
        raise TypeError(f"tracking number must be str, not {type(text).__name__}")
    compact = _compact(text)
    if not compact:
        raise InvalidTrackingNumber(text, "empty", "empty")

    # The human-readable SSCC line reads "(00) 3 4567890 123456789 2".
    if compact.startswith("(00)"):
        body = compact[4:]
        _reject_unexpected(text, body)
        if len(body) != 18 or any(c not in _DIGITS for c in body):
            raise InvalidTrackingNumber(
                text,
                f"(00) must be followed by an 18-digit SSCC, got {len(body)} characters",
                "wrong_length",
            )
        return _gs1(text, body, "sscc18")

    _reject_unexpected(text, compact)
    value = compact.upper()

    if all(c in _DIGITS for c in value):
        if len(value) == 12:
            return _jp12(text, value)
        if len(value) == 13:
            return _gs1(text, value, "ean13")
        if len(value) == 18:
            return _gs1(text, value, "sscc18")
        if len(value) == 20 and value.startswith(_SSCC_AI):
            return _gs1(text, value[2:], "sscc18")
        raise InvalidTrackingNumber(text, f"wrong length: {len(value)} characters", "wrong_length")

    if len(value) != 13:
        raise InvalidTrackingNumber(text, f"wrong length: {len(value)} characters", "wrong_length")
    return _s10(text, value)


def _compact(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if not c.isspace() and c not in _DASHES)


def _require_digits(value: str, length: int, what: str) -> None:
    if len(value) != length or any(c not in _DIGITS for c in value):
        raise ValueError(f"{what} must be {length} digits, got {value!r}")


def _reject_unexpected(raw: str, compact: str) -> None:
    for c in compact:
        if c not in _ALNUM:
            raise InvalidTrackingNumber(raw, f"unexpected character {c!r}", "bad_character")


def _bad_check(raw: str, expected: int, got: str) -> InvalidTrackingNumber:
    return InvalidTrackingNumber(
        raw, f"bad check digit (expected {expected}, got {got})", "bad_check_digit"
    )


def _s10(raw: str, value: str) -> TrackingNumber:
    prefix, serial, check, country = value[:2], value[2:10], value[10], value[11:]
    if any(c not in _LETTERS for c in prefix + country) or any(
        c not in _DIGITS for c in serial + check
    ):
        raise InvalidTrackingNumber(
            raw,
            "not an S10 number: expected 2 letters, 9 digits, 2 letters",
            "bad_format",
        )
    if country not in ISO_COUNTRY_CODES:
        raise InvalidTrackingNumber(raw, f"unknown country code {country!r}", "unknown_country")
    expected = s10_check_digit(serial)
    if int(check) != expected:
        raise _bad_check(raw, expected, check)
    return TrackingNumber(normalized=value, scheme="s10", raw=raw, country=country)


def _jp12(raw: str, value: str) -> TrackingNumber:
    expected = jp12_check_digit(value[:11])
    if int(value[11]) != expected:
        raise _bad_check(raw, expected, value[11])
    return TrackingNumber(normalized=value, scheme="jp12", raw=raw)


def _gs1(raw: str, value: str, scheme: Scheme) -> TrackingNumber:
    expected = gs1_check_digit(value[:-1])
    if int(value[-1]) != expected:
        raise _bad_check(raw, expected, value[-1])
    return TrackingNumber(normalized=value, scheme=scheme, raw=raw)
