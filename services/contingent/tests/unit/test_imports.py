"""The import's header and row rules alone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from edureg_contingent.domain.imports import HeaderError, columns, is_empty, row

TODAY = date(2026, 12, 1)
HEADER = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Пол",
    "СНИЛС",
    "Класс",
    "Представитель: фамилия",
    "Представитель: имя",
    "Представитель: кем приходится",
]


def test_columns_by_their_russian_names_in_any_order() -> None:
    mapping = columns(["  ПОЛ ", "имя", "Фамилия", "Дата   рождения", "Группа", "лишний"])
    assert set(mapping.values()) == {"sex", "name", "surname", "birth_date", "group"}
    with pytest.raises(HeaderError, match="Дата рождения, Пол"):
        columns(["Фамилия", "Имя", "Класс"])


def test_a_good_row_and_every_field_of_a_bad_one() -> None:
    mapping = columns(HEADER)
    good, errors = row(
        [
            "Иванов",
            "Пётр",
            "",
            datetime(2015, 3, 14, tzinfo=UTC),
            "м",
            "112-233-445 95",
            "5А",
            "Иванова",
            "Анна",
            "мать",
        ],
        mapping,
        TODAY,
    )
    assert errors == []
    assert (good["birth_date"], good["sex"], good["snils"], good["guardian_relation"]) == (
        date(2015, 3, 14),
        "m",
        "11223344595",
        "mother",
    )
    _, errors = row(
        ["иванов", "", "", "31.02.2015", "x", "112-233-445 96", "=A1", "", "", ""],
        mapping,
        TODAY,
    )
    assert {e["field"] for e in errors} == {
        "surname",
        "name",
        "birth_date",
        "sex",
        "snils",
        "group",
    }
    assert any("Формула" in e["message"] for e in errors)
    _, errors = row(["Петров", "Иван", "", "01.01.2015", "м", "", "5А", "", "", ""], mapping, TODAY)
    assert [e["field"] for e in errors] == ["guardian_surname"]  # a minor alone
    assert is_empty(["", None, "  "])
