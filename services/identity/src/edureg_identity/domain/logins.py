"""Logins: Latin transliteration of the surname plus a number from a sequence, so they
are unique by construction (`ivanov1042`)."""

from __future__ import annotations

import re
import secrets
import string

_TABLE = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}


def login_stem(surname: str) -> str:
    latin = "".join(_TABLE.get(ch, ch) for ch in surname.lower())
    stem = re.sub(r"[^a-z]", "", latin)[:12]
    return stem or "user"


_ALPHABET = string.ascii_letters + string.digits


def one_time_password(length: int = 10) -> str:
    """A password for a credential slip: letters and digits, no look-alikes."""
    alphabet = [c for c in _ALPHABET if c not in "O0Il1"]
    return "".join(secrets.choice(alphabet) for _ in range(length))
