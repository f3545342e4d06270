"""The personal file's rules alone: ages, documents, guardians of minors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edureg_contingent.domain.personal_file import (
    age_on,
    certificate_series,
    changes,
    check_documents,
    check_guardians,
    is_minor,
    passport_series,
    six_digits,
    social_status,
)
from edureg_shared.errors import InvalidState

TODAY = date(2026, 12, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 1)))
def test_age_turns_on_the_birthday(birth: date) -> None:
    age = age_on(birth, TODAY)
    assert 0 <= age <= 126
    try:
        birthday = birth.replace(year=birth.year + age)
    except ValueError:  # 29 February
        birthday = date(birth.year + age, 3, 1)
    assert birthday <= TODAY
    assert age_on(birth, birthday - timedelta(days=1)) == age - 1 or age == 0


def test_a_leap_day_child_turns_14_on_the_first_of_march() -> None:
    born = date(2012, 2, 29)
    assert age_on(born, date(2026, 2, 28)) == 13
    assert age_on(born, date(2026, 3, 1)) == 14


def test_documents_by_age() -> None:
    ten = date(2016, 5, 5)
    fifteen = date(2011, 5, 5)
    check_documents(ten, TODAY, passport=False, passport_issued=None)
    check_documents(fifteen, TODAY, passport=True, passport_issued=date(2025, 6, 1))
    with pytest.raises(InvalidState) as e:  # a passport for a 10-year-old
        check_documents(ten, TODAY, passport=True, passport_issued=date(2026, 6, 1))
    assert {x["field"] for x in e.value.extra["errors"]} == {
        "passport_series",
        "passport_issued_on",
    }
    with pytest.raises(InvalidState, match="документы"):  # 15 and no passport
        check_documents(fifteen, TODAY, passport=False, passport_issued=None)
    with pytest.raises(InvalidState):  # issued before the 14th birthday
        check_documents(fifteen, TODAY, passport=True, passport_issued=date(2024, 1, 1))


def test_minors_come_with_a_guardian() -> None:
    assert is_minor(date(2009, 12, 2), TODAY)
    assert not is_minor(date(2008, 12, 1), TODAY)
    check_guardians(date(2008, 12, 1), TODAY, 0)  # 18 today: enrolled alone
    check_guardians(date(2016, 1, 1), TODAY, 1)
    with pytest.raises(InvalidState, match="законным представителем"):
        check_guardians(date(2016, 1, 1), TODAY, 0)


def test_document_numbers_and_catalogues() -> None:
    assert passport_series("45 12") == "4512"
    assert six_digits("123 456") == "123456"
    assert certificate_series("iv-ан") == "IV-АН"
    for bad, check in (
        ("451", passport_series),
        ("12345", six_digits),
        ("4-АН", certificate_series),
    ):
        with pytest.raises(ValueError):
            check(bad)
    assert social_status("large_family") == "large_family"
    with pytest.raises(ValueError, match="справочник"):
        social_status("vip")
    assert changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == ["b"]


def test_a_file_is_complete_with_its_addresses_snils_and_the_document_of_its_age() -> None:
    from edureg_contingent.domain.personal_file import missing_in_file

    today = date(2026, 12, 6)
    child = {
        "birth_date": date(2018, 5, 1),
        "registration_address": "г. Н, ул. Ленина, 1",
        "residence_address": "г. Н, ул. Ленина, 1",
        "snils": "11223344595",
        "birth_certificate_series": "IV-АН",
        "birth_certificate_number": "123456",
        "birth_certificate_issued_on": date(2018, 5, 20),
    }
    assert missing_in_file(child, today) == []
    assert missing_in_file({**child, "snils": None, "residence_address": ""}, today) == [
        "адрес проживания",
        "СНИЛС",
    ]
    # At 14 the passport is the document: a birth certificate no longer completes it.
    teen = {**child, "birth_date": date(2011, 1, 1)}
    assert missing_in_file(teen, today) == ["паспорт (серия, номер, дата выдачи, кем выдан)"]
    passport = {
        "passport_series": "4510",
        "passport_number": "123456",
        "passport_issued_on": date(2025, 2, 1),
        "passport_issuer": "ГУ МВД",
    }
    assert missing_in_file({**teen, **passport}, today) == []
