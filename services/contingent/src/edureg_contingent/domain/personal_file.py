"""A student's personal file (личное дело, 001 IV; 004 4.3): its documents and who may
hold which, pure rules.

- A passport is issued from the age of 14 (and must then be in the file); before that
  the birth certificate is the document. A passport for a 10-year-old is a typo.
- A minor (under 18 on the day) is enrolled with at least one guardian.
- Passport: series of 4 digits, number of 6. Birth certificate (Russian form): series of
  a Roman numeral and two Cyrillic capitals (`IV-АН`), number of 6 digits.
- Every change is kept field by field (old → new): `changes` says which.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from edureg_shared.errors import InvalidState

PASSPORT_AGE = 14
ADULT_AGE = 18
_PASSPORT_SERIES = re.compile(r"^\d{4}$")
_SIX_DIGITS = re.compile(r"^\d{6}$")
_CERTIFICATE_SERIES = re.compile(r"^[IVXLC]{1,6}-[А-ЯЁ]{2}$")

SOCIAL_STATUSES: dict[str, str] = {
    "disability": "Ребёнок-инвалид, обучающийся с ОВЗ",
    "orphan": "Ребёнок-сирота, оставшийся без попечения родителей",
    "large_family": "Из многодетной семьи",
    "low_income": "Из малоимущей семьи",
    "single_parent": "Из неполной семьи",
    "svo_family": "Из семьи участника специальной военной операции",
    "refugee": "Вынужденный переселенец, беженец",
    "risk_group": "Состоит на профилактическом учёте",
}


def age_on(birth: date, day: date) -> int:
    years = day.year - birth.year
    return years - ((day.month, day.day) < (birth.month, birth.day))


def is_minor(birth: date, day: date) -> bool:
    return age_on(birth, day) < ADULT_AGE


def passport_series(value: str) -> str:
    value = re.sub(r"\s", "", value)
    if not _PASSPORT_SERIES.fullmatch(value):
        raise ValueError("Серия паспорта — 4 цифры")
    return value


def six_digits(value: str) -> str:
    value = re.sub(r"\s", "", value)
    if not _SIX_DIGITS.fullmatch(value):
        raise ValueError("Номер — 6 цифр")
    return value


def certificate_series(value: str) -> str:
    value = re.sub(r"\s", "", value).upper().replace("–", "-")
    if not _CERTIFICATE_SERIES.fullmatch(value):
        raise ValueError("Серия свидетельства о рождении — римское число и две буквы: IV-АН")
    return value


def social_status(code: str) -> str:
    if code not in SOCIAL_STATUSES:
        raise ValueError("Социальный статус не из справочника")
    return code


def check_documents(
    birth: date,
    today: date,
    *,
    passport: bool,
    passport_issued: date | None,
) -> None:
    """Which identity document a student of this age holds."""
    errors = []
    if passport and age_on(birth, today) < PASSPORT_AGE:
        errors.append(
            {"field": "passport_series", "message": "Паспорт выдаётся с 14 лет: проверьте дату"}
        )
    if passport_issued is not None and age_on(birth, passport_issued) < PASSPORT_AGE:
        errors.append(
            {"field": "passport_issued_on", "message": "В этот день обучающемуся не было 14 лет"}
        )
    if passport_issued is not None and passport_issued > today:
        errors.append({"field": "passport_issued_on", "message": "Дата выдачи позже сегодняшней"})
    if not passport and age_on(birth, today) >= PASSPORT_AGE:
        errors.append(
            {"field": "passport_series", "message": "С 14 лет в личном деле нужен паспорт"}
        )
    if errors:
        raise InvalidState("Проверьте документы обучающегося", errors=errors)


def check_guardians(birth: date, on: date, guardians: int) -> None:
    if guardians == 0 and is_minor(birth, on):
        raise InvalidState(
            "Несовершеннолетний зачисляется с законным представителем",
            errors=[{"field": "guardians", "message": "Укажите хотя бы одного"}],
        )


def changes(old: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    """The fields of `new` whose value differs from `old` (in the order of `new`)."""
    return [f for f, v in new.items() if old.get(f) != v]


# What a complete personal file holds (001 IV, 004 4.3): both addresses, the СНИЛС, and
# the identity document of the student's age with its date (a passport also its issuer).
FILE_REQUIRED = {
    "registration_address": "адрес регистрации",
    "residence_address": "адрес проживания",
    "snils": "СНИЛС",
}


# The fields `missing_in_file` reads.
FILE_PARTS = (
    *FILE_REQUIRED,
    "birth_date",
    "passport_series",
    "passport_number",
    "passport_issued_on",
    "passport_issuer",
    "birth_certificate_series",
    "birth_certificate_number",
    "birth_certificate_issued_on",
)


def missing_in_file(file: Mapping[str, object], today: date) -> list[str]:
    """The Russian names of what the personal file still lacks (empty: complete)."""
    missing = [title for field, title in FILE_REQUIRED.items() if not file.get(field)]
    birth = file.get("birth_date")
    needs_passport = isinstance(birth, date) and age_on(birth, today) >= PASSPORT_AGE
    document: tuple[str, ...]
    if needs_passport:
        document = ("passport_series", "passport_number", "passport_issued_on", "passport_issuer")
        title = "паспорт (серия, номер, дата выдачи, кем выдан)"
    else:
        document = (
            "birth_certificate_series",
            "birth_certificate_number",
            "birth_certificate_issued_on",
        )
        title = "свидетельство о рождении (серия, номер, дата выдачи)"
    if not all(file.get(f) for f in document):
        missing.append(title)
    return missing
