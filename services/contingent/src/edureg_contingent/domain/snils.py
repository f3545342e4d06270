"""СНИЛС (the individual insurance account number, 11 digits): its check number, and the
keyed hash other services compare people by without ever holding the number itself."""

from __future__ import annotations

import hashlib
import hmac
import re


def check_number(first_nine: str) -> str:
    """The two check digits of the first nine (the Pension Fund's rule): each digit
    weighted 9 down to 1; a sum below 100 is the check number itself, 100 and 101 give
    00, a larger sum is taken modulo 101 (100 again giving 00)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(9, 0, -1), strict=True))
    if total > 101:
        total %= 101
    return "00" if total in (100, 101) else f"{total:02d}"


def normalise(raw: str) -> str:
    """`112-233-445 95` → `11223344595`; ValueError (in Russian) if it is not a СНИЛС."""
    digits = re.sub(r"[\s-]", "", raw)
    if not re.fullmatch(r"\d{11}", digits):
        raise ValueError("СНИЛС — 11 цифр, например 112-233-445 95")
    # Numbers up to 001-001-998 were issued before check numbers were defined.
    if int(digits[:9]) > 1001998 and check_number(digits[:9]) != digits[9:]:
        raise ValueError("Неверный СНИЛС: контрольное число не сходится")
    return digits


def match_key(key: bytes, snils: str) -> str:
    """HMAC-SHA256 of the number under the region's key: equal for the same person,
    useless to anyone without the key (the number space is small enough to enumerate a
    plain hash)."""
    return hmac.new(key, b"snils:" + snils.encode(), hashlib.sha256).hexdigest()
