"""Staff of the organisation in contingent (004 4.3: the HR specialist's hiring and
dismissal orders; the HR card as the base of a teacher's portfolio): pure rules.

A hiring order takes an employee on (a new card, or one dismissed before); a dismissal
lets them go. What position in the system a hired person gets is limited here to those
that grant no management rights: anything more is the administrator's to assign in
identity (an HR order must not be a way to make someone an administrator).
"""

from __future__ import annotations

import enum

from edureg_shared.errors import InvalidState


class EmployeeStatus(enum.StrEnum):
    PENDING = "pending"  # a card, not yet hired by a signed order
    ACTIVE = "active"
    DISMISSED = "dismissed"


HIRE_POSITIONS: dict[str, str] = {
    "teacher": "Учитель/преподаватель",
    "none": "Без должности в системе (назначит администратор)",
}

_AFTER = {
    "hiring": ({EmployeeStatus.PENDING, EmployeeStatus.DISMISSED}, EmployeeStatus.ACTIVE),
    "dismissal": ({EmployeeStatus.ACTIVE}, EmployeeStatus.DISMISSED),
}
_REFUSALS = {
    "hiring": "Принять можно сотрудника, который ещё не работает (новая карточка или уволенный)",
    "dismissal": "Уволить можно только работающего сотрудника",
}


def apply_staff_order(kind: str, status: EmployeeStatus) -> EmployeeStatus:
    allowed, after = _AFTER[kind]
    if status not in allowed:
        raise InvalidState(_REFUSALS[kind])
    return after


def hire_position(code: str) -> str:
    if code not in HIRE_POSITIONS:
        raise ValueError("Должность при приёме — из справочника; остальные назначает администратор")
    return code
