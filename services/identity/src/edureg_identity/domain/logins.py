"""Logins: the surname in Latin letters by the rules of the Russian international passport
(order of the Ministry of Internal Affairs No. 889 of 2016, after ICAO Doc 9303: ж zh,
х kh, ц ts, щ shch, ъ ie, й i, ю iu, я ia; ь dropped), at most 12 letters, plus the next
number of one region-wide sequence (`ivanov1042`). The sequence is the tie-break: two
Ivanovs enrolled one after the other get consecutive numbers, so logins are unique by
construction and the same input in the same order gives the same logins. An
administrator may correct a login (`check_login` says what is allowed)."""

from __future__ import annotations

import re
import secrets
import string

from edureg_shared.errors import InvalidState

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
    "ъ": "ie",
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


_LOGIN = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")


def check_login(login: str) -> str:
    """A login as an administrator may set it: Latin letters, digits, dot, hyphen and
    underscore, 3 to 64 characters, starting with a letter; stored in lower case."""
    clean = login.strip().lower()
    if not _LOGIN.fullmatch(clean):
        raise InvalidState(
            "Логин: от 3 до 64 символов — латинские буквы, цифры, точка, дефис и "
            "подчёркивание, первая — буква",
            errors=[{"field": "login", "message": "Недопустимый логин"}],
        )
    if clean.startswith("service-account-"):  # Keycloak's names for its service accounts
        raise InvalidState(
            "Такие логины зарезервированы для служебных учётных записей",
            errors=[{"field": "login", "message": "Зарезервированный логин"}],
        )
    return clean


_ALPHABET = string.ascii_letters + string.digits


def one_time_password(length: int = 10) -> str:
    """A password for a credential slip: letters and digits, no look-alikes."""
    alphabet = [c for c in _ALPHABET if c not in "O0Il1"]
    return "".join(secrets.choice(alphabet) for _ in range(length))
