"""What a chosen password must be."""

from __future__ import annotations

import pytest

from edureg_identity.domain.password_policy import check_password
from edureg_shared.errors import InvalidState


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1!", "не короче"),
        ("aaaaaaaaaa", "простой"),
        ("ivanov1042", "логином"),
        ("IVANOV1042!", "логином"),
        ("my-ivanov1042-pass", "логином"),
        ("Petrovich-77", "фамилию или имя"),
        ("qwerty123", "распространён"),
        ("Пароль123", "распространён"),
        ("1q2w3e4r", "распространён"),
    ],
)
def test_weak_passwords_are_refused_with_a_russian_reason(password: str, reason: str) -> None:
    with pytest.raises(InvalidState) as refused:
        check_password(password, login="ivanov1042", names=("Иванов", "Petrovich"))
    assert reason in refused.value.detail
    assert refused.value.extra["errors"][0]["field"] == "new_password"


def test_a_reasonable_password_passes() -> None:
    check_password("Весна-в-школе-2026", login="ivanov1042", names=("Иванов", "Пётр"))
    check_password("correct horse battery", login="ivanov1042")
