"""What a chosen password must be (pure): long enough, not the login or the person's
name, not one of the passwords everybody tries first. Messages in Russian, naming the
field. (One-time passwords of credential slips are generated, not chosen: they are
random and need no check.)"""

from __future__ import annotations

import re

from edureg_shared.errors import InvalidState

MIN_LENGTH = 8
MAX_LENGTH = 200

# The passwords tried first in every guessing run, Russian keyboards included
# (a latin layout typed as Cyrillic and the other way round), in lower case.
COMMON = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "0123456789",
        "87654321",
        "11111111",
        "00000000",
        "12341234",
        "123123123",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "1qaz2wsx",
        "zaq12wsx",
        "qwertyui",
        "qwerty123",
        "qwertyuiop",
        "asdfghjk",
        "asdfghjkl",
        "zxcvbnm1",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "admin123",
        "administrator",
        "letmein1",
        "monkey12",
        "dragon12",
        "master12",
        "superman",
        "batman12",
        "trustno1",
        "abcd1234",
        "abc12345",
        "пароль1",
        "пароль12",
        "пароль123",
        "йцукенгш",
        "йцукен12",
        "фывапрол",
        "ячсмитьб",
        "qwertyйцукен",
        "gfhjkm123",
        "gfhjkmgfhjkm",
        "1234qwer",
        "q1w2e3r4",
        "q1w2e3r4t5",
        "marina12",
        "natasha1",
        "svetlana",
        "school12",
        "shkola12",
        "школа123",
        "учитель1",
        "ученик12",
        "dnevnik1",
        "дневник1",
        "elzhur12",
    ]
)


def _variants(text: str) -> set[str]:
    lowered = text.lower()
    return {lowered, re.sub(r"[\W_]+", "", lowered)}


def check_password(password: str, *, login: str, names: tuple[str, ...] = ()) -> None:
    """Raises InvalidState (422, the field `new_password`) with the first reason found."""
    reason = None
    if len(password) < MIN_LENGTH:
        reason = f"Пароль должен быть не короче {MIN_LENGTH} символов"
    elif len(password) > MAX_LENGTH:
        reason = f"Пароль должен быть не длиннее {MAX_LENGTH} символов"
    elif not password.strip() or len(set(password)) < 4:
        reason = "Пароль слишком простой: возьмите больше разных символов"
    elif _variants(password) & _variants(login) or login.lower() in password.lower():
        reason = "Пароль не должен совпадать с логином или содержать его"
    elif any(len(n) >= 3 and n.lower() in password.lower() for n in names):
        reason = "Пароль не должен содержать фамилию или имя"
    elif _variants(password) & COMMON:
        reason = "Этот пароль слишком распространён, его подбирают первым"
    if reason:
        raise InvalidState(reason, errors=[{"field": "new_password", "message": reason}])
