"""An organisation's numbers and profile rules alone (no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edureg_contingent.domain.requisites import (
    REQUIRED_FIELDS,
    accreditation_expires_soon,
    check_profile_dates,
    missing_fields,
    normalise_inn,
    normalise_kpp,
    normalise_ogrn,
)


def test_real_numbers_pass_and_typos_fail() -> None:
    # Published numbers of a large bank: ИНН 7707083893, КПП 773601001, ОГРН 1027700132195.
    assert normalise_inn("7707 083893") == "7707083893"
    assert normalise_kpp("773601001") == "773601001"
    assert normalise_kpp("7736ab001") == "7736AB001"
    assert normalise_ogrn("1027700132195") == "1027700132195"
    for bad in ("7707083894", "770708389", "77070838930", "77070838a3"):
        with pytest.raises(ValueError, match="ИНН"):
            normalise_inn(bad)
    for bad in ("1027700132196", "102770013219", "10277001321950"):
        with pytest.raises(ValueError, match="ОГРН"):
            normalise_ogrn(bad)
    for bad in ("77360100", "7736-01-00x", "77360100!"):
        with pytest.raises(ValueError, match="КПП"):
            normalise_kpp(bad)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_makes_an_inn(first: str) -> None:
    valid = [d for d in "0123456789" if _ok(first + d)]
    assert len(valid) == 1


def _ok(inn: str) -> bool:
    try:
        normalise_inn(inn)
    except ValueError:
        return False
    return True


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_exactly_one_check_digit_makes_an_ogrn(first: str) -> None:
    valid = []
    for d in "0123456789":
        try:
            normalise_ogrn(first + d)
            valid.append(d)
        except ValueError:
            pass
    assert len(valid) == 1


def test_completeness_and_accreditation() -> None:
    full = dict.fromkeys(REQUIRED_FIELDS, "x")
    assert missing_fields(full, accredited=False) == []
    assert missing_fields({**full, "kpp": ""}, accredited=False) == ["kpp"]
    assert "accreditation_number" in missing_fields(full, accredited=True)
    today = date(2026, 12, 1)
    assert accreditation_expires_soon(date(2027, 3, 1), today)  # 90 days
    assert not accreditation_expires_soon(date(2027, 3, 2), today)
    assert accreditation_expires_soon(date(2026, 1, 1), today)  # already expired
    assert not accreditation_expires_soon(None, today)
    assert [
        e["field"]
        for e in check_profile_dates(date(2027, 1, 1), date(2020, 1, 1), date(2019, 1, 1), today)
    ] == ["licence_date", "accreditation_valid_until"]
    assert check_profile_dates(None, None, None, today) == []


def test_okso_codes_and_levels() -> None:
    from edureg_contingent.domain.structure import check_level, okso_code

    assert okso_code(" 09.02.07 ") == "09.02.07"
    for bad in ("09.02.7", "090207", "09-02-07", "AB.02.07"):
        with pytest.raises(ValueError, match="ОКСО"):
            okso_code(bad)
    assert check_level("09.02.07", "ppssz") == "ppssz"
    assert check_level("15.01.05", "ppkrs") == "ppkrs"
    with pytest.raises(ValueError, match="ППССЗ"):
        check_level("09.02.07", "ppkrs")
