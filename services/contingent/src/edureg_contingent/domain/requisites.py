"""An organisation's state registration numbers and its digital profile: pure rules.

- ИНН of a legal entity: 10 digits, the last a check digit (weights 2 4 10 3 5 9 4 6 8,
  sum mod 11 mod 10);
- КПП: 9 characters — tax office code (4 digits), reason code (2 digits or capital
  Latin letters), serial number (3 digits);
- ОГРН: 13 digits, the last = (the first 12 as a number mod 11) mod 10.
The profile is *complete* when every field the regulations ask of an organisation's
card is filled in; the state accreditation *expires soon* within 90 days of today.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

_INN_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_KPP = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")
ACCREDITATION_WARNING_DAYS = 90

# The card's fields the regulations ask for, with their Russian names (for "incomplete").
REQUIRED_FIELDS: dict[str, str] = {
    "full_name": "полное наименование",
    "short_name": "сокращённое наименование",
    "inn": "ИНН",
    "kpp": "КПП",
    "ogrn": "ОГРН",
    "legal_address": "юридический адрес",
    "actual_address": "фактический адрес",
    "head_name": "руководитель",
    "phone": "телефон",
    "email": "электронная почта",
    "licence_number": "номер лицензии",
    "licence_date": "дата лицензии",
    "licence_issuer": "кем выдана лицензия",
}
ACCREDITATION_FIELDS: dict[str, str] = {
    "accreditation_number": "номер свидетельства об аккредитации",
    "accreditation_date": "дата аккредитации",
    "accreditation_valid_until": "срок действия аккредитации",
}


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", value)


def normalise_inn(value: str) -> str:
    inn = _digits(value)
    if not re.fullmatch(r"\d{10}", inn):
        raise ValueError("ИНН организации — 10 цифр")
    check = sum(int(d) * w for d, w in zip(inn, _INN_WEIGHTS, strict=False)) % 11 % 10
    if check != int(inn[9]):
        raise ValueError("Неверный ИНН: контрольная цифра не сходится")
    return inn


def normalise_kpp(value: str) -> str:
    kpp = _digits(value).upper()
    if not _KPP.fullmatch(kpp):
        raise ValueError("КПП — 9 знаков: 4 цифры, 2 цифры или буквы, 3 цифры")
    return kpp


def normalise_ogrn(value: str) -> str:
    ogrn = _digits(value)
    if not re.fullmatch(r"\d{13}", ogrn):
        raise ValueError("ОГРН организации — 13 цифр")
    if int(ogrn[:12]) % 11 % 10 != int(ogrn[12]):
        raise ValueError("Неверный ОГРН: контрольная цифра не сходится")
    return ogrn


def missing_fields(profile: Mapping[str, object], *, accredited: bool) -> list[str]:
    """The codes of the card's fields still empty (accreditation's only where the
    organisation holds one: a new school may not yet)."""
    wanted = {**REQUIRED_FIELDS, **(ACCREDITATION_FIELDS if accredited else {})}
    return [f for f in wanted if profile.get(f) in (None, "")]


def accreditation_expires_soon(valid_until: date | None, today: date) -> bool:
    return valid_until is not None and valid_until <= today + timedelta(
        days=ACCREDITATION_WARNING_DAYS
    )


def check_profile_dates(
    licence_date: date | None,
    accreditation_date: date | None,
    accreditation_valid_until: date | None,
    today: date,
) -> list[dict[str, str]]:
    """Dates that cannot be: a licence or an accreditation from the future, an
    accreditation valid until before it was given."""
    errors = []
    if licence_date and licence_date > today:
        errors.append({"field": "licence_date", "message": "Дата лицензии позже сегодняшней"})
    if accreditation_date and accreditation_date > today:
        errors.append(
            {"field": "accreditation_date", "message": "Дата аккредитации позже сегодняшней"}
        )
    if (
        accreditation_date
        and accreditation_valid_until
        and accreditation_valid_until <= accreditation_date
    ):
        errors.append(
            {
                "field": "accreditation_valid_until",
                "message": "Срок действия кончается раньше, чем аккредитация выдана",
            }
        )
    return errors
