"""Admissions (002 4.8, 004 4.3: the admission campaign of a college): pure rules.

Applicants compete per specialty, study form and funding source; the ranking is by the
average mark of the education certificate, higher first, and on a tie the earlier
application first (then the surname, for a stable list). The average is between 2.00
and 5.00 with two decimals, as the certificate is averaged.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

EDUCATION_LEVELS = {
    "basic_general": "основное общее (9 классов)",
    "secondary_general": "среднее общее (11 классов)",
    "vocational": "среднее профессиональное",
}
FUNDING = {"budget": "за счёт бюджета", "contract": "по договору"}


@dataclass(frozen=True)
class Candidate:
    id: uuid.UUID
    specialty_id: uuid.UUID
    study_form: str
    funding: str
    average: Decimal
    applied_on: date
    surname: str


def certificate_average(value: Decimal) -> Decimal:
    if not Decimal("2.00") <= value <= Decimal("5.00"):
        raise ValueError("Средний балл аттестата — от 2,00 до 5,00")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError("Средний балл — с точностью до сотых")
    return value


def ranking(candidates: Iterable[Candidate]) -> dict[tuple[uuid.UUID, str, str], list[Candidate]]:
    """Each competition (specialty, study form, funding) with its applicants in order."""
    lists: dict[tuple[uuid.UUID, str, str], list[Candidate]] = {}
    for c in candidates:
        lists.setdefault((c.specialty_id, c.study_form, c.funding), []).append(c)
    for entries in lists.values():
        entries.sort(key=lambda c: (-c.average, c.applied_on, c.surname, c.id))
    return lists
