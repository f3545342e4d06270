"""The admission ranking alone."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from edureg_contingent.domain.admissions import Candidate, certificate_average, ranking

IT, LAW = uuid.uuid4(), uuid.uuid4()


def _c(spec: uuid.UUID, avg: str, day: int, surname: str, funding: str = "budget") -> Candidate:
    return Candidate(
        uuid.uuid4(), spec, "full_time", funding, Decimal(avg), date(2027, 7, day), surname
    )


def test_by_average_then_the_earlier_application_per_competition() -> None:
    a, b, c, d, e = (
        _c(IT, "4.50", 5, "Антонов"),
        _c(IT, "4.75", 10, "Борисов"),
        _c(IT, "4.50", 3, "Власов"),  # the same average, applied earlier
        _c(LAW, "5.00", 1, "Гришин"),
        _c(IT, "5.00", 1, "Дёмин", funding="contract"),  # another competition
    )
    lists = ranking([a, b, c, d, e])
    assert [x.surname for x in lists[(IT, "full_time", "budget")]] == [
        "Борисов",
        "Власов",
        "Антонов",
    ]
    assert [x.surname for x in lists[(LAW, "full_time", "budget")]] == ["Гришин"]
    assert [x.surname for x in lists[(IT, "full_time", "contract")]] == ["Дёмин"]


def test_the_average_is_a_certificate_s() -> None:
    assert certificate_average(Decimal("3.67")) == Decimal("3.67")
    for bad in ("1.99", "5.01", "4.555"):
        with pytest.raises(ValueError, match="балл"):
            certificate_average(Decimal(bad))
