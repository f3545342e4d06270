"""Importing students from the spreadsheets schools keep (CSV, XLSX): pure rules for the
header and each row. Every bad field of every row is reported before anything is saved.

Columns are found by their Russian header, in any order and case. A cell holding a
formula is refused (the value a formula shows is not in the file; and a formula is
how a spreadsheet attacks whoever opens an export).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from edureg_contingent.domain import snils as snils_rules
from edureg_contingent.domain.orders import valid_name
from edureg_contingent.domain.personal_file import is_minor

HEADERS: dict[str, str] = {
    "фамилия": "surname",
    "имя": "name",
    "отчество": "patronymic",
    "дата рождения": "birth_date",
    "пол": "sex",
    "снилс": "snils",
    "номер личного дела": "file_number",
    "группа": "group",
    "класс": "group",
    "представитель: фамилия": "guardian_surname",
    "представитель: имя": "guardian_name",
    "представитель: отчество": "guardian_patronymic",
    "представитель: кем приходится": "guardian_relation",
    "представитель: телефон": "guardian_phone",
    "представитель: снилс": "guardian_snils",
}
REQUIRED = ("surname", "name", "birth_date", "sex", "group")
TITLES = {
    "surname": "Фамилия",
    "name": "Имя",
    "patronymic": "Отчество",
    "birth_date": "Дата рождения",
    "sex": "Пол",
    "snils": "СНИЛС",
    "file_number": "Номер личного дела",
    "group": "Группа",
    "guardian_surname": "Представитель: фамилия",
    "guardian_name": "Представитель: имя",
    "guardian_patronymic": "Представитель: отчество",
    "guardian_relation": "Представитель: кем приходится",
    "guardian_phone": "Представитель: телефон",
    "guardian_snils": "Представитель: СНИЛС",
}
_SEX = {"м": "m", "муж": "m", "мужской": "m", "ж": "f", "жен": "f", "женский": "f"}
_RELATIONS = {"мать": "mother", "отец": "father", "опекун": "guardian", "попечитель": "guardian"}


class HeaderError(ValueError):
    """The file's first row does not name the columns needed."""


# Staff cards (the HR specialist's list).
STAFF_HEADERS: dict[str, str] = {
    "фамилия": "surname",
    "имя": "name",
    "отчество": "patronymic",
    "дата рождения": "birth_date",
    "должность": "job_title",
    "образование": "education",
    "квалификационная категория": "qualification",
    "телефон": "phone",
    "электронная почта": "email",
}
STAFF_REQUIRED = ("surname", "name")
STAFF_TITLES = {
    "surname": "Фамилия",
    "name": "Имя",
    "patronymic": "Отчество",
    "birth_date": "Дата рождения",
    "job_title": "Должность",
    "education": "Образование",
    "qualification": "Квалификационная категория",
    "phone": "Телефон",
    "email": "Электронная почта",
}


def columns(
    header: Sequence[Any],
    headers: dict[str, str] = HEADERS,
    required: Sequence[str] = REQUIRED,
    titles: dict[str, str] = TITLES,
) -> dict[int, str]:
    """Which column holds which field; HeaderError naming what is missing."""
    found: dict[int, str] = {}
    for i, cell in enumerate(header):
        key = headers.get(" ".join(str(cell or "").split()).casefold())
        if key and key not in found.values():
            found[i] = key
    missing = [titles[f] for f in required if f not in found.values()]
    if missing:
        raise HeaderError("В первой строке нет столбцов: " + ", ".join(missing))
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError("Дата — ДД.ММ.ГГГГ, например 14.03.2015")


def row(
    cells: Sequence[Any], mapping: dict[int, str], today: date
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """A row as a student to enrol (or to find), and its errors by field."""
    raw = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
    out: dict[str, Any] = {}
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    for field, value in raw.items():
        if isinstance(value, str) and value.lstrip().startswith(("=", "+=", "@")):
            bad(field, "Формула вместо значения: впишите значение")
            raw[field] = None
    for field in ("surname", "name", "guardian_surname", "guardian_name"):
        text = _text(raw.get(field))
        if text:
            try:
                out[field] = valid_name(text)
            except ValueError as e:
                bad(field, str(e))
    for field in ("patronymic", "guardian_patronymic"):
        text = _text(raw.get(field))
        if text:
            try:
                out[field] = valid_name(text)
            except ValueError as e:
                bad(field, str(e))
    for field in REQUIRED:
        if not _text(raw.get(field)) and not any(e["field"] == field for e in errors):
            bad(field, "Не заполнено")
    if _text(raw.get("birth_date")):
        try:
            born = _date(raw["birth_date"])
            if not date(1930, 1, 1) <= born <= today:
                raise ValueError("Недопустимая дата рождения")
            out["birth_date"] = born
        except ValueError as e:
            bad("birth_date", str(e))
    sex = _text(raw.get("sex")).casefold()
    if sex:
        if sex in _SEX:
            out["sex"] = _SEX[sex]
        else:
            bad("sex", "Пол — «м» или «ж»")
    for field in ("snils", "guardian_snils"):
        text = _text(raw.get(field))
        if text:
            try:
                out[field] = snils_rules.normalise(text)
            except ValueError as e:
                bad(field, str(e))
    for field, limit in (("file_number", 30), ("group", 50)):
        text = _text(raw.get(field))
        if len(text) > limit:
            bad(field, f"Не длиннее {limit} знаков")
        elif text:
            out[field] = text
    relation = _text(raw.get("guardian_relation")).casefold()
    if relation:
        out["guardian_relation"] = _RELATIONS.get(relation, "other")
    phone = re.sub(r"[\s()-]", "", _text(raw.get("guardian_phone")))
    if phone:
        if re.fullmatch(r"\+?\d{10,15}", phone):
            out["guardian_phone"] = phone
        else:
            bad("guardian_phone", "Телефон — 10–15 цифр")
    has_guardian = bool(out.get("guardian_surname") and out.get("guardian_name"))
    if bool(out.get("guardian_surname")) != bool(out.get("guardian_name")):
        bad("guardian_name", "У представителя нужны и фамилия, и имя")
    if "birth_date" in out and not has_guardian and is_minor(out["birth_date"], today):
        bad("guardian_surname", "Несовершеннолетнему нужен законный представитель")
    return out, errors


def staff_row(
    cells: Sequence[Any], mapping: dict[int, str], today: date
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """A row as a staff member's HR card, and its errors by field."""
    raw = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
    out: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for field, value in raw.items():
        if isinstance(value, str) and value.lstrip().startswith(("=", "+=", "@")):
            errors.append({"field": field, "message": "Формула вместо значения: впишите значение"})
            raw[field] = None
    for field in ("surname", "name", "patronymic"):
        text = _text(raw.get(field))
        if text:
            try:
                out[field] = valid_name(text)
            except ValueError as e:
                errors.append({"field": field, "message": str(e)})
        elif field in STAFF_REQUIRED and not any(e["field"] == field for e in errors):
            errors.append({"field": field, "message": "Не заполнено"})
    if _text(raw.get("birth_date")):
        try:
            born = _date(raw["birth_date"])
            if not date(1930, 1, 1) <= born <= today:
                raise ValueError("Недопустимая дата рождения")
            out["birth_date"] = born
        except ValueError as e:
            errors.append({"field": "birth_date", "message": str(e)})
    for field, limit in (("job_title", 200), ("education", 500), ("qualification", 300)):
        text = _text(raw.get(field))
        if len(text) > limit:
            errors.append({"field": field, "message": f"Не длиннее {limit} знаков"})
        elif text:
            out[field] = text
    phone = _text(raw.get("phone"))
    if phone:
        if re.fullmatch(r"\+?[\d\s()-]{5,30}", phone):
            out["phone"] = phone
        else:
            errors.append({"field": "phone", "message": "Телефон — цифры, скобки, дефисы"})
    email = _text(raw.get("email"))
    if email:
        if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) and len(email) <= 200:
            out["email"] = email
        else:
            errors.append({"field": "email", "message": "Адрес почты вида name@example.ru"})
    return out, errors


def is_empty(cells: Sequence[Any]) -> bool:
    return all(_text(c) == "" for c in cells)
